"""The writer's lock of a project: `NAME.foundry.lock`, held by the one process that may edit.

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
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: filelock's lock there removes its file itself
    fcntl = None  # type: ignore[assignment]

import filelock

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
