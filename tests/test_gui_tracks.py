"""The music and caption tracks as first-class timeline items, offscreen on a real project:
music clips dropped, selected, moved, trimmed, faded, given a gain, split, looped and deleted
through the pointer, keys and context menu (each one undo step, checked in the project file);
captions typed in place, moved, trimmed and deleted; a typed caption in the render and the SRT;
overlapping clips in two lanes; the inspector's pages for a clip and a caption."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gui_loop import opened, project_session, wait_until
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMenu
from video_sources import decoded_frames, write_video, write_wav

from foundry_desktop.app.exchange.caption_files import export_captions
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.shots.music_clips import add_music
from foundry_desktop.ui.inspector.inspector import InspectorPanel
from foundry_desktop.ui.timeline.geometry import row_of
from foundry_desktop.ui.timeline.panel import TimelinePanel
from foundry_desktop.ui.timeline.track_commands import choose_music, type_caption_at_playhead
from foundry_desktop.ui.timeline.track_painting import caption_boxes, gain_y, music_boxes

LEFT, NONE = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


@pytest.fixture
def session(tmp_path, loop):
    service = ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24")
    for number, seconds in enumerate(("2", "3", "2"), start=1):
        service.add_shot(prompt=f"shot {number}", duration_seconds=seconds, seed=number)
    with project_session(service, loop) as opened:
        yield opened


@pytest.fixture
def panel(qtbot, session):
    panel = TimelinePanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 300)
    panel.show()
    panel.set_session(session)
    return panel


def saved(session):
    """The timeline as the project file holds it."""
    with ProjectService.open(session.service.path, read_only=True) as reader:
        return reader.project.timeline


def clip_box(panel, index=0):
    canvas = panel.canvas
    return music_boxes(canvas.view, canvas.tracks.music(), canvas.length)[index][1]


def caption_box(panel, index=0):
    return caption_boxes(panel.canvas.view, panel.canvas.tracks.captions())[index][1]


def point(x, y) -> QPoint:
    return QPoint(round(x), round(y))


def drag(canvas, start: QPoint, end: QPoint) -> None:
    QTest.mousePress(canvas, LEFT, NONE, start)
    for step in range(1, 6):
        QTest.mouseMove(canvas, start + (end - start) * step / 5)
    QTest.mouseRelease(canvas, LEFT, NONE, end)


def one_undo_step(session, label: str) -> None:
    """The last edit is called `label`, and one undo takes all of it back (redo puts it back)."""
    service = session.service
    assert service.undo_label() == label
    after = service.project.timeline
    service.undo()
    assert service.project.timeline != after and service.redo_label() == label
    service.redo()
    assert service.project.timeline == after


def drop_music(panel, path: Path, frame: int, loop) -> None:
    canvas = panel.canvas
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    at = QPointF(canvas.view.x_of(frame), row_of("music").top + 20)
    canvas.dropEvent(QDropEvent(at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, NONE))
    wait_until(loop, lambda: panel.session.service.project.timeline.music)


def test_a_music_clip_is_dropped_selected_moved_trimmed_faded_gained_and_deleted(panel, session, loop, tmp_path):
    service, canvas = session.service, panel.canvas
    drop_music(panel, write_wav(tmp_path / "bed.wav", 3.0, 0.5), 24, loop)
    clip = service.project.timeline.music[0]
    assert (clip.start, clip.source_out) == (24, 72)
    ppf = canvas.view.px_per_frame

    box = clip_box(panel)
    QTest.mouseClick(canvas, LEFT, NONE, point(box.center().x(), box.bottom() - 8))
    assert session.selected_music == [clip.id] and session.selected == []

    drag(canvas, point(box.center().x(), box.bottom() - 8), point(box.center().x() + 24 * ppf, box.bottom() - 8))
    assert service.project.timeline.music[0].start == 48
    one_undo_step(session, "Move music bed.wav")

    box = clip_box(panel)
    drag(canvas, point(box.right() - 2, box.center().y() + 6), point(box.right() - 2 - 12 * ppf, box.center().y() + 6))
    assert service.project.timeline.music[0].source_out == 60
    one_undo_step(session, "Trim music bed.wav")

    box = clip_box(panel)
    drag(canvas, point(box.left() + 2, box.center().y() + 6), point(box.left() + 2 + 6 * ppf, box.center().y() + 6))
    clip = service.project.timeline.music[0]
    assert (clip.start, clip.source_in, clip.source_out) == (54, 6, 60)
    one_undo_step(session, "Trim music bed.wav")

    box = clip_box(panel)
    drag(canvas, point(box.left() + 1, box.top() + 3), point(box.left() + 1 + 12 * ppf, box.top() + 3))
    assert service.project.timeline.music[0].fade_in == 12
    one_undo_step(session, "Fade in music bed.wav")
    drag(canvas, point(box.right() - 1, box.top() + 3), point(box.right() - 1 - 6 * ppf, box.top() + 3))
    assert service.project.timeline.music[0].fade_out == 6
    one_undo_step(session, "Fade out music bed.wav")

    line = gain_y(box, 0.0)
    drag(canvas, point(box.center().x(), line), point(box.center().x(), line + 12))
    gain = service.project.timeline.music[0].gain_db
    assert -14 < gain < -8
    one_undo_step(session, "Change the gain of music bed.wav")
    on_file = saved(session).music[0]
    assert (on_file.start, on_file.source_in, on_file.source_out, on_file.fade_in, on_file.fade_out,
            on_file.gain_db) == (54, 6, 60, 12, 6, gain)

    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert service.project.timeline.music == [] and len(service.project.timeline.shots) == 3
    assert service.undo_label() == "Remove music clip"
    assert saved(session).music == [] and len(saved(session).shots) == 3


def test_clicking_a_music_clip_then_delete_leaves_every_shot_in_place(panel, session, loop, tmp_path):
    service, canvas = session.service, panel.canvas
    add_music(service, write_wav(tmp_path / "bed.wav", 2.0, 0.5), at_seconds="1")
    canvas.reload()
    session.select([service.project.timeline.shots[1].id])
    box = clip_box(panel)
    QTest.mouseClick(canvas, LEFT, NONE, point(box.center().x(), box.bottom() - 6))
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert [shot.spec.prompt for shot in saved(session).shots] == ["shot 1", "shot 2", "shot 3"]
    assert saved(session).music == []
    assert session.errors == []


def test_a_selected_music_clip_splits_at_the_playhead_and_loops_from_its_menu(panel, session, loop, tmp_path):
    service, canvas = session.service, panel.canvas
    add_music(service, write_wav(tmp_path / "bed.wav", 3.0, 0.5), fade_in_seconds="0.5", fade_out_seconds="1")
    canvas.reload()
    box = clip_box(panel)
    QTest.mouseClick(canvas, LEFT, NONE, point(box.center().x(), box.bottom() - 6))
    session.move_playhead(30)
    QTest.keyClick(canvas, Qt.Key.Key_B)  # the clip, not the shot under the playhead
    first, second = service.project.timeline.music
    assert (first.start, first.source_out, first.fade_in, first.fade_out) == (0, 30, 12, 0)
    assert (second.start, second.source_in, second.source_out, second.fade_in, second.fade_out) == (30, 30, 72, 0, 24)
    assert len(service.project.timeline.shots) == 3 and session.selected_music == [second.id]
    one_undo_step(session, "Split music bed.wav")

    box = clip_box(panel, 1)
    canvas.contextMenuEvent(_context_event(canvas, point(box.center().x(), box.bottom() - 6)))
    menu = canvas.findChild(QMenu)
    next(action for action in menu.actions() if action.text() == "Loop to the film's end").trigger()
    menu.close()
    assert [clip.loop for clip in saved(session).music] == [False, True]
    one_undo_step(session, "Loop music bed.wav")


def _context_event(canvas, at: QPoint):
    from PySide6.QtGui import QContextMenuEvent

    return QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, canvas.mapToGlobal(at))


def test_overlapping_music_clips_take_two_lanes_and_both_draw_their_sound(panel, session, loop, tmp_path):
    service, canvas = session.service, panel.canvas
    add_music(service, write_wav(tmp_path / "low.wav", 3.0, 0.5, hz=110))
    add_music(service, write_wav(tmp_path / "high.wav", 2.0, 0.2, hz=880), at_seconds="1")
    canvas.reload()
    low, high = clip_box(panel, 0), clip_box(panel, 1)
    assert high.top() >= low.bottom()  # the second lane, under the first
    assert low.top() >= row_of("music").top and high.bottom() <= row_of("music").bottom
    canvas.repaint()
    clips = service.project.timeline.music
    wait_until(loop, lambda: all(canvas.tracks.waveforms.seconds(clip) for clip in clips))
    assert canvas.tracks.waveforms.seconds(clips[0]) == pytest.approx(3.0, abs=0.01)
    picture = canvas.grab()
    picture.save(str(tmp_path / "lanes.png"))
    # The louder clip's outline is taller: more of its lane is the outline's colour.
    image = picture.toImage()

    def outline_pixels(box) -> int:
        return sum(1 for y in range(int(box.top()) + 1, int(box.bottom()))
                   if image.pixelColor(int(box.left() + 30), y).green() > 150)

    assert outline_pixels(low) > outline_pixels(high) > 0


def test_a_caption_is_typed_on_its_track_moved_trimmed_and_deleted(panel, session, loop):
    service, canvas = session.service, panel.canvas
    ppf = canvas.view.px_per_frame
    row = row_of("captions")
    QTest.mouseDClick(canvas, LEFT, NONE, point(canvas.view.x_of(12), row.top + 10))
    entry = canvas.tracks.entry
    assert entry is not None and entry.isVisible()
    QTest.keyClicks(entry, "Hello there")
    QTest.keyClick(entry, Qt.Key.Key_Return)
    caption = service.project.timeline.captions[0]
    assert (caption.text, caption.start, caption.end) == ("Hello there", 12, 60)
    assert session.selected_captions == [caption.id]
    one_undo_step(session, 'Add caption "Hello there"')

    box = caption_box(panel)
    drag(canvas, point(box.center().x(), box.center().y()), point(box.center().x() + 12 * ppf, box.center().y()))
    assert (service.project.timeline.captions[0].start, service.project.timeline.captions[0].end) == (24, 72)
    one_undo_step(session, 'Move caption "Hello there"')
    box = caption_box(panel)
    drag(canvas, point(box.right() - 2, box.center().y()), point(box.right() - 2 + 24 * ppf, box.center().y()))
    assert service.project.timeline.captions[0].end == 96
    one_undo_step(session, 'Trim caption "Hello there"')

    QTest.mouseDClick(canvas, LEFT, NONE, point(caption_box(panel).center().x(), row.top + 10))  # edit in place
    entry = canvas.tracks.entry
    entry.selectAll()
    QTest.keyClicks(entry, "Hello again")
    QTest.keyClick(entry, Qt.Key.Key_Return)
    assert [(c.text, c.start, c.end) for c in saved(session).captions] == [("Hello again", 24, 96)]

    QTest.mouseClick(canvas, LEFT, NONE, point(caption_box(panel).center().x(), row.top + 10))
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert saved(session).captions == [] and len(saved(session).shots) == 3
    assert service.undo_label() == "Remove caption"


def test_escape_leaves_the_caption_track_as_it_was(panel, session):
    type_caption_at_playhead(panel.canvas)
    entry = panel.canvas.tracks.entry
    QTest.keyClicks(entry, "Never mind")
    QTest.keyClick(entry, Qt.Key.Key_Escape)
    assert session.service.project.timeline.captions == [] and session.service.undo_label() == "Add shot 3"


def test_add_music_places_the_chosen_file_at_the_playhead(panel, session, loop, tmp_path, monkeypatch):
    wav = write_wav(tmp_path / "song.wav", 1.0, 0.5)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(wav), ""))
    session.move_playhead(40)
    choose_music(panel, session)
    wait_until(loop, lambda: session.service.project.timeline.music)
    assert [(clip.name, clip.start) for clip in saved(session).music] == [("song.wav", 40)]


def test_a_caption_typed_at_the_playhead_is_in_the_render_and_the_srt(qtbot, tmp_path, loop):
    service = ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24")
    grey = write_video(tmp_path / "grey.mp4", frames=48, width=320, height=180,
                       picture=lambda index: np.full((180, 320, 3), 90, np.uint8))
    add_media_shot(service, grey)
    add_media_shot(service, grey)
    with project_session(service, loop) as session:
        panel = TimelinePanel()
        qtbot.addWidget(panel)
        panel.resize(1000, 300)
        panel.show()
        panel.set_session(session)
        ruler = QPoint(round(panel.canvas.view.x_of(24)), 10)
        QTest.mouseClick(panel.canvas, LEFT, NONE, ruler)  # the playhead to one second
        assert session.playhead == 24
        type_caption_at_playhead(panel.canvas)  # Shots > Add caption at playhead (Ctrl+T)
        entry = panel.canvas.tracks.entry
        QTest.keyClicks(entry, "Hello there")
        QTest.keyClick(entry, Qt.Key.Key_Return)
        render = render_film(service, tmp_path / "film.mp4")
        frames = decoded_frames(render.report.media.path)

        def ink(index: int) -> bool:
            return bool((frames[index].mean(axis=2) > 200).any())

        assert [ink(i) for i in (23, 24, 71, 72)] == [False, True, True, False]
        expected = "1\n00:00:01,000 --> 00:00:03,000\nHello there\n"
        assert render.subtitles[0].read_text() == expected
        assert export_captions(service, tmp_path / "captions.srt").read_text() == expected


def test_the_inspector_edits_the_selected_music_clip_and_caption(qtbot, session, loop, tmp_path):
    service = session.service
    add_music(service, write_wav(tmp_path / "bed.wav", 2.0, 0.5))
    caption = service.add_caption("Hello", "0", "1")
    inspector = InspectorPanel()
    qtbot.addWidget(inspector)
    inspector.show()
    inspector.set_session(session)
    music_page, caption_page = inspector.track_pages
    session.select([], music=[service.project.timeline.music[0].id])
    assert inspector.shown_page() is music_page
    music_page.gain.setFocus()
    music_page.gain.lineEdit().selectAll()
    QTest.keyClicks(music_page.gain.lineEdit(), "-6")
    QTest.keyClick(music_page.gain.lineEdit(), Qt.Key.Key_Return)
    assert saved(session).music[0].gain_db == -6.0
    assert service.undo_label() == "Change the gain of music bed.wav"
    QTest.mouseClick(music_page.loop, LEFT)
    assert saved(session).music[0].loop is True
    music_page.fade_in.lineEdit().selectAll()
    QTest.keyClicks(music_page.fade_in.lineEdit(), "5")
    QTest.keyClick(music_page.fade_in.lineEdit(), Qt.Key.Key_Return)
    assert session.errors[-1].endswith("are longer than the clip (2.00 s): shorten them first.")
    assert music_page.fade_in.value() == 0.0 and saved(session).music[0].fade_in == 0

    session.select([], captions=[caption.id])
    assert inspector.shown_page() is caption_page
    caption_page.style.setCurrentIndex(caption_page.style.findData("title"))
    caption_page.style.activated.emit(caption_page.style.currentIndex())
    assert saved(session).captions[0].style.position == "middle"
    caption_page.text.setFocus()
    caption_page.text.selectAll()
    QTest.keyClicks(caption_page.text, "Goodbye")
    wait_until(loop, lambda: service.project.timeline.captions[0].text == "Goodbye")  # saved after a pause
    assert saved(session).captions[0].text == "Goodbye"
    assert service.undo_label() == 'Change caption "Goodbye"'


def test_ctrl_click_picks_several_captions_and_delete_removes_them_in_one_step(panel, session):
    service, canvas = session.service, panel.canvas
    for start in ("0", "2", "4"):
        service.add_caption(f"At {start}", start, str(int(start) + 1))
    canvas.reload()
    y = row_of("captions").top + 10
    QTest.mouseClick(canvas, LEFT, NONE, point(caption_box(panel, 0).center().x(), y))
    QTest.mouseClick(canvas, LEFT, Qt.KeyboardModifier.ControlModifier, point(caption_box(panel, 2).center().x(), y))
    assert len(session.selected_captions) == 2 and session.selected == []
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert [c.text for c in saved(session).captions] == ["At 2"]
    assert service.undo_label() == "Remove 2 items"
    service.undo()
    assert len(service.project.timeline.captions) == 3


def test_a_caption_menu_restyles_and_splits_it(panel, session):
    service, canvas = session.service, panel.canvas
    service.add_caption("one two three four", "0", "2")
    canvas.reload()
    session.move_playhead(12)
    box = caption_box(panel)
    canvas.contextMenuEvent(_context_event(canvas, point(box.center().x(), box.center().y())))
    menu = canvas.findChild(QMenu)
    styles = next(action.menu() for action in menu.actions() if action.text() == "Style")
    next(action for action in styles.actions() if action.text() == "Title").trigger()
    assert saved(session).captions[0].style.position == "middle"
    next(action for action in menu.actions() if action.text() == "Split at playhead").trigger()
    menu.close()
    assert [c.text for c in saved(session).captions] == ["one two", "three four"]


def test_add_caption_at_playhead_in_the_shots_menu_types_one_there(qtbot, tmp_path, loop):
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QKeySequence

    from foundry_desktop.ui.window.main_window import MainWindow

    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate="24") as service:
        service.add_shot(prompt="a shot", duration_seconds="3")
    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    try:
        assert opened(window, path)
        assert window.add_caption_action.shortcut() == QKeySequence("Ctrl+T")
        menus = [menu for menu in window.add_shot_action.associatedObjects() if isinstance(menu, QMenu)]
        assert window.add_music_action in menus[0].actions() and window.add_caption_action in menus[0].actions()
        window.session.move_playhead(36)
        window.docks["Timeline"].hide()  # closed by the creator: the command opens it again
        window.add_caption_action.trigger()  # as its key does (the offscreen platform routes no shortcuts)
        entry = window.timeline.canvas.tracks.entry
        assert entry is not None and entry.isVisible() and window.docks["Timeline"].isVisible()
        QTest.keyClicks(entry, "Typed here")
        QTest.keyClick(entry, Qt.Key.Key_Return)
        assert [(c.text, c.start, c.end) for c in window.session.service.project.timeline.captions] == [
            ("Typed here", 36, 72)]
    finally:
        loop.run_until_complete(window.session.wait_idle())
        window.close_project()
        loop.run_until_complete(window.generation.close())
    with ProjectService.open(path, read_only=True) as reader:
        assert [c.text for c in reader.project.timeline.captions] == ["Typed here"]


def test_a_looping_clip_and_a_caption_say_what_they_are_under_the_pointer(panel, session, tmp_path):
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    service, canvas = session.service, panel.canvas
    add_music(service, write_wav(tmp_path / "bed.wav", 1.0, 0.5), gain_db=-3, loop=True)
    service.add_caption("Hello", "1", "2")
    canvas.reload()
    canvas.repaint()  # a looping clip is painted with its repeats
    box = clip_box(panel)
    assert box.right() == pytest.approx(canvas.view.x_of(canvas.length))  # it runs to the film's end
    for at, words in ((point(box.left() + 200, box.bottom() - 6), "bed.wav\n00:00:00:00, 1.00 s looped to the end"),
                      (point(caption_box(panel).center().x(), row_of("captions").top + 10), "Hello\n00:00:01:00")):
        canvas.event(QHelpEvent(QHelpEvent.Type.ToolTip, at, canvas.mapToGlobal(at)))
        assert QToolTip.text().startswith(words)
