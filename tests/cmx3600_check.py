"""A strict CMX 3600 checker for the EDLs Foundry writes, for the tests.

Written from the CMX 3600 rules in docs/protocols/interchange.md, independent of
foundry_desktop's EDL reader and timecode code (it has its own timecode
arithmetic), so that a mistake shared by the writer and the reader still shows.
`problems(text, rate)` returns what is wrong, in words; [] for a good EDL.

Strict means: TITLE then FCM; fixed columns (`NNN  REEL____ CH___ T___ DDD
SRC_IN SRC_OUT REC_IN REC_OUT`); event numbers 001, 002, ... ascending with a
dissolve's two lines sharing one; reels of at most 8 [A-Za-z0-9_] characters,
one reel per source file and one source file per reel; one channel; record
times contiguous from 01:00:00:00 (picture; with `gaps`, jumping forward over
empty time) or only ascending (music); source
length = record length on every line; dissolves as a zero-length cut that picks
up the reel where the event before it stopped, then `D nnn` no longer than its
event, then `EFFECTS NAME IS CROSS DISSOLVE`; `;` before the frames exactly when
`FCM: DROP FRAME`, which exists only at 29.97 and 59.94; ASCII, no tabs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

_EVENT = re.compile(
    r"^(?P<num>\d{3})  (?P<reel>[A-Za-z0-9_]{1,8}) +(?P<chan>V|A|A2|AA|B|A/V|AA/V) +"
    r"(?P<trans>C|D) +(?P<dur>   |\d{3}) "
    r"(?P<si>\S{11}) (?P<so>\S{11}) (?P<ri>\S{11}) (?P<ro>\S{11})$"
)
_TIMECODE = re.compile(r"^(\d\d):(\d\d):(\d\d)([:;])(\d\d)$")
_NTSC = (Fraction(30000, 1001), Fraction(60000, 1001))


@dataclass(frozen=True)
class Line:
    number: int
    reel: str
    channel: str
    dissolve: int
    source_in: int
    source_out: int
    record_in: int
    record_out: int
    line_no: int


def _frames(label: str, rate: Fraction, drop: bool) -> int:
    """Frames from 00:00:00:00 by counting: every label of every earlier minute, minus the dropped ones."""
    h, m, s, sep, f = _TIMECODE.match(label).groups()
    h, m, s, f = int(h), int(m), int(s), int(f)
    base = round(rate)
    minutes = h * 60 + m
    frames = minutes * 60 * base + s * base + f
    if drop:
        per_minute_dropped = 2 if base == 30 else 4
        frames -= sum(per_minute_dropped for minute in range(1, minutes + 1) if minute % 10)
    return frames


def _label_problem(label: str, rate: Fraction, drop: bool) -> str | None:
    match = _TIMECODE.match(label)
    if not match:
        return f"{label!r} is not HH:MM:SS:FF"
    h, m, s, sep, f = match.groups()
    if (sep == ";") != drop:
        return f"{label} uses {sep!r} in a {'drop' if drop else 'non-drop'}-frame EDL"
    if ":" not in label[:8] or ";" in label[:8]:
        return f"{label} has the wrong separators"
    base = round(rate)
    if int(m) > 59 or int(s) > 59 or int(f) >= base:
        return f"{label} is out of range at {base} labels a second"
    if drop and int(s) == 0 and int(f) < (2 if base == 30 else 4) and int(m) % 10:
        return f"{label} is a label drop-frame skips"
    return None


def parse_lines(text: str, rate: Fraction) -> tuple[list[Line], list[str], list[list[str]]]:
    """(event lines, problems, the comment lines after each event line)."""
    problems: list[str] = []
    lines = text.split("\n")
    drop = len(lines) > 1 and lines[1] == "FCM: DROP FRAME"
    events: list[Line] = []
    comments: list[list[str]] = []
    for line_no, line in enumerate(lines[2:], start=3):
        if not line:
            continue
        if line.startswith("* ") or line == "EFFECTS NAME IS CROSS DISSOLVE":
            if not comments:
                problems.append(f"line {line_no}: a comment before any event")
            else:
                comments[-1].append(line)
            continue
        match = _EVENT.match(line)
        if not match or len(line) != 76:
            problems.append(f"line {line_no}: not an event line in CMX 3600 columns: {line!r}")
            continue
        labels = [match[k] for k in ("si", "so", "ri", "ro")]
        bad = [p for p in (_label_problem(label, rate, drop) for label in labels) if p]
        if bad:
            problems.extend(f"line {line_no}: {p}" for p in bad)
            continue
        columns = (f"{match['num']}  {match['reel']:<8} {match['chan']:<5} {match['trans']:<4} {match['dur']} "
                   + " ".join(labels))
        if line != columns:
            problems.append(f"line {line_no}: a field out of its column: {line!r}")
        dissolve = int(match["dur"]) if match["trans"] == "D" else 0
        if (match["trans"] == "D") != (match["dur"].strip() != ""):
            problems.append(f"line {line_no}: a {'dissolve without' if match['trans'] == 'D' else 'cut with'} a length")
        times = [_frames(label, rate, drop) for label in labels]
        events.append(Line(int(match["num"]), match["reel"], match["chan"], dissolve, *times, line_no))
        comments.append([])
    return events, problems, comments


def problems(text: str, rate: Fraction, *, picture: bool = True, gaps: bool = False,
             start: str = "01:00:00:00") -> list[str]:
    found: list[str] = []
    if not text.isascii():
        found.append("not ASCII")
    if "\t" in text or "\r" in text:
        found.append("tabs or carriage returns")
    lines = text.split("\n")
    if not re.match(r"^TITLE: \S.{0,69}$", lines[0]):
        found.append(f"line 1 is not a TITLE: {lines[0]!r}")
    if len(lines) < 2 or lines[1] not in ("FCM: DROP FRAME", "FCM: NON-DROP FRAME"):
        found.append("line 2 is not FCM: DROP FRAME or FCM: NON-DROP FRAME")
        return found
    drop = lines[1] == "FCM: DROP FRAME"
    if drop and rate not in _NTSC:
        found.append(f"drop frame at {rate} fps")
    events, line_problems, comments = parse_lines(text, rate)
    found += line_problems
    if not events:
        return [*found, "no events"]
    one_hour = _frames(start, rate, drop)
    expected_channel = "V" if picture else "AA"
    expected_number = 0
    previous: Line | None = None  # the last line of the event before
    reel_files: dict[str, set[str]] = {}
    file_reels: dict[str, set[str]] = {}
    index = 0
    while index < len(events):
        line = events[index]
        where = f"line {line.line_no}"
        pair = line.dissolve == 0 and index + 1 < len(events) and events[index + 1].number == line.number
        group = [line, events[index + 1]] if pair else [line]
        expected_number += 1
        if line.number != expected_number:
            found.append(f"{where}: event {line.number:03d} where {expected_number:03d} was due")
        for part in group:
            if part.channel != expected_channel and not (picture and part.channel == "AA/V"):  # a shot's sound
                found.append(f"line {part.line_no}: channel {part.channel}, not {expected_channel}")
            if part.source_out - part.source_in != part.record_out - part.record_in:
                found.append(f"line {part.line_no}: source length differs from record length")
        incoming = group[-1]
        if pair:
            outgoing = group[0]
            if outgoing.record_in != outgoing.record_out or outgoing.source_in != outgoing.source_out:
                found.append(f"{where}: a dissolve's first line is not zero-length")
            if incoming.dissolve < 1 or outgoing.record_in != incoming.record_in:
                found.append(f"line {incoming.line_no}: not a dissolve that starts at its first line")
            if incoming.record_out - incoming.record_in < incoming.dissolve:
                found.append(f"line {incoming.line_no}: the dissolve is longer than its event")
            if previous is not None and previous.record_out == outgoing.record_in and (
                    (outgoing.reel, outgoing.source_in) != (previous.reel, previous.source_out)):
                found.append(f"{where}: the dissolve does not pick up {previous.reel} where it stopped")
            if previous is None and outgoing.reel != "BL":
                found.append(f"{where}: the first event dissolves from {outgoing.reel}, not black")
            if not comments[index + 1] or comments[index + 1][0] != "EFFECTS NAME IS CROSS DISSOLVE":
                found.append(f"line {incoming.line_no}: no EFFECTS NAME IS CROSS DISSOLVE after the dissolve")
            if comments[index]:
                found.append(f"{where}: comments between a dissolve's two lines")
        elif line.dissolve:
            found.append(f"{where}: a dissolve without its zero-length first line")
        if incoming.record_out <= incoming.record_in:
            found.append(f"line {incoming.line_no}: an event with no record time")
        start = previous.record_out if previous is not None else one_hour
        if picture and (incoming.record_in < start if gaps else incoming.record_in != start):
            found.append(f"line {incoming.line_no}: record in is not where the event before ended")
        if not picture and previous is not None and incoming.record_in < previous.record_out:
            found.append(f"line {incoming.line_no}: record times overlap")
        event_comments = comments[index + len(group) - 1]
        files = [c[len("* SOURCE FILE: "):] for c in event_comments if c.startswith("* SOURCE FILE: ")]
        name_key = "* TO CLIP NAME: " if pair else "* FROM CLIP NAME: "
        if incoming.reel == "BL":
            if files:
                found.append(f"line {incoming.line_no}: black with a source file")
        else:
            if len(files) != 1:
                found.append(f"line {incoming.line_no}: {len(files)} SOURCE FILE comments, not 1")
            if not any(c.startswith(name_key) for c in event_comments):
                found.append(f"line {incoming.line_no}: no {name_key.strip()} comment")
            for file in files:
                reel_files.setdefault(incoming.reel, set()).add(file)
                if file != "(NULL)":
                    file_reels.setdefault(file, set()).add(incoming.reel)
        previous = incoming
        index += len(group)
    found += [f"reel {reel} stands for {len(files)} source files" for reel, files in reel_files.items()
              if len(files) > 1]
    found += [f"{file} has reels {sorted(reels)}" for file, reels in file_reels.items() if len(reels) > 1]
    if expected_number > 999:
        found.append("more than 999 events")
    return found
