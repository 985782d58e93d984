"""Who is using an open project's one SQLite connection, and closing it only once no one is.

The window's GUI thread and its workers (the outside-change look, a render recording its
job, an import writing its cut) share one connection: one thread's transaction at a time,
or two BEGINs on it collide. A thread may enter again while it is inside (an edit group
holds the connection throughout, and its edits enter within it).

Closing must not pull the connection from under a thread still inside, and the GUI thread
must never wait to close (a worker's read of a 10,000-shot project takes a second): so
close() closes at once when no other thread is inside, and otherwise leaves the closing to
that thread, which does it as it leaves. From the moment close() is asked, no other thread
may enter: it is refused in words (the project was closed), never handed a closed connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from foundry_desktop.errors import ProjectOpenError


class ConnectionGate:
    def __init__(self, name: str) -> None:
        self._name = name  # the project file's name, for the refusal
        self._free = threading.Condition()
        self._owner: int | None = None  # the thread inside
        self._depth = 0  # how many times it entered
        self._closing: Callable[[], None] | None = None  # asked while another thread was inside
        self._closed = False

    def enter(self) -> None:
        """Wait for another thread inside to leave, then be the one inside (again, if already)."""
        me = threading.get_ident()
        with self._free:
            while True:
                if self._owner != me and (self._closed or self._closing is not None):
                    raise ProjectOpenError(f"{self._name} was closed.")  # at once: it is going away
                if self._owner in (None, me):
                    break
                self._free.wait()
            self._owner = me
            self._depth += 1

    def leave(self) -> None:
        """Match one enter(); the last leave does a close asked for meanwhile."""
        with self._free:
            self._depth -= 1
            if self._depth:
                return
            closing, self._closing = self._closing, None
            if closing is None:
                self._owner = None
                self._free.notify_all()
                return
        self._close_as_owner(closing)  # still the owner: no one enters while it closes

    def __enter__(self) -> None:
        self.enter()

    def __exit__(self, *exc_info: object) -> None:
        self.leave()

    @property
    def closed(self) -> bool:
        with self._free:
            return self._closed or self._closing is not None

    def close(self, closing: Callable[[], None]) -> bool:
        """Run `closing` now, if no other thread is inside (True); otherwise the thread inside runs it
        as it leaves (False). Never waits. Asked again once asked, it does nothing (False)."""
        me = threading.get_ident()
        with self._free:
            if self._closed or self._closing is not None:
                return False
            if self._owner not in (None, me):
                self._closing = closing
                return False
            self._owner = me
            self._depth += 1  # this thread's own group, if any, is inside too: closing ends it
        self._close_as_owner(closing, leaving=True)
        return True

    def _close_as_owner(self, closing: Callable[[], None], *, leaving: bool = False) -> None:
        try:
            closing()
        finally:
            with self._free:
                self._closed = True
                if leaving:
                    self._depth -= 1
                if not self._depth:
                    self._owner = None
                self._free.notify_all()
