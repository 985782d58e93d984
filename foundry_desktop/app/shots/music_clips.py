"""Putting a sound file on the music track."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TypedDict, Unpack

from foundry_desktop.app.project_service import ProjectService, edit_errors
from foundry_desktop.domain.project import AudioClip
from foundry_desktop.domain.time import frames_in_duration
from foundry_desktop.errors import InputFileError, InvalidEditError, MediaError
from foundry_desktop.media.probe import probe_audio_seconds
from foundry_desktop.store.media_cache import MediaCache


@dataclass(frozen=True)
class PreparedSound:
    """A sound file checked and copied into the project's media folder."""

    name: str
    relative: str
    content_hash: str
    seconds: float


class Placement(TypedDict, total=False):
    """Where and how a sound plays on the music track (music_clip's keywords, and their defaults there)."""

    at_seconds: str | Fraction
    gain_db: float
    fade_in_seconds: str | Fraction
    fade_out_seconds: str | Fraction
    loop: bool


def _sound_seconds(path: Path) -> float:
    try:
        return probe_audio_seconds(path)
    except MediaError as exc:
        raise InputFileError(str(exc)) from None


def prepare_sound(media: MediaCache, path: Path) -> PreparedSound:
    """Check that `path` holds sound and copy it into the media folder. Slow (it reads the
    file): the GUI calls it from a worker thread, then `add_prepared_music`."""
    path = Path(path)
    seconds = _sound_seconds(path)
    relative, content_hash = media.adopt(path, "music", move=False)
    return PreparedSound(path.name, relative, content_hash, seconds)


def add_music(service: ProjectService, path: Path, **placement: Unpack[Placement]) -> AudioClip:
    """Place `path` on the music track at `at_seconds`; with `loop`, it repeats to the film's end.
    The placement is checked before the file is copied into the media folder, so a refusal leaves no
    copy behind."""
    path = Path(path)
    unplaced = PreparedSound(path.name, "", "", _sound_seconds(path))
    clip = music_clip(service, unplaced, **placement)
    relative, content_hash = service.media.adopt(path, "music", move=False)
    clip = clip.model_copy(update={"media_path": relative, "content_hash": content_hash})
    service.add_music_clip(clip)
    return clip


def add_prepared_music(service: ProjectService, prepared: PreparedSound, **placement: Unpack[Placement]) -> AudioClip:
    clip = music_clip(service, prepared, **placement)
    service.add_music_clip(clip)
    return clip


def music_clip(
    service: ProjectService,
    prepared: PreparedSound,
    *,
    at_seconds: str | Fraction = "0",
    gain_db: float = 0.0,
    fade_in_seconds: str | Fraction = "0",
    fade_out_seconds: str | Fraction = "0",
    loop: bool = False,
) -> AudioClip:
    """The clip that places `prepared` in the film, checked (within the film, gain and fades in range)."""
    frames = max(1, frames_in_duration(prepared.seconds, service.format.frame_rate))
    start = service.frames_from_seconds(at_seconds, allow_zero=True)
    length = service.cut_plan().length
    if 0 < length <= start:  # an empty film: its music may come before its shots
        raise InvalidEditError(f"The film ends at {float(length / service.format.frame_rate):.2f} s; music must "
                               "start within it.")
    fade_in = service.frames_from_seconds(fade_in_seconds, allow_zero=True)
    fade_out = service.frames_from_seconds(fade_out_seconds, allow_zero=True)
    with edit_errors():
        return AudioClip(
            media_path=prepared.relative, content_hash=prepared.content_hash, name=prepared.name, start=start,
            source_out=frames, gain_db=gain_db, fade_in=fade_in, fade_out=fade_out, loop=loop,
        )
