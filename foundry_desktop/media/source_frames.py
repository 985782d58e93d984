"""Finding and showing a source video's frames, for the render and for previews alike.

Seeking lands on the keyframe at or before a time (or decodes from the start
when the file cannot seek); a frame counts as shown at an instant when its
time is at or before it, give or take a container clock's rounding; a picture
is shown at its display aspect (non-square pixels) and turned upright
(rotation tags).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.stream

from foundry_desktop.errors import MediaError
from foundry_desktop.media.probe import unreadable

# Container clocks round (Matroska keeps milliseconds): a frame stamped up to this
# much after an output instant still counts as shown at it.
TIMESTAMP_SLACK = Fraction(1, 1000)


def decoding_failed(path: Path, exc: Exception) -> MediaError:
    """The error for a source that stopped decoding part way, naming the file."""
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return unreadable(path, f"decoding failed ({reason}).")


def seek_near(container: av.container.InputContainer, stream: av.stream.Stream, target: int, path: Path) -> None:
    """Seek to the keyframe at or before `target` (in the stream's time base)."""
    try:
        container.seek(target, stream=stream, backward=True, any_frame=False)
    except (av.FFmpegError, OSError):
        try:
            container.seek(0)  # not seekable by time: decode from the start instead
        except (av.FFmpegError, OSError) as exc:
            raise decoding_failed(path, exc) from None


def quarter_turns(frame: av.VideoFrame) -> int:
    """How many times to turn the decoded picture a quarter counter-clockwise to show
    it upright (phones store portrait video sideways with a rotation tag)."""
    try:
        degrees = frame.rotation
    except (AttributeError, ValueError):
        return 0
    return round((degrees or 0) / 90) % 4


def shown_shape(frame: av.VideoFrame, stream: av.stream.Stream) -> tuple[Fraction, int]:
    """The aspect ratio the picture is shown at (non-square pixels and rotation
    applied), and the quarter turns that stand it upright."""
    turns = quarter_turns(frame)
    sar = stream.codec_context.sample_aspect_ratio
    aspect = Fraction(frame.width, frame.height) * (Fraction(sar) if sar and sar > 0 else 1)
    return (1 / aspect if turns % 2 else aspect), turns
