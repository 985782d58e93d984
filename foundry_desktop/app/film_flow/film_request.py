"""What the creator asks the film flow for, and how it reports its steps as they go."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from foundry_desktop.app.generation.shot_generation import GenerationEstimate

# "looks" stops once the mood board is there, for the window to show its looks to choose from.
Until = Literal["looks", "keyframes", "video", "render"]
DEFAULT_SECONDS = Fraction(60)


@dataclass(frozen=True)
class FilmRequest:
    """`brief` and `seconds` start a film; left None on a later run, the film's own are kept."""

    brief: str | None = None
    seconds: Fraction | None = None
    look: int | None = None  # numbered from 1 as `foundry moodboard --choose` numbers the looks
    until: Until = "keyframes"
    output: Path | None = None  # the render; None: the project's name with .mp4, beside it
    backend: str | None = None  # the video backend, model and workflow of the new shots (None: the defaults)
    model: str | None = None
    workflow: str | None = None
    image_backend: str | None = None  # how their keyframes are made (None: the built-in picture)
    image_model: str | None = None
    image_workflow: str | None = None
    music_backend: str | None = None  # None: the built-in bed
    looks: int = 3  # how many looks the mood board offers


@dataclass(frozen=True)
class FilmStep:
    """A step of the flow starting, or done (its message says when an earlier run had done it)."""

    step: str
    state: Literal["started", "done"]
    message: str = ""


@dataclass
class FilmResult:
    stopped_after: str  # the last step run
    steps: list[FilmStep] = field(default_factory=list)  # what each step did, in order
    notes: list[str] = field(default_factory=list)
    film: Path | None = None  # the render, when the flow went that far
    # Stopped for review: what animating the film's shots would send and cost (GenerationEstimate).
    video_estimate: GenerationEstimate | None = None
