"""Opening a project in the window without freezing it.

Everything that reads or writes the file (made first, for a new project or the demo;
then locked, checked, migrated, read, cleaned of leftovers, and its first look taken:
see window_opening) runs in a worker thread, while the window goes on answering with a
busy cursor; the window then hands the opened project to its views on the GUI thread.
One open at a time: another asked meanwhile is refused in the status bar. A window
closed while a project opens gets nothing: the worker's project is closed as it arrives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStatusBar

from foundry_desktop.app.project_access.window_opening import WindowProject, open_for_the_window
from foundry_desktop.ui.background_work import BackgroundWork


class ProjectOpening:
    def __init__(self, work: BackgroundWork, status_bar: QStatusBar) -> None:
        self._work = work
        self._status_bar = status_bar  # says what is opening
        self.path: Path | None = None  # the project being opened, while one is

    @staticmethod
    def settled(opened: bool) -> asyncio.Future[bool]:
        """The answer of an open that needed no worker (already open here, or refused)."""
        future = asyncio.get_event_loop().create_future()
        future.set_result(opened)
        return future

    def start(self, path: Path, make: Callable[[], None] | None, apply: Callable[[WindowProject], None],
              refused: Callable[[str], None]) -> asyncio.Future[bool]:
        """Make (when `make`) and open the project at `path` in a worker; `apply` gets it on the GUI
        thread, `refused` the reason in words. The future says whether it opened."""
        if self.path is not None:
            self._status_bar.showMessage(f"Still opening {self.path.name}; open {path.name} once it is open.")
            return self.settled(False)
        self._status_bar.showMessage(f"Opening {path.name}…")
        loop = asyncio.get_event_loop()
        outcome: asyncio.Future[bool] = loop.create_future()
        self.path = path
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)  # busy, but the window still answers

        def made_and_opened() -> WindowProject:
            if make is not None:
                make()
            return open_for_the_window(path)

        # Asked for here, on the GUI thread, not in the task's first step (see BackgroundWork.in_thread).
        reading = loop.run_in_executor(None, made_and_opened)

        def opened(project: WindowProject) -> None:
            self._ended()
            apply(project)
            outcome.set_result(True)

        def failed(message: str) -> None:
            self._ended()
            refused(message)
            outcome.set_result(False)

        def ended(task: asyncio.Task) -> None:
            if outcome.done():
                return
            self._ended()
            if task.cancelled():  # the window closed: what the worker opens has nowhere to go
                reading.add_done_callback(_close_unwanted)
                outcome.cancel()
            else:
                outcome.set_exception(task.exception() or RuntimeError("the open ended without an answer"))

        task = self._work.run(asyncio.shield(reading), opened, failed)
        task.add_done_callback(ended)
        return outcome

    def _ended(self) -> None:
        self.path = None
        QApplication.restoreOverrideCursor()


def _close_unwanted(reading: asyncio.Future[WindowProject]) -> None:
    if not reading.cancelled() and reading.exception() is None:
        reading.result().service.close()
