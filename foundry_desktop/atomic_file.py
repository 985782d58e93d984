"""Writing a file whole or not at all.

The content goes into a hidden temporary name beside the file and is renamed
over it only once complete, so a reader (a player, another window, another
process) sees the old file or the new one, never half of one, and a failure
leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO


def write_atomically(final: Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Create or replace `final` with what `write` writes into the open file.
    OSErrors (a full disk, no permission) reach the caller, who names the file."""
    partial = final.with_name(f".{final.name}.{uuid.uuid4().hex}.partial")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("xb") as file:
            write(file)
        os.replace(partial, final)
    except BaseException:
        with contextlib.suppress(OSError):  # it may never have been made
            partial.unlink(missing_ok=True)
        raise
    return final
