"""Markers in an EDL: `* LOC:` comments, as Avid, Premiere and Resolve write them.

`* LOC: 01:00:05:12 YELLOW Look here` follows the event that plays at that record
time (or, in empty time, the last event before it): the record timecode, a colour
word (the one of MARKER_COLOURS nearest the marker's colour, always written so that
a label that begins with a colour's name is not read as one), then the label.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

from foundry_desktop.interchange.edl.names import ascii_text
from foundry_desktop.interchange.film_cut import CutMarker
from foundry_desktop.interchange.marker_colours import nearest_named

MARKER_COLOURS = {
    "RED": "#e01b24", "GREEN": "#33d17a", "BLUE": "#3584e4", "CYAN": "#00c0c0", "MAGENTA": "#c061cb",
    "YELLOW": "#f6d32d", "WHITE": "#ffffff", "BLACK": "#000000", "ORANGE": "#ff7800", "PINK": "#ff8fc0",
    "PURPLE": "#9141ac",
}


def locator_comments(event_starts: Sequence[int], markers: Sequence[CutMarker],
                     timecode: Callable[[int], str]) -> dict[int, list[str]]:
    """Event index -> the `* LOC:` lines after it, from each event's record start (in order) and
    `timecode`, which labels a record frame."""
    comments: dict[int, list[str]] = {}
    for marker in sorted(markers, key=lambda m: m.frame):
        index = max(0, bisect.bisect_right(event_starts, marker.frame) - 1)
        colour = nearest_named(marker.color, MARKER_COLOURS, "YELLOW")
        label = " ".join(ascii_text(marker.label).split())
        comments.setdefault(index, []).append(f"* LOC: {timecode(marker.frame)} {colour} {label}".rstrip())
    return comments
