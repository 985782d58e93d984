"""The inspector's line under a cloud shot's model: what its video will actually send (model,
endpoint, ratio, length, seed, and a note where that differs from the shot), or why nothing
will be — the same line `foundry generate --estimate` prints.

The backend works it out from the project in memory (`request_shape`: no network); asking
waits for the app's backends to be open, so it runs as a task on the loop, and an answer for a
shot or an edit that is no longer shown is dropped.
"""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel
from shiboken6 import isValid

from foundry_desktop.app.generation.cloud_models import NOT_SENT, listed_providers
from foundry_desktop.domain.project import Shot
from foundry_desktop.ui.project_session import ProjectSession


class RequestLine(QLabel):
    def __init__(self) -> None:
        super().__init__(wordWrap=True)
        self.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.setVisible(False)
        self._asked = 0  # which ask the shown answer must belong to

    def show_shot(self, session: ProjectSession, shot: Shot) -> None:
        """Ask again for the shot as the project holds it now (after any edit, undo or keyframe change);
        a shot of a backend without a table of models (built-in, ComfyUI) shows nothing."""
        if shot.spec.backend not in listed_providers():
            self.forget()
            return
        shot_id = shot.id
        self._asked += 1
        asked = self._asked
        session.run("What the shot will send", session.generation.request_words(session.service, shot_id),
                    lambda words: self._show(asked, words))

    def forget(self) -> None:
        self._asked += 1  # answers on their way are for something no longer shown
        self.setVisible(False)

    def _show(self, asked: int, words: str | None) -> None:
        if not isValid(self) or asked != self._asked:
            return
        self.setVisible(words is not None)
        self.setText(words or "")
        self.setProperty("refused", bool(words and words.startswith(NOT_SENT)))
