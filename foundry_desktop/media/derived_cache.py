"""Files derived from media (thumbnails, waveforms), named by what they were made from.

Each is kept in a cache folder under a hash of its source's identity and the
settings it was made with, and written whole under a temporary name first, so
a reader (another window, another process sharing the cache) sees the whole
file or none.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import IO

from foundry_desktop.atomic_file import write_atomically
from foundry_desktop.errors import MediaError
from foundry_desktop.media.probe import error_reason
from foundry_desktop.media.encode.video_writer import write_error


def cache_key(source: Path, content_hash: str | None, settings: dict[str, object]) -> str:
    """The cache file name (without suffix) of what is made from `source` with `settings`.

    Without a content hash, the file's path, size and modification time stand for
    its content: a file written again (a new take under the same name) gets new keys.
    """
    if content_hash is not None:
        identity: list[object] = [content_hash]
    else:
        try:
            status = source.stat()
        except FileNotFoundError:
            raise MediaError(f"{source.name} does not exist (looked in {source.parent}).") from None
        except OSError as exc:
            raise MediaError(f"{source.name} cannot be read: {error_reason(exc)}") from None
        identity = [str(source.resolve()), status.st_size, status.st_mtime_ns]
    described = {"source": identity, **settings}
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:40]


def save_atomically(final: Path, write: Callable[[IO[bytes]], None], described_as: str) -> Path:
    """Write `final` through `write`, whole or not at all; a failure names it as `described_as`."""
    try:
        return write_atomically(final, write)
    except OSError as exc:
        raise write_error(final, exc, described_as) from None
