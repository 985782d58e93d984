"""Typed fields saved as a creator expects: after a pause in typing, on Return, or when the
field loses focus; never a step per keystroke, so each change is one undoable edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

PAUSE_MS = 900  # a typed field is saved this long after the last keystroke, or when it loses focus


class TypedFields(QObject):
    """The typed fields of a form and their saves waiting for a pause. `filling`: the form is
    setting its fields itself (showing the model), which is no typing."""

    def __init__(self, parent: QObject, *, filling: Callable[[], bool]) -> None:
        super().__init__(parent)
        self._filling = filling
        self._pending: dict[QObject, tuple[QTimer, Callable[[], None]]] = {}

    def watch(self, editor: QWidget, signal: Any, commit: Callable[[], None]) -> None:
        """Save `editor` with `commit` after a pause in `signal` (its typing), or when it loses focus."""
        timer = QTimer(self, singleShot=True, interval=PAUSE_MS)
        timer.timeout.connect(commit)
        signal.connect(lambda *_: None if self._filling() else timer.start())
        if hasattr(editor, "editingFinished"):  # Return in a line or spin box
            editor.editingFinished.connect(lambda: self.flush(editor))
        editor.installEventFilter(self)  # focus leaving
        self._pending[editor] = (timer, commit)

    def being_edited(self, editor: QWidget) -> bool:
        """Focused, or typed in with the save still waiting: not to be overwritten from the model."""
        return editor.hasFocus() or self._pending[editor][0].isActive()

    def flush(self, editor: QObject) -> None:
        timer, commit = self._pending[editor]
        if timer.isActive():
            timer.stop()
            commit()

    def flush_all(self) -> None:
        for editor in self._pending:
            self.flush(editor)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.FocusOut and watched in self._pending:
            self.flush(watched)
        return super().eventFilter(watched, event)
