"""The locks of a project: between processes, the writer's lock (`NAME.foundry.lock`, held by the
one process that may edit); between the threads of one, the gate to its connection (at the end).

SQLite alone would let two processes interleave their transactions, but each
process edits a project it holds in memory and writes only the rows that differ
from it (row_changes): a second writer would write over the first one's rows from
a stale picture. So one process at a time writes; readers need no lock at all
(see project_file).

The lock is an advisory `flock` on the lock file, so the kernel drops it when its
process dies (kill -9, power cut): a crashed command never blocks the next one.
Unlike filelock (which leaves the file behind on Unix), the holder removes the
file when it lets go; a waiter that then gets the lock on the removed file sees it
is no longer the one at the path, and tries again on the new one. While held, the
file says who holds it (process id and what it is doing), so a refusal can say so.

Within the process the lock is counted (re-entrant), and the count is changed from several
threads: the window's GUI thread holds it for a generation run while a worker (a render
recording its job, an import writing its cut) takes and lets go of it for its writes. So
the count and the file are changed under a guard; a thread that finds the lock held by its
own process nests into it, never waits for itself.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: filelock's lock there removes its file itself
    fcntl = None  # type: ignore[assignment]

import filelock

from foundry_desktop.errors import ProjectOpenError

# Who this process is, in words, for the lock file (the CLI names its command; the window itself).
holder_name = "Foundry Desktop"

_POLL_S = 0.05


class LockBusy(Exception):
    """The lock is held by another process; `holder` says who, in words, when known."""

    def __init__(self, holder: str | None) -> None:
        super().__init__(holder or "another process")
        self.holder = holder


class ProjectLock:
    """Re-entrant within its process: every acquire() is matched by one release()."""

    def __init__(self, project_path: Path) -> None:
        self.path = Path(str(project_path) + ".lock")
        self._fd: int | None = None
        self._fallback: filelock.BaseFileLock | None = None
        self._depth = 0
        # The count and the file descriptor, for every thread of this process. Held while the lock is
        # taken: the window's threads take it without waiting (wait_s 0), so no thread waits long here.
        self._guard = threading.Lock()

    @property
    def held(self) -> bool:
        with self._guard:
            return self._depth > 0

    def acquire(self, wait_s: float) -> None:
        """Take the lock, waiting up to `wait_s` seconds for its holder to let go; LockBusy if it does not.
        OSError when the lock file cannot be made (a read-only folder, a full disk)."""
        with self._guard:
            self._acquire(wait_s)

    def _acquire(self, wait_s: float) -> None:
        if self._depth:
            self._depth += 1
            return
        if fcntl is None:
            self._fallback = filelock.FileLock(str(self.path), timeout=wait_s)
            try:
                self._fallback.acquire()
            except filelock.Timeout:
                raise LockBusy(None) from None
        else:
            self._fd = self._take(time.monotonic() + wait_s)
        self._depth = 1

    def release(self) -> None:
        """Match one acquire(); the last lets go of the lock (and removes its file)."""
        with self._guard:
            if self._depth == 0:
                return
            self._depth -= 1
            if not self._depth:
                self._let_go()

    def release_all(self) -> None:
        """Let go however many times it was taken (the project is closing)."""
        with self._guard:
            if self._depth:
                self._depth = 0
                self._let_go()

    def _let_go(self) -> None:
        if self._fallback is not None:
            self._fallback.release()
            self._fallback = None
            return
        fd, self._fd = self._fd, None
        assert fd is not None
        # Removed while still held, so no one can take the lock on a file that is about to go.
        with contextlib.suppress(OSError):
            self.path.unlink()
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def _take(self, deadline: float) -> int:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise LockBusy(lock_holder(self.path)) from None
                time.sleep(_POLL_S)
                continue
            except BaseException:
                os.close(fd)
                raise
            if _same_file(fd, self.path):
                break
            os.close(fd)  # the holder we waited for removed it as it let go: take the new one
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n{holder_name}\n".encode())
        except OSError:
            pass  # who holds it is a courtesy for the words of a refusal; the lock itself holds
        return fd


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def lock_holder(lock_path: Path) -> str | None:
    """'foundry generate (process 1234)' as the holder wrote it, or None if it did not say."""
    try:
        pid, _, name = lock_path.read_text(encoding="utf-8", errors="replace").partition("\n")
    except OSError:
        return None
    name = name.strip()
    if not pid.strip().isdigit() or not name:
        return None
    return f"{name} (process {pid.strip()})"


class ConnectionGate:
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
