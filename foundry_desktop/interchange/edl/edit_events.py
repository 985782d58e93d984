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
from foundry_desktop.interchange.edl.event_fields import FieldError, event_fields, speed_fields
from foundry_desktop.interchange.smpte_timecode import format_timecode, parse_timecode

BLACK_REELS = frozenset({"BL", "BLK", "BLACK"})
_EVENT_START = re.compile(r"^\d{1,6}\s", re.ASCII)  # 3 digits in CMX 3600, up to 6 in Avid's EDLs
# Lines that say nothing a single-track film holds: audio/video routing, Avid's and
# Resolve's colour decisions (ASC CDL), motion memory, and DOS end-of-file bytes.
_IGNORED_LINE = re.compile(r"^(>>>|AUD\b|SWM\b|FINAL\b|ASC_S[OA][PT]\b|%|\x1a)", re.IGNORECASE)
_DROP_FRAME_DOT = re.compile(r"^\d\d:\d\d:\d\d[.,]\d\d$", re.ASCII)
# A list that writes a drop-frame label with ";" (or "." / ",") anywhere says each label's counting by
# its separator, so ":" means non-drop there. In one that writes every label with ":" (CMX's own
# form), the first FCM line says how the record counts, and the FCM line in force how a source does
# (CMX 3600 puts an FCM line before a source line that counts otherwise than the one before).
_DROP_FRAME_LABEL = re.compile(r"\b\d\d:\d\d:\d\d[;.,]\d\d\b", re.ASCII)
# "FROM CLIP NAME: ...", "SOURCE FILE: ...", "LOC: ...": comments that some programs write without the "*"
_KEYED_COMMENT = re.compile(r"^[A-Za-z][\w ./()-]{0,40}:")
_RESOLVE_MARKER = re.compile(r"^\|C:(?:Resolve)?Color(?P<colour>\w+)\s*\|M:(?P<name>.*?)\s*(\|D:\d+)?$", re.IGNORECASE)


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
    source_drop_frame: bool = False  # whether its source timecode counts in drop frame


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
    speed: float | None = None  # frames per second of source an M2 line gives (0 a freeze, < 0 reverse)

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
        self._record_drop_frame: bool | None = None  # the first FCM line's
        self._separators_count = bool(_DROP_FRAME_LABEL.search(text))
        self.drop_frame_used = False  # whether the record timecode counts in drop frame
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
        elif upper.startswith(("FCM:", "FRAME CODE MODE:")):
            mode = " ".join(upper.partition(":")[2].split())
            if mode not in ("DROP FRAME", "NON-DROP FRAME", "NON DROP FRAME"):
                raise self.error(line_no, f"“{line}” should say DROP FRAME or NON-DROP FRAME.")
            self._drop_frame = mode == "DROP FRAME"
            if self._record_drop_frame is None:
                self._record_drop_frame = self._drop_frame
        elif _EVENT_START.match(line):
            self._event_line(line_no, line)
        elif line.startswith("*"):
            self._comment(line_no, line.lstrip("*").strip())
        elif upper.startswith("REM") and (len(line) == 3 or not line[3].isalnum()):
            self._comment(line_no, line[3:].strip())
        elif upper.startswith("EFFECTS NAME IS"):
            pass
        elif upper.startswith("M2"):
            self._speed(line_no, line)
        elif upper.startswith("SPLIT:"):
            self.warnings.append("Split edits (audio and video cut at different times) are read as plain cuts.")
        elif line.startswith("|"):
            self._resolve_marker(line)
        elif _KEYED_COMMENT.match(line):
            self._comment(line_no, line)
        else:
            raise self.error(line_no, f"“{line[:60]}” is not an EDL line (an event, a comment, TITLE: or FCM:).")

    def _speed(self, line_no: int, line: str) -> None:
        fields = speed_fields(line)
        if fields is None:
            raise self.error(line_no, f"“{line[:60]}” is not an M2 speed line (M2, reel, speed, source timecode).")
        if self.events:
            self.events[-1].speed = fields[1]

    def _resolve_marker(self, line: str) -> None:
        """Resolve writes a marker as `|C:ResolveColorBlue |M:name |D:1` after the event it is on."""
        match = _RESOLVE_MARKER.match(line)
        if match and self.events:
            event = self.events[-1]
            label = format_timecode(event.incoming.record_in, self.frame_rate, drop_frame=self.drop_frame_used)
            event.locators.append((f"{label} {match.group('colour').upper()} {match.group('name')}",
                                   event.incoming.line_no))

    def _comment(self, line_no: int, body: str) -> None:
        if not self.events:
            return
        event = self.events[-1]
        upper = body.upper()
        if upper.startswith("LOC:"):
            event.locators.append((body[4:].strip(), line_no))
            return
        for prefix, key in _COMMENT_KEYS:
            if upper.startswith(prefix) and body[len(prefix):].lstrip().startswith(":"):
                event.comments.setdefault(key, body[len(prefix):].lstrip()[1:].strip())
                return

    def _event_line(self, line_no: int, line: str) -> None:
        try:
            fields = event_fields(line)
        except FieldError as exc:
            raise self.error(line_no, str(exc)) from None
        source_drop = self.drop_frame_of(fields.timecodes[0], source=True)
        times = [self.timecode(line_no, label, source=index < 2) for index, label in enumerate(fields.timecodes)]
        if times[3] < times[2]:
            raise self.error(line_no, f"the record out {fields.timecodes[3]} comes before the record in "
                                      f"{fields.timecodes[2]}.")
        parsed = EventLine(fields.number, fields.reel, fields.channel, fields.transition, fields.frames, *times,
                           line_no, source_drop)
        current = self.events[-1] if self.events else None
        if (current is not None and len(current.lines) == 1 and current.incoming.number == parsed.number
                and parsed.transition in ("D", "W") and current.incoming.record_in == current.incoming.record_out):
            current.lines.append(parsed)  # the incoming half of a dissolve
        else:
            self.events.append(EditEvent([parsed]))

    def drop_frame_of(self, label: str, *, source: bool) -> bool:
        """Whether a source or record label counts in drop frame: by its separator, or by the FCM lines
        (see _DROP_FRAME_LABEL)."""
        if label[8:9] in (";", ".", ","):
            return True
        if self._separators_count:
            return False
        return self._drop_frame if source or self._record_drop_frame is None else self._record_drop_frame

    def timecode(self, line_no: int, label: str, *, source: bool = False) -> int:
        """The frame a label names; a record label (not `source`) also tells the record's counting."""
        if _DROP_FRAME_DOT.match(label):  # Sony's and Avid's other ways of writing 01:00:00;00
            label = label[:8] + ";" + label[9:]
        if label[:2].isascii() and label[:2].isdigit() and int(label[:2]) > 23:  # "²0" is no hour
            raise self.error(line_no, f"{label} is past 23:59:59: timecode counts the hours of one day.")
        drop_frame = self.drop_frame_of(label, source=source)
        if not source:
            self.drop_frame_used |= drop_frame
        try:
            return parse_timecode(label, self.frame_rate, drop_frame=drop_frame)
        except ValueError as exc:
            raise self.error(line_no, f"{exc}.") from None


def note_lengths(event: EditEvent, parser: EdlParser) -> None:
    """Note an event whose source and record lengths differ and that no M2 line
    explains, for one warning at the end."""
    line = event.incoming
    if line.source_out - line.source_in == line.record_out - line.record_in:
        return
    if event.speed is None:  # speed changes are told of together (reader.py)
        parser.mismatched.append(line.number)
