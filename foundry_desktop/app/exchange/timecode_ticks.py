"""Where the film's timecode reads a round value: the ruler's ticks and labels.

The ruler counts from the film's start timecode, which need not be a round one
(00:59:58:12). Ticks at whole multiples of a step from frame 0 would then read
00:59:58:12, 00:59:59:12, ...; an editor's ruler reads 00:59:59:00, 01:00:00:00. So
ticks fall where the timecode's own count (its label, HH:MM:SS:FF read as one number
of frame labels) is a multiple of the step, the first at the first such value after
the start. In drop-frame timecode the labels a minute skips (;00 and ;01) name no
frame: a round value that is skipped is ticked at the frame that follows (;02), as
editors' rulers do.
"""

from __future__ import annotations

import math

from foundry_desktop.app.exchange.conform_keys import film_drop_frame, film_start_frames
from foundry_desktop.domain.project import Project
from foundry_desktop.interchange.smpte_timecode import format_timecode, timecode_base

_DAY_SECONDS = 24 * 3600


def round_timecode_frames(project: Project, first: float, last: float, step: int) -> list[int]:
    """The film frames from `first` to `last` (and from 0) whose timecode is a multiple of `step` labels."""
    rate = project.format.frame_rate
    start, drop = film_start_frames(project), film_drop_frame(project)
    base = timecode_base(rate)
    lowest = max(0, math.ceil(first))
    if lowest > last:
        return []
    try:
        low, high = _label_number(start + lowest, rate, drop, base), _label_number(start + int(last), rate, drop, base)
    except ValueError:  # past 23:59:59:FF, where timecode ends
        return []
    frames: list[int] = []
    for multiple in range(math.ceil(low / step), high // step + 1):
        frame = _frame_of_label(multiple * step, base, drop) - start
        if lowest <= frame <= last and (not frames or frame > frames[-1]):
            frames.append(frame)
    return frames


def _label_number(frame: int, rate, drop: bool, base: int) -> int:
    """A frame's timecode label as one number: HH:MM:SS:FF counted in labels of `base` a second."""
    hours, minutes, seconds, frames = (int(part) for part in format_timecode(frame, rate, drop_frame=drop)
                                       .replace(";", ":").split(":"))
    return ((hours * 60 + minutes) * 60 + seconds) * base + frames


def _frame_of_label(label: int, base: int, drop: bool) -> int:
    """The frame count of the label numbered `label`; a skipped drop-frame label gives the frame after it."""
    if not drop:
        return label
    dropped = 2 * base // 30
    total_minutes, in_minute = divmod(label, base * 60)
    if total_minutes % 10 != 0 and in_minute < dropped:
        label += dropped - in_minute  # ;00 and ;01 name no frame: the minute starts at ;02
    return label - dropped * (total_minutes - total_minutes // 10)
