"""Transitions and fades drawn on yuv420p frames.

Blending Y, U and V linearly is blending the (gamma-encoded) RGB colours, since
the conversion is linear; it is what editors' dissolves do. Weights run in
256ths with integer arithmetic, which is exact, repeatable and fast.

Where frame j of an n-frame transition stands (t = (j + 1) / (n + 1)), so that
neither end repeats the pictures around it:
- dissolve: the incoming picture at weight t over the outgoing one;
- fade through black or white: the outgoing picture goes to the colour over the
  first half, the incoming one comes out of it over the second;
- from black (the film's start): frame 0 is black, the picture fully up just after;
- to black (the film's end): the last frame is black.
"""

from __future__ import annotations

import av
import numpy as np

from foundry_desktop.media.encode.yuv_picture import (
    BLACK_YUV,
    WHITE_Y,
    planes_of,
    yuv420p_frame,
)

TRANSITION_BLENDS = ("dissolve", "fade_black", "fade_white")
FILM_FADES = ("from_black", "to_black")
BLENDS = ("none", *TRANSITION_BLENDS, *FILM_FADES)

_BLACK = BLACK_YUV
_WHITE = (WHITE_Y, 128, 128)


def _mix(a: np.ndarray, b: np.ndarray | int, weight: float) -> np.ndarray:
    """a * (1 - weight) + b * weight, in 256ths, rounded."""
    w = round(weight * 256)
    if w <= 0:
        return a
    mixed = a.astype(np.uint16) * (256 - w)
    mixed += np.asarray(b, dtype=np.uint16) * w if isinstance(b, np.ndarray) else np.uint16(b * w)
    mixed += 128
    return (mixed >> 8).astype(np.uint8)


def _mixed_frame(a: av.VideoFrame, b: av.VideoFrame | tuple[int, int, int], weight: float) -> av.VideoFrame:
    a_planes = planes_of(a)
    b_planes = planes_of(b) if isinstance(b, av.VideoFrame) else b
    return yuv420p_frame(*(_mix(pa, pb, weight) for pa, pb in zip(a_planes, b_planes, strict=True)))


def transition_frame(
    kind: str, outgoing: av.VideoFrame, incoming: av.VideoFrame, index: int, frames: int
) -> av.VideoFrame:
    t = (index + 1) / (frames + 1)
    if kind == "dissolve":
        return _mixed_frame(outgoing, incoming, t)
    if kind in ("fade_black", "fade_white"):
        colour = _BLACK if kind == "fade_black" else _WHITE
        if t <= 0.5:
            return _mixed_frame(outgoing, colour, 2 * t)
        return _mixed_frame(incoming, colour, 2 - 2 * t)
    raise ValueError(f"unknown transition {kind!r}")


def film_fade_frame(kind: str, picture: av.VideoFrame, index: int, frames: int) -> av.VideoFrame:
    if kind == "from_black":
        return _mixed_frame(picture, _BLACK, 1 - index / frames)
    if kind == "to_black":
        return _mixed_frame(picture, _BLACK, (index + 1) / frames)
    raise ValueError(f"unknown fade {kind!r}")
