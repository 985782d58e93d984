"""The export dialog's conform options, driven by mouse and keyboard: the film's own drop-frame flag is
the default (an imported 29.97 drop-frame cut goes out drop-frame), and so are long (File129) EDL reel
names when the cut's reels need them; strict 8-character reels are a click away, for EDLs only."""

from __future__ import annotations

import pytest
from gui_loop import editor_window, opened, settings_in, wait_until
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_conform import edl, events

from foundry_desktop.app.exchange.cut_import import import_cut
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.dialogs.export_cut import ExportDialog

LONG_REELS = """
001  A001_C002_0101AB V     C        10:00:00;00 10:00:01;00 01:00:00;00 01:00:01;00
002  A001_C003_0101AB V     C        10:00:05;00 10:00:06;00 01:00:01;00 01:00:02;00
"""


@pytest.fixture
def window(qtbot, tmp_path, loop):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        yield window


def _export(dialog: ExportDialog, loop, output) -> str:
    dialog.output.clear()
    QTest.keyClicks(dialog.output, str(output))
    dialog.report = None
    QTest.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: dialog.report is not None or dialog.error_line.isVisible())
    assert dialog.report is not None, dialog.error_line.text()
    return output.read_text()


def test_the_export_dialog_keeps_the_films_drop_frame_and_offers_long_reels(window, tmp_path, loop):
    source = edl(tmp_path, "night.edl", LONG_REELS, fcm="DROP FRAME")
    import_cut(source, tmp_path / "night.foundry", frame_rate="29.97")
    assert opened(window, tmp_path / "night.foundry")
    window.export_action.trigger()
    dialog = window.findChild(ExportDialog)
    dialog.format.setFocus()
    QTest.keyClick(dialog.format, Qt.Key.Key_Down)  # FCPXML 1.9
    QTest.keyClick(dialog.format, Qt.Key.Key_Down)  # CMX 3600 EDL
    assert dialog.output.text().endswith(".edl")
    # The cut's reels are longer than strict CMX allows: the film's own keys are the default, kept whole.
    assert dialog.drop_frame.isChecked() and dialog.long_reels.isEnabled() and dialog.long_reels.isChecked()
    long = _export(dialog, loop, tmp_path / "long.edl")
    assert "FCM: DROP FRAME" in long
    assert [event[:3] for event in events(long)] == [("A001_C002_0101AB", "V", "10:00:00;00"),
                                                     ("A001_C003_0101AB", "V", "10:00:05;00")]

    QTest.mouseClick(dialog.long_reels, Qt.MouseButton.LeftButton)  # strict CMX this once, and non-drop
    QTest.keyClick(dialog.drop_frame, Qt.Key.Key_Space)
    strict = _export(dialog, loop, tmp_path / "strict.edl")
    assert "FCM: NON-DROP FRAME" in strict
    assert [event[0] for event in events(strict)] == ["A001C002", "A001C003"]
    assert "shortened" in dialog.status.text()  # the note says the reels were cut to 8 characters

    QTest.keyClick(dialog.format, Qt.Key.Key_Down)  # OTIO: neither applies
    assert not dialog.long_reels.isEnabled() and not dialog.drop_frame.isEnabled()
    dialog.close()
    window.close_project()
    with ProjectService.open(tmp_path / "night.foundry", read_only=True) as service:  # exporting changed nothing
        timeline = service.project.timeline
        assert timeline.drop_frame is True
        assert [shot.reel for shot in timeline.shots] == ["A001_C002_0101AB", "A001_C003_0101AB"]
