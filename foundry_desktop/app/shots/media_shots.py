"""Shots that show a clip or still the creator brings, used as it is.

The file is copied into the project's media folder and becomes the shot's
take at once; the shot names the `media` backend, so it follows the same
status and reuse rules as a generated one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

from foundry_desktop.app.events import ShotStatusChanged
from foundry_desktop.app.exchange.conform_keys import source_keys
from foundry_desktop.app.project_service import DEFAULT_SHOT_SECONDS, ProjectService
from foundry_desktop.domain.fingerprint import generation_spec, shot_fingerprint
from foundry_desktop.domain.project import Shot, Take
from foundry_desktop.domain.time import frames_in_duration
from foundry_desktop.errors import InputFileError, InvalidEditError, MediaError
from foundry_desktop.media.probe import SourceInfo, probe_source
from foundry_desktop.store.media_cache import MediaCache


@dataclass(frozen=True)
class PreparedMedia:
    """A file checked and copied into the project's media folder, ready to become a shot."""

    name: str
    relative: str
    content_hash: str
    info: SourceInfo


def _probed(path: Path) -> SourceInfo:
    try:
        return probe_source(path)
    except MediaError as exc:
        raise InputFileError(str(exc)) from None


def prepare_media(media: MediaCache, path: Path) -> PreparedMedia:
    """Check that `path` is a video or picture and copy it into the media folder. Slow (it
    reads the file): the GUI calls it from a worker thread, then `add_prepared_shot`."""
    path = Path(path)
    info = _probed(path)
    relative, content_hash = media.adopt(path, "takes", move=False)
    return PreparedMedia(path.name, relative, content_hash, info)


def prepare_take(media: MediaCache, take: Take, name: str) -> PreparedMedia:
    """A take of one shot, ready to become a shot of its own (its file is already in
    the media folder). Slow (it reads the file): from a worker thread, like prepare_media."""
    try:
        info = probe_source(media.path_of(take.media_path))
    except MediaError as exc:
        raise InputFileError(str(exc)) from None
    return PreparedMedia(name, take.media_path, take.content_hash, info)


def add_media_shot(
    service: ProjectService,
    path: Path,
    *,
    at: int | None = None,
    name: str = "",
    source_in: str | Fraction | None = None,
    source_out: str | Fraction | None = None,
    duration_seconds: str | Fraction | None = None,
) -> Shot:
    """Add a shot showing `path` (a video, or a still held for `duration_seconds`),
    optionally only from `source_in` to `source_out` seconds into it. Everything is checked
    before the file is copied into the media folder, so a refusal leaves no copy behind."""
    path = Path(path)
    info = _probed(path)
    _media_frames(service, PreparedMedia(path.name, "", "", info), source_in, source_out, duration_seconds)
    if at is not None and not 0 <= at <= len(service.project.timeline.shots):
        service.shot_at(at)  # refuses in the words every shot number gets
    relative, content_hash = service.media.adopt(path, "takes", move=False)
    return add_prepared_shot(service, PreparedMedia(path.name, relative, content_hash, info), at=at, name=name,
                             source_in=source_in, source_out=source_out, duration_seconds=duration_seconds)


def _media_frames(
    service: ProjectService,
    prepared: PreparedMedia,
    source_in: str | Fraction | None,
    source_out: str | Fraction | None,
    duration_seconds: str | Fraction | None,
) -> tuple[int, int, int | None]:
    """The shot's length in frames and its trim (in, out), or the refusal of what was asked."""
    info, fmt = prepared.info, service.format
    if info.still:
        frames = service.frames_from_seconds(duration_seconds or DEFAULT_SHOT_SECONDS)
    else:
        if duration_seconds is not None:
            raise InvalidEditError("A clip lasts as long as it is; use --in and --out to use part of it.")
        frames = max(1, frames_in_duration(info.duration_s, fmt.frame_rate))
    trim_in = 0 if source_in is None else service.frames_from_seconds(source_in, allow_zero=True)
    trim_out = None if source_out is None else service.frames_from_seconds(source_out)
    if trim_in >= (trim_out or frames) or (trim_out or frames) > frames:
        raise InvalidEditError(
            f"{prepared.name} has {frames} frames ({float(Fraction(frames) / fmt.frame_rate):.2f} s); "
            "--in must come before --out, and both within it."
        )
    return frames, trim_in, trim_out


def add_prepared_shot(
    service: ProjectService,
    prepared: PreparedMedia,
    *,
    at: int | None = None,
    name: str = "",
    source_in: str | Fraction | None = None,
    source_out: str | Fraction | None = None,
    duration_seconds: str | Fraction | None = None,
    prompt: str = "",
) -> Shot:
    """The shot for media `prepare_media` made ready, with the file as its take; its prompt (a label for a
    shot of media) is `prompt`, else the file's name."""
    info, relative, content_hash = prepared.info, prepared.relative, prepared.content_hash
    stem = Path(prepared.name).stem
    fmt = service.format
    frames, trim_in, trim_out = _media_frames(service, prepared, source_in, source_out, duration_seconds)

    with service.group(f"Add {prepared.name}"):
        shot = service.add_shot(
            at=at, name=name or stem, prompt=prompt or prepared.name, backend="media", input_media=relative,
            duration_frames=frames, seed=0,
        )
        index = [s.id for s in service.project.timeline.shots].index(shot.id)
        if trim_in or trim_out is not None:
            service.trim_shot(index, trim_in, trim_out)
        service.set_shot_sources({index: source_keys(info, fmt.frame_rate)})
    shot = service.project.timeline.shots[index]
    take = Take(
        shot_id=shot.id,
        media_path=relative,
        content_hash=content_hash,
        fingerprint=shot_fingerprint(shot, service.project),
        spec=generation_spec(shot, service.project),
        backend="media",
        request={"file": prepared.name},
        seed=0,
        frames=frames,
        width=info.width,
        height=info.height,
        created_at=datetime.now(UTC).isoformat(timespec="microseconds"),
        elapsed_s=0.0,
    )
    service.add_take(take, select_it=True)
    service.events.emit(ShotStatusChanged(shot.id))
    return shot
