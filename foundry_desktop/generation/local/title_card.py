"""A title card: text over a slowly moving colour gradient, all chosen by the seed.

The background is a diagonal two-colour ramp with two soft glows drifting
across it on slow Lissajous paths, and a vignette. It is computed at chroma
resolution (a quarter of the pixels; it is smooth, so nothing is lost) straight
in YUV, which is linear in RGB so blending there is blending colours. The text
is drawn once with Pillow and faded in and out per frame.
"""

from __future__ import annotations

import colorsys
import math
import random
from fractions import Fraction

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from foundry_desktop import RESOURCES_DIR
from foundry_desktop.media.text_layout import wrap_lines
from foundry_desktop.media.encode.yuv_picture import (
    BLACK_YUV,
    WHITE_Y,
    rgb_to_yuv,
    yuv420p_frame,
)

FONT_PATH = RESOURCES_DIR / "fonts" / "DejaVuSans-Bold.ttf"
FADE_S = 0.5
_BASE_HUES = (0.48, 0.55, 0.61, 0.67, 0.74, 0.81, 0.89, 0.97)


def _yuv_of_hsv(hue: float, saturation: float, value: float) -> np.ndarray:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return rgb_to_yuv(np.array([r, g, b]) * 255.0)


def _halved(values: np.ndarray) -> np.ndarray:
    """Average 2x2 blocks: a full-resolution mask at chroma resolution."""
    h, w = values.shape
    return values.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))


def smoothstep(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return t * t * (3.0 - 2.0 * t)


def fit_text(text: str, width: int, height: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font (up to a title size) at which the text fits in 80% x 60% of the frame."""
    size = max(8, round(height * 0.085))
    while True:
        font = ImageFont.truetype(str(FONT_PATH), size)
        lines = wrap_lines(text, font, width * 0.8)
        widest = max((font.getlength(line) for line in lines), default=0)
        tall = len(lines) * size * 1.25
        if (widest <= width * 0.8 and tall <= height * 0.6) or size <= 8:
            return font, lines
        size = max(8, int(size * 0.9))


def _text_masks(text: str, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Coverage of the letters and of their soft drop shadow, 0..1 over the whole frame."""
    font, lines = fit_text(text, width, height)
    letters = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(letters)
    line_height = font.size * 1.25
    first_centre = height / 2 - (len(lines) - 1) * line_height / 2
    for index, line in enumerate(lines):
        draw.text((width / 2, first_centre + index * line_height), line, font=font, fill=255, anchor="mm")
    offset = max(1, round(font.size * 0.05))
    shadow = Image.new("L", (width, height), 0)
    shadow.paste(letters, (offset, offset))
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(1.0, font.size * 0.12)))
    return np.asarray(letters, dtype=np.float32) / 255.0, np.asarray(shadow, dtype=np.float32) / 255.0


class TitleCard:
    """Frame i of the card, as a yuv420p frame; the same seed gives the same frames."""

    def __init__(self, text: str, seed: int, width: int, height: int, frame_rate: Fraction, frames: int) -> None:
        self.width, self.height = width, height
        self._frame_rate = frame_rate
        self._duration = frames / frame_rate
        rng = random.Random(seed)

        # Dark yellows and greens turn to mud; the base hue comes from the ones that
        # stay rich when dark (teal through blue and violet to crimson).
        hue = rng.choice(_BASE_HUES) + rng.uniform(-0.03, 0.03)
        drift = rng.choice([-1, 1]) * rng.uniform(0.05, 0.12)
        self._deep = _yuv_of_hsv(hue, rng.uniform(0.6, 0.85), rng.uniform(0.14, 0.22))
        self._light = _yuv_of_hsv(hue + drift, rng.uniform(0.5, 0.75), rng.uniform(0.40, 0.52))
        accent = hue + 0.5 if rng.random() < 0.35 else hue - drift  # now and then the complementary hue
        self._glows = [
            (
                _yuv_of_hsv(glow_hue + rng.uniform(-0.04, 0.04), rng.uniform(0.5, 0.75), rng.uniform(0.55, 0.72)),
                rng.uniform(0.35, 0.6),  # radius, in frame heights
                [rng.uniform(0.05, 0.12) for _ in range(2)],  # cycles per second along x and y
                [rng.uniform(0, 2 * math.pi) for _ in range(2)],  # phases
                rng.uniform(0.4, 0.65),  # strength
            )
            for glow_hue in (hue + 2 * drift, accent)
        ]

        # Positions at chroma resolution, in frame heights, centred on the frame.
        cw, ch = width // 2, height // 2
        aspect = width / height
        self._x = ((np.arange(cw, dtype=np.float32) + 0.5) / cw - 0.5) * aspect
        self._y = (np.arange(ch, dtype=np.float32) + 0.5) / ch - 0.5
        angle = rng.uniform(0, 2 * math.pi)
        ramp = self._x[None, :] * math.cos(angle) + self._y[:, None] * math.sin(angle)
        self._ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
        self._ramp_speed = rng.uniform(0.03, 0.07) * rng.choice([-1, 1])
        radius = np.hypot(self._x[None, :] / aspect, self._y[:, None]) * 2  # 0 centre, ~1.4 corners
        self._vignette = (1.0 - 0.35 * np.clip(radius - 0.35, 0, None) ** 2).astype(np.float32)
        # Static dither hides the 8-bit steps of a slow gradient (and costs the encoder little).
        # (numpy wants a non-negative seed; shots may carry any integer.)
        noise = np.random.default_rng(rng.getrandbits(64))
        self._dither = noise.uniform(-0.5, 0.5, (height, width)).astype(np.float32)

        self._letters, self._shadow = _text_masks(text, width, height)
        ink = np.maximum(self._letters, self._shadow)
        rows = np.flatnonzero(ink.max(axis=1) > 0)
        cols = np.flatnonzero(ink.max(axis=0) > 0)
        if rows.size:  # only the text's box is composited, rounded out to even edges for chroma
            self._box = (rows[0] & ~1, (rows[-1] + 2) & ~1, cols[0] & ~1, (cols[-1] + 2) & ~1)
        else:
            self._box = None

    def _fade(self, seconds: float) -> float:
        fade = min(FADE_S, float(self._duration) / 4)
        if fade <= 0:
            return 1.0
        return smoothstep(seconds / fade) * smoothstep((float(self._duration) - seconds) / fade)

    def _background(self, seconds: float) -> np.ndarray:
        """(3, h/2, w/2) float32 Y, U, V."""
        shift = 0.5 + 0.5 * math.sin(2 * math.pi * self._ramp_speed * seconds)
        mix = np.clip(self._ramp * 0.8 + 0.2 * shift, 0, 1)[None]
        picture = self._deep[:, None, None] + (self._light - self._deep)[:, None, None] * mix
        for colour, radius, speeds, phases, strength in self._glows:
            cx = 0.45 * (self.width / self.height) * math.sin(2 * math.pi * speeds[0] * seconds + phases[0])
            cy = 0.35 * math.sin(2 * math.pi * speeds[1] * seconds + phases[1])
            falloff = np.exp(-(np.square(self._x - cx)[None, :] + np.square(self._y - cy)[:, None]) / radius**2)
            weight = (strength * falloff)[None]
            picture += (colour[:, None, None] - picture) * weight
        picture[0] = 16 + (picture[0] - 16) * self._vignette
        picture[1:] = 128 + (picture[1:] - 128) * self._vignette
        return picture

    def frame(self, index: int) -> av.VideoFrame:
        seconds = float(index / self._frame_rate)
        background = self._background(seconds)
        y = np.repeat(np.repeat(background[0], 2, axis=0), 2, axis=1) + self._dither
        u, v = background[1], background[2]
        alpha = self._fade(seconds)
        if self._box is not None and alpha > 0:
            top, bottom, left, right = self._box
            letters = self._letters[top:bottom, left:right] * alpha
            shadow = self._shadow[top:bottom, left:right] * (0.6 * alpha)
            region = y[top:bottom, left:right]
            region[:] = BLACK_YUV[0] + (region - BLACK_YUV[0]) * (1 - shadow)
            region += (WHITE_Y - region) * letters
            # Chroma: white letters carry no colour, and the shadow dims it.
            keep = _halved((1 - shadow) * (1 - letters))
            for plane in (u, v):
                chroma = plane[top // 2 : bottom // 2, left // 2 : right // 2]
                chroma[:] = 128 + (chroma - 128) * keep
        return yuv420p_frame(
            np.clip(y + 0.5, 0, 255).astype(np.uint8),
            np.clip(u + 0.5, 0, 255).astype(np.uint8),
            np.clip(v + 0.5, 0, 255).astype(np.uint8),
        )
