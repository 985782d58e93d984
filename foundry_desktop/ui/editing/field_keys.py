"""Which keys a focused text field keeps and which the window's commands win.

Qt asks the focused widget first (a ShortcutOverride event) whether it wants a key that is also a
shortcut; a line edit on Linux says yes to Ctrl+E (end of line), Ctrl+U (clear to the start) and,
under some desktops, Ctrl+K and Ctrl+D, so Export, Split and Duplicate did nothing while the
creator's cursor was in a name or a prompt. A text field has no real use for those: the window's
command wins. What a field does use stays the field's: its own undo and redo, cut, copy, paste
and select all, and every key without Ctrl or Alt (letters, Space, Delete, arrows) is typing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

TEXT_FIELDS = (QLineEdit, QAbstractSpinBox, QPlainTextEdit, QTextEdit, QComboBox)
FIELD_OWN_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo, QKeySequence.StandardKey.Cut,
                  QKeySequence.StandardKey.Copy, QKeySequence.StandardKey.Paste, QKeySequence.StandardKey.SelectAll)
COMMAND_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


class WindowKeysOverFields(QObject):
    """Watches each text field of `window` that takes the focus (only those: an app-wide filter
    would see every event) and lets the window's enabled `actions` have their Ctrl and Alt keys."""

    def __init__(self, window: QWidget, actions: list[QAction]) -> None:
        super().__init__(window)
        self.window, self.actions = window, actions
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if isinstance(new, TEXT_FIELDS) and new.window() is self.window:
            new.installEventFilter(self)  # once: Qt keeps one entry a filter and an object

    def window_wins(self, event: QKeyEvent) -> bool:
        if not event.modifiers() & COMMAND_MODIFIERS or any(event.matches(key) for key in FIELD_OWN_KEYS):
            return False
        pressed = QKeySequence(event.keyCombination())
        return any(action.isEnabled() and pressed in action.shortcuts() for action in self.actions)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        # Kept from the field and left unaccepted, the override lets the window's shortcut run.
        return event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self.window_wins(event)
