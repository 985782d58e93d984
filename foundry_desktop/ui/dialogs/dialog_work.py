"""What the settings and workflow dialogs share besides their background work
(ui/background_work): the line inside the dialog where its errors are shown in words,
and the yes-or-no question before something is deleted."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

# Asks the creator a yes-or-no question: (title, question) -> yes. Dialogs take one, so that
# tests can answer for the creator.
Confirm = Callable[[str, str], bool]


def asking(parent: QWidget) -> Confirm:
    """A Confirm that asks in a message box over `parent`, Cancel being the default."""

    def ask(title: str, question: str) -> bool:
        answer = QMessageBox.question(parent, title, question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    return ask


class ErrorLine(QLabel):
    """An error in words inside the dialog, where the creator is looking; hidden when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("banner", "error")
        self.setWordWrap(True)
        self.setVisible(False)

    def show_error(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def clear_error(self) -> None:
        self.show_error("")
