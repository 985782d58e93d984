"""Telling a file being written from one its writer abandoned.

A render or a take grows in a hidden `.partial` file beside where it will go. A
process killed mid-write leaves it behind; the next open removes it. But another
process may be writing one at that moment (a render beside the window), so the
writer holds an advisory lock on its file (flock) for as long as it writes: the
system drops the lock when the writer dies, however it dies. A file nobody holds
is abandoned. (Where there is no flock — Windows — a file still open cannot be
deleted, which keeps a live writer's file just as well.)
"""

from __future__ import annotations

import os

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def claim_partial(path: os.PathLike | str) -> int | None:
    """Hold `path` (an existing file this process writes) as being written; returns the handle
    to give release_partial when done, or None where claims are not possible."""
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def release_partial(handle: int | None) -> None:
    if handle is not None:
        os.close(handle)  # closing the descriptor drops its lock


def is_abandoned(path: os.PathLike | str) -> bool:
    """True when no living process holds `path` as being written (see claim_partial)."""
    if fcntl is None:
        return True  # removing it fails while its writer has it open
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # gone already, or not ours to judge
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: its writer is alive
    finally:
        os.close(fd)
    return True
