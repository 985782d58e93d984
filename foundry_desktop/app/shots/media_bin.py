"""The project's media bin: the footage, stills and sound the creator brought in (File > Import
media…), whether the timeline uses them yet or not, beside the media the timeline uses; and
a bin item put on the timeline, as a shot (footage, still) or a music clip (sound).

Bringing a file in checks it and copies it into the project's media folder (content-addressed,
as every take is), so the project keeps working when the original is moved or deleted. The
checks and copies read whole files: the GUI calls the `prepare_*` functions from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_shots import PreparedMedia, add_prepared_shot
from foundry_desktop.app.shots.music_clips import PreparedSound, add_prepared_music
from foundry_desktop.domain.project import MediaItem, MediaKind, Project
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.errors import InputFileError, MediaError
from foundry_desktop.media.probe import probe_audio_seconds, probe_source
from foundry_desktop.store.media_cache import MediaCache

# A media shot's take does not say whether it shows a still; its file's kind does.
STILL_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif"}


def prepare_import(media: MediaCache, path: Path) -> MediaItem:
    """Check that `path` is footage, a still or a sound, and copy it into the media folder.
    Raises InputFileError saying why a file cannot be used. Slow: from a worker thread."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path.name} cannot be imported: there is no such file in {path.parent}.")
    kind: MediaKind
    try:
        info = probe_source(path)
        kind, seconds = ("still", 0.0) if info.still else ("video", float(info.duration_s or 0.0))
    except MediaError as not_a_picture:
        try:
            kind, seconds = "sound", probe_audio_seconds(path)
        except MediaError:
            raise InputFileError(f"{not_a_picture} It is not a sound Foundry can read either, so it was not "
                                 "imported.") from None
    relative, content_hash = media.adopt(path, "music" if kind == "sound" else "takes", move=False)
    return MediaItem(name=path.name, media_path=relative, content_hash=content_hash, kind=kind,
                     seconds=seconds, size=path.stat().st_size, origin=str(path.resolve()))


@dataclass(frozen=True)
class BinEntry:
    """One file the bin shows: brought in (`item_id`), or only used on the timeline."""

    name: str
    kind: MediaKind
    seconds: float
    media_path: str
    content_hash: str
    item_id: str | None  # None: on the timeline, never imported into the bin
    uses: int  # shots and music clips that show or play it
    origin: str = ""  # where it came from: the file brought in, or the clip of the cut imported


def bin_entries(project: Project) -> list[BinEntry]:
    """What the project holds: the bin's items in the order brought in, then the creator's own
    media the timeline uses that the bin lacks (shots showing a file, music). Generated takes
    are the takes panel's."""
    rate = project.format.frame_rate
    uses: dict[str, int] = {}
    used: list[BinEntry] = []
    for shot in project.timeline.shots:
        take = project.selected_take(shot)
        if take is None or shot.spec.backend != "media":
            continue
        uses[take.content_hash] = uses.get(take.content_hash, 0) + 1
        still = Path(take.media_path).suffix.lower() in STILL_SUFFIXES
        used.append(BinEntry(str(take.request.get("file") or shot.name), "still" if still else "video",
                             0.0 if still else float(frames_to_seconds(take.frames, rate)), take.media_path,
                             take.content_hash, None, 0))
    for clip in project.timeline.music:
        uses[clip.content_hash] = uses.get(clip.content_hash, 0) + 1
        used.append(BinEntry(clip.name, "sound", float(frames_to_seconds(clip.source_out, rate)), clip.media_path,
                             clip.content_hash, None, 0))
    entries = [BinEntry(item.name, item.kind, item.seconds, item.media_path, item.content_hash, item.id,
                        uses.get(item.content_hash, 0), item.origin) for item in project.media]
    shown = {entry.content_hash for entry in entries}
    for entry in used:
        if entry.content_hash not in shown:
            shown.add(entry.content_hash)
            entries.append(BinEntry(entry.name, entry.kind, entry.seconds, entry.media_path, entry.content_hash,
                                    None, uses[entry.content_hash]))
    return entries


def prepare_entry(media: MediaCache, entry: BinEntry) -> PreparedMedia | PreparedSound:
    """A bin entry ready to go on the timeline (its file is in the media folder already).
    Slow (it reads the file): from a worker thread, then `place_entry`."""
    path = media.path_of(entry.media_path)
    if not path.is_file():
        raise InputFileError(f"{entry.name} is offline: its file is not in the project's media folder. "
                             "Use File > Relink media… to find it.")
    try:
        if entry.kind == "sound":
            return PreparedSound(entry.name, entry.media_path, entry.content_hash, probe_audio_seconds(path))
        return PreparedMedia(entry.name, entry.media_path, entry.content_hash, probe_source(path))
    except MediaError as exc:
        raise InputFileError(str(exc)) from None


def place_entry(service: ProjectService, prepared: PreparedMedia | PreparedSound, *, frame: int, index: int) -> None:
    """Sound becomes a music clip starting at `frame`; footage or a still a shot inserted at `index`.
    One undo step either way."""
    if isinstance(prepared, PreparedSound):
        add_prepared_music(service, prepared, at_seconds=frames_to_seconds(frame, service.format.frame_rate))
    else:
        add_prepared_shot(service, prepared, at=min(index, len(service.project.timeline.shots)))
