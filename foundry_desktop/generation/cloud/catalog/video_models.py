"""What each cloud video model accepts, as data, and the request shape chosen from it for a shot.

Every provider keeps one table of its models (`VideoModel`), written from the provider's
official schema (its SDK's request types or its published OpenAPI), with the source and the
date it was checked beside it. A backend builds its request from `shape_request`, so what
`foundry generate --estimate`, the inspector and the request itself say can never differ:
the nearest allowed ratio for the model *and* endpoint, the nearest allowed length, a seed
only where the model has one, and a note whenever the choice differs from the shot.

A request the model cannot take (a text-only model given a picture, a picture-only model
given none, an empty prompt where one is required, a prompt too long, a picture too small or
of a shape the model refuses) is refused here, in words, before anything is sent or spent; a
picture that will be converted or scaled first (inputs.fit_picture) gets a note.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Literal

from foundry_desktop.domain.cost import Cost
from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.inputs import (
    PictureRules,
    fit_picture,
    nearest_aspect,
    nearest_choice,
    shot_seconds,
)

Endpoint = Literal["text_to_video", "image_to_video"]
ENDPOINT_WORDS: Mapping[Endpoint, str] = {"text_to_video": "text to video", "image_to_video": "image to video"}


@dataclass(frozen=True)
class Price:
    """What the provider charges: `amount` in `unit` (a domain.cost unit id) per second of
    video asked for, or per video when `per` is "video"."""

    amount: float
    unit: str
    per: Literal["second", "video"] = "second"

    def for_seconds(self, seconds: float) -> Cost:
        return Cost(self.amount * (seconds if self.per == "second" else 1.0), self.unit)


@dataclass(frozen=True)
class EndpointShape:
    """What one model takes on one endpoint (text to video, or image to video)."""

    ratios: tuple[str, ...] = ()  # as the API spells them ("1280:720", "16:9", "1280x720"); () = none is sent
    durations: tuple[float, ...] = ()  # allowed seconds; () = the field is not sent (the model's default)
    prompt_required: bool = True
    max_prompt_units: int | None = None  # counted as the provider counts (Runway: UTF-16 code units)
    seed_range: tuple[int, int] | None = None  # inclusive; None = the model has no seed field
    last_frame: bool = False  # takes a last frame too (image to video)
    max_references: int = 0  # reference pictures it takes besides the first frame
    max_inline_image_bytes: int | None = None  # the largest picture sent inline (data URI); larger ones are uploaded
    pictures: PictureRules | None = None  # what its input pictures must be (None: any PNG, JPEG or WebP)


@dataclass(frozen=True)
class VideoModel:
    """One cloud video model: its endpoints, price, and where these facts come from."""

    id: str  # as the API names it
    provider: str  # the backend name ("runway", "gemini", "fal", "replicate", "openai")
    label: str  # as a creator reads it
    endpoints: Mapping[Endpoint, EndpointShape]
    price: Price | None = None  # None: not known beforehand
    source: str = ""  # the schema these facts were read from
    checked: str = ""  # ISO date they were checked
    notes: str = ""  # anything a creator should know (audio included, 720p only, ...)

    def accepts_words(self) -> str:
        """One line: what it takes, for `foundry cloud list` and the settings."""
        parts = []
        for endpoint, shape in self.endpoints.items():
            bits = [ENDPOINT_WORDS[endpoint]]
            if shape.ratios:
                bits.append(ratio_words(shape.ratios))
            if shape.durations:
                bits.append(_seconds_words(shape.durations))
            if shape.last_frame:
                bits.append("last frame")
            if shape.max_references:
                bits.append(f"up to {shape.max_references} references")
            if shape.seed_range is None:
                bits.append("no seed")
            parts.append(" ".join(bits[:1]) + (f" ({', '.join(bits[1:])})" if bits[1:] else ""))
        return "; ".join(parts)


# The shapes a creator names; a provider's own spelling (Runway's "1104:832") is shown as the
# one it is within 3% of, so a listing reads "16:9/9:16/4:3" (what is sent stays exact: RequestShape).
_ASPECT_NAMES = ((16, 9), (9, 16), (4, 3), (3, 4), (1, 1), (21, 9), (9, 21), (3, 2), (2, 3), (5, 4), (4, 5))


def ratio_words(ratios: tuple[str, ...]) -> str:
    """'16:9/9:16/4:3' for Runway's '1280:720', '720:1280', '1104:832'; sizes ('1280x720') as they are."""
    names: list[str] = []
    for ratio in ratios:
        name = _aspect_name(ratio)
        if name not in names:
            names.append(name)
    return "/".join(names)


def _aspect_name(ratio: str) -> str:
    width, _, height = ratio.partition(":")
    if not (width.isdigit() and height.isdigit()) or int(height) == 0:
        return ratio
    value = int(width) / int(height)
    return next((f"{a}:{b}" for a, b in _ASPECT_NAMES if abs(value / (a / b) - 1) < 0.03), ratio)


def _seconds_words(durations: tuple[float, ...]) -> str:
    values = sorted(durations)
    whole = all(float(v).is_integer() for v in values)
    if whole and len(values) > 2 and values == list(range(int(values[0]), int(values[-1]) + 1)):
        return f"{values[0]:g}-{values[-1]:g} s"
    return ", ".join(f"{v:g}" for v in values) + " s"


@dataclass(frozen=True)
class RequestShape:
    """What will be sent for one shot, chosen from the model's table."""

    model: str
    endpoint: Endpoint
    ratio: str | None
    duration_s: float | None
    seed: int | None
    estimate: Cost | None
    notes: tuple[str, ...] = field(default_factory=tuple)  # where the choice differs from the shot

    def words(self) -> str:
        """'gen4.5, text to video, 1280:720, 5 s, seed 42' and its notes."""
        bits = [self.model, ENDPOINT_WORDS[self.endpoint]]
        if self.ratio:
            bits.append(self.ratio)
        if self.duration_s is not None:
            bits.append(f"{self.duration_s:g} s")
        bits.append(f"seed {self.seed}" if self.seed is not None else "no seed")
        return ", ".join(bits) + "".join(f"; {note}" for note in self.notes)


def _aspect(choice: str) -> float | None:
    for separator in (":", "x"):
        left, sep, right = choice.partition(separator)
        if sep:
            try:
                width, height = float(left), float(right)
            except ValueError:
                return None
            return width / height if width > 0 and height > 0 else None
    return None


def shape_request(model: VideoModel, request: GenerationRequest, *, provider_words: str) -> RequestShape:
    """The request shape for `request` on `model`, or a GenerationError saying why it cannot be sent.

    `provider_words` names the service in messages ("Runway", "Google's Gemini API")."""
    endpoint: Endpoint = "image_to_video" if request.input_image is not None else "text_to_video"
    shape = model.endpoints.get(endpoint)
    if shape is None:
        if endpoint == "image_to_video":
            raise GenerationError(f"{provider_words}'s {model.label} makes video from text only: remove the shot's "
                                  f"input image (keyframe), or choose a model that starts from a picture.")
        raise GenerationError(f"{provider_words}'s {model.label} makes video from a picture: approve a keyframe "
                              f"for the shot, or choose a model that starts from text.")
    prompt = request.prompt.strip()
    if shape.prompt_required and not prompt:
        raise GenerationError(f"{provider_words}'s {model.label} needs a prompt ({ENDPOINT_WORDS[endpoint]}): "
                              f"write what the shot shows.")
    if shape.max_prompt_units is not None:
        units = len(prompt.encode("utf-16-le")) // 2
        if units > shape.max_prompt_units:
            raise GenerationError(f"{provider_words}'s {model.label} takes prompts of up to "
                                  f"{shape.max_prompt_units} characters; this one has {units}. Shorten it.")
    if request.last_image is not None and not shape.last_frame:
        raise GenerationError(f"{provider_words}'s {model.label} takes no last frame: remove the shot's last-frame "
                              f"keyframe, or choose a model that takes first and last frames.")
    notes: list[str] = []
    ratio = None
    if shape.ratios:
        ratio = nearest_aspect(request.width, request.height, shape.ratios)
        wanted, chosen = request.width / request.height, _aspect(ratio)
        if chosen is not None and not math.isclose(wanted, chosen, rel_tol=0.01):
            notes.append(f"{ratio} is the nearest shape {model.label} makes to the project's "
                         f"{request.width}x{request.height}; the take will be fitted to the frame")
    seconds = shot_seconds(request)
    duration = None
    if shape.durations:
        duration = float(nearest_choice(seconds, shape.durations))
        if not math.isclose(duration, seconds, abs_tol=float(Fraction(1, 2) / Fraction(request.frame_rate))):
            notes.append(f"{duration:g} s asked for a {seconds:g} s shot ({model.label} makes "
                         f"{_seconds_words(shape.durations)})")
    seed = None
    if shape.seed_range is not None:
        low, high = shape.seed_range
        seed = low + request.seed % (high - low + 1)
    elif request.seed:
        notes.append(f"{model.label} takes no seed, so variants differ by chance only")
    if request.reference_images and shape.max_references == 0:
        notes.append(f"{model.label} takes no reference pictures; the character's reference is left out")
    if shape.pictures is not None:
        notes += picture_notes(shape.pictures, sent_pictures(request, endpoint, shape),
                               who=f"{provider_words}'s {model.label}")
    estimate = model.price.for_seconds(duration if duration is not None else seconds) if model.price else None
    return RequestShape(model.id, endpoint, ratio, duration, seed, estimate, tuple(notes))


def sent_pictures(request: GenerationRequest, endpoint: Endpoint, shape: EndpointShape) -> list[tuple[Path, str]]:
    """The pictures a request sends, with their roles: first (and last) frame from a picture, or the
    references a model takes from text."""
    if endpoint == "image_to_video":
        frames = ((request.input_image, "input image"), (request.last_image, "last frame"))
        return [(path, role) for path, role in frames if path is not None]
    return [(path, "reference picture") for path in request.reference_images[:shape.max_references]]


def picture_notes(rules: PictureRules, pictures: list[tuple[Path, str]], *, who: str) -> list[str]:
    """A note for each picture that will be converted or scaled; a GenerationError for one that cannot be sent."""
    notes = []
    for path, role in pictures:
        note = fit_picture(path, rules, role=role, who=who).note(who, rules)
        if note:
            notes.append(note)
    return notes


def estimated_amount(request_shape: Callable[[GenerationRequest], RequestShape], request: GenerationRequest) -> float | None:
    """What a backend's shaped request will cost, in its unit: None where the price is not known, or
    where the request cannot be sent (generate() says why)."""
    try:
        estimate = request_shape(request).estimate
    except GenerationError:
        return None
    return estimate.amount if estimate is not None else None
