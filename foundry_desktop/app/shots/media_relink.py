"""Media gone offline, and finding it again.

A project refers to its media by content-addressed paths inside its media folder (see
store.media_cache). When files are missing there (the folder was moved, renamed or partly
deleted), `offline_media` lists them by the names the creator knows: the file name they
imported, the shot or music clip that uses it, never a content hash.

Relink looks through a folder the creator picks: first for files of the same name (the name
the creator imported, or the media folder's own name for it), then, for what is still
missing, for any file of the same size (or, where the size is not known, the same kind of
file) whose content hash matches. Only a file whose content hash matches is taken, so a
different file that happens to share a name is never used in its place.

A file found is copied back into the project's media folder, where it was: the project stays
one file plus its media folder that move together, renders, exports and the command line need
no second place to look, and the original can be moved or deleted again without harm. The
copy is the only thing that costs time, and it runs off the GUI thread. Where each of the
creator's files was found is then recorded in the bin as one undo step (undoing it leaves
the copies in place: the media folder, like a take, is never thrown away by an undo).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_bin import BinEntry, bin_entries
from foundry_desktop.domain.keyframe_spec import approved_keyframe
from foundry_desktop.domain.project import MediaItem, Project
from foundry_desktop.errors import InputFileError
from foundry_desktop.store.media_cache import MediaCache, sha256_of_file


@dataclass(frozen=True)
class OfflineFile:
    """A file the project uses that is not in its media folder."""

    name: str  # as the creator knows it
    media_path: str
    content_hash: str
    size: int  # bytes; 0 when the project never knew
    item_id: str | None  # the bin item, when the bin holds it
    entry: BinEntry | None = None  # the creator's own media (bin or timeline); None: a generated take, a picture


@dataclass
class RelinkReport:
    folder: Path  # where the creator asked to look
    found: list[tuple[OfflineFile, Path]] = field(default_factory=list)
    missing: list[OfflineFile] = field(default_factory=list)

    def where(self, offline: OfflineFile, path: Path) -> str:
        """Where a file was found, in the creator's words: the folder under the one they picked,
        and its name there when they renamed it (a media folder's content-hash names left out)."""
        parts = path.relative_to(self.folder).parts
        place = f"in {Path(self.folder.name, parts[0]) if len(parts) > 1 else self.folder.name}"
        renamed = path.name != offline.name and path.stem != offline.content_hash
        return f"as {path.name} {place}" if renamed else place

    def in_words(self) -> str:
        if not self.found and not self.missing:
            return "Nothing is offline: every file the project uses is in its media folder."
        lines = [f"Found {len(self.found)} of {len(self.found) + len(self.missing)} offline files."]
        lines += [f"• {offline.name} — {self.where(offline, path)}" for offline, path in self.found]
        if self.missing:
            lines.append("Still missing:")
            lines += [f"• {offline.name}" for offline in self.missing]
        return "\n".join(lines)


def used_media(project: Project) -> list[OfflineFile]:
    """Every file the project uses or holds, each once, named as the creator knows it: the bin's
    files, the creator's own media on the timeline, the generated takes in use, approved keyframes."""
    files: dict[str, OfflineFile] = {}
    sizes = {item.media_path: item.size for item in project.media}
    for entry in bin_entries(project):
        files.setdefault(entry.media_path, OfflineFile(entry.name, entry.media_path, entry.content_hash,
                                                       sizes.get(entry.media_path, 0), entry.item_id, entry))
    for number, shot in enumerate(project.timeline.shots, start=1):
        shot_name = shot.name or f"Shot {number}"
        take = project.selected_take(shot)
        if take is not None and take.media_path not in files:
            files[take.media_path] = OfflineFile(f"{shot_name} (its take)", take.media_path, take.content_hash, 0, None)
        keyframe = approved_keyframe(project, shot)
        if keyframe is not None and keyframe.media_path not in files:
            files[keyframe.media_path] = OfflineFile(keyframe.request.get("file") or f"{shot_name} (its keyframe)",
                                                     keyframe.media_path, keyframe.content_hash, 0, None)
    return list(files.values())


def offline_media(project: Project, media: MediaCache) -> list[OfflineFile]:
    """The files of `used_media` missing from the media folder. It looks at the disk: from a
    worker thread (a media folder on a sleeping network drive can take seconds to answer)."""
    return [offline for offline in used_media(project) if not media.exists(offline.media_path)]


def _files_under(folder: Path) -> Iterator[Path]:
    for root, _, names in os.walk(folder):
        for name in names:
            yield Path(root) / name


def find_offline(offline: list[OfflineFile], folder: Path) -> RelinkReport:
    """Look through `folder` (and the folders in it) for the offline files. Slow: a worker thread."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(f"{folder} is not a folder that can be searched.")
    files = list(_files_under(folder))
    by_name: dict[str, list[Path]] = {}
    for path in files:
        by_name.setdefault(path.name.lower(), []).append(path)
    hashes: dict[Path, str] = {}

    def matches(path: Path, wanted: OfflineFile) -> bool:
        try:
            if wanted.size and path.stat().st_size != wanted.size:
                return False
            if path not in hashes:
                hashes[path] = sha256_of_file(path)
        except OSError:
            return False
        return hashes[path] == wanted.content_hash

    report = RelinkReport(folder)
    left = []
    for wanted in offline:
        names = {Path(wanted.media_path).name.lower(), wanted.name.lower()}
        found = next((path for name in names for path in by_name.get(name, []) if matches(path, wanted)), None)
        if found is not None:
            report.found.append((wanted, found))
        else:
            left.append(wanted)
    for wanted in left:  # by content: only files that could be it are read
        suffix = Path(wanted.media_path).suffix.lower()
        candidates = (path for path in files
                      if (wanted.size and _size(path) == wanted.size) or (not wanted.size and path.suffix.lower() == suffix))
        found = next((path for path in candidates if matches(path, wanted)), None)
        if found is not None:
            report.found.append((wanted, found))
        else:
            report.missing.append(wanted)
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def restore_found(media: MediaCache, report: RelinkReport) -> None:
    """Copy each file found back into the media folder, where the project looks for it. Slow: a
    worker thread."""
    for offline, path in report.found:
        media.restore(path, offline.media_path)


def record_relink(service: ProjectService, report: RelinkReport) -> None:
    """Once the files are back: where each of the creator's files was found, as one undo step
    (the bin's items note it; the timeline's files the bin lacked join it)."""
    if not report.found:
        return
    origins = {offline.item_id: str(path) for offline, path in report.found if offline.item_id}
    joining = [MediaItem(name=entry.name, media_path=entry.media_path, content_hash=entry.content_hash,
                         kind=entry.kind, seconds=entry.seconds, size=_size(path), origin=str(path))
               for offline, path in report.found
               if (entry := offline.entry) is not None and offline.item_id is None]
    service.record_relinked(origins, joining, len(report.found))
