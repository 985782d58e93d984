"""The built-in keyframe: an honest placeholder picture, so the storyboard works with no service.

It looks like what it is, a storyboard's empty panel: a colour field with a
pencil frame and a cross through it, the word PLACEHOLDER, and the shot's
prompt laid out in the middle. The colours come from a hash of the prompt and
the seed (not Python's hash(), which changes between runs), so variants of a
shot differ and the same (prompt, seed, size) always gives the same pixels.
Drawing is numpy and Pillow, a few milliseconds at 1280x720; the caller runs
it on a worker thread.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import uuid
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from foundry_desktop.generation.local.title_card import FONT_PATH, fit_text

LABEL = "PLACEHOLDER"
# Pictures are written fast: a placeholder is not worth the time of PNG's best compression.
PNG_COMPRESS_LEVEL = 1


def _rgb(hue: float, saturation: float, value: float) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(hue % 1.0, saturation, value), dtype=np.float32) * 255.0


def _field(digest: bytes, width: int, height: int) -> Image.Image:
    """A diagonal two-colour ramp, dark enough for white text, chosen by the digest. Smooth, so it
    is computed at a quarter of the size and scaled up (a third of the time of the whole picture)."""
    # Teal through blue and violet to crimson: hues that stay rich when dark (dark oranges turn to mud).
    hue = 0.45 + digest[0] / 256 * 0.55
    deep = _rgb(hue, 0.45 + digest[1] / 1024, 0.22 + digest[2] / 2560)
    light = _rgb(hue + (digest[3] / 256 - 0.5) * 0.3, 0.4 + digest[4] / 1024, 0.5 + digest[5] / 2560)
    angle = digest[6] / 256 * 2 * math.pi
    small = (max(2, width // 4), max(2, height // 4))
    x = np.linspace(-0.5, 0.5, small[0], dtype=np.float32)[None, :] * (width / height)
    y = np.linspace(-0.5, 0.5, small[1], dtype=np.float32)[:, None]
    ramp = x * math.cos(angle) + y * math.sin(angle)
    ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
    colours = deep + (light - deep) * ramp[:, :, None]
    field = Image.fromarray(np.clip(colours + 0.5, 0, 255).astype(np.uint8), "RGB")
    return field.resize((width, height), Image.Resampling.BILINEAR)


def _sketch(draw: ImageDraw.ImageDraw, width: int, height: int) -> None:
    """The empty panel's pencil marks: an inset frame with a cross through it."""
    inset = round(min(width, height) * 0.04)
    pencil = (255, 255, 255, 70)
    line = max(1, round(min(width, height) / 360))
    box = (inset, inset, width - 1 - inset, height - 1 - inset)
    draw.rectangle(box, outline=pencil, width=line)
    draw.line((box[0], box[1], box[2], box[3]), fill=pencil, width=line)
    draw.line((box[0], box[3], box[2], box[1]), fill=pencil, width=line)


def _words(draw: ImageDraw.ImageDraw, text: str, width: int, height: int) -> None:
    """The prompt in the middle, white over a dark offset so it reads on any colour."""
    font, lines = fit_text(text, round(width * 0.85), round(height * 0.8))
    line_height = font.size * 1.25
    first_centre = height / 2 - (len(lines) - 1) * line_height / 2
    offset = max(1, round(font.size * 0.06))
    for index, line in enumerate(lines):
        centre = (width / 2, first_centre + index * line_height)
        draw.text((centre[0] + offset, centre[1] + offset), line, font=font, fill=(0, 0, 0, 150), anchor="mm")
        draw.text(centre, line, font=font, fill=(255, 255, 255, 255), anchor="mm")


def _labels(draw: ImageDraw.ImageDraw, seed: int, width: int, height: int) -> None:
    """PLACEHOLDER on a band at the top left, the seed at the bottom right."""
    size = max(8, round(min(width, height) * 0.04))
    font = ImageFont.truetype(str(FONT_PATH), size)
    margin = round(min(width, height) * 0.04) + size // 2
    left, top, right, bottom = draw.textbbox((margin, margin), LABEL, font=font)
    pad = size // 3
    draw.rectangle((left - pad, top - pad, right + pad, bottom + pad), fill=(0, 0, 0, 120))
    draw.text((margin, margin), LABEL, font=font, fill=(255, 214, 90, 255))
    small = ImageFont.truetype(str(FONT_PATH), max(8, round(size * 0.75)))
    draw.text((width - margin, height - margin), f"seed {seed}", font=small, fill=(255, 255, 255, 160),
              anchor="rs")


def placeholder_picture(prompt: str, seed: int, width: int, height: int) -> Image.Image:
    """The placeholder for (prompt, seed) at width x height, as an RGB picture."""
    digest = hashlib.sha256(f"{seed}\0{prompt}".encode()).digest()
    picture = _field(digest, width, height)
    marks = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(marks)
    _sketch(draw, width, height)
    _words(draw, prompt.strip() or "(no prompt)", width, height)
    _labels(draw, seed, width, height)
    picture.paste(marks, (0, 0), marks)
    return picture


def write_placeholder(prompt: str, seed: int, width: int, height: int, folder: Path, stem: str) -> Path:
    """The placeholder saved as a PNG in `folder`, whole or not at all (written aside, then renamed)."""
    path = Path(folder) / f"{stem}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.partial")
    try:
        placeholder_picture(prompt, seed, width, height).save(partial, format="PNG",
                                                              compress_level=PNG_COMPRESS_LEVEL)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path
