"""The one interface every generation backend implements.

The builtin generator, ComfyUI and the cloud APIs all take a GenerationRequest,
report GenerationEvents while they work, and hand back a GenerationResult: a
video file written into the request's scratch folder. Moving that file into the
project's media cache is the caller's job, so backends never touch the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, Protocol

from foundry_desktop.domain.cost import Cost
from foundry_desktop.domain.time import frames_in_duration
from foundry_desktop.errors import GenerationError, UnknownBackendError
from foundry_desktop.media.probe import SourceInfo

# What a request asks for: a video take, a keyframe still (text to image) or sound (music).
OutputKind = Literal["video", "still", "sound"]
_OUTPUT_NOUNS = {"video": "videos", "still": "still pictures", "sound": "sound"}

# submitting: about to send, under `remote_id` where the service lets us choose it (recorded first,
# so a crash mid-send can be followed up); submitted: the service has it.
EventKind = Literal["queued", "submitting", "submitted", "progress", "done", "failed"]


@dataclass(frozen=True)
class GenerationRequest:
    """Everything a backend needs to produce one take of one shot."""

    shot_id: str
    prompt: str
    negative_prompt: str
    seed: int
    width: int
    height: int
    frame_rate: Fraction
    frames: int
    output_dir: Path
    model: str | None = None
    workflow: str | None = None
    input_image: Path | None = None
    input_media: Path | None = None
    params: dict[str, Any] = field(default_factory=dict)
    output: OutputKind = "video"
    last_image: Path | None = None  # the last frame, for workflows that take first and last frames
    reference_images: tuple[Path, ...] = ()  # pictures to follow (a character's reference), where a backend takes them

    def describe(self) -> dict[str, Any]:
        """The request as plain JSON, kept in the take's provenance."""
        described = {
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "seed": self.seed,
            "width": self.width,
            "height": self.height,
            "frame_rate": str(self.frame_rate),
            "frames": self.frames,
            "model": self.model,
            "workflow": self.workflow,
            "input_image": self.input_image.name if self.input_image else None,
            "input_media": self.input_media.name if self.input_media else None,
            "params": self.params,
        }
        # Added with keyframes and music: present only when used, so earlier provenance reads the same.
        if self.output != "video":
            described["output"] = self.output
        if self.last_image is not None:
            described["last_image"] = self.last_image.name
        if self.reference_images:
            described["reference_images"] = [path.name for path in self.reference_images]
        return described


@dataclass(frozen=True)
class GenerationEvent:
    kind: EventKind
    shot_id: str
    progress: float = 0.0  # 0..1
    message: str = ""
    server: str | None = None  # submitting/submitted: where
    remote_id: str | None = None  # submitting/submitted: its id there


@dataclass(frozen=True)
class GenerationResult:
    path: Path
    frames: int
    width: int
    height: int
    frame_rate: Fraction
    elapsed_s: float
    backend_info: dict[str, Any] = field(default_factory=dict)
    cost: Cost | None = None  # what the take cost, in the backend's unit (None: free, or not known)
    # Which of the request's "prompt", "seed" and "input_image" the backend left out of the take (a
    # workflow that never reads them): a change to them makes the same take again.
    ignored_inputs: tuple[str, ...] = ()


def frames_made(request: GenerationRequest, info: SourceInfo) -> int:
    """How many of the project's frames a take really holds (a still lasts as long as the shot).
    Services round lengths to what a model allows (Wan makes 4n+1 frames, Runway whole
    seconds), so this may differ from the shot's length."""
    if info.still or not info.duration_s:
        return request.frames
    return max(1, frames_in_duration(info.duration_s, Fraction(request.frame_rate)))


@dataclass(frozen=True)
class BackendHealth:
    ok: bool
    message: str = ""


EventSink = Callable[[GenerationEvent], None]


class RemoteJobLost(GenerationError):
    """The service does not have the job (it never arrived, or the service forgot it):
    it can be sent again without generating twice."""


class Backend(Protocol):
    name: str

    async def generate(self, request: GenerationRequest, on_event: EventSink) -> GenerationResult:
        """Produce one take; raise GenerationError with a creator-readable message on failure."""
        ...

    async def cancel(self, shot_id: str) -> None: ...

    async def health(self) -> BackendHealth: ...

    # Optional: backends whose jobs outlive the app also have
    # async resume(server, remote_id, request, on_event) -> GenerationResult,
    # which follows a job submitted before a restart (RemoteJobLost if it is gone).
    # Backends that cost something have `cost_unit` (a domain.cost unit id), and, where the
    # price of a request is known beforehand, estimate_cost(request) -> float | None.
    # Backends that know what they can make have `outputs: frozenset[OutputKind]` (read it with
    # outputs_of), and refuse a request for anything else before sending it (refuse_unmade_output);
    # one without it (ComfyUI: its workflow decides what comes out) is not checked.


def outputs_of(backend: object) -> frozenset[OutputKind] | None:
    """What a backend says it can make; None when it does not say (its workflow decides)."""
    return getattr(backend, "outputs", None)


def refuse_unmade_output(who: str, outputs: frozenset[OutputKind], request: GenerationRequest) -> None:
    """A GenerationError in words when `request` asks `who` for an output it cannot make."""
    if request.output in outputs:
        return
    makes = " and ".join(_OUTPUT_NOUNS[kind] for kind in ("video", "still", "sound") if kind in outputs)
    hint = {"video": "animate the shot with a video backend",
            "still": "make its keyframes with an image backend",
            "sound": "make the music with a music backend"}[request.output]
    raise GenerationError(f"{who} makes {makes}, not {_OUTPUT_NOUNS[request.output]}: {hint} instead.")


class BackendRegistry:
    """Backends by name; the app asks it for the backend a shot names."""

    def __init__(self) -> None:
        self._backends: dict[str, Backend] = {}

    def register(self, backend: Backend) -> None:
        self._backends[backend.name] = backend

    def get(self, name: str) -> Backend:
        try:
            return self._backends[name]
        except KeyError:
            known = ", ".join(sorted(self._backends)) or "none"
            raise UnknownBackendError(
                f"No generation backend called {name!r} (available: {known})."
            ) from None

    def names(self) -> list[str]:
        return sorted(self._backends)
