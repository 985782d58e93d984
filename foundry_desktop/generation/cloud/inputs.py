"""Fitting a shot to what a cloud model accepts: the nearest aspect, length or choice, and input pictures.

Input pictures are fitted in one place (`fit_picture`, `picture_for`), by each model's own rules
(`PictureRules`, data on its table's endpoint shape): what can be changed without changing what a
creator sees is (a WebP sent as a PNG copy, a PNG over the weight limit as a JPEG, a picture over
the largest size scaled down keeping its shape), and what cannot (too small, a shape out of the
model's range) is refused in one line before anything is sent or spent. `request_shape` says which
(the estimate and the inspector's line) from the picture's header alone.
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

from PIL import Image, ImageOps, UnidentifiedImageError

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


# -- input pictures, fitted to what a model takes ------------------------------------------------

PNG, JPEG, WEBP = "image/png", "image/jpeg", "image/webp"
# Pillow's name of a format -> its MIME type (MPO: a camera's JPEG with a second picture inside).
_TYPES = {"PNG": PNG, "JPEG": JPEG, "MPO": JPEG, "WEBP": WEBP, "GIF": "image/gif", "BMP": "image/bmp",
          "TIFF": "image/tiff", "AVIF": "image/avif", "HEIF": "image/heif"}
_TYPE_WORDS = {PNG: "PNG", JPEG: "JPEG", WEBP: "WebP"}
SUFFIXES = {PNG: ".png", JPEG: ".jpg", WEBP: ".webp"}  # an upload's name, by what it holds
_JPEG_QUALITY = 95  # a copy a creator cannot tell from the picture
_ROTATED = (5, 6, 7, 8)  # EXIF orientations that turn the picture a quarter: its sides swap


@dataclass(frozen=True)
class PictureRules:
    """What one model takes as an input picture, as its provider publishes it (`source`)."""

    formats: tuple[str, ...] = (PNG, JPEG, WEBP)  # MIME types it takes as they are; others are converted
    min_side: int | None = None  # pixels, the shorter side
    max_side: int | None = None  # pixels, the longer side; a larger picture is scaled down to it
    aspect_range: tuple[float, float] | None = None  # width / height, both ends included
    max_bytes: int | None = None  # the picture's own weight; a heavier one is re-encoded (JPEG) or scaled
    source: str = ""

    def aspect_words(self) -> str:
        low, high = self.aspect_range or (0.0, math.inf)
        return f"1:{1 / low:g} to {high:g}:1"

    def format_words(self) -> str:
        return " or ".join(_TYPE_WORDS.get(mime, mime.removeprefix("image/").upper()) for mime in self.formats)


@dataclass(frozen=True)
class PictureFit:
    """What happens to one input picture before it is sent: nothing, a conversion, or a smaller copy."""

    path: Path
    role: str  # "input image", "last frame", "reference picture"
    size: tuple[int, int]  # as a viewer shows it (EXIF rotation applied)
    mime: str
    weight: int  # bytes
    send_as: str
    scale: float  # 1.0: its own size

    @property
    def unchanged(self) -> bool:
        return self.send_as == self.mime and self.scale == 1.0

    def note(self, who: str, rules: PictureRules) -> str | None:
        """The request shape's note for this picture ('sent as a PNG copy: ...'); None when sent as it is."""
        name, (width, height) = self.path.name, self.size
        if self.scale < 1.0:
            return (f"the {self.role} {name} ({width}x{height}) is sent scaled to {round(width * self.scale)}x"
                    f"{round(height * self.scale)}, the most {who} takes, keeping its shape")
        if self.send_as != self.mime:
            fallback = f" (a JPEG one if that is over {rules.max_bytes / 1000**2:.1f} MB)" if (
                rules.max_bytes and self.send_as == PNG and JPEG in rules.formats) else ""
            return (f"the {self.role} {name} is {_TYPE_WORDS.get(self.mime, self.mime)}, which {who} does not take: "
                    f"it is sent as a {_TYPE_WORDS.get(self.send_as, self.send_as)} copy{fallback}")
        if rules.max_bytes and self.weight > rules.max_bytes:
            return (f"the {self.role} {name} weighs {self.weight / 1000**2:.1f} MB, over {who}'s "
                    f"{rules.max_bytes / 1000**2:.1f} MB: a lighter copy of the same picture is sent")
        return None


def _look(path: Path, role: str) -> tuple[tuple[int, int], str, int]:
    """The picture's size as seen, its type and weight, from its header (nothing is decoded)."""
    name = Path(path).name
    try:
        weight = Path(path).stat().st_size
        with Image.open(path) as image:
            width, height = image.size
            kind = image.format or ""
            # Only where EXIF sits in the header: a PNG's getexif() decodes the whole picture.
            if kind in ("JPEG", "MPO", "WEBP") and image.getexif().get(0x0112) in _ROTATED:
                width, height = height, width
    except FileNotFoundError:
        raise GenerationError(f"The {role} {name} is missing: choose the picture again.") from None
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise GenerationError(f"The {role} {name} is not a picture Foundry can read: choose a PNG or JPEG.") from None
    except OSError as exc:
        raise GenerationError(f"The {role} {name} cannot be read: {exc.strerror or exc}.") from None
    mime = _TYPES.get(kind)
    if mime is None:
        raise GenerationError(f"The {role} {name} is a {kind or 'kind of'} picture Foundry cannot send: save it "
                              f"as PNG or JPEG.")
    return (width, height), mime, weight


def fit_picture(path: Path, rules: PictureRules, *, role: str, who: str) -> PictureFit:
    """How `path` will be sent to a model with `rules` (read from its header: nothing is decoded),
    or a GenerationError, in one line, when it cannot be: too small, or a shape the model refuses.
    `who` names the model in messages ("Replicate's Kling 3.0")."""
    (width, height), mime, weight = _look(path, role)
    name = Path(path).name
    if rules.min_side and min(width, height) < rules.min_side:
        raise GenerationError(f"The {role} {name} is {width}x{height} px; {who} needs at least {rules.min_side} px "
                              f"a side. Use a larger picture (an upscaled keyframe, say) and generate again.")
    if rules.aspect_range and not rules.aspect_range[0] <= width / height <= rules.aspect_range[1]:
        raise GenerationError(f"The {role} {name} is {width}x{height} px ({_ratio_words(width, height)}); {who} takes "
                              f"pictures from {rules.aspect_words()}. Crop it nearer the shot's shape and generate "
                              f"again.")
    scale = min(1.0, rules.max_side / max(width, height)) if rules.max_side else 1.0
    send_as = mime if mime in rules.formats else (PNG if PNG in rules.formats else rules.formats[0])
    return PictureFit(Path(path), role, (width, height), mime, weight, send_as, scale)


def _ratio_words(width: int, height: int) -> str:
    return f"{width / height:.2f}:1" if width >= height else f"1:{height / width:.2f}"


def picture_for(path: Path, rules: PictureRules, *, role: str, who: str) -> tuple[bytes, str]:
    """The bytes and MIME type to send for `path` under `rules`: the file itself where the model
    takes it as it is; else a copy that looks the same (PNG, or JPEG when that is over the weight
    limit) or, where it is too large, the same picture scaled down keeping its shape."""
    fit = fit_picture(path, rules, role=role, who=who)
    if fit.unchanged and (rules.max_bytes is None or fit.weight <= rules.max_bytes):
        try:
            return Path(path).read_bytes(), fit.mime
        except OSError as exc:
            raise GenerationError(f"The {role} {Path(path).name} cannot be read: {exc.strerror or exc}.") from None
    try:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (OSError, Image.DecompressionBombError) as exc:
        raise GenerationError(f"The {role} {Path(path).name} cannot be read: {exc}.") from None
    if fit.scale < 1.0:
        image = image.resize(_scaled(image.size, fit.scale), Image.Resampling.LANCZOS)
    return _encode(image, fit, rules, who)


def _scaled(size: tuple[int, int], scale: float) -> tuple[int, int]:
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _encode(image: Image.Image, fit: PictureFit, rules: PictureRules, who: str) -> tuple[bytes, str]:
    """The picture in `fit.send_as`, or as a JPEG where that is over the weight limit; scaled down
    (keeping its shape, never under the model's smallest side) where even the JPEG is."""
    kinds = [fit.send_as] + ([JPEG] if fit.send_as != JPEG and JPEG in rules.formats else [])
    data = b""
    for kind in kinds:
        data = _save(image, kind)
        if rules.max_bytes is None or len(data) <= rules.max_bytes:
            return data, kind
    while True:  # each step aims a little under the limit: the weight falls about as the pixels do
        assert rules.max_bytes is not None
        smaller = _scaled(image.size, math.sqrt(rules.max_bytes / len(data)) * 0.95)
        if min(smaller) < (rules.min_side or 16):
            raise GenerationError(f"The {fit.role} {fit.path.name} cannot be made lighter than "
                                  f"{rules.max_bytes / 1000**2:.1f} MB for {who} without going under its smallest "
                                  f"size: use a smaller picture.")
        image = image.resize(smaller, Image.Resampling.LANCZOS)
        data = _save(image, kinds[-1])
        if len(data) <= rules.max_bytes:
            return data, kinds[-1]


def _save(image: Image.Image, mime: str) -> bytes:
    out = io.BytesIO()
    if mime == JPEG:
        image.convert("RGB").save(out, "JPEG", quality=_JPEG_QUALITY)
    elif mime == PNG:
        keep = image.mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16")
        (image if keep else image.convert("RGBA" if "A" in image.getbands() else "RGB")).save(out, "PNG")
    else:
        image.save(out, _TYPE_WORDS.get(mime, mime.removeprefix("image/")).upper())
    return out.getvalue()
