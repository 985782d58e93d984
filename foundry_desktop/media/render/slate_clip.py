"""A slate: black with one line of grey text ("Shot 3 · not generated"), for a shot the film
must still show for its length although it has no picture yet.

Every frame is the same, so the picture is drawn once and the encoder, seeing no change,
spends almost nothing on the frames after the first.
"""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from foundry_desktop import RESOURCES_DIR
from foundry_desktop.errors import MediaError
from foundry_desktop.media.encode.video_encoding import DEFAULT_KEYFRAME_INTERVAL_S, VideoEncoding
from foundry_desktop.media.encode.video_writer import VideoWriter
from foundry_desktop.media.encode.yuv_picture import BLACK_YUV, yuv420p_frame

FONT_PATH = RESOURCES_DIR / "fonts" / "DejaVuSans-Bold.ttf"
TEXT_Y = 180  # a light grey: read as a placeholder, not as a title of the film


def slate_picture(text: str, width: int, height: int):
    """The slate's one frame (yuv420p): the text centred, as large as fits 80% of the width."""
    size = max(8, round(height * 0.06))
    font = ImageFont.truetype(str(FONT_PATH), size)
    while size > 8 and font.getlength(text) > width * 0.8:
        size = max(8, int(size * 0.9))
        font = ImageFont.truetype(str(FONT_PATH), size)
    letters = Image.new("L", (width, height), 0)
    ImageDraw.Draw(letters).text((width / 2, height / 2), text, font=font, fill=255, anchor="mm")
    coverage = np.asarray(letters, dtype=np.float32) / 255.0
    y = np.clip(BLACK_YUV[0] + (TEXT_Y - BLACK_YUV[0]) * coverage + 0.5, 0, 255).astype(np.uint8)
    chroma = np.full((height // 2, width // 2), 128, dtype=np.uint8)
    return yuv420p_frame(y, chroma, chroma.copy())


def write_slate(path: Path, text: str, *, width: int, height: int, frame_rate: Fraction, frames: int,
                cancel: threading.Event | None = None) -> Path:
    """Encode the slate, `frames` long, to `path` (written whole or not at all)."""
    if frames <= 0:
        raise MediaError(f"A slate must last at least one frame, not {frames}.")
    picture = slate_picture(text, width, height)
    # Encoded as takes are by default, so the render can copy its pictures as it copies a take's.
    with VideoWriter(path, width=width, height=height, frame_rate=frame_rate,
                     keyframe_interval_s=DEFAULT_KEYFRAME_INTERVAL_S, encoding=VideoEncoding()) as writer:
        for _ in range(frames):
            if cancel is not None and cancel.is_set():
                raise MediaError("Render cancelled.")
            writer.add_frame(picture)
        return writer.finish()
