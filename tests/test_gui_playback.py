"""Playing the cut in the preview, offscreen, on real projects whose shots are solid-colour
clips: what the picture shows (read back from the view's pixels) says which shot, slate or
blend is on screen. Nothing here waits for a guessed time: each wait is for a frame shown
or for the film to end.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6.QtMultimedia")

from gui_loop import opened, project_session, wait_until  # noqa: E402
from PySide6.QtCore import QPoint, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from video_sources import rms, sine, write_video  # noqa: E402

from foundry_desktop.app.playback.film_frames import film_frames  # noqa: E402
from foundry_desktop.app.setup.demo_film import DEMO_IMAGES  # noqa: E402
from foundry_desktop.app.playback.film_sound import film_sound, from_sample  # noqa: E402
from foundry_desktop.app.playback.frame_reader import FrameReader  # noqa: E402
from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.app.shots.media_shots import add_media_shot  # noqa: E402
from foundry_desktop.media.render.audio_mix import AudioPlacement  # noqa: E402
from foundry_desktop.ui.window.main_window import MainWindow  # noqa: E402
from foundry_desktop.ui.panels.preview import PreviewPanel  # noqa: E402
from foundry_desktop.ui.playback.slate_picture import SLATE_COLOURS  # noqa: E402
from foundry_desktop.ui.timeline.geometry import row_of  # noqa: E402
from foundry_desktop.ui.timeline.panel import TimelinePanel  # noqa: E402

COLOURS = {"red": (230, 20, 20), "green": (20, 200, 20), "blue": (20, 20, 230), "long red": (230, 20, 20)}
SHOWN = {"red": COLOURS["red"], "green": COLOURS["green"], "blue": COLOURS["blue"],
         "not generated": SLATE_COLOURS["not generated"].getRgb()[:3],
         "offline": SLATE_COLOURS["offline"].getRgb()[:3], "black": (0, 0, 0)}


def solid_clip(folder: Path, colour: str, frames: int = 24, tone=None) -> Path:
    frames = LONGER.get(colour, frames)
    rgb = np.array(COLOURS[colour], dtype=np.uint8)
    return write_video(folder / f"{colour.replace(' ', '_')}.mp4", frames=frames, tone=tone,
                       picture=lambda _index: np.broadcast_to(rgb, (90, 160, 3)).copy())


# Shots that last longer than a second: an edit made while one plays comes well before its end.
LONGER = {"long red": 72}


def what_is_shown(picture: QImage) -> str:
    """The name of the colour nearest the picture's colour a quarter down (above a slate's words)."""
    colour = picture.pixelColor(picture.width() // 2, picture.height() // 4)
    rgb = np.array([colour.red(), colour.green(), colour.blue()])
    return min(SHOWN, key=lambda name: float(np.abs(rgb - np.array(SHOWN[name])).sum()))


def in_order(seen: list[str]) -> list[str]:
    return [name for index, name in enumerate(seen) if index == 0 or seen[index - 1] != name]


def film(tmp_path: Path, shots: list[str], tone=None, size: tuple[int, int] = (320, 180)) -> Path:
    """A project whose shots are solid clips ("red"...) or, for "ungenerated", a shot with no take."""
    path = tmp_path / "film.foundry"
    service = ProjectService.create(path, width=size[0], height=size[1], frame_rate="24")
    for shot in shots:
        if shot == "ungenerated":
            service.add_shot(prompt="a shot not generated yet", duration_seconds="1", seed=1)
        else:
            add_media_shot(service, solid_clip(tmp_path, shot, tone=tone))
    service.close()
    return path


def preview_of(qtbot, session) -> PreviewPanel:
    panel = PreviewPanel()
    qtbot.addWidget(panel)
    panel.resize(480, 340)
    panel.show()
    panel.set_session(session)
    return panel


def test_space_plays_through_a_shot_not_generated_as_a_slate(qtbot, loop, tmp_path):
    path = film(tmp_path, ["red", "ungenerated", "blue"])
    window = open_in_window(qtbot, tmp_path, path)
    panel = window.preview
    wait_until(loop, lambda: panel.frames_shown > 0)  # on opening: the frame at the playhead
    assert panel.timecode_label.text() == "01:00:00:00 / 00:00:03:00"  # the film starts at 01:00:00:00
    seen: list[str] = []
    # Read back from the view itself, after the panel has put the frame there.
    panel.film_player.frame_shown.connect(lambda _frame, _picture: seen.append(what_is_shown(
        panel.view.grab().toImage())))
    window.activateWindow()
    window.timeline.canvas.setFocus()  # where a creator's focus is: Space is the window's key
    wait_until(loop, window.timeline.canvas.hasFocus)
    QTest.keyClick(window.timeline.canvas, Qt.Key.Key_Space)
    assert panel.playing
    wait_until(loop, lambda: not panel.playing)  # it plays to the end: the slate never stops it
    assert in_order(seen) == ["red", "not generated", "blue"]
    assert window.session.playhead == 71
    assert panel.timecode_label.text() == "01:00:02:23 / 00:00:03:00"
    assert not panel.banner.isVisible()
    close_window(loop, window)

    reopened = ProjectService.open(path)  # playing changed nothing in the project
    try:
        shots = reopened.project.timeline.shots
        assert len(shots) == 3 and reopened.project.selected_take(shots[1]) is None
    finally:
        reopened.close()


def open_in_window(qtbot, tmp_path: Path, path: Path) -> MainWindow:
    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    assert opened(window, path)
    return window


def close_window(loop, window: MainWindow) -> None:
    loop.run_until_complete(window.session.wait_idle())
    window.close_project()
    loop.run_until_complete(window.generation.close())


def test_an_edit_made_while_the_cut_plays_is_what_plays_next(qtbot, loop, tmp_path):
    path = film(tmp_path, ["long red", "green", "blue"])
    window = open_in_window(qtbot, tmp_path, path)
    panel, canvas = window.preview, window.timeline.canvas
    green = canvas._plan.shots[1]
    middle = QPoint(round(canvas.view.x_of((green.record_in + green.record_out) / 2)), row_of("video").top + 40)
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, middle)
    assert window.session.selected == [green.shot_id]
    seen: list[str] = []
    panel.film_player.frame_shown.connect(lambda _frame, picture: seen.append(what_is_shown(picture)))
    window.activateWindow()
    canvas.setFocus()
    wait_until(loop, canvas.hasFocus)
    QTest.keyClick(canvas, Qt.Key.Key_Space)
    wait_until(loop, lambda: seen)
    QTest.keyClick(canvas, Qt.Key.Key_Delete)  # three seconds of red to go: the green shot is gone before it
    assert panel.playing
    wait_until(loop, lambda: not panel.playing)
    assert in_order(seen) == ["red", "blue"]
    assert panel.timecode_label.text() == "01:00:03:23 / 00:00:04:00"
    close_window(loop, window)
    reopened = ProjectService.open(path)
    try:
        assert [shot.name for shot in reopened.project.timeline.shots] == ["long_red", "blue"]
    finally:
        reopened.close()


def test_paused_the_preview_shows_the_frame_at_the_playhead_after_a_ruler_click_and_an_edit(qtbot, loop, tmp_path):
    path = film(tmp_path, ["red", "green", "blue"])
    with project_session(ProjectService.open(path), loop) as session:
        preview = preview_of(qtbot, session)
        timeline = TimelinePanel()
        qtbot.addWidget(timeline)
        timeline.resize(1000, 260)
        timeline.show()
        timeline.set_session(session)
        canvas = timeline.canvas
        wait_until(loop, lambda: preview.frames_shown > 0)
        assert what_is_shown(preview.view.grab().toImage()) == "red"

        QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(canvas.view.x_of(30)), 10))  # the ruler, in shot 2
        assert session.playhead == 30
        wait_until(loop, lambda: what_is_shown(preview.view.grab().toImage()) == "green")
        assert preview.timecode_label.text() == "01:00:01:06 / 00:00:03:00"

        # The first shot deleted by the keyboard: frame 30 is now in the blue shot.
        first = canvas._plan.shots[0]
        QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(canvas.view.x_of((first.record_in + first.record_out) / 2)),
                                row_of("video").top + 40))
        QTest.keyClick(canvas, Qt.Key.Key_Delete)
        assert len(session.service.project.timeline.shots) == 2
        wait_until(loop, lambda: what_is_shown(preview.view.grab().toImage()) == "blue")
        assert preview.timecode_label.text() == f"01:00:01:{session.playhead - 24:02d} / 00:00:02:00"
        assert not preview.playing
        preview.set_session(None)
        timeline.set_session(None)

    reopened = ProjectService.open(path)
    try:
        assert [shot.name for shot in reopened.project.timeline.shots] == ["green", "blue"]
    finally:
        reopened.close()


def test_a_take_whose_file_is_gone_shows_the_offline_slate(qtbot, loop, tmp_path):
    path = film(tmp_path, ["red", "green"])
    service = ProjectService.open(path)
    gone = service.project.selected_take(service.project.timeline.shots[1])
    service.media.path_of(gone.media_path).unlink()  # the media folder lost it
    with project_session(service, loop) as session:
        panel = preview_of(qtbot, session)
        session.move_playhead(30)
        wait_until(loop, lambda: what_is_shown(panel.view.grab().toImage()) == "offline")
        assert panel.timecode_label.text() == "01:00:01:06 / 00:00:02:00"
        panel.set_session(None)


def test_a_take_that_does_not_decode_is_a_slate_and_the_film_plays_on(tmp_path):
    path = film(tmp_path, ["red", "green", "blue"])
    service = ProjectService.open(path)
    try:
        broken = service.project.selected_take(service.project.timeline.shots[1])
        service.media.path_of(broken.media_path).write_bytes(b"not a video at all")
        frames = film_frames(service)
    finally:
        service.close()
    reader = FrameReader()
    shown = [reader.read(frames, frame) for frame in (10, 30, 60)]
    reader.close()
    assert shown[0].picture[90, 160, 0] > 200 and shown[2].picture[90, 160, 2] > 200
    assert shown[1].picture is None and shown[1].slate.text == "Shot 2 · cannot be read"


def test_a_dissolve_blends_the_two_shots_frames(tmp_path):
    path = film(tmp_path, ["red", "blue"])
    service = ProjectService.open(path)
    try:
        service.set_transition(0, "dissolve", 8)
        frames = film_frames(service)
        reader = FrameReader()
        middle = frames.pieces[1]
        assert middle.blend == "dissolve"
        red, blue = (reader.read(frames, frame).picture for frame in (middle.record_in - 1, middle.record_out))
        halfway = reader.read(frames, middle.record_in + middle.frames // 2 - 1).picture
        reader.close()
    finally:
        service.close()
    assert red[90, 160, 0] > 200 and blue[90, 160, 2] > 200
    assert 80 < halfway[90, 160, 0] < 180 and 80 < halfway[90, 160, 2] < 180


def test_empty_time_plays_black_and_silent_between_the_shots_around_it(tmp_path):
    path = film(tmp_path, ["red", "green", "blue"], tone=sine(440.0, 0.5))
    service = ProjectService.open(path)
    try:
        service.lift_shot(1)  # the green second becomes empty time
        frames = film_frames(service)
        reader = FrameReader()
        shown = [reader.read(frames, frame).picture for frame in (10, 36, 60)]
        reader.close()
        sound = film_sound(service, service.cut_plan())
    finally:
        service.close()
    assert shown[0][90, 160, 0] > 200 and shown[2][90, 160, 2] > 200
    assert shown[1].max() < 20  # black, not the green shot, not a slate
    rate = sound.rate
    with sound.mixer_from(30) as mixer:  # in the gap (24..48): silence until the blue shot
        before, after = mixer.read(rate * 18 // 24), mixer.read(rate // 4)
    assert rms(before) == 0.0 and rms(after[:, rate // 20:]) > 0.1


def test_the_sound_plays_from_the_playhead_and_a_shot_not_generated_is_silent(tmp_path):
    path = film(tmp_path, ["red", "ungenerated", "blue"], tone=sine(440.0, 0.5))
    service = ProjectService.open(path)
    try:
        sound = film_sound(service, service.cut_plan())
    finally:
        service.close()
    rate = sound.rate
    with sound.mixer_from(6) as mixer:  # a quarter into the red shot: its tone at once
        assert rms(mixer.read(rate // 4)) > 0.1
    with sound.mixer_from(30) as mixer:  # in the shot not generated: silence until the blue shot at 48
        before, after = mixer.read(rate * 18 // 24), mixer.read(rate // 4)
    assert rms(before) == 0.0 and rms(after[:, rate // 20:]) > 0.1


def test_a_looping_music_clip_cut_at_the_playhead_plays_the_rest_of_its_pass_then_loops(tmp_path):
    placement = AudioPlacement(tmp_path / "bed.wav", start_sample=100, samples=1000, source_start=Fraction(1),
                               fade_out=50, loop_samples=300)
    rest, again = from_sample(placement, 500, 100)  # 400 samples in: 100 into its second pass
    assert (rest.start_sample, rest.samples, rest.source_start, rest.loop_samples) == (0, 200, Fraction(2), None)
    assert (again.start_sample, again.samples, again.source_start, again.loop_samples) == (200, 400, Fraction(1), 300)
    assert again.fade_out == 50 and rest.fade_out == 0
    assert from_sample(placement, 1100, 100) == []
    assert from_sample(placement, 50, 100)[0].start_sample == 50


def test_a_caption_shows_over_the_picture_while_it_lasts(qtbot, loop, tmp_path):
    path = film(tmp_path, ["green", "blue"])
    service = ProjectService.open(path)
    service.add_caption("Hello there", "0.5", "1.5")  # film frames 12 to 36
    service.close()
    with project_session(ProjectService.open(path), loop) as session:
        panel = preview_of(qtbot, session)
        wait_until(loop, lambda: panel.frames_shown > 0)
        before = panel.view.grab().toImage()
        session.move_playhead(20)
        wait_until(loop, lambda: panel.frames_shown > 1)
        captioned = panel.view.grab().toImage()
        panel.set_session(None)
    differing = sum(before.pixelColor(x, y) != captioned.pixelColor(x, y)
                    for x in range(0, before.width(), 4) for y in range(before.height() // 2, before.height(), 4))
    assert differing > 20  # words over the lower half of the green picture
    assert what_is_shown(captioned) == "green"


def test_an_empty_timeline_says_there_is_nothing_to_play(qtbot, loop, tmp_path):
    path = film(tmp_path, [])
    with project_session(ProjectService.open(path), loop) as session:
        panel = preview_of(qtbot, session)
        assert panel.view.hint.isVisible() and "no shots" in panel.view.hint.text()
        qtbot.mouseClick(panel.timeline_button, Qt.MouseButton.LeftButton)
        assert panel.banner.isVisible() and "no shots" in panel.banner.text()
        assert not panel.playing and panel.timecode_label.text() == "01:00:00:00 / 00:00:00:00"
        panel.set_session(None)


def test_a_portrait_film_shows_whole_pictures(qtbot, loop, tmp_path):
    # 180 pixels a row is not a multiple of the decoder's row alignment: rows must not shear.
    path = film(tmp_path, ["red"], size=(180, 320))
    with project_session(ProjectService.open(path), loop) as session:
        panel = preview_of(qtbot, session)
        wait_until(loop, lambda: panel.frames_shown > 0)
        picture = panel.view.picture.pixmap().toImage()
        assert (picture.width(), picture.height()) == (180, 320)
        # The landscape clip fits across, bars above and below; every row of it is red edge to edge.
        for y in (125, 160, 195):
            for x in (0, 90, 179):
                colour = picture.pixelColor(x, y)
                assert colour.red() > 180 and colour.green() < 80 and colour.blue() < 80, (x, y, colour.getRgb())
        panel.set_session(None)


def preview_picture(panel: PreviewPanel) -> np.ndarray:
    """The picture the preview holds now (what the view scales to its size), as RGB rows."""
    image = panel.view.picture.pixmap().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes()).reshape(image.height(), -1)
    return rows[:, :3 * image.width()].reshape(image.height(), image.width(), 3).copy()  # the image's bytes go with it


def test_after_generating_the_paused_preview_shows_the_playheads_frame_not_an_older_one(qtbot, loop, tmp_path):
    """Play and pause before the first played frame comes (the screenshot tool does it): the
    paused preview shows the frame at the playhead, not the picture that was up before (here the
    black of the fade-in at frame 0, as the demo's screenshot showed it)."""
    path = tmp_path / "film.foundry"
    service = ProjectService.create(path, width=320, height=180, frame_rate="24")
    for name, image in (("Valley", "valley.png"), ("Coast", "coast.png")):
        service.add_shot(name=name, prompt=f"The {name.lower()}", duration_seconds="2", image=DEMO_IMAGES / image,
                         seed=7)
    service.set_transition(0, "dissolve", 12)
    service.set_film_fades(12, 0)
    service.close()
    window = open_in_window(qtbot, tmp_path, path)
    panel, canvas, session = window.preview, window.timeline.canvas, window.session
    window.activateWindow()
    canvas.setFocus()
    wait_until(loop, canvas.hasFocus)
    QTest.keyClick(canvas, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)  # Generate
    assert session.generating
    wait_until(loop, lambda: not session.generating)
    shots = session.service.project.timeline.shots
    assert all(session.service.project.selected_take(shot) for shot in shots)
    film = film_frames(session.service)
    reader = FrameReader()
    black = reader.read(film, 0).picture
    assert black.max() < 20  # the fade-in's first frame
    # The preview reads the generated cut and shows frame 0 of it, paused.
    wait_until(loop, lambda: panel.film is not None and all(source.path for source in panel.film.sources)
               and np.array_equal(preview_picture(panel), black))

    dissolve = next(piece for piece in film.pieces if piece.blend == "dissolve")
    plain = film.pieces[-1]
    assert plain.blend == "none"
    for frame in (dissolve.record_in + dissolve.frames // 2, plain.record_in + plain.frames // 2):
        expected = reader.read(film, frame).picture
        assert expected.mean() > 40
        shown: list[int] = []
        panel.film_player.frame_shown.connect(lambda at, _picture, shown=shown: shown.append(at))
        QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(canvas.view.x_of(frame)), 10))  # the ruler
        assert session.playhead == frame
        QTest.keyClick(canvas, Qt.Key.Key_Space)  # play, and at once pause: no frame came between
        assert panel.playing
        QTest.keyClick(canvas, Qt.Key.Key_Space)
        assert not panel.playing and shown == []
        wait_until(loop, lambda shown=shown: shown and shown[-1] == frame)
        assert session.playhead == frame
        picture = preview_picture(panel)
        assert picture.shape == expected.shape
        assert np.abs(picture.astype(int) - expected).mean() < 1.0, f"frame {frame} is not what the preview shows"
    reader.close()
    close_window(loop, window)
