"""Reading a CMX 3600 EDL into a FilmCut.

An EDL carries no frame rate: the caller gives it, and timecode counts at that
rate rounded (23.976 at 24). `FCM: DROP FRAME` (or a `;` in a timecode) means
drop-frame labels, which exist only at 29.97 and 59.94.

The picture is the events on a video channel (`V`, `B`, `A/V`, `AA/V`...), in
record order. Rules, so that what Foundry's writer writes reads back as the cut
it came from (edl_writer describes the other side):

* The film starts at the first video event that is not black; record times count
  from there. An EDL with no video starts at 01:00:00:00 when its first event is
  at or after it (where editors start their timelines), else at its first event.
* A dissolve (`D nnn`, or a wipe `Wnnn nnn`, read as a dissolve with a warning)
  starts at its edit; Foundry's transitions are centred on the cut, so the cut
  is put frames // 2 after the edit: the outgoing shot ends there (its source
  out moved on by as much), and the incoming shot starts there. A dissolve longer
  than the incoming event is shortened to it, with a warning.
* A dissolve from black into the first shot is the film's fade in; a dissolve
  from the last shot into a black event at the end is its fade out (black after
  it is left out, with a warning).
* A black event between two shots that the outgoing shot dissolves into over its
  whole length, followed by a dissolve (or cut) into the next shot, is a fade
  through black of both dissolves' length (through white when Foundry's comment
  says so). Other black between shots, and gaps in record time, become shots
  with no media named "Black" or "Gap", with a warning: they keep the film's
  timing. Black at the start or end is left out.
* Events out of record order are put in order (with a warning); video events that
  overlap in record time are an error.
* Speed changes (`M2`) are not represented: the clip plays at normal speed from
  its source in for its record length, with a warning, as does any event whose
  source and record lengths differ. Key effects are left out, with a warning.
* Audio-only events that repeat a video event (same reel, source and record
  times) are that shot's sound (`has_audio`); the other audio events become music
  clips, each channel on its own: a dissolve from black is a fade in, into black a
  fade out, and a dissolve between two clips a cross-fade (the outgoing clip
  plays on under the incoming one, fading out while it fades in).
* `* LOC:` comments become markers at their record time.

Media: `* SOURCE FILE URL:` (Foundry's exact, percent-encoded path) if present,
else `* SOURCE FILE:` (or Avid's `* FROM CLIP:` / Nucoda's `* FROM FILE:`; in a
dissolve, the comment belongs to the incoming clip unless it names the outgoing
one), else what another event of the same reel and clip name says, else the clip
name, else the reel name (not `AX`), each relative to the EDL's folder; None if
nothing, or `(NULL)`. A Windows path read elsewhere keeps only its file name (in
the EDL's folder), with a warning. Files are not looked at: a path is kept even
when nothing is there, and the media's length is taken as the furthest frame the
EDL uses. The EDL says nothing of the frame size: the cut's width and height are
0 (unknown), for the app to take from the media.

Malformed lines raise CutFileError with the file, the line number and what is
wrong.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path, PureWindowsPath

from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.file_url import path_from_file_url
from foundry_desktop.interchange.film_cut import (
    CutClip,
    CutMarker,
    CutMusic,
    CutTransition,
    CutTransitionKind,
    FilmCut,
    ReadCut,
)
from foundry_desktop.interchange.smpte_timecode import parse_timecode

BLACK_REELS = frozenset({"BL", "BLK", "BLACK"})
UNNAMED_REELS = frozenset({"AX", *BLACK_REELS})
STILL_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
MARKER_COLOURS = {
    "RED": "#e01b24", "GREEN": "#33d17a", "BLUE": "#3584e4", "CYAN": "#00c0c0", "MAGENTA": "#c061cb",
    "YELLOW": "#f6d32d", "WHITE": "#ffffff", "BLACK": "#000000", "ORANGE": "#ff7800", "PINK": "#ff8fc0",
    "PURPLE": "#9141ac",
}
_EVENT_START = re.compile(r"^\d{3,4}\s")
_IGNORED_LINE = re.compile(r"^(>>>|AUD\b|SWM\b|FINAL\b|%|\x1a)")


@dataclass(frozen=True)
class _Line:
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
class _Event:
    lines: list[_Line]
    comments: dict[str, str] = field(default_factory=dict)
    locators: list[tuple[str, int]] = field(default_factory=list)
    speed_change: bool = False

    @property
    def incoming(self) -> _Line:
        return self.lines[-1]

    @property
    def outgoing(self) -> _Line | None:
        return self.lines[0] if len(self.lines) == 2 else None


_COMMENT_KEYS = (
    # (what a comment starts with, the key it is kept under); longest first where one starts another
    ("FROM CLIP NAME", "from_name"), ("TO CLIP NAME", "to_name"),
    ("SOURCE FILE URL", "source_url"), ("SOURCE FILE", "source_file"),
    ("FROM CLIP", "from_file"), ("FROM FILE", "from_file"), ("TO CLIP", "to_file"), ("TO FILE", "to_file"),
    ("FOUNDRY NAME", "foundry_name"), ("FOUNDRY TRANSITION", "foundry_transition"),
)


class _Parser:
    """Lines → events, with TITLE and the timecode mode; every error names its line."""

    def __init__(self, text: str, frame_rate: Fraction, file_name: str):
        self.frame_rate = frame_rate
        self.file_name = file_name
        self.title = ""
        self.events: list[_Event] = []
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
        times = [self._timecode(line_no, label) for label in rest]
        if times[3] < times[2]:
            raise self.error(line_no, f"the record out {rest[3]} comes before the record in {rest[2]}.")
        parsed = _Line(int(number), reel, channel, kind, frames, *times, line_no)
        current = self.events[-1] if self.events else None
        if (current is not None and len(current.lines) == 1 and current.incoming.number == parsed.number
                and kind in ("D", "W") and current.incoming.record_in == current.incoming.record_out):
            current.lines.append(parsed)  # the incoming half of a dissolve
        else:
            self.events.append(_Event([parsed]))

    def _timecode(self, line_no: int, label: str) -> int:
        drop_frame = self._drop_frame or ";" in label
        self.drop_frame_used |= drop_frame
        try:
            return parse_timecode(label, self.frame_rate, drop_frame=drop_frame)
        except ValueError as exc:
            raise self.error(line_no, f"{exc}.") from None


@dataclass
class _Piece:
    """A run of the video track: an event's incoming source over its record time, or a gap."""

    record_in: int
    record_out: int
    source_in: int
    black: bool
    name: str
    file_name: str
    media: Path | None
    has_audio: bool = False
    dissolve_in: int = 0  # frames of dissolve from what comes before
    dissolve_from_black: bool = False
    white: bool = False  # Foundry's comment: a fade through white shown through black
    start_shift: int = 0  # where Foundry's clip starts, from record_in (a centred transition's half)
    end_shift: int = 0

    @property
    def frames(self) -> int:
        return self.record_out - self.record_in


class _MediaFinder:
    """Each event's clip name and media path (see the module's rules for the order)."""

    def __init__(self, parser: _Parser, folder: Path):
        self.folder = folder
        self.parser = parser
        self.known: dict[tuple[str, str], Path | None] = {}
        self.windows_paths: list[str] = []
        for event in parser.events:  # learn first, so an event may borrow from a later one
            name, _, path, how = self._said(event)
            if how == "said":
                self.known.setdefault((event.incoming.reel, name), path)

    def _path(self, text: str) -> Path | None:
        text = text.strip()
        if not text or text.upper() == "(NULL)":
            return None
        if os.name != "nt" and re.match(r"^([A-Za-z]:[\\/]|\\\\)", text):
            self.windows_paths.append(text)
            return self.folder / PureWindowsPath(text).name
        return Path(os.path.normpath(self.folder / text))

    def _said(self, event: _Event) -> tuple[str, str, Path | None, str]:
        """(display name, file name, path, how sure): "said" when a comment gives the
        path, "maybe none" for `(NULL)` in a dissolve from black (Avid writes the black's
        there, Foundry an offline clip's), "unsaid" otherwise."""
        c = event.comments
        outgoing = event.outgoing
        file_name = c.get("to_name" if outgoing else "from_name") or ""
        if outgoing is not None and not file_name and outgoing.black:
            file_name = c.get("from_name", "")
        file_name = file_name or event.incoming.reel
        name = c.get("foundry_name") or file_name
        if "source_url" in c:
            return name, file_name, path_from_file_url(c["source_url"], self.folder), "said"
        if outgoing is not None and "to_file" in c:
            return name, file_name, self._path(c["to_file"]), "said"
        source = c.get("source_file")
        if source is not None and outgoing is not None:
            if source.strip().upper() == "(NULL)" and outgoing.black:
                return name, file_name, None, "maybe none"
            stated = PureWindowsPath(source).name
            if stated == c.get("from_name") and stated != c.get("to_name"):
                source = None  # the outgoing clip's file
        if source is None and outgoing is None:
            source = c.get("from_file")
        if source is not None:
            return name, file_name, self._path(source), "said"
        return name, file_name, None, "unsaid"

    def clip(self, event: _Event) -> tuple[str, str, Path | None]:
        name, file_name, path, how = self._said(event)
        if how == "said":
            return name, file_name, path
        key = (event.incoming.reel, name)
        if key in self.known:
            return name, file_name, self.known[key]
        if how == "unsaid" and file_name and file_name.upper() not in UNNAMED_REELS:
            return name, file_name, self._path(file_name)
        return name, file_name, None


def _origin(video: list[_Event], audio: list[_Event], parser: _Parser) -> int:
    pictures = [e.incoming.record_in for e in video if not e.incoming.black]
    if pictures:
        return min(pictures)
    starts = [e.incoming.record_in for e in audio] or [0]
    hour = parse_timecode("01:00:00:00", parser.frame_rate, drop_frame=parser.drop_frame_used)
    return hour if min(starts) >= hour else min(starts)


def _in_record_order(events: list[_Event], warnings: list[str], what: str) -> list[_Event]:
    ordered = sorted(events, key=lambda e: e.incoming.record_in)
    if ordered != events:
        warnings.append(f"The {what} events were not in record order; they were put in order.")
    return ordered


def _length_notes(event: _Event, parser: _Parser) -> None:
    line = event.incoming
    if line.source_out - line.source_in == line.record_out - line.record_in:
        return
    if event.speed_change:
        parser.warnings.append(f"Event {line.number:03d} changes speed (M2); speed changes are not represented, "
                               "so it plays at normal speed from its source in.")
    else:
        parser.mismatched.append(line.number)


class _PictureBuilder:
    def __init__(self, parser: _Parser, media: _MediaFinder, events: list[_Event], sound: set[tuple]):
        self.parser = parser
        self.media = media
        self.warnings = parser.warnings
        self.pieces = self._pieces(events, sound)

    def _pieces(self, events: list[_Event], sound: set[tuple]) -> list[_Piece]:
        pieces: list[_Piece] = []
        previous: _Event | None = None
        for event in events:
            line = event.incoming
            if line.record_in == line.record_out:
                continue
            if line.transition == "K":
                self.warnings.append(f"Event {line.number:03d} is a key effect, which is not represented; "
                                     "it was left out.")
                continue
            if previous is not None and line.record_in < previous.incoming.record_out:
                raise self.parser.error(line.line_no, f"event {line.number:03d} starts before event "
                                                      f"{previous.incoming.number:03d} ends, on the same video track.")
            if pieces and line.record_in > pieces[-1].record_out:
                start = pieces[-1].record_out
                pieces.append(_Piece(start, line.record_in, 0, True, "Gap", "", None))
            _length_notes(event, self.parser)
            name, file_name, path = self.media.clip(event)
            if line.black:
                name, file_name, path = "Black", "", None
            dissolve = line.frames if line.transition in ("D", "W") else 0
            if line.transition == "W":
                self.warnings.append(f"Event {line.number:03d} is a wipe; it was read as a dissolve.")
            if dissolve > line.record_out - line.record_in:
                self.warnings.append(f"Event {line.number:03d}'s dissolve is longer than the event; it was "
                                     "shortened to fit.")
                dissolve = line.record_out - line.record_in
            outgoing = event.outgoing
            pieces.append(_Piece(
                line.record_in, line.record_out, line.source_in, line.black, name, file_name, path,
                has_audio=line.audio or (line.reel, line.source_in, line.record_in, line.record_out) in sound,
                dissolve_in=dissolve,
                dissolve_from_black=outgoing is not None and outgoing.black,
                white="WHITE" in event.comments.get("foundry_transition", "").upper(),
            ))
            previous = event
        return pieces

    def build(self, origin: int) -> tuple[list[CutClip], list[CutTransition], int, int]:
        pieces = self.pieces
        while pieces and pieces[0].black:
            self.warnings.append(f"{pieces[0].frames} frames of black at the start were left out.")
            pieces = pieces[1:]
        kept: list[_Piece] = []
        transitions: list[tuple[int, CutTransitionKind, int]] = []  # (outgoing index in kept, kind, frames)
        fade_in = fade_out = 0
        index = 0
        while index < len(pieces):
            piece = pieces[index]
            after = pieces[index + 1] if index + 1 < len(pieces) else None
            before = kept[-1] if kept else None
            before_is_shot = before is not None and not before.black
            if piece.black:
                if before_is_shot and piece.dissolve_in == piece.frames and after is not None and not after.black:
                    # A fade through black (or white): into the black over all of it, out of it into `after`.
                    into, out_of = piece.frames, after.dissolve_in
                    frames = into + out_of
                    if into != frames - frames // 2:
                        self.warnings.append(f"The fade through black after “{before.name}” was evened out to "
                                             "Foundry's (half out, half in).")
                    before.end_shift = frames // 2  # the cut: frames // 2 after the edit at the black's start
                    after.start_shift = frames // 2 - into
                    after.dissolve_in = 0
                    transitions.append((len(kept) - 1, "fade_white" if piece.white else "fade_black", frames))
                    index += 1
                    continue
                if all(p.black for p in pieces[index:]):
                    if before_is_shot and piece.dissolve_in:
                        fade_out = piece.dissolve_in
                        before.end_shift = fade_out
                    left_out = sum(p.frames for p in pieces[index:]) - fade_out
                    if left_out:
                        self.warnings.append(f"{left_out} frames of black at the end were left out.")
                    break
                if piece.dissolve_in:
                    self.warnings.append(f"A dissolve into {piece.name.lower()} was read as a cut.")
                self.warnings.append(f"{piece.frames} frames of {piece.name.lower()} became a shot with no media.")
                kept.append(piece)
            else:
                if piece.dissolve_in:
                    if before is None:
                        if not piece.dissolve_from_black:
                            self.warnings.append("The first event dissolves from a source that is not in the EDL; "
                                                 "it was read as a fade from black.")
                        fade_in = piece.dissolve_in
                    elif before_is_shot:
                        if piece.dissolve_from_black:
                            self.warnings.append(f"The dissolve from black into “{piece.name}” was read as a "
                                                 f"dissolve from “{before.name}”.")
                        frames = piece.dissolve_in
                        before.end_shift = frames // 2
                        piece.start_shift = frames // 2
                        transitions.append((len(kept) - 1, "dissolve", frames))
                    else:
                        self.warnings.append(f"The dissolve from {before.name.lower()} into “{piece.name}” was "
                                             "read as a cut.")
                kept.append(piece)
            index += 1
        return *self._clips(kept, transitions, origin), fade_in, fade_out

    def _clips(self, kept: list[_Piece], transitions: list[tuple[int, CutTransitionKind, int]], origin: int):
        clips = []
        for piece in kept:
            record_in = piece.record_in + piece.start_shift - origin
            record_out = piece.record_out + piece.end_shift - origin
            source_in = 0 if piece.black else piece.source_in + piece.start_shift
            source_out = source_in + record_out - record_in
            media = piece.media
            clips.append(CutClip(
                name=piece.name, media=media, media_frames=source_out, source_in=source_in, source_out=source_out,
                record_in=record_in, record_out=record_out, has_audio=piece.has_audio,
                still=media is not None and media.suffix.lower() in STILL_SUFFIXES,
            ))
        cut_transitions = []
        for outgoing, kind, frames in transitions:
            cut = clips[outgoing].record_out
            cut_transitions.append(CutTransition(outgoing, kind, cut - frames // 2, frames))
            # The outgoing clip plays on past its out point for the rest of the transition.
            handle = clips[outgoing].source_out + frames - frames // 2
            clips[outgoing] = replace(clips[outgoing], media_frames=max(clips[outgoing].media_frames, handle))
        return clips, cut_transitions


def _music(parser: _Parser, media: _MediaFinder, events: list[_Event], origin: int) -> list[CutMusic]:
    by_channel: dict[str, list[_Event]] = {}
    for event in events:
        by_channel.setdefault(event.incoming.channel, []).append(event)
    music: list[CutMusic] = []
    cut_short = False
    for channel_events in by_channel.values():
        clips: list[CutMusic] = []
        for event in sorted(channel_events, key=lambda e: e.incoming.record_in):
            line = event.incoming
            if line.record_in == line.record_out:
                continue
            _length_notes(event, parser)
            frames = min(line.frames, line.record_out - line.record_in) if line.transition in ("D", "W") else 0
            before = clips[-1] if clips and clips[-1].record_out == line.record_in else None
            if line.black:
                if before is not None and frames:  # the clip before fades out into silence
                    clips[-1] = _extended(before, frames, fade_out=frames)
                continue
            name, _, path = media.clip(event)
            fade_in = frames
            if frames and before is not None and not (event.outgoing and event.outgoing.black):
                clips[-1] = _extended(before, frames, fade_out=frames)  # a cross-fade
            clips.append(CutMusic(name, path, line.source_in + line.record_out - line.record_in, line.source_in,
                                  line.source_in + line.record_out - line.record_in, line.record_in,
                                  fade_in=fade_in))
        for clip in clips:
            start = clip.record_in - origin
            if clip.record_out - origin <= 0:
                cut_short = True
                continue
            if start < 0:
                cut_short = True
                clip = CutMusic(clip.name, clip.media, clip.media_frames, clip.source_in - start, clip.source_out, 0,
                                fade_in=0, fade_out=clip.fade_out)
                start = 0
            music.append(CutMusic(clip.name, clip.media, clip.media_frames, clip.source_in, clip.source_out, start,
                                  fade_in=clip.fade_in, fade_out=clip.fade_out))
    if cut_short:
        parser.warnings.append("Audio before the film's first picture was left out.")
    return sorted(music, key=lambda m: m.record_in)


def _extended(clip: CutMusic, frames: int, *, fade_out: int) -> CutMusic:
    return CutMusic(clip.name, clip.media, clip.source_out + frames, clip.source_in, clip.source_out + frames,
                    clip.record_in, fade_in=clip.fade_in, fade_out=fade_out)


def _markers(parser: _Parser, events: list[_Event], origin: int) -> Iterator[CutMarker]:
    for event in events:
        for body, line_no in event.locators:
            match = re.match(r"^(\S+)\s*(\w*)\s*(.*)$", body)
            if not match:
                continue
            frame = parser._timecode(line_no, match.group(1)) - origin
            colour = match.group(2).upper()
            label = match.group(3).strip()
            if colour not in MARKER_COLOURS:
                colour, label = "", f"{match.group(2)} {label}".strip()
            if frame >= 0:
                yield CutMarker(frame, label, MARKER_COLOURS[colour]) if colour else CutMarker(frame, label)


def _media_lengths(clips: list[CutClip], music: list[CutMusic]) -> tuple[list[CutClip], list[CutMusic]]:
    """Each file's length is at least the furthest frame any clip of it uses."""
    longest: dict[Path, int] = {}
    for item in (*clips, *music):
        if item.media is not None:
            longest[item.media] = max(longest.get(item.media, 0), item.media_frames)
    return ([replace(c, media_frames=longest[c.media]) if c.media else c for c in clips],
            [replace(m, media_frames=longest[m.media]) if m.media else m for m in music])


def read_edl_text(text: str, frame_rate: Fraction, *, folder: Path, file_name: str = "EDL") -> ReadCut:
    """The cut an EDL's text describes; relative media paths are taken from `folder`."""
    if "\x00" in text:
        raise CutFileError(f"{file_name} is not a text file, so not an EDL.")
    parser = _Parser(text, Fraction(frame_rate), file_name)
    if not parser.events:
        raise CutFileError(f"{file_name} has no edit events: it is not a CMX 3600 EDL, or an empty one.")
    media = _MediaFinder(parser, Path(folder).absolute())
    video = _in_record_order([e for e in parser.events if e.incoming.video], parser.warnings, "video")
    audio_only = [e for e in parser.events if not e.incoming.video and e.incoming.audio]
    origin = _origin(video, audio_only, parser)
    sound = {(e.incoming.reel, e.incoming.source_in, e.incoming.record_in, e.incoming.record_out) for e in audio_only}
    clips, transitions, fade_in, fade_out = _PictureBuilder(parser, media, video, sound).build(origin)
    pictures = {(e.incoming.reel, e.incoming.source_in, e.incoming.record_in, e.incoming.record_out) for e in video}
    music_events = [e for e in audio_only
                    if (e.incoming.reel, e.incoming.source_in, e.incoming.record_in, e.incoming.record_out)
                    not in pictures]
    music = _music(parser, media, music_events, origin)
    if music and clips:
        channels = sorted({e.incoming.channel for e in music_events})
        parser.warnings.append(f"Audio events on {', '.join(channels)} were read as music.")
    if parser.mismatched:
        numbers = ", ".join(f"{n:03d}" for n in sorted(set(parser.mismatched))[:5])
        more = " ..." if len(set(parser.mismatched)) > 5 else ""
        parser.warnings.append(f"{len(set(parser.mismatched))} event(s) ({numbers}{more}) have source and record "
                               "lengths that differ; their record lengths were used.")
    if media.windows_paths:
        parser.warnings.append(f"{len(media.windows_paths)} media path(s) are Windows paths (such as "
                               f"{media.windows_paths[0]}); only their file names were kept, in the EDL's folder.")
    unknown = [e for e in parser.events if not e.incoming.video and not e.incoming.audio]
    if unknown:
        parser.warnings.append(f"{len(unknown)} event(s) on no video or audio channel were left out.")
    clips, music = _media_lengths(clips, music)
    cut = FilmCut(
        name=parser.title or Path(file_name).stem,
        frame_rate=Fraction(frame_rate),
        width=0,
        height=0,
        clips=tuple(clips),
        transitions=tuple(transitions),
        fade_in=fade_in,
        fade_out=fade_out,
        music=tuple(music),
        markers=tuple(_markers(parser, parser.events, origin)),
    )
    return ReadCut(cut, tuple(dict.fromkeys(parser.warnings)))


def read_edl(path: Path, frame_rate: Fraction) -> ReadCut:
    """Read the EDL at `path` (see the module); `frame_rate` is the rate it was made at."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CutFileError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return read_edl_text(text, frame_rate, folder=path.absolute().parent, file_name=path.name)
