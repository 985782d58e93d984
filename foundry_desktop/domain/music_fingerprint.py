"""The fingerprint of a generated music clip: a hash of everything that determines its sound.

Like a shot's (fingerprint.py), it is the canonical JSON of the request, so a clip whose
selected take has the fingerprint it asks for now is current and is not generated again, and
any earlier take of the same fingerprint comes back for free. It is marked `"output": "sound"`
so it can never equal a shot's.

How long the music lasts is part of what was asked: MusicSpec keeps it in its params under
SECONDS_PARAM (a whole number of frames would change with the project's rate), and a request
passes it to the backend as the request's length, not as a parameter of the model.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from foundry_desktop.domain.fingerprint import fingerprint_of_spec
from foundry_desktop.domain.project import AudioClip, MusicSpec, ProjectFormat
from foundry_desktop.domain.time import frames_in_duration

MUSIC_FINGERPRINT_VERSION = 1
SECONDS_PARAM = "seconds"


def music_seconds(spec: MusicSpec) -> Fraction:
    """How long the music was asked to last (a MusicSpec without a length asks for none: 0)."""
    value = spec.params.get(SECONDS_PARAM, 0)
    return Fraction(str(value)) if isinstance(value, (int, float, str)) and not isinstance(value, bool) else Fraction(0)


def model_params(spec: MusicSpec) -> dict[str, Any]:
    """The params meant for the model: all but the length."""
    return {key: value for key, value in spec.params.items() if key != SECONDS_PARAM}


def music_generation_spec(spec: MusicSpec, fmt: ProjectFormat) -> dict[str, Any]:
    """The canonical spec of generating `spec` in a project of format `fmt`: plain JSON values only."""
    seconds = music_seconds(spec)
    return {
        "version": MUSIC_FINGERPRINT_VERSION,
        "output": "sound",
        "backend": spec.backend,
        "model": spec.model,
        "workflow": spec.workflow,
        "prompt": spec.prompt,
        "seed": spec.seed,
        "params": model_params(spec),
        "seconds": str(seconds),
        "frames": frames_in_duration(seconds, fmt.frame_rate),
        "frame_rate": str(fmt.frame_rate),
        "audio_rate": fmt.audio_rate,
    }


def clip_fingerprint(clip: AudioClip, fmt: ProjectFormat) -> str | None:
    """The clip's fingerprint; None for a clip brought in as a file (nothing to generate)."""
    return fingerprint_of_spec(music_generation_spec(clip.spec, fmt)) if clip.spec is not None else None
