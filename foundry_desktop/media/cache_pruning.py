"""Keeping render caches to a size: the files used longest ago go first.

Renders touch (set the modification time of) every cached file they use, so
modification time is "last used". Files the current render needs are never
removed, whatever the budget.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path


def prune_cache(folder: Path, budget_bytes: int, keep: Collection[Path] = ()) -> int:
    """Delete the least recently used files under `folder` until the rest fit in
    `budget_bytes`, never one in `keep`. Returns the bytes freed."""
    kept = {Path(path).resolve() for path in keep}
    entries = []
    for path in folder.rglob("*") if folder.is_dir() else ():
        try:
            stat = path.stat()
        except OSError:
            continue  # removed meanwhile
        if path.is_file() and not path.name.endswith(".partial"):  # being written, by this render or another
            entries.append((stat.st_mtime_ns, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    freed = 0
    for _, size, path in sorted(entries, key=lambda entry: entry[0]):
        if total - freed <= budget_bytes:
            break
        if path.resolve() in kept:
            continue
        try:
            os.remove(path)
        except OSError:
            continue  # in use elsewhere (Windows) or already gone: try the next
        freed += size
    return freed
