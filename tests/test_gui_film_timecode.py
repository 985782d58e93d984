"""Timeline ▸ Film timecode, typed: the film's start timecode and drop-frame flag set as one undo step
(the project file reopened says so), a timecode that does not read refused in words, and the timeline's
timecode display and the preview counting from the film's start (01:00:00:00 at frame 0 by default)."""

from __future__ import annotations

import pytest
from gui_loop import editor_window, settings_in, wait_until
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.dialogs.film_timecode import FilmTimecodeDialog

NTSC = "30000/1001"


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
    assert window.open_project(path)
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
    assert window.open_project(path)
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
