"""The fields of an EDL event line and of an M2 (speed) line, read from the right.

Strict CMX 3600 puts a 3-digit event number, an 8-character reel and a channel in
fixed columns. What editors write is looser: Avid numbers events with up to six
digits, Resolve and Avid write reel or clip names of up to 32 or 129 characters
("File32", "File129"), and some names hold spaces. What never varies is the end
of the line: four timecodes (source in and out, record in and out), before them
the transition (C, D, Wnnn, K, KB, KO or K B/K O) with its length in frames for a
dissolve or wipe, before that the channel. So a line is read from its right end,
and the reel is whatever lies between the event number and the channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TRANSITION = re.compile(r"^(C|D|W\d*|K[BO]?)$", re.ASCII)
_SPEED_LINE = re.compile(r"^M2\s+(?P<reel>.*?)\s+(?P<speed>[-+]?\d+(?:\.\d*)?)\s+(?P<tc>\S+)\s*$", re.IGNORECASE | re.ASCII)


class FieldError(ValueError):
    """What is wrong with a line, in words (the parser adds the file and line)."""


@dataclass(frozen=True)
class EventFields:
    number: int
    reel: str
    channel: str
    transition: str  # C, D, W or K
    frames: int  # of a dissolve or wipe; 0 for a cut or key
    timecodes: tuple[str, str, str, str]  # source in, source out, record in, record out


def event_fields(line: str) -> EventFields:
    fields = line.split()
    if len(fields) < 8:
        raise FieldError("the event line is incomplete: it needs an event number, reel, channel, "
                         "transition, source in and out, and record in and out.")
    timecodes = (fields[-4], fields[-3], fields[-2], fields[-1])
    head = fields[1:-4]  # reel..., channel, transition [frames]
    frames_label = head.pop() if head[-1].isascii() and head[-1].isdigit() and len(head) >= 4 else ""  # not "²"
    if len(head) >= 4 and head[-1].upper() in ("B", "O") and head[-2].upper() == "K":
        head[-2:] = ["K" + head[-1].upper()]  # "K B": a key over the background
    transition = head[-1].upper()
    if not _TRANSITION.match(transition):
        if frames_label:
            raise FieldError(f"“{head[-1]} {frames_label}” is not a CMX 3600 transition (C, D nnn, Wnnn nnn or K).")
        raise FieldError(f"“{head[-1]}” is not a CMX 3600 transition (C, D, Wnnn or K).")
    kind = transition[:1]
    if kind in ("D", "W") and not frames_label:
        raise FieldError(f"the {'dissolve' if kind == 'D' else 'wipe'} has no length in frames.")
    if len(head) < 3:
        raise FieldError("the event line is incomplete: it needs an event number, reel, channel, "
                         "transition, source in and out, and record in and out.")
    frames = int(frames_label) if frames_label and kind in ("D", "W") else 0
    return EventFields(int(fields[0]), " ".join(head[:-2]), head[-2].upper(), kind, frames, timecodes)


def speed_fields(line: str) -> tuple[str, float, str] | None:
    """(reel, frames per second, source timecode) of an `M2 REEL 048.0 01:00:00:00`
    line; None when the line does not read as one."""
    match = _SPEED_LINE.match(line)
    if not match:
        return None
    return match.group("reel").strip(), float(match.group("speed")), match.group("tc")
