"""Ken Burns motion over a still: an eased pan and zoom, chosen by the seed.

The view is a box of the output's aspect ratio inside the image: at zoom 1 the
largest such box (cover fit), at zoom z that box shrunk by z. Zoom runs from 1
to about 1.15 or back, while the box travels towards a seed-chosen corner; both
follow one smoothstep, so the move starts and settles gently.

The box never leaves the image: each end is placed inside it, and because the
half-width of the box (proportional to 1/zoom) is convex in the eased time while
the centre moves linearly, every box in between is inside too.

The image is converted to Y, U and V once; each frame is three Pillow resizes
of a sub-pixel box (area-averaged when shrinking, so no shimmer).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from foundry_desktop.errors import InputFileError
from foundry_desktop.generation.local.title_card import smoothstep
from foundry_desktop.media.encode.yuv_picture import rgb_to_yuv, yuv420p_frame


def load_still(path: Path) -> Image.Image:
    """The image as upright RGB (transparency over black), or an InputFileError."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"The input image {path.name} does not exist.")
    try:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened)
            image.load()
    except Image.DecompressionBombError:
        raise InputFileError(f"{path.name} is too large an image to use.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InputFileError(f"{path.name} is not an image Foundry can read.") from None
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("RGB")


@dataclass(frozen=True)
class _View:
    zoom: float
    centre_x: float
    centre_y: float


class KenBurns:
    """Frame i of the move over `image`, as a yuv420p frame; the same seed gives the same frames."""

    def __init__(self, image: Image.Image, seed: int, width: int, height: int, frames: int) -> None:
        self.width, self.height = width, height
        self._frames = frames
        rng = random.Random(seed)
        max_zoom = rng.uniform(1.12, 1.18)
        zooms = (1.0, max_zoom) if rng.random() < 0.5 else (max_zoom, 1.0)
        corner = (rng.choice([-1, 1]), rng.choice([-1, 1]))
        reach = rng.uniform(0.6, 1.0)

        image = self._prepared(image, max_zoom)
        self._image_w, self._image_h = image.size
        # Largest box of the output's aspect inside the image.
        if self._image_w * height > self._image_h * width:
            self._cover_w, self._cover_h = self._image_h * width / height, float(self._image_h)
        else:
            self._cover_w, self._cover_h = float(self._image_w), self._image_w * height / width

        def view(zoom: float, towards: int) -> _View:
            # `towards` -1: the side away from the corner, +1: towards it.
            room_x = (self._image_w - self._cover_w / zoom) / 2
            room_y = (self._image_h - self._cover_h / zoom) / 2
            return _View(
                zoom,
                self._image_w / 2 + towards * corner[0] * reach * room_x,
                self._image_h / 2 + towards * corner[1] * reach * room_y,
            )

        self._start = view(zooms[0], -1)
        self._end = view(zooms[1], +1)

        yuv = rgb_to_yuv(np.asarray(image))
        self._y = Image.fromarray(np.clip(yuv[..., 0] + 0.5, 0, 255).astype(np.uint8))
        # Chroma at half resolution, each sample the mean of a 2x2 block, as yuv420p has it.
        h2, w2 = self._image_h // 2, self._image_w // 2
        blocks = yuv[: h2 * 2, : w2 * 2, 1:].reshape(h2, 2, w2, 2, 2).mean(axis=(1, 3))
        self._u = Image.fromarray(np.clip(blocks[..., 0] + 0.5, 0, 255).astype(np.uint8))
        self._v = Image.fromarray(np.clip(blocks[..., 1] + 0.5, 0, 255).astype(np.uint8))

    def _prepared(self, image: Image.Image, max_zoom: float) -> Image.Image:
        """Shrink a large image once to what the closest view needs, and make its size even."""
        iw, ih = image.size
        cover_w = min(iw, ih * self.width / self.height)
        scale = self.width * max_zoom / cover_w
        if scale < 1:
            size = (max(2, round(iw * scale)), max(2, round(ih * scale)))
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        iw, ih = image.size
        if iw % 2 or ih % 2:
            image = image.crop((0, 0, iw - iw % 2, ih - ih % 2))
        return image

    @property
    def image_size(self) -> tuple[int, int]:
        """Size of the image the view boxes refer to (the input, shrunk if it was large)."""
        return self._image_w, self._image_h

    def view_box(self, index: int) -> tuple[float, float, float, float]:
        """The part of the (prepared) image that frame `index` shows: left, top, right, bottom."""
        t = index / (self._frames - 1) if self._frames > 1 else 0.0
        eased = smoothstep(t)
        zoom = self._start.zoom + (self._end.zoom - self._start.zoom) * eased
        half_w, half_h = self._cover_w / zoom / 2, self._cover_h / zoom / 2
        cx = self._start.centre_x + (self._end.centre_x - self._start.centre_x) * eased
        cy = self._start.centre_y + (self._end.centre_y - self._start.centre_y) * eased
        # Guards against float rounding only; the geometry keeps the box inside.
        cx = min(max(cx, half_w), self._image_w - half_w)
        cy = min(max(cy, half_h), self._image_h - half_h)
        return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)

    def frame(self, index: int) -> av.VideoFrame:
        left, top, right, bottom = self.view_box(index)
        bilinear = Image.Resampling.BILINEAR
        y = self._y.resize((self.width, self.height), bilinear, box=(left, top, right, bottom))
        chroma_box = (left / 2, top / 2, right / 2, bottom / 2)
        chroma_size = (self.width // 2, self.height // 2)
        u = self._u.resize(chroma_size, bilinear, box=chroma_box)
        v = self._v.resize(chroma_size, bilinear, box=chroma_box)
        return yuv420p_frame(np.asarray(y), np.asarray(u), np.asarray(v))

