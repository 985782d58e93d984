"""What the settings and workflow dialogs share: the background work a dialog starts,
the line inside the dialog where its errors are shown in words, and the yes-or-no
question before something is deleted.

A dialog's work (a server check, a keyring call, a folder measured) runs as
asyncio tasks on the app's qasync loop or in worker threads, so the dialog
never freezes; closing the dialog cancels what is still running, so no answer
arrives at widgets that are gone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import ValidationError
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from foundry_desktop.errors import FoundryError

T = TypeVar("T")
logger = logging.getLogger(__name__)

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


def in_words(exc: BaseException, labels: dict[str, str] | None = None) -> str:
    """A refusal the creator can act on: Foundry's own message, the system's for a file error,
    or what a settings form got wrong (`labels` names its fields as the form does)."""
    if isinstance(exc, ValidationError):
        labels = labels or {}
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{labels.get(field, field)}: {message[:1].lower()}{message[1:]}" if field else message)
        return "; ".join(problems) + "."
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc}{where}."
    return str(exc)


class DialogWork:
    """The tasks one dialog started. A FoundryError or OSError from one goes to `on_error`
    in words; anything else is a bug, logged with its traceback and named in one line."""

    def __init__(self, on_error: Callable[[str], None]) -> None:
        self._on_error = on_error
        self._tasks: set[asyncio.Task[Any]] = set()

    def run(self, work: Awaitable[T], done: Callable[[T], None] | None = None,
            failed: Callable[[str], None] | None = None) -> asyncio.Task[Any]:
        """Run a coroutine on the loop; `done` gets its result on the GUI thread, and a refusal
        goes to `failed` (when given) or to the dialog's error line."""

        async def guarded() -> None:
            try:
                result = await work
            except (FoundryError, OSError) as exc:
                (failed or self._on_error)(in_words(exc))
                return
            except Exception as exc:
                # A bug of ours; still the dialog must not sit at "Checking…" for ever.
                logger.exception("background work of a dialog failed")
                (failed or self._on_error)(f"Something went wrong inside Foundry ({type(exc).__name__}: {exc}).")
                return
            if done is not None:
                done(result)

        task = asyncio.ensure_future(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def in_thread(self, function: Callable[[], T], done: Callable[[T], None] | None = None,
                  failed: Callable[[str], None] | None = None) -> asyncio.Task[Any]:
        """Run a blocking function (disk, keyring, encoder trials) in a worker thread."""
        return self.run(asyncio.to_thread(function), done, failed)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def wait_idle(self) -> None:
        """Until every task started here has ended (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def cancel(self) -> None:
        """The dialog is closing: its answers have nowhere to go. (A worker thread already
        under way finishes on its own; only its answer is dropped.)"""
        for task in list(self._tasks):
            task.cancel()


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
