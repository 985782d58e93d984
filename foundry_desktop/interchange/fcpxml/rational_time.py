"""FCPXML's rational times: "N/Ds" or "Ns" seconds, never decimals.

Every time Foundry writes is a whole number of frames times the frame
duration, so it lies on the frame grid at any rate (1001/30000s at 29.97,
1/25s at 25...). Final Cut and Resolve reject or drift on decimal seconds.
"""

from __future__ import annotations

import re
from fractions import Fraction

_TIME = re.compile(r"^\s*(-?\d+)(?:/(\d+))?s\s*$")

# Drop-frame timecode exists at these rates only: it skips frame numbers
# (never frames) so that the clock keeps up with 30000/1001 or 60000/1001 fps.
DROP_FRAME_RATES = (Fraction(30000, 1001), Fraction(60000, 1001))


def fcpxml_time(seconds: Fraction) -> str:
    """The exact FCPXML spelling of `seconds`: "5s", "1001/30000s"."""
    seconds = Fraction(seconds)
    if seconds.denominator == 1:
        return f"{seconds.numerator}s"
    return f"{seconds.numerator}/{seconds.denominator}s"


def parse_fcpxml_time(text: str) -> Fraction:
    """The seconds an FCPXML time names; ValueError when it is not one."""
    match = _TIME.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not an FCPXML time (like '1001/30000s' or '5s')")
    numerator, denominator = int(match.group(1)), int(match.group(2) or 1)
    if denominator == 0:
        raise ValueError(f"{text!r} divides by zero")
    return Fraction(numerator, denominator)


def frame_duration(frame_rate: Fraction) -> Fraction:
    return 1 / Fraction(frame_rate)


def timecode_hour_frames(frame_rate: Fraction, drop_frame: bool) -> int:
    """How many frames lie before timecode 01:00:00:00: editors start a film
    there. At 29.97 that is 108000 frames non-drop (3603.6 s, not 3600 s) and
    107892 drop-frame (two frame numbers skipped each minute but every tenth)."""
    nominal = round(Fraction(frame_rate))
    frames = 3600 * nominal
    if drop_frame:
        skipped_per_minute = nominal // 15  # 2 at 29.97, 4 at 59.94
        frames -= skipped_per_minute * (60 - 6)
    return frames
