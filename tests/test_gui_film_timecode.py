"""Timeline ▸ Film timecode, typed: the film's start timecode and drop-frame flag set as one undo step
(the project file reopened says so), a timecode that does not read refused in words, and the timeline's
timecode display and the preview counting from the film's start (01:00:00:00 at frame 0 by default)."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from gui_loop import editor_window, opened, settings_in, wait_until
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest

from foundry_desktop.app.exchange.conform_keys import film_timecode_at, timecode_frames
from foundry_desktop.app.exchange.timecode_ticks import round_timecode_frames
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.timeline.geometry import tick_step
from foundry_desktop.ui.dialogs.film_timecode import FilmTimecodeDialog

NTSC = "30000/1001"
TIMECODE = re.compile(r"^\d\d:\d\d:\d\d[:;]\d\d$")


@pytest.fixture
def window(qtbot, tmp_path, loop):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        yield window


def film(tmp_path, rate: str = "24"):
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate=rate) as service:
        service.add_shot(name="Opening", prompt="a harbour at dawn", duration_frames=90)
    return path


def the_dialog(window, loop) -> FilmTimecodeDialog:
    window.film_timecode_action.trigger()
    wait_until(loop, lambda: (dialog := window.findChild(FilmTimecodeDialog)) is not None and dialog.isActiveWindow())
    return window.findChild(FilmTimecodeDialog)


def typed(dialog: FilmTimecodeDialog, text: str) -> None:
    dialog.start.selectAll()
    QTest.keyClicks(dialog.start, text)
    QTest.keyClick(dialog.start, Qt.Key.Key_Return)  # the dialog's OK


def test_the_films_start_timecode_typed_is_one_undo_step_and_the_displays_count_from_it(window, tmp_path, loop):
    path = film(tmp_path, NTSC)
    assert opened(window, path)
    assert window.timeline.timecode.text() == "01:00:00;00"  # 29.97: drop frame unless told otherwise
    dialog = the_dialog(window, loop)
    assert dialog.start.text() == "01:00:00;00" and dialog.drop_frame.isChecked() and dialog.drop_frame.isEnabled()
    box = dialog.drop_frame  # its box, at its left: the widget is wider than its text
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(8, box.height() // 2))
    assert not dialog.drop_frame.isChecked()
    typed(dialog, "04:00:00:00")
    wait_until(loop, lambda: window.findChild(FilmTimecodeDialog) is None)
    with ProjectService.open(path, read_only=True) as reopened:  # the project file, opened afresh
        timeline = reopened.project.timeline
        assert (timeline.start_timecode, timeline.drop_frame) == (4 * 3600 * 30, False)
        assert reopened.undo_label() == "Set the film's timecode"
    window.session.move_playhead(45)
    assert window.timeline.timecode.text() == "04:00:01:15"
    wait_until(loop, lambda: window.preview.timecode_label.text().startswith("04:00:01:15 / "))
    window.timeline.canvas.grab().save(str(tmp_path / "ruler.png"))
    window.activateWindow()
    wait_until(loop, lambda: window.isActiveWindow())
    QTest.keyClick(window.timeline.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    with ProjectService.open(path, read_only=True) as reopened:
        assert (reopened.project.timeline.start_timecode, reopened.project.timeline.drop_frame) == (None, None)
    assert window.timeline.timecode.text() == "01:00:01;15"


def test_a_timecode_that_does_not_read_is_refused_in_words_and_nothing_changes(window, tmp_path, loop):
    path = film(tmp_path)
    assert opened(window, path)
    dialog = the_dialog(window, loop)
    assert not dialog.drop_frame.isEnabled() and "24 fps" in dialog.drop_frame.toolTip()
    typed(dialog, "one o'clock")
    assert dialog.isVisible() and dialog.error_line.isVisible()
    assert "is not a timecode Foundry can use" in dialog.error_line.text()
    dialog.grab().save(str(tmp_path / "timecode-refused.png"))
    typed(dialog, "10:00:00:00")
    wait_until(loop, lambda: window.findChild(FilmTimecodeDialog) is None)
    with ProjectService.open(path, read_only=True) as reopened:
        assert reopened.project.timeline.start_timecode == 10 * 3600 * 24
    assert window.timeline.timecode.text() == "10:00:00:00"


def painted_ruler_labels(window, monkeypatch) -> list[tuple[float, str]]:
    """The timecodes the canvas writes on its ruler as it paints (what drawText is given), in order."""
    written: list[tuple[float, str]] = []
    draw_text = QPainter.drawText

    def recording(painter, *args):
        if len(args) == 2 and isinstance(args[0], QPointF) and TIMECODE.match(str(args[1])) and args[0].y() == 12:
            written.append((args[0].x(), args[1]))
        return draw_text(painter, *args)

    monkeypatch.setattr(QPainter, "drawText", recording)
    window.timeline.canvas.grab()
    monkeypatch.setattr(QPainter, "drawText", draw_text)
    return written


def test_the_ruler_labels_round_timecodes_of_a_film_that_starts_between_seconds(window, tmp_path, loop, monkeypatch):
    path = film(tmp_path)
    with ProjectService.open(path) as service:
        service.set_film_timecode(timecode_frames("00:59:58:12", Fraction(24), False), False)
    assert opened(window, path)
    canvas = window.timeline.canvas
    labels = painted_ruler_labels(window, monkeypatch)
    canvas.grab().save(str(tmp_path / "ruler-from-58-12.png"))
    major, _ = tick_step(canvas.view.px_per_frame, Fraction(24))
    start = timecode_frames("00:59:58:12", Fraction(24), False)
    frames = [timecode_frames(text, Fraction(24), False) - start for _, text in labels]
    assert len(labels) >= 2 and all((start + frame) % major == 0 for frame in frames), (major, labels)
    assert frames[0] == (-start) % major  # the first round value after the start (frame 0 is 00:59:58:12)
    canvas.view.px_per_frame = 1.0  # zoomed out: a label a few seconds
    labels = painted_ruler_labels(window, monkeypatch)
    canvas.grab().save(str(tmp_path / "ruler-from-58-12-out.png"))
    assert [text for _, text in labels][:2] == ["01:00:00:00", "01:00:05:00"]  # every 5 s, from the first round one
    frames = [timecode_frames(text, Fraction(24), False) - start for _, text in labels]
    assert all(abs(x - (canvas.view.x_of(frame) + 3)) < 1 for (x, _), frame in zip(labels[:-1], frames))  # at its tick


def test_round_drop_frame_values_skipped_by_the_count_are_ticked_where_the_minute_starts(tmp_path):
    path = film(tmp_path, NTSC)
    with ProjectService.open(path) as service:
        service.set_film_timecode(timecode_frames("00:00:59;20", Fraction(30000, 1001), True), True)
        project = service.project
    frames = round_timecode_frames(project, 0, 200, 30)
    labels = [film_timecode_at(project, frame) for frame in frames]
    assert labels == ["00:01:00;02", "00:01:01;00", "00:01:02;00", "00:01:03;00", "00:01:04;00", "00:01:05;00",
                      "00:01:06;00"]
    assert frames[0] == 10  # 00:00:59;20 + 10 frames: ;00 and ;01 of minute 1 do not exist
