"""Keeping render caches to a size: the files used longest ago go first.

Renders touch (set the modification time of) every cached file they use, so
modification time is "last used". Files the current render needs are never
removed, whatever the budget.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CachedFile:
    path: Path
    size: int
    last_used_ns: int


def cached_files(folder: Path) -> list[CachedFile]:
    """The finished files under `folder`, the one used longest ago first."""
    entries = []
    for path in folder.rglob("*") if folder.is_dir() else ():
        try:
            stat = path.stat()
        except OSError:
            continue  # removed meanwhile
        if path.is_file() and not path.name.endswith(".partial"):  # being written, by this render or another
            entries.append(CachedFile(path, stat.st_size, stat.st_mtime_ns))
    return sorted(entries, key=lambda entry: entry.last_used_ns)


def over_budget(folder: Path, budget_bytes: int, keep: Collection[Path] = ()) -> list[CachedFile]:
    """The least recently used files under `folder` whose removal brings the rest within
    `budget_bytes`, never one in `keep`."""
    kept = {Path(path).resolve() for path in keep}
    entries = cached_files(folder)
    excess = sum(entry.size for entry in entries) - budget_bytes
    chosen = []
    for entry in entries:
        if excess <= 0:
            break
        if entry.path.resolve() not in kept:
            chosen.append(entry)
            excess -= entry.size
    return chosen


def prune_cache(folder: Path, budget_bytes: int, keep: Collection[Path] = ()) -> int:
    """Delete the least recently used files under `folder` until the rest fit in
    `budget_bytes`, never one in `keep`. Returns the bytes freed."""
    freed = 0
    for entry in over_budget(folder, budget_bytes, keep):
        try:
            os.remove(entry.path)
        except OSError:
            continue  # in use elsewhere (Windows) or already gone: try the next
        freed += entry.size
    return freed
