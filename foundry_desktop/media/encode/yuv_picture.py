"""Pictures as the encoder wants them: yuv420p planes, BT.709 limited range.

Generators draw straight into Y, U and V (the encoder's own format) rather than
building RGB and converting every frame, which would cost as much again as the
encode. RGB is converted once, for colours and still images.
"""

from __future__ import annotations

import av
import numpy as np

from foundry_desktop.media.encode.video_writer import BT709, LIMITED_RANGE

# BT.709 luma weights.
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB

BLACK_YUV = (16, 128, 128)
WHITE_Y = 235


def rgb_to_yuv(rgb: np.ndarray) -> np.ndarray:
    """RGB (0..255, last axis) to limited-range BT.709 Y, U, V (float32, last axis)."""
    rgb = np.asarray(rgb, dtype=np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    luma = _KR * r + _KG * g + _KB * b
    y = 16.0 + luma * (219.0 / 255.0)
    u = 128.0 + (b - luma) / (2.0 * (1.0 - _KB)) * (224.0 / 255.0)
    v = 128.0 + (r - luma) / (2.0 * (1.0 - _KR)) * (224.0 / 255.0)
    return np.stack([y, u, v], axis=-1)


def plane_view(frame: av.VideoFrame, index: int) -> np.ndarray:
    """A writable (height, width) view of one plane, without its row padding."""
    plane = frame.planes[index]
    rows = np.frombuffer(plane, dtype=np.uint8).reshape(plane.height, plane.line_size)
    return rows[:, : plane.width]


def yuv420p_frame(y: np.ndarray, u: np.ndarray, v: np.ndarray) -> av.VideoFrame:
    """A tagged frame from uint8 planes: y (h, w), u and v (h/2, w/2)."""
    height, width = y.shape
    frame = av.VideoFrame(width, height, "yuv420p")
    for index, plane in enumerate((y, u, v)):
        plane_view(frame, index)[:] = plane
    frame.colorspace = BT709
    frame.color_range = LIMITED_RANGE
    return frame


def planes_of(frame: av.VideoFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of a yuv420p frame's Y, U and V planes (no copy)."""
    return plane_view(frame, 0), plane_view(frame, 1), plane_view(frame, 2)
