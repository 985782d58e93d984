"""The timeline panel, offscreen, on a real project: painting, selecting, dragging a shot
to a new place, trimming and lengthening by the edges, splitting at the playhead,
transitions, markers, keys, files dropped from the desktop (good ones and bad ones)
and takes dragged from the takes bin."""

from __future__ import annotations

import numpy as np
import pytest
from gui_loop import project_session, wait_until
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest
from video_sources import sine, write_video

from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.timeline import panel as timeline_panel
from foundry_desktop.ui.panels.take_drag import take_mime_data
from foundry_desktop.ui.timeline.geometry import row_of
from foundry_desktop.ui.timeline.panel import TimelinePanel


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
    panel.resize(1000, 260)
    panel.show()
    panel.set_session(session)
    return panel


def centre_of(panel, index) -> QPoint:
    placed = panel.canvas._plan.shots[index]
    x = panel.canvas.view.x_of((placed.record_in + placed.record_out) / 2)
    return QPoint(round(x), row_of("video").top + 40)


def edge_of(panel, index, end: bool) -> QPoint:
    placed = panel.canvas._plan.shots[index]
    return QPoint(round(panel.canvas.view.x_of(placed.record_out if end else placed.record_in)) - (2 if end else -2),
                  row_of("video").top + 40)


def drag(canvas, start: QPoint, end: QPoint) -> None:
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 6):
        QTest.mouseMove(canvas, start + (end - start) * step / 5)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def prompts(session) -> list[str]:
    return [shot.spec.prompt for shot in session.service.project.timeline.shots]


def test_shots_are_selected_moved_and_trimmed_by_the_pointer(panel, session, loop, tmp_path):
    canvas = panel.canvas
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre_of(panel, 1))
    assert session.selected == [session.service.project.timeline.shots[1].id]
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, centre_of(panel, 2))
    assert len(session.selected) == 2

    drag(canvas, centre_of(panel, 0), centre_of(panel, 2) + QPoint(40, 0))  # the first shot to the end
    assert prompts(session) == ["shot 2", "shot 3", "shot 1"]
    assert session.service.undo_label() == "Move shot 1 to 3"

    # No take yet: the right edge changes the shot's length (one second more, snapped to whole frames).
    before = session.service.project.timeline.shots[0].spec.duration
    second = round(24 * canvas.view.px_per_frame)
    drag(canvas, edge_of(panel, 0, end=True), edge_of(panel, 0, end=True) + QPoint(second, 0))
    after = session.service.project.timeline.shots[0].spec.duration
    assert abs(after - (before + 24)) <= 2, (before, after)
    assert "stale" not in session.service.shot_status(session.service.project.timeline.shots[0]).kind  # never made
    session.service.undo()
    assert session.service.project.timeline.shots[0].spec.duration == before

    # With a take: the edges trim it instead.
    session.generate()
    wait_until(loop, lambda: not session.generating)
    panel.canvas.reload()
    drag(canvas, edge_of(panel, 0, end=False), edge_of(panel, 0, end=False) + QPoint(second // 2, 0))
    shot = session.service.project.timeline.shots[0]
    assert 9 <= shot.trim_in <= 15 and session.service.shot_status(shot).kind == "current"
    wait_until(loop, lambda: panel.canvas._strips)  # filmstrips arrive from their thread
    canvas.grab().save(str(tmp_path / "timeline.png"))


def test_ruler_scrubs_keys_step_and_mark_and_delete_removes(panel, session, loop):
    canvas = panel.canvas
    x = round(canvas.view.x_of(30))
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, 10))
    assert session.playhead == 30 and panel.timecode.text() == "01:00:01:06"  # the film starts at 01:00:00:00
    panel.key_actions["Next frame"].trigger()
    panel.key_actions["Add marker"].trigger()
    assert [m.frame for m in session.service.project.timeline.markers] == [31]
    session.select([session.service.project.timeline.shots[1].id])
    panel.ripple_delete()  # Edit > Ripple delete (Delete), which the window's menu holds
    assert prompts(session) == ["shot 1", "shot 3"] and session.selected == []
    panel.key_actions["Play forwards"].trigger()
    wait_until(loop, lambda: session.playhead > 31)
    panel.key_actions["Stop"].trigger()
    assert session.playhead > 31


def test_a_double_click_on_a_cut_edits_its_transition(panel, session, monkeypatch):
    class Chosen(timeline_panel.TransitionDialog):
        def exec(self):  # what the creator picks in the dialog
            self.kind.setCurrentIndex(1)  # dissolve
            self.seconds.setValue(0.5)
            return self.DialogCode.Accepted

    monkeypatch.setattr(timeline_panel, "TransitionDialog", Chosen)
    cut = panel.canvas._plan.shots[0].record_out
    QTest.mouseDClick(panel.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                      QPoint(round(panel.canvas.view.x_of(cut)), row_of("video").top + 30))
    transition = session.service.project.timeline.shots[0].transition_out
    assert (transition.kind, transition.duration) == ("dissolve", 12)
    assert len(panel.canvas._plan.transitions) == 1


def drop(canvas, paths, at: QPoint) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    drop_mime(canvas, mime, at)


def drop_mime(canvas, mime: QMimeData, at: QPoint) -> None:
    event = QDropEvent(QPointF(at), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    canvas.dropEvent(event)


def test_files_dropped_from_the_desktop_become_shots_and_music_and_bad_ones_say_why(panel, session, loop, tmp_path):
    clip = write_video(tmp_path / "clip.mp4", frames=24, tone=sine())
    still = tmp_path / "still.png"
    Image.fromarray(np.full((90, 160, 3), 90, np.uint8)).save(still)
    drop(panel.canvas, [clip, still], centre_of(panel, 0) - QPoint(30, 0))  # before the first shot's middle
    wait_until(loop, lambda: len(session.service.project.timeline.shots) == 5)
    assert prompts(session)[:2] == ["clip.mp4", "still.png"]
    assert session.service.shot_status(session.service.project.timeline.shots[0]).kind == "current"

    drop(panel.canvas, [clip], QPoint(round(panel.canvas.view.x_of(24)), row_of("music").top + 10))
    wait_until(loop, lambda: session.service.project.timeline.music)
    assert session.service.project.timeline.music[0].start == 24

    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    shots_before = prompts(session)
    drop(panel.canvas, [broken, notes], centre_of(panel, 1))
    wait_until(loop, lambda: len(session.errors) == 2)
    assert prompts(session) == shots_before
    assert all("broken.mp4" in e or "notes.txt" in e for e in session.errors), session.errors


def cut_list(session) -> list[tuple[str, int, int, int]]:
    """(prompt, take frame in, take frame out, film frames) per shot, as the film plays."""
    shots = session.service.project.timeline.shots
    return [(shots[p.index].spec.prompt, p.source_in, p.source_out, p.frames) for p in session.service.cut_plan().shots]


def test_b_splits_the_shot_under_the_playhead_and_undo_joins_it_again(panel, session, loop, tmp_path):
    service = session.service
    clip = write_video(tmp_path / "clip.mp4", frames=48, tone=sine())
    add_media_shot(service, clip, at=1, source_in="0.5", source_out="1.75")  # take frames 12..42
    service.set_transition(1, "dissolve", 8)  # shot 2 has no frames before its start: it loses 4 to the dissolve
    session.move_playhead(48 + 10)  # 10 frames into the clip's shot
    panel.canvas.reload()
    QTest.keyClick(panel.canvas, Qt.Key.Key_B)
    assert cut_list(session) == [("shot 1", 0, 48, 48), ("clip.mp4", 12, 22, 10), ("clip.mp4", 22, 42, 20),
                                 ("shot 2", 4, 72, 68), ("shot 3", 0, 48, 48)]
    shots = service.project.timeline.shots
    assert shots[1].transition_out.kind == "cut" and shots[2].transition_out.duration == 8  # the dissolve stays last
    second_take = service.project.selected_take(shots[2])
    assert second_take is not None and second_take.media_path == service.project.selected_take(shots[1]).media_path
    assert [service.shot_status(shot).kind for shot in shots[1:3]] == ["current", "current"]
    assert session.selected == [shots[2].id]

    session.move_playhead(48 + 10 + 20 + 30)  # 30 frames into what shows of shot 2, not generated yet
    panel.key_actions["Split at playhead (Ctrl+K)"].trigger()
    assert cut_list(session)[3:5] == [("shot 2", 4, 34, 30), ("shot 2", 0, 38, 38)]  # the split is where it was put
    assert [shot.spec.duration for shot in service.project.timeline.shots[3:5]] == [34, 38]  # two shorter generations

    service.undo()
    service.undo()
    assert cut_list(session) == [("shot 1", 0, 48, 48), ("clip.mp4", 12, 42, 30), ("shot 2", 4, 72, 68),
                                 ("shot 3", 0, 48, 48)]
    service.redo()
    assert cut_list(session)[1:3] == [("clip.mp4", 12, 22, 10), ("clip.mp4", 22, 42, 20)]
    assert service.shot_status(service.project.timeline.shots[2]).kind == "current"  # it found its take again

    session.move_playhead(48)  # on a cut: nothing to split
    errors = len(session.errors)
    panel.key_actions["Split at playhead"].trigger()
    assert len(session.errors) == errors + 1 and "inside a shot" in session.errors[-1]


def test_a_take_dragged_from_the_bin_is_used_on_its_shot_or_becomes_a_new_shot(panel, session, loop, tmp_path):
    service = session.service
    clip = write_video(tmp_path / "clip.mp4", frames=24, tone=sine())
    add_media_shot(service, clip, at=0)
    add_media_shot(service, write_video(tmp_path / "other.mp4", frames=36, tone=sine()), at=1)
    shot, spare = service.project.timeline.shots[:2]
    first, spare_take = service.project.selected_take(shot), service.project.selected_take(spare)
    # A second take of shot 1 (from the other file), not shown yet.
    service.add_take(spare_take.model_copy(update={"id": "spare", "shot_id": shot.id}), select_it=False)
    service.reload()
    panel.canvas.reload()

    drop_mime(panel.canvas, take_mime_data(shot.id, "spare"), centre_of(panel, 0))  # onto its own shot: used there
    assert service.project.timeline.shots[0].selected_take_id == "spare"

    before = len(service.project.timeline.shots)
    drop_mime(panel.canvas, take_mime_data(shot.id, first.id), centre_of(panel, 3) + QPoint(40, 0))  # past shot 4's middle
    wait_until(loop, lambda: len(service.project.timeline.shots) == before + 1)
    added = service.project.timeline.shots[4]
    assert added.name == "clip take 1" and service.project.selected_take(added).media_path == first.media_path
    assert service.shot_status(added).kind == "current"
    assert service.project.timeline.shots[3].spec.prompt == "shot 2"  # the shot it landed on is untouched
    service.undo()
    assert len(service.project.timeline.shots) == before


def test_a_fitted_timeline_stays_fitted_when_resized_until_the_creator_zooms(panel, session, loop):
    canvas = panel.canvas
    canvas.fit()
    first, last = canvas.view.visible_frames(canvas.width())
    narrower = canvas.width()
    panel.resize(1600, 260)
    wait_until(loop, lambda: canvas.width() > narrower)  # the layout has passed the new size on
    assert canvas.view.visible_frames(canvas.width())[1] == pytest.approx(last, rel=0.05)  # still the whole film
    canvas.zoom(2.0)
    zoomed = canvas.view.px_per_frame
    wider = canvas.width()
    panel.resize(1200, 260)
    wait_until(loop, lambda: canvas.width() < wider)
    assert canvas.view.px_per_frame == zoomed  # the creator's zoom is kept
