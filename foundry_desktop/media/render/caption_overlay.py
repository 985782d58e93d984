"""Captions burnt into the picture.

A caption is drawn once (per highlighted word) with Pillow into coverage masks
— shadow, outline, letters — which are composited in floating point into a
premultiplied RGBA stamp and turned into Y, U and V terms. Each frame then
only blends that stamp over its own box: (picture * (255 - alpha) + term) / 255
in integers, at full resolution for Y and on 2x2 averages for U and V.
Drawing the masks separately (not straight onto a transparent RGBA canvas)
keeps anti-aliased edges their true colour instead of darkening them.

Captions sit inside the title-safe area (the central 90% of the frame, EBU
R 95), wrapped to its width, at its bottom, middle or top.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from foundry_desktop.errors import MediaError
from foundry_desktop.media.text_layout import balanced_lines
from foundry_desktop.media.encode.yuv_picture import planes_of, rgb_to_yuv, yuv420p_frame

TITLE_SAFE = 0.9
LINE_SPACING = 1.2  # line height / text size

RGBA = tuple[int, int, int, int]


def parse_color(text: str) -> RGBA:
    """'#rrggbb' or '#rrggbbaa' as (r, g, b, a)."""
    digits = text.lstrip("#")
    if len(digits) not in (6, 8):
        raise ValueError(f"not a colour: {text!r}")
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return r, g, b, int(digits[6:8], 16) if len(digits) == 8 else 255


@dataclass(frozen=True)
class CaptionLook:
    """A caption style in pixels of one output size."""

    font_path: Path
    size_px: int
    color: RGBA
    outline_px: int
    outline_color: RGBA
    shadow_px: int  # offset down and right; 0: no shadow
    shadow_color: RGBA
    position: str  # bottom, middle or top of the title-safe area
    highlight_color: RGBA | None = None

    def identity(self) -> list:
        """What decides the drawing, without the machine's font folder in it."""
        font = self.font_path
        font_id = [font.name, font.stat().st_size if font.is_file() else None]
        return [font_id, self.size_px, self.color, self.outline_px, self.outline_color, self.shadow_px,
                self.shadow_color, self.position, self.highlight_color]


@dataclass(frozen=True)
class CaptionOverlay:
    """A caption over part of a segment, in the segment's frames (`first` may be
    negative and `end` past the segment: it began earlier or goes on later)."""

    text: str
    look: CaptionLook
    first: int
    end: int
    word_starts: tuple[int, ...] = ()  # when each word becomes the highlighted one

    def shows_at(self, frame: int) -> bool:
        return self.first <= frame < self.end

    def highlighted_word(self, frame: int) -> int | None:
        if self.look.highlight_color is None or not self.word_starts:
            return None
        spoken = [index for index, start in enumerate(self.word_starts) if start <= frame]
        return spoken[-1] if spoken else None

    def identity(self) -> list:
        return [self.text, self.look.identity(), self.first, self.end, list(self.word_starts)]


@dataclass(frozen=True)
class _Stamp:
    """A drawn caption ready to blend: its box in the frame and the blend terms."""

    top: int
    left: int
    y_inverse: np.ndarray  # 255 - alpha, uint16
    y_term: np.ndarray  # Y * alpha, uint16
    chroma_inverse: np.ndarray  # at chroma resolution
    u_term: np.ndarray
    v_term: np.ndarray


def _font(look: CaptionLook) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(str(look.font_path), look.size_px)
    except OSError:
        raise MediaError(f"The caption font {look.font_path.name} cannot be read ({look.font_path}).") from None


def _over(canvas: np.ndarray, mask: np.ndarray, color: RGBA) -> None:
    """Composite `color` through coverage `mask` (0..1) over premultiplied `canvas`."""
    alpha = mask * (color[3] / 255.0)
    canvas *= (1.0 - alpha)[..., None]
    canvas += alpha[..., None] * (np.array([*color[:3], 255.0], dtype=np.float32))


class CaptionPainter:
    """Draws captions for one output size and blends them onto its frames."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self._stamps: dict[tuple, _Stamp | None] = {}

    def apply(self, picture: av.VideoFrame, overlays: tuple[CaptionOverlay, ...], frame: int) -> av.VideoFrame:
        """`picture` with the overlays showing at `frame` drawn on it (a new frame if any show:
        the decoder may hand the same picture out again)."""
        showing = [overlay for overlay in overlays if overlay.shows_at(frame)]
        if not showing:
            return picture
        y, u, v = (plane.copy() for plane in planes_of(picture))
        for overlay in showing:
            stamp = self._stamp(overlay, overlay.highlighted_word(frame))
            if stamp is not None:
                _blend(stamp, y, u, v)
        return yuv420p_frame(y, u, v)

    def _stamp(self, overlay: CaptionOverlay, highlighted: int | None) -> _Stamp | None:
        key = (overlay.text, overlay.look, highlighted)
        if key not in self._stamps:
            self._stamps[key] = self._draw(overlay.text, overlay.look, highlighted)
        return self._stamps[key]

    def _draw(self, text: str, look: CaptionLook, highlighted: int | None) -> _Stamp | None:
        font = _font(look)
        safe_top = round(self.height * (1 - TITLE_SAFE) / 2)
        margin = look.outline_px + look.shadow_px
        lines = balanced_lines(text, font, self.width * TITLE_SAFE - 2 * margin)
        if not lines:
            return None
        line_height = round(look.size_px * LINE_SPACING)
        ascent, descent = font.getmetrics()
        block = (len(lines) - 1) * line_height + ascent + descent + 2 * margin
        if look.position == "top":
            top = safe_top
        elif look.position == "middle":
            top = (self.height - block) // 2
        else:
            top = self.height - safe_top - block
        top = max(0, top) & ~1  # even, so the chroma box lines up
        box_height = min(self.height - top, (block + 1) & ~1)

        masks = {name: Image.new("L", (self.width, box_height), 0) for name in ("outline", "letters", "highlight")}
        draws = {name: ImageDraw.Draw(image) for name, image in masks.items()}
        word = 0
        for number, line in enumerate(lines):
            baseline = margin + ascent + number * line_height
            line_left = (self.width - font.getlength(line)) / 2
            if look.outline_px:
                draws["outline"].text((line_left, baseline), line, font=font, fill=255, anchor="ls",
                                      stroke_width=look.outline_px, stroke_fill=255)
            # Word by word, so one word can take the highlight colour; placed by the
            # length of the line before it, so the words sit where the whole line would.
            offset = 0
            for piece in line.split(" "):
                if piece:
                    layer = "highlight" if word == highlighted else "letters"
                    x = line_left + font.getlength(line[:offset])
                    draws[layer].text((x, baseline), piece, font=font, fill=255, anchor="ls")
                    word += 1
                offset += len(piece) + 1

        coverage = {name: np.asarray(image, dtype=np.float32) / 255.0 for name, image in masks.items()}
        body = np.maximum(coverage["outline"], np.maximum(coverage["letters"], coverage["highlight"]))
        canvas = np.zeros((box_height, self.width, 4), dtype=np.float32)
        if look.shadow_px:
            shadow = np.zeros_like(body)
            s = look.shadow_px
            shadow[s:, s:] = body[:-s, :-s] if s < box_height else 0
            _over(canvas, shadow, look.shadow_color)
        if look.outline_px:
            _over(canvas, coverage["outline"], look.outline_color)
        _over(canvas, coverage["letters"], look.color)
        if look.highlight_color is not None:
            _over(canvas, coverage["highlight"], look.highlight_color)
        return _stamp_from(canvas, top, self.width)


def _stamp_from(canvas: np.ndarray, top: int, width: int) -> _Stamp | None:
    """Crop the premultiplied canvas to its ink (even edges) and precompute the blend terms."""
    alpha = canvas[..., 3]
    rows = np.flatnonzero(alpha.max(axis=1) > 0)
    cols = np.flatnonzero(alpha.max(axis=0) > 0)
    if not rows.size:
        return None
    r0, r1 = rows[0] & ~1, min(canvas.shape[0], (rows[-1] + 2) & ~1)
    c0, c1 = cols[0] & ~1, min(width, (cols[-1] + 2) & ~1)
    canvas = canvas[r0:r1, c0:c1]
    alpha = canvas[..., 3]
    straight = canvas[..., :3] / np.maximum(alpha, 1e-6)[..., None] * 255.0
    terms = rgb_to_yuv(straight) * alpha[..., None]  # Y, U, V times coverage (0..255)
    h, w = alpha.shape
    half_alpha = alpha.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    half_terms = terms.reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))

    def u16(values: np.ndarray) -> np.ndarray:
        return np.rint(values).astype(np.uint16)

    return _Stamp(
        top=top + r0,
        left=c0,
        y_inverse=u16(255.0 - alpha),
        y_term=u16(terms[..., 0]),
        chroma_inverse=u16(255.0 - half_alpha),
        u_term=u16(half_terms[..., 1]),
        v_term=u16(half_terms[..., 2]),
    )


def _blend(stamp: _Stamp, y: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
    h, w = stamp.y_inverse.shape
    region = y[stamp.top : stamp.top + h, stamp.left : stamp.left + w]
    region[:] = ((region * stamp.y_inverse + stamp.y_term + 127) // 255).astype(np.uint8)
    top, left = stamp.top // 2, stamp.left // 2
    for plane, term in ((u, stamp.u_term), (v, stamp.v_term)):
        region = plane[top : top + h // 2, left : left + w // 2]
        region[:] = ((region * stamp.chroma_inverse + term + 127) // 255).astype(np.uint8)
