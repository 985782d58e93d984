"""SMPTE timecode: frame numbers as HH:MM:SS:FF labels, and back.

Timecode counts frames at a whole-number base: the frame rate rounded (23.976
counts at 24, 29.97 at 30, 59.94 at 60), so a label names a frame exactly but
drifts from the wall clock at the NTSC rates. Drop-frame timecode corrects that
drift at 29.97 and 59.94 only: it skips the labels ;00 and ;01 (;00 to ;03 at
59.94) at the start of every minute except minutes 0, 10, 20, ... No frame is
dropped, only labels, so 17982 frames (ten minutes at 29.97) are 00:10:00;00.
Drop-frame labels separate the frames with ';', non-drop ones with ':'.
"""

from __future__ import annotations

import re
from fractions import Fraction

NTSC_RATES = (Fraction(30000, 1001), Fraction(60000, 1001))
_LABEL = re.compile(r"^(\d{1,2})[:;.](\d\d)[:;.](\d\d)([:;.,])(\d\d)$", re.ASCII)  # "²" is no digit


def timecode_base(frame_rate: Fraction) -> int:
    """How many frame labels a timecode second holds at this rate (24 for 23.976)."""
    base = round(frame_rate)
    if base < 1:
        raise ValueError(f"a frame rate of {frame_rate} fps has no timecode")
    return base


def drop_frame_possible(frame_rate: Fraction) -> bool:
    return frame_rate in NTSC_RATES


def _labels_dropped_per_minute(base: int) -> int:
    return 2 * base // 30


def format_timecode(frame: int, frame_rate: Fraction, *, drop_frame: bool = False) -> str:
    """The label of `frame` (counting from 00:00:00:00). Labels stop at 23:59:59:FF."""
    if frame < 0:
        raise ValueError(f"frame {frame} is before 00:00:00:00")
    base = timecode_base(frame_rate)
    label_number = frame
    if drop_frame:
        if not drop_frame_possible(frame_rate):
            raise ValueError(f"drop-frame timecode exists only at 29.97 and 59.94 fps, not {float(frame_rate):g}")
        dropped = _labels_dropped_per_minute(base)
        per_ten_minutes = base * 600 - dropped * 9
        per_minute = base * 60 - dropped
        tens, rest = divmod(frame, per_ten_minutes)
        # The first minute of every ten keeps all its labels; each later one skips `dropped`.
        later_minutes = (rest - dropped) // per_minute if rest >= dropped else 0
        label_number = frame + dropped * 9 * tens + dropped * later_minutes
    seconds, frames = divmod(label_number, base)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours > 23:
        raise ValueError(f"frame {frame} is past 23:59:59 in timecode")
    separator = ";" if drop_frame else ":"
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{frames:02d}"


def parse_timecode(label: str, frame_rate: Fraction, *, drop_frame: bool = False) -> int:
    """The frame a label names. ValueError, in words, for a label that is not
    timecode or names no frame at this rate (a frame field past the rate, or a
    drop-frame label that is skipped)."""
    match = _LABEL.match(label)
    if not match:
        raise ValueError(f"{label!r} is not a timecode (HH:MM:SS:FF)")
    hours, minutes, seconds, _, frames = match.groups()
    hours, minutes, seconds, frames = int(hours), int(minutes), int(seconds), int(frames)
    base = timecode_base(frame_rate)
    if minutes > 59 or seconds > 59:
        raise ValueError(f"{label} has {'minutes' if minutes > 59 else 'seconds'} past 59")
    if frames >= base:
        raise ValueError(f"{label} names frame {frames} of a second, but at {float(frame_rate):g} fps "
                         f"a second has frames 00 to {base - 1:02d} (is the frame rate right?)")
    label_number = ((hours * 60 + minutes) * 60 + seconds) * base + frames
    if not drop_frame:
        return label_number
    if not drop_frame_possible(frame_rate):
        raise ValueError(f"{label} is drop-frame timecode, which exists only at 29.97 and 59.94 fps, "
                         f"not {float(frame_rate):g}")
    dropped = _labels_dropped_per_minute(base)
    if seconds == 0 and frames < dropped and minutes % 10 != 0:
        raise ValueError(f"{label} does not exist in drop-frame timecode (each minute but every tenth "
                         f"starts at frame {dropped:02d})")
    total_minutes = hours * 60 + minutes
    return label_number - dropped * (total_minutes - total_minutes // 10)
