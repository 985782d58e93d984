"""What a project's folder holds that nothing needs, found, reported with sizes and removed.

Three kinds:

* leftovers of work that died: hidden `.partial` files no living process writes
  (partial_files), the scratch folder, and the `.creating` marker of a killed creation;
* unreferenced media: files in the media folder named by a content hash that the project
  file names nowhere — not in a take, media item, music clip or job, and not in the undo
  history (a removed shot's takes stay while undo can bring the shot back);
* stale render segments: the render cache's pieces no render has used for
  STALE_SEGMENT_DAYS, and the oldest beyond its 4 GiB budget (`all_segments`: all of it;
  the next render encodes what it needs again).

Leftovers and unreferenced media older than the open are removed quietly whenever a
project is opened for writing (one log line); `foundry clean` and the window's
File ▸ Clean Project do all three on request. Only the process holding the project's
writer lock cleans: no other process can be adopting media meanwhile, and a render
running elsewhere holds its `.partial` files (see partial_files).
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from foundry_desktop.errors import InvalidEditError
from foundry_desktop.media.cache_pruning import cached_files, over_budget
from foundry_desktop.media.partial_files import is_abandoned
from foundry_desktop.store.media_references import CONTENT_HASH

if TYPE_CHECKING:
    from foundry_desktop.app.project_service import ProjectService

logger = logging.getLogger(__name__)

STALE_SEGMENT_DAYS = 30
LEFTOVER = "leftover"
UNREFERENCED = "unreferenced media"
STALE_SEGMENT = "stale render segment"
SCRATCH = "tmp"
# Caches and scratch are not content the project names; mood board pictures are named by the
# looks a `moodboard --json` wrote outside the project, until one is chosen: never judged unused.
_NOT_MEDIA = ("renders", SCRATCH, "moodboards")


@dataclass(frozen=True)
class Removable:
    path: Path
    size: int
    kind: str


@dataclass
class CleaningReport:
    items: list[Removable] = field(default_factory=list)
    removed: bool = False  # False: a dry run, nothing was touched
    failures: list[str] = field(default_factory=list)

    def size(self, kind: str | None = None) -> int:
        return sum(item.size for item in self.items if kind is None or item.kind == kind)

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def leftovers(service: ProjectService) -> list[Removable]:
    """Files of work that died: see the module docstring."""
    root, project = service.media.root, service.path
    found = []
    scratch = root / SCRATCH
    if scratch.is_dir():
        found += [Removable(path, _size(path), LEFTOVER) for path in scratch.rglob("*") if path.is_file()]
    if root.is_dir():
        found += [Removable(path, _size(path), LEFTOVER) for path in root.rglob(".*.partial")
                  if scratch not in path.parents and is_abandoned(path)]
    creating = project.with_name(f".{project.name}.creating")
    for marker in (creating, creating.with_name(creating.name + "-journal")):
        if marker.is_file():
            found.append(Removable(marker, _size(marker), LEFTOVER))
    return found


def unreferenced_media(service: ProjectService, *, older_than_ns: int | None = None) -> list[Removable]:
    """Media files (named by their content hash) that the project file names nowhere;
    with `older_than_ns`, only those last changed before then."""
    root = service.media.root
    if not root.is_dir():
        return []
    named = service.media_references()
    found = []
    for folder in (entry for entry in root.iterdir() if entry.is_dir() and entry.name not in _NOT_MEDIA):
        for path in folder.rglob("*"):
            if not (path.is_file() and CONTENT_HASH.fullmatch(path.stem)) or path.stem in named:
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            if older_than_ns is None or stat.st_mtime_ns < older_than_ns:
                found.append(Removable(path, stat.st_size, UNREFERENCED))
    return found


def stale_segments(service: ProjectService, *, all_segments: bool = False) -> list[Removable]:
    """Render cache pieces unused for STALE_SEGMENT_DAYS or beyond the budget (all, with `all_segments`)."""
    # Here, not at the top: the render brings PyAV, which opening a project (the leftovers) does not need.
    from foundry_desktop.app.render.film_render import PREVIEW_FOLDER, SEGMENT_CACHE, SEGMENT_CACHE_BUDGET

    segments = service.media.path_of(SEGMENT_CACHE)
    if all_segments:
        entries = cached_files(segments) + cached_files(service.media.path_of(PREVIEW_FOLDER))
    else:
        cutoff = time.time_ns() - STALE_SEGMENT_DAYS * 86400 * 10**9
        old = [entry for entry in cached_files(segments) if entry.last_used_ns < cutoff]
        chosen = {entry.path for entry in old}
        entries = old + [entry for entry in over_budget(segments, SEGMENT_CACHE_BUDGET) if entry.path not in chosen]
    return [Removable(entry.path, entry.size, STALE_SEGMENT) for entry in entries]


def _remove(items: list[Removable], report: CleaningReport) -> None:
    for item in items:
        try:
            item.path.unlink(missing_ok=True)
        except OSError as exc:  # in use (Windows), or the folder is read-only: reported, not fatal
            report.failures.append(f"{item.path.name}: {exc.strerror or exc}")


def _require_writable(service: ProjectService) -> None:
    if service.read_only:
        raise InvalidEditError(f"{service.path.name} is open read-only; it cannot be cleaned now.")


def clean_project(service: ProjectService, *, dry_run: bool = False, all_segments: bool = False) -> CleaningReport:
    """Find (and unless `dry_run`, remove) the leftovers, unreferenced media and stale segments.
    A dry run may look at a project open read-only; removing needs it open for writing."""
    if not dry_run:
        _require_writable(service)
    report = CleaningReport(
        leftovers(service) + unreferenced_media(service) + stale_segments(service, all_segments=all_segments)
    )
    if not dry_run:
        _remove(report.items, report)
        shutil.rmtree(service.media.root / SCRATCH, ignore_errors=True)
        report.removed = True
    return report


def remove_leftovers_on_open(service: ProjectService, opened_ns: int) -> None:
    """Quietly remove what killed work left and media copies nobody names (older than `opened_ns`,
    the moment the project was opened). A failure is logged, never raised: opening goes on."""
    try:
        report = CleaningReport(leftovers(service) + unreferenced_media(service, older_than_ns=opened_ns))
        if report.items:
            _remove(report.items, report)
            logger.info("Removed %d leftover file(s) (%s) from %s", len(report.items),
                        human_size(report.size()), service.path.name)
    except OSError as exc:
        logger.warning("Could not clean leftovers of %s: %s", service.path.name, exc)


def human_size(size: int) -> str:
    """`size` bytes as a creator reads it: 700 B, 5.7 KB, 812 KB, 3.4 MB, 1.2 GB."""
    value, unit = float(size), "B"
    for larger in ("KB", "MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, larger
    if unit == "B":
        return f"{size} B"
    return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
