"""The window's Ctrl keys from a focused text field, driven by real key presses: commands a field
has no use for (Ctrl+E export, Ctrl+K split) run as they do from the timeline, even where the
platform's line edits take those keys for themselves (xcb: Ctrl+E is end of line); the field's own
Ctrl+A, Ctrl+C/V/X and Ctrl+Z stay inside it and leave the project alone (checked in its file)."""

from __future__ import annotations

from gui_loop import wait_until
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from test_gui_edit_commands import click, film, in_loop, playhead_to, saved, window  # noqa: F401 (fixtures)

from foundry_desktop.ui.dialogs.export_cut import ExportDialog

CTRL = Qt.KeyboardModifier.ControlModifier


def press(widget, key, modifiers=CTRL) -> None:
    in_loop(lambda: QTest.keyClick(widget, key, modifiers))


def test_window_commands_win_over_a_focused_field_and_its_own_editing_keys_stay_in_it(window, loop):
    click(window, 1)
    playhead_to(window, 60)  # inside shot 2 (48..72)
    name = window.inspector.name
    in_loop(lambda: QTest.mouseClick(name, Qt.MouseButton.LeftButton))
    wait_until(loop, name.hasFocus)
    before = saved(window)

    in_loop(lambda: QTest.keyClicks(name, "Harbour"))
    press(name, Qt.Key.Key_A)  # the field's select all: its text, not every shot
    assert name.selectedText() == name.text() and len(window.session.selected) == 1
    press(name, Qt.Key.Key_C)
    assert QApplication.clipboard().text() == name.text()

    press(name, Qt.Key.Key_K)  # Split at the playhead, from the field
    after_split = saved(window)
    assert len(after_split) == len(before) + 1 and [frames for _, frames, _ in after_split[1:3]] == [12, 12]

    press(name, Qt.Key.Key_E)  # Export the cut…
    dialog = next((found for found in window.findChildren(ExportDialog) if found.isVisible()), None)
    assert dialog is not None, "Ctrl+E in a field opened no export dialog"
    dialog.close()


def test_a_field_is_asked_only_for_the_keys_it_keeps(window, loop):
    """What Qt asks the focused field before a shortcut (ShortcutOverride): taking Ctrl+E and
    Ctrl+K is refused it whatever the platform's line edits would do; its editing keys it keeps."""
    name = window.inspector.name
    click(window, 0)
    in_loop(lambda: QTest.mouseClick(name, Qt.MouseButton.LeftButton))
    wait_until(loop, name.hasFocus)
    taken = {}
    for key in (Qt.Key.Key_E, Qt.Key.Key_K, Qt.Key.Key_A, Qt.Key.Key_Z, Qt.Key.Key_V):
        asked = QKeyEvent(QEvent.Type.ShortcutOverride, key, CTRL)
        asked.ignore()
        QApplication.sendEvent(name, asked)
        taken[QTest.keyToAscii(key)] = asked.isAccepted()
    assert taken == {"e": False, "k": False, "a": True, "z": True, "v": True}
