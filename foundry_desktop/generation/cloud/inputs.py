"""Fitting a shot to what a cloud model accepts: the nearest aspect, length or choice, and input images."""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest

T = TypeVar("T")


def _aspect_of(choice: str) -> tuple[float, float] | None:
    sides = re.split(r"[:x]", choice)
    try:
        width, height = float(sides[0]), float(sides[1])
    except (IndexError, ValueError):
        return None
    return (width, height) if len(sides) == 2 and width > 0 and height > 0 else None


def nearest_aspect(width: int, height: int, choices: Iterable[str]) -> str:
    """Of `choices` ("16:9", "1280:720", "1280x720"), the one whose aspect is nearest width:height
    (compared as logarithms, so 2:1 and 1:2 are equally far from 1:1); between equal aspects,
    the one nearest in size."""
    def distance(choice: str) -> tuple[float, float]:
        sides = _aspect_of(choice)
        if sides is None:
            return (math.inf, math.inf)
        return (round(abs(math.log(sides[0] / sides[1]) - math.log(width / height)), 6),
                abs(math.log(sides[0] * sides[1] / (width * height))))
    return min(choices, key=distance)


def nearest_choice(value: float, choices: Iterable[T]) -> T:
    """The allowed number nearest `value`; a tie goes to the larger (a clip a little long can be
    trimmed, one too short cannot be lengthened)."""
    return min(choices, key=lambda choice: (abs(float(choice) - value), -float(choice)))  # type: ignore[arg-type]


def shot_seconds(request: GenerationRequest) -> float:
    return float(Fraction(request.frames) / Fraction(request.frame_rate))


def read_input_image(path: Path, *, provider: str, max_bytes: int) -> tuple[bytes, str]:
    """The input image's bytes and MIME type (PNG, JPEG or WebP, told by content, not by name)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise GenerationError(f"The input image {Path(path).name} cannot be read: {exc.strerror or exc}.") from None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        mime = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        mime = "image/jpeg"
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    else:
        raise GenerationError(f"The input image {Path(path).name} is not a PNG, JPEG or WebP picture, "
                              f"which is what {provider} takes.")
    if len(data) > max_bytes:
        raise GenerationError(f"The input image {Path(path).name} is {len(data) / 1024**2:.1f} MiB; {provider} "
                              f"takes up to {max_bytes / 1024**2:.0f} MiB. Use a smaller picture.")
    return data, mime


def image_data_uri(path: Path, *, provider: str, max_bytes: int) -> str:
    """The input image inline, as a data URI (no upload step, nothing left on a server)."""
    data, mime = read_input_image(path, provider=provider, max_bytes=max_bytes)
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


