"""What the storage under a project said when it refused a write, in a creator's words.

A full disk and a read-only disk (or folder) are conditions of the place, not of the
file: the project is intact and still opens for reading, so they must never read as
"damaged".
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
_READ_ONLY = (errno.EROFS,)
_NOT_ALLOWED = (errno.EACCES, errno.EPERM)


def storage_problem(exc: BaseException, place: Path) -> str | None:
    """'The disk holding /films is full' and the like for a failed write, or None when the
    failure is not one of the storage's conditions (then the caller says what it was)."""
    folder = place.parent if place.suffix else place
    if isinstance(exc, OSError):
        if exc.errno in _FULL:
            return f"The disk holding {folder} is full"
        if exc.errno in _READ_ONLY:
            return f"{folder} is on a read-only disk"
        if exc.errno in _NOT_ALLOWED:
            return f"Foundry may not write in {folder} (it is read-only to you)"
        return None
    if isinstance(exc, sqlite3.Error):
        words = str(exc).lower()
        if "full" in words:
            return f"The disk holding {folder} is full"
        if "readonly" in words or "read-only" in words:
            return f"{place.name} cannot be written (the file or {folder} is read-only)"
    return None


def can_be_written(path: Path) -> bool:
    """Whether this process may change the file and make files beside it (SQLite's -wal and -shm)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
