"""Putting a sound file on the music track."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from foundry_desktop.app.project_service import ProjectService, edit_errors
from foundry_desktop.domain.project import AudioClip
from foundry_desktop.domain.time import frames_in_duration
from foundry_desktop.errors import InputFileError, MediaError
from foundry_desktop.media.probe import probe_audio_seconds


def add_music(
    service: ProjectService,
    path: Path,
    *,
    at_seconds: str | Fraction = "0",
    gain_db: float = 0.0,
    fade_in_seconds: str | Fraction = "0",
    fade_out_seconds: str | Fraction = "0",
    loop: bool = False,
) -> AudioClip:
    """Place `path` on the music track at `at_seconds`; with `loop`, it repeats to the film's end."""
    path = Path(path)
    try:
        seconds = probe_audio_seconds(path)
    except MediaError as exc:
        raise InputFileError(str(exc)) from None
    frames = max(1, frames_in_duration(seconds, service.format.frame_rate))
    start = service.frames_from_seconds(at_seconds, allow_zero=True)
    fade_in = service.frames_from_seconds(fade_in_seconds, allow_zero=True)
    fade_out = service.frames_from_seconds(fade_out_seconds, allow_zero=True)
    relative, content_hash = service.store.media.adopt(path, "music", move=False)
    with edit_errors():
        clip = AudioClip(
            media_path=relative, content_hash=content_hash, name=path.name, start=start, source_out=frames,
            gain_db=gain_db, fade_in=fade_in, fade_out=fade_out, loop=loop,
        )
    service.add_music_clip(clip)
    return clip
