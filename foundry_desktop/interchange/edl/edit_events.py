"""The lines of a CMX 3600 EDL read into edit events (reader.py says what they mean).

An event is one edit: a cut is one line, a dissolve or wipe two (the outgoing
source, then the incoming one), with the comments and locators that follow it.
Every error names the file and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.smpte_timecode import parse_timecode

BLACK_REELS = frozenset({"BL", "BLK", "BLACK"})
_EVENT_START = re.compile(r"^\d{3,4}\s")
_IGNORED_LINE = re.compile(r"^(>>>|AUD\b|SWM\b|FINAL\b|%|\x1a)")


@dataclass(frozen=True)
class EventLine:
    number: int
    reel: str
    channel: str
    transition: str  # C, D, W (a wipe) or K (a key)
    frames: int  # of the dissolve or wipe
    source_in: int
    source_out: int
    record_in: int
    record_out: int
    line_no: int

    @property
    def black(self) -> bool:
        return self.reel.upper() in BLACK_REELS

    @property
    def video(self) -> bool:
        return self.channel.startswith("V") or self.channel == "B" or self.channel.endswith("/V")

    @property
    def audio(self) -> bool:
        return self.channel.startswith("A") or self.channel == "B"


@dataclass
class EditEvent:
    lines: list[EventLine]
    comments: dict[str, str] = field(default_factory=dict)
    locators: list[tuple[str, int]] = field(default_factory=list)
    speed_change: bool = False

    @property
    def incoming(self) -> EventLine:
        return self.lines[-1]

    @property
    def outgoing(self) -> EventLine | None:
        return self.lines[0] if len(self.lines) == 2 else None


_COMMENT_KEYS = (
    # (what a comment starts with, the key it is kept under); longest first where one starts another
    ("FROM CLIP NAME", "from_name"), ("TO CLIP NAME", "to_name"),
    ("SOURCE FILE URL", "source_url"), ("SOURCE FILE", "source_file"),
    ("FROM CLIP", "from_file"), ("FROM FILE", "from_file"), ("TO CLIP", "to_file"), ("TO FILE", "to_file"),
    ("FOUNDRY NAME", "foundry_name"), ("FOUNDRY TRANSITION", "foundry_transition"), ("SCENE", "scene"),
)


class EdlParser:
    """Lines → events, with TITLE and the timecode mode; every error names its line."""

    def __init__(self, text: str, frame_rate: Fraction, file_name: str):
        self.frame_rate = frame_rate
        self.file_name = file_name
        self.title = ""
        self.events: list[EditEvent] = []
        self.warnings: list[str] = []
        self.mismatched: list[int] = []  # events whose source and record lengths differ
        self._drop_frame = False
        self.drop_frame_used = False
        for line_no, raw in enumerate(text.splitlines(), start=1):
            self._line(line_no, raw.strip())

    def error(self, line_no: int, what: str) -> CutFileError:
        return CutFileError(f"{self.file_name}, line {line_no}: {what}")

    def _line(self, line_no: int, line: str) -> None:
        upper = line.upper()
        if not line or _IGNORED_LINE.match(line):
            return
        if upper.startswith("TITLE:"):
            self.title = line[6:].strip()
        elif upper.startswith("FCM:"):
            mode = " ".join(upper[4:].split())
            if mode not in ("DROP FRAME", "NON-DROP FRAME", "NON DROP FRAME"):
                raise self.error(line_no, f"“{line}” should say DROP FRAME or NON-DROP FRAME.")
            self._drop_frame = mode == "DROP FRAME"
        elif _EVENT_START.match(line):
            self._event_line(line_no, line)
        elif line.startswith("*"):
            self._comment(line_no, line)
        elif upper.startswith("EFFECTS NAME IS"):
            pass
        elif upper.startswith("M2"):
            if self.events:
                self.events[-1].speed_change = True
        elif upper.startswith("SPLIT:"):
            self.warnings.append("Split edits (audio and video cut at different times) are read as plain cuts.")
        else:
            raise self.error(line_no, f"“{line[:60]}” is not an EDL line (an event, a comment, TITLE: or FCM:).")

    def _comment(self, line_no: int, line: str) -> None:
        if not self.events:
            return
        event = self.events[-1]
        body = line.lstrip("*").strip()
        upper = body.upper()
        if upper.startswith("LOC:"):
            event.locators.append((body[4:].strip(), line_no))
            return
        for prefix, key in _COMMENT_KEYS:
            if upper.startswith(prefix) and body[len(prefix):].lstrip().startswith(":"):
                event.comments.setdefault(key, body[len(prefix):].lstrip()[1:].strip())
                return

    def _event_line(self, line_no: int, line: str) -> None:
        fields = line.split()
        if len(fields) < 8:
            raise self.error(line_no, "the event line is incomplete: it needs an event number, reel, channel, "
                                      "transition, source in and out, and record in and out.")
        number, reel, channel, transition = fields[0], fields[1], fields[2].upper(), fields[3].upper()
        rest = fields[4:]
        frames = 0
        kind = transition[:1]
        if transition == "C":
            pass
        elif kind in ("D", "W", "K"):
            if kind == "K" and rest and rest[0].upper() in ("B", "O"):  # "K B" / "K O": background / overlay
                rest = rest[1:]
            if len(rest) == 5:
                if not rest[0].isdigit():
                    raise self.error(line_no, f"the transition length “{rest[0]}” is not a number of frames.")
                frames = int(rest[0])
                rest = rest[1:]
            elif kind != "K":
                raise self.error(line_no, f"the {'dissolve' if kind == 'D' else 'wipe'} has no length in frames.")
        else:
            raise self.error(line_no, f"“{transition}” is not a CMX 3600 transition (C, D, Wnnn or K).")
        if len(rest) != 4:
            raise self.error(line_no, "the event line should end with four timecodes: source in, source out, "
                                      "record in, record out.")
        times = [self.timecode(line_no, label) for label in rest]
        if times[3] < times[2]:
            raise self.error(line_no, f"the record out {rest[3]} comes before the record in {rest[2]}.")
        parsed = EventLine(int(number), reel, channel, kind, frames, *times, line_no)
        current = self.events[-1] if self.events else None
        if (current is not None and len(current.lines) == 1 and current.incoming.number == parsed.number
                and kind in ("D", "W") and current.incoming.record_in == current.incoming.record_out):
            current.lines.append(parsed)  # the incoming half of a dissolve
        else:
            self.events.append(EditEvent([parsed]))

    def timecode(self, line_no: int, label: str) -> int:
        drop_frame = self._drop_frame or ";" in label
        self.drop_frame_used |= drop_frame
        try:
            return parse_timecode(label, self.frame_rate, drop_frame=drop_frame)
        except ValueError as exc:
            raise self.error(line_no, f"{exc}.") from None


def note_lengths(event: EditEvent, parser: EdlParser) -> None:
    """Note an event whose source and record lengths differ: a speed change is warned
    about at once, the others are counted for one warning at the end."""
    line = event.incoming
    if line.source_out - line.source_in == line.record_out - line.record_in:
        return
    if event.speed_change:
        parser.warnings.append(f"Event {line.number:03d} changes speed (M2); speed changes are not represented, "
                               "so it plays at normal speed from its source in.")
    else:
        parser.mismatched.append(line.number)
