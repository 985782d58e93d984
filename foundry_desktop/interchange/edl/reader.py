"""Reading a CMX 3600 EDL into a FilmCut.

An EDL carries no frame rate: the caller gives it, and timecode counts at that
rate rounded (23.976 at 24). `FCM: DROP FRAME` (or a `;`, `.` or `,` before the
frames of a timecode) means drop-frame labels, which exist only at 29.97 and
59.94. In a list that writes `;` at all, each label's separator says how it
counts (`:` is non-drop there); in one that writes every label with `:` (CMX's own
form), the first `FCM:` line says how the record counts and the one in force how
each source line does (CMX 3600 puts an `FCM:` line before a source that counts
otherwise, inside a dissolve too). A source that counts otherwise than the record
keeps its counting (CutClip.source_drop_frame), so an export labels it as it was.

What real editors write is read as well as strict CMX 3600: event lines are read
from the right (event_fields.py), so Avid's 6-digit event numbers and the long
reel names of Avid's and Resolve's "File32"/"File129" EDLs read; comments with or
without the `*` (`FROM CLIP NAME:`...), `REM` lines, and Resolve's `|C:... |M:...`
marker lines; colour decisions (`ASC_SOP`, `ASC_SAT`) and other comments are left
out quietly. The file's bytes may be in any encoding (edl_bytes.py).

The picture is the events on a video channel (`V`, `B`, `A/V`, `AA/V`...), in
record order. Rules, so that what Foundry's writer writes reads back as the cut
it came from (writer.py describes the other side):

* The film starts at the first video event that is not black; record times count
  from there. An EDL with no video starts at 01:00:00:00 when its first event is
  at or after it (where editors start their timelines), else at its first event.
* A dissolve (`D nnn`, or a wipe `Wnnn nnn`, read as a dissolve with a warning)
  starts at its edit; Foundry's transitions are centred on the cut, so the cut
  is put frames - frames // 2 after the edit (Final Cut's centring,
  film_cut.frames_before_cut): the outgoing shot ends there (its source
  out moved on by as much), and the incoming shot starts there. A dissolve longer
  than the incoming event is shortened to it, with a warning.
* A dissolve from black into the first shot is the film's fade in; a dissolve
  from the last shot into a black event at the end is its fade out (black after
  it is left out, with a warning).
* A black event between two shots that the outgoing shot dissolves into over its
  whole length, followed by a dissolve (or cut) into the next shot, is a fade
  through black of both dissolves' length (through white when Foundry's comment
  says so). Other black between shots, and gaps in record time, are empty time
  (gaps) in the film: the shots after them keep their places. Black at the
  start or end is left out.
* Events out of record order are put in order (with a warning); video events that
  overlap in record time are an error.
* Speed changes (`M2`) are not represented: the clip plays at normal speed from
  its source in for its record length, and one warning names the events and
  speeds; any other event whose source and record lengths differ plays the same
  way, with one warning too. Key effects are left out, with a warning.
* Audio-only events that repeat a video event (same reel, source and record
  times) are that shot's sound (`has_audio`); the other audio events become music
  clips, each channel on its own: a dissolve from black is a fade in, into black a
  fade out, and a dissolve between two clips a cross-fade (the outgoing clip
  plays on under the incoming one, fading out while it fades in).
* `* LOC:` comments become markers at their record time; Foundry's `* SCENE:`
  comment puts its event's shot in that scene.

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

import re
from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.edl.edit_events import EditEvent, EdlParser
from foundry_desktop.interchange.edl.edl_bytes import read_edl_file
from foundry_desktop.interchange.edl.locators import MARKER_COLOURS
from foundry_desktop.interchange.edl.media_finder import MediaFinder
from foundry_desktop.interchange.edl.music_track import music_clips
from foundry_desktop.interchange.edl.picture_track import PictureBuilder
from foundry_desktop.interchange.film_cut import CutClip, CutMarker, CutMusic, FilmCut, ReadCut
from foundry_desktop.interchange.smpte_timecode import parse_timecode



def _origin(video: list[EditEvent], audio: list[EditEvent], parser: EdlParser) -> int:
    pictures = [e.incoming.record_in for e in video if not e.incoming.black]
    if pictures:
        return min(pictures)
    starts = [e.incoming.record_in for e in audio] or [0]
    hour = parse_timecode("01:00:00:00", parser.frame_rate, drop_frame=parser.drop_frame_used)
    return hour if min(starts) >= hour else min(starts)


def _in_record_order(events: list[EditEvent], warnings: list[str], what: str) -> list[EditEvent]:
    ordered = sorted(events, key=lambda e: e.incoming.record_in)
    if ordered != events:
        warnings.append(f"The {what} events were not in record order; they were put in order.")
    return ordered


def _markers(parser: EdlParser, events: list[EditEvent], origin: int) -> Iterator[CutMarker]:
    for event in events:
        for body, line_no in event.locators:
            match = re.match(r"^(\S+)\s*(\w*)\s*(.*)$", body)
            if not match:
                continue
            frame = parser.timecode(line_no, match.group(1)) - origin
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
    return read_edl_placed(text, frame_rate, folder=folder, file_name=file_name)[0]


def _speed_warning(parser: EdlParser) -> str | None:
    rate = float(parser.frame_rate)  # M2 writes the speed to a tenth or thousandth: 023.976 or 024.0 at 23.976
    changed = [e for e in parser.events
               if e.speed is not None and min(abs(e.speed - rate), abs(e.speed - round(rate))) > 0.01]
    if not changed:
        return None
    numbers = ", ".join(f"{e.incoming.number:03d}" for e in changed[:5]) + (" ..." if len(changed) > 5 else "")
    speeds = ", ".join(dict.fromkeys(f"{e.speed:g}" for e in changed))
    return (f"{len(changed)} event(s) ({numbers}) change speed (M2: {speeds} fps); Foundry has no speed changes, so "
            "they play at normal speed from their source in, over the record times the EDL gives.")


def read_edl_placed(text: str, frame_rate: Fraction, *, folder: Path, file_name: str = "EDL",
                    origin: int | None = None) -> tuple[ReadCut, int]:
    """The cut, and the record timecode (in frames) of its first frame: `origin` when
    given (an EDL read beside another, such as its music), else found as the module says."""
    if "\x00" in text:
        raise CutFileError(f"{file_name} is not a text file, so not an EDL.")
    parser = EdlParser(text, Fraction(frame_rate), file_name)
    if not parser.events:
        raise CutFileError(f"{file_name} has no edit events: it is not a CMX 3600 EDL, or an empty one.")
    media = MediaFinder(parser, Path(folder).absolute())
    video = _in_record_order([e for e in parser.events if e.incoming.video], parser.warnings, "video")
    audio_only = [e for e in parser.events if not e.incoming.video and e.incoming.audio]
    origin = _origin(video, audio_only, parser) if origin is None else origin
    sound = {(e.incoming.reel, e.incoming.source_in, e.incoming.record_in, e.incoming.record_out) for e in audio_only}
    clips, transitions, fade_in, fade_out = PictureBuilder(parser, media, video, sound).build(origin)
    pictures = {(e.incoming.reel, e.incoming.source_in, e.incoming.record_in, e.incoming.record_out) for e in video}
    music_events = [e for e in audio_only
                    if (e.incoming.reel, e.incoming.source_in, e.incoming.record_in, e.incoming.record_out)
                    not in pictures]
    music = music_clips(parser, media, music_events, origin)
    if music and clips:
        channels = sorted({e.incoming.channel for e in music_events})
        parser.warnings.append(f"Audio events on {', '.join(channels)} were read as music.")
    if speed := _speed_warning(parser):
        parser.warnings.append(speed)
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
        timecode_start=origin,  # the conform keys: the film's timecode as the EDL counts it
        drop_frame=parser.drop_frame_used,
    )
    return ReadCut(cut, tuple(dict.fromkeys(parser.warnings))), origin


def read_edl(path: Path, frame_rate: Fraction) -> ReadCut:
    """Read the EDL at `path` (see the module); `frame_rate` is the rate it was made at."""
    path = Path(path)
    return read_edl_text(read_edl_file(path), frame_rate, folder=path.absolute().parent, file_name=path.name)
