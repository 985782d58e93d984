"""The text of an edit list: TITLE, FCM, then numbered event lines with their comments.

Event numbers. Strict CMX 3600 numbers events 001 to 999 in three digits. A longer
edit (a feature has thousands of events) is written as Avid and Resolve write
theirs: the numbers as wide as the last one needs (0001 ... 1200, up to six
digits), which only the long-name dialect (File129, `names="long"`) allows. A
strict list (`names="cmx"`) of more than 999 events is refused in one line: the
systems a creator asks for strict CMX 3600 for read the event number from fixed
columns, and a fourth digit would shift every field after it, so writing one
silently would hand them a list they misread. (writer.py's callers choose the
long dialect themselves when the edit needs it.)

Frame code mode. The header's `FCM:` line says how the record timecode counts
(drop frame or not). A source that counts otherwise (a non-drop camera original in
a drop-frame film) gets an `FCM:` line of its own counting before its line (inside
a dissolve, between the outgoing and the incoming line, where Avid writes it), and
the list goes back with another `FCM:` line before the next line whose source counts
otherwise again: CMX 3600 allows FCM changes mid-list, each giving the frame code
mode of the source lines after it. Every label also says its own counting by its
separator (`;` drop frame, `:` non-drop), which is what OpenTimelineIO and Resolve
go by, and what Foundry's reader goes by in a list that writes `;` at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from foundry_desktop.errors import ExportError
from foundry_desktop.interchange.edl.locators import locator_comments
from foundry_desktop.interchange.edl.names import ReelStyle
from foundry_desktop.interchange.film_cut import CutMarker
from foundry_desktop.interchange.smpte_timecode import drop_frame_possible, format_timecode

SOUND_AND_PICTURE = "AA/V"  # the channel of an event whose shot brings its own (stereo) sound
MAX_EVENTS = 999  # strict CMX 3600's three digits
MAX_LONG_EVENTS = 999_999  # the six digits Avid numbers events with


@dataclass(frozen=True)
class EventLine:
    """One line of an event: `reel` from source_in to source_out (exclusive) at
    record_in to record_out; a dissolve of `dissolve` frames into it, or a cut (0).
    Its source timecode drops frame labels when `source_drop_frame` says so (None: as the record's)."""

    reel: str
    source_in: int
    source_out: int
    record_in: int
    record_out: int
    dissolve: int = 0
    source_drop_frame: bool | None = None


@dataclass(frozen=True)
class Event:
    """A cut (one line) or a dissolve (the outgoing reel's zero-length line, then the incoming)."""

    lines: tuple[EventLine, ...]
    comments: tuple[str, ...]
    sound: bool = False  # its incoming shot's own sound comes with the picture (AA/V)


def fcm_line(drop_frame: bool) -> str:
    return f"FCM: {'DROP FRAME' if drop_frame else 'NON-DROP FRAME'}"


def number_width(events: int, names: ReelStyle) -> int:
    """How many digits the event numbers take (see the module); an ExportError where the dialect has too few."""
    if events <= MAX_EVENTS:
        return 3
    if names == "cmx":
        raise ExportError(f"This edit needs {events:,} EDL events; a strict CMX 3600 EDL numbers at most "
                          f"{MAX_EVENTS}. Export it with long reel names (File129, as Avid and Resolve number long "
                          "edits: --edl-names long, or the export dialog's long reel names), or as FCPXML or OTIO.")
    if events > MAX_LONG_EVENTS:
        raise ExportError(f"This edit needs {events:,} EDL events; an EDL numbers at most {MAX_LONG_EVENTS:,}. "
                          "Export it as FCPXML or OTIO, or in parts.")
    return len(str(events))


def events_text(title: str, events: Sequence[Event], frame_rate: Fraction, channel: str, drop_frame: bool,
                record_start: int, markers: Sequence[CutMarker] = (), names: ReelStyle = "cmx") -> str:
    """The EDL: TITLE, FCM, then the events with their record times moved to `record_start`, and
    `markers` as locators (see locators.py)."""
    width = number_width(len(events), names)

    def timecode(frame: int, drop: bool = drop_frame) -> str:
        try:
            return format_timecode(frame, frame_rate, drop_frame=drop)
        except ValueError:
            raise ExportError("The film is too long for an EDL: its timecode would pass 23:59:59.") from None

    def source_drop(line: EventLine) -> bool:
        drop = drop_frame if line.source_drop_frame is None else line.source_drop_frame
        return drop and drop_frame_possible(frame_rate)

    lines = [f"TITLE: {title}", fcm_line(drop_frame), ""]
    starts = [event.lines[-1].record_in for event in events]
    located = locator_comments(starts, markers, lambda frame: timecode(frame + record_start))
    in_force = drop_frame
    for number, event in enumerate(events, start=1):
        for line in event.lines:
            if (counting := source_drop(line)) != in_force:
                lines.append(fcm_line(counting))
                in_force = counting
            times = (timecode(line.source_in, counting), timecode(line.source_out, counting),
                     timecode(line.record_in + record_start), timecode(line.record_out + record_start))
            lines.append(_event_line(number, width, line, SOUND_AND_PICTURE if event.sound and channel == "V"
                                     else channel, times))
        lines.extend(event.comments)
        lines.extend(located.get(number - 1, ()))
        lines.append("")
    return "\n".join(lines)


def _event_line(number: int, width: int, line: EventLine, track: str, times: tuple[str, str, str, str]) -> str:
    transition = f"{'D' if line.dissolve else 'C':<4} {f'{line.dissolve:03d}' if line.dissolve else '':>3}"
    return f"{number:0{width}d}  {line.reel:<8} {track:<5} {transition} {' '.join(times)}"
