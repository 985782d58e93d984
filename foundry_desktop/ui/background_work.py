"""Work a view starts off the GUI thread: asyncio tasks on the app's qasync loop, or
blocking functions in worker threads, whose results come back on the GUI thread and
whose refusals come back in words. Used by the open project's session and by dialogs;
the owner cancels what is left when it closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from foundry_desktop.errors import FoundryError

T = TypeVar("T")
logger = logging.getLogger(__name__)


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


class BackgroundWork:
    """The tasks one owner (a dialog, an open project) started. A FoundryError or OSError
    from one goes to `on_error` in words; anything else is a bug, logged with its traceback
    and named in one line, so nothing sits at "Checking…" for ever."""

    def __init__(self, on_error: Callable[[str], None]) -> None:
        self._on_error = on_error
        self._tasks: set[asyncio.Task[Any]] = set()

    def run(self, work: Awaitable[T], done: Callable[[T], None] | None = None,
            failed: Callable[[str], None] | None = None) -> asyncio.Task[Any]:
        """Run a coroutine on the loop; `done` gets its result on the GUI thread, and a refusal
        goes to `failed` (when given) or to `on_error`."""

        async def guarded() -> None:
            try:
                result = await work
            except (FoundryError, OSError) as exc:
                (failed or self._on_error)(in_words(exc))
                return
            except Exception as exc:
                logger.exception("background work failed")
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
        """Run a blocking function (disk, keyring, encoder trials) in a worker thread.

        The thread is asked for now, from the loop this (GUI) thread has, rather than from a task's
        first step: qasync may run that step while it ends a run_until_complete, when no loop counts
        as running and asyncio.to_thread would refuse."""
        return self.run(asyncio.get_event_loop().run_in_executor(None, function), done, failed)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def wait_idle(self) -> None:
        """Until every task started here has ended (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
            await asyncio.sleep(0)  # the ended tasks' done callbacks take them out of the set

    def cancel(self) -> None:
        """The owner is closing: its answers have nowhere to go. (A worker thread already
        under way finishes on its own; only its answer is dropped.)"""
        for task in list(self._tasks):
            task.cancel()
