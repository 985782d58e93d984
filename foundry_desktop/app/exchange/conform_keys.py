"""The keys an online editor conforms a cut by: each shot's reel and source timecode, and where
the film's own timecode starts and whether it drops frame labels.

A shot's reel is what the cut it was imported from called its source, else the reel name its
file carries, else the file's name without its extension. Its source timecode is the timecode of
its source's first frame, in frames at the film's rate: the start timecode a camera original
carries (converted through seconds when the file runs at another rate), else 00:00:00:00.
The film starts at 01:00:00:00 unless told otherwise, and drops frame labels at 29.97 and
59.94 fps unless told otherwise; exports write these unless their caller overrides them.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from foundry_desktop.domain.project import Project
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.interchange.film_cut import DEFAULT_RECORD_START
from foundry_desktop.interchange.smpte_timecode import drop_frame_possible, format_timecode, parse_timecode
from foundry_desktop.media.probe import SourceInfo

def film_drop_frame(project: Project) -> bool:
    """Whether the film's timecode drops frame labels (its own flag, else the rate's default)."""
    flag = project.timeline.drop_frame
    return drop_frame_possible(project.format.frame_rate) if flag is None else flag


def film_timecode_label(project: Project) -> tuple[str, bool]:
    """The film's start timecode as its label, and whether it drops frame labels."""
    drop_frame = film_drop_frame(project)
    rate = project.format.frame_rate
    start = project.timeline.start_timecode
    if start is None:
        start = parse_timecode(DEFAULT_RECORD_START, rate, drop_frame=drop_frame)
    return format_timecode(start, rate, drop_frame=drop_frame), drop_frame


def timecode_frames(label: str, frame_rate: Fraction, drop_frame: bool) -> int:
    """A timecode the creator typed (04:00:00:00; 04:00:00;00 is drop frame) as frames, or why not in words."""
    try:
        return parse_timecode(label.strip(), frame_rate, drop_frame=drop_frame or ";" in label)
    except ValueError as exc:
        raise InvalidEditError(f"{label.strip()!r} is not a timecode Foundry can use: {exc}.") from None


def source_timecode(info: SourceInfo, film_rate: Fraction) -> int:
    """The file's own start timecode in frames at the film's rate; 0 when it carries none that reads."""
    if not info.timecode or not info.frame_rate:
        return 0
    try:
        frames = parse_timecode(info.timecode, info.frame_rate, drop_frame=";" in info.timecode)
    except ValueError:  # a tag no timecode reader could use: the file counts from zero, as before
        return 0
    if info.frame_rate == film_rate:
        return frames
    return round(Fraction(frames) / info.frame_rate * film_rate)


def source_reel(info: SourceInfo, file_name: str) -> str:
    """The reel the file names itself, else its file name without the extension."""
    return info.reel or Path(file_name).stem
