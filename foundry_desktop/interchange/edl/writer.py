"""CMX 3600 edit decision lists of a FilmCut: the picture, and the music.

The picture EDL holds one video track (`V`), an event per shot (`AA/V` when the
shot brings its own sound). Record times start at the film's start timecode
(01:00:00:00 unless the cut says another) and run on from shot to shot, jumping
over empty time (a gap in record time is how CMX 3600 shows one); source times
are the media's own timecode (its first frame at the clip's source_start). Reels
are the clips' own where they have one (see names.py). Timecode counts at the
rate rounded (23.976 at 24); drop-frame labels only at 29.97 and 59.94, when the
caller or, failing that, the cut asks. A source whose timecode counts otherwise
than the record (clip.source_drop_frame) is labelled in its own counting, with
`FCM:` lines around its event (list_text.py).

Transitions. A CMX dissolve starts at its edit: the outgoing source plays on past
its event for the dissolve's length while the incoming one comes up. Foundry's
transitions are centred on the cut (film_cut.frames_before_cut before it), so the edit
is written there: the outgoing shot's event ends at the transition's record_in,
and the incoming shot's event starts at it, its source as much before
its source_in. A dissolve is the usual two-line event: a zero-length cut on the
outgoing reel at the edit, then the incoming reel with `D nnn`, then `EFFECTS
NAME IS CROSS DISSOLVE` and `* FROM CLIP NAME:` / `* TO CLIP NAME:`.

The film's fade from black is a dissolve from the black reel `BL` into the first
shot (event 001: `BL` zero-length, then the shot with `D nnn` at 01:00:00:00);
the fade to black is a dissolve from the last shot into `BL`, the last event,
whose record out is the film's end.

A fade through black or white between shots is what Foundry renders: the
outgoing shot goes to the colour over the first n - n // 2 frames and the
incoming one comes out of it over the last n // 2. It is written as exactly that,
two dissolves through `BL`: the outgoing shot dissolves into a `BL` event lasting
n - n // 2 frames, which dissolves into the incoming shot over n // 2 (a cut when
that is 0). CMX 3600 has no white source, so a fade through white is written
through black too, and a comment says so (`* FOUNDRY TRANSITION: FADE THROUGH
WHITE`); Foundry's reader reads it back as white.

Comments: `* FROM CLIP NAME:` (or `* TO CLIP NAME:` for a dissolve's incoming
shot) holds the media's file name, by which Resolve relinks; `* SOURCE FILE:` its
path (`(NULL)` for an offline shot, as Avid writes for black); `* SOURCE FILE
URL:` its exact path when the path is not ASCII (see edl/names.py); `* FOUNDRY NAME:`
the shot's (or music clip's) name when it is not the file name; `* SCENE:` the
name of the scene the shot is in, on each of its events (so a scene begins at the
first event that names it); `* LOC:` the markers (locators.py).

The music EDL holds the music clips as `AA` (stereo) events with their own reels
(distinct from the picture's), placed at their record times, gaps left empty. A
music fade in is a dissolve from `BL`, a fade out a dissolve into `BL`, and two
clips that overlap by exactly the outgoing one's fade out and the incoming one's
fade in are a cross-fade: a dissolve between them at the overlap's start. CMX
record times may not overlap, so music clips that overlap any other way are laid
out in layers (each clip in the first layer where it fits) and each layer after
the first goes into a file of its own: NAME_2.edl, NAME_3.edl, ... The level
(gain_db) is not written: CMX 3600 has no field for it.

CMX 3600 numbers dissolves in three digits; a longer one is refused (ExportError),
as are cuts that cannot be written at all (shots that overlap, transitions that
overlap). Events are numbered in three digits up to 999 and wider beyond, in the
long-name dialect only (list_text.py); needs_long_numbers tells a caller when a
cut needs that.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from foundry_desktop.atomic_file import write_atomically
from foundry_desktop.errors import ExportError
from foundry_desktop.interchange.edl.list_text import MAX_EVENTS, Event, EventLine, events_text
from foundry_desktop.interchange.edl.names import BLACK_REEL, ReelStyle, ascii_text, reel_names
from foundry_desktop.interchange.file_url import file_url
from foundry_desktop.interchange.film_cut import CutClip, CutMarker, CutMusic, CutTransition, FilmCut
from foundry_desktop.interchange.smpte_timecode import drop_frame_possible

MAX_DISSOLVE = 999
TITLE_LENGTH = 70


@dataclass(frozen=True)
class _Source:
    """What the comments say about a piece of media."""

    reel: str
    file_name: str
    path: Path | None
    shot_name: str
    scene: str = ""


def _media_key(item: CutClip | CutMusic) -> Hashable:
    """What shares a reel: one media file (named by its first clip's reel); an offline clip's reel
    (or, without one, its name)."""
    reel = item.reel if isinstance(item, CutClip) else ""
    if item.media is not None:
        return item.media
    return ("offline", reel) if reel else ("offline", "", item.name)


def _file_name(item: CutClip | CutMusic) -> str:
    if isinstance(item, CutClip):
        return item.file_name
    return item.media.name if item.media else item.name


def _reel_source(item: CutClip | CutMusic) -> tuple[str, bool]:
    """What a reel is named from: the clip's own reel (given), else its media's own file name, else its name."""
    reel = item.reel if isinstance(item, CutClip) else ""
    return (reel, True) if reel else (_file_name(item), False)


def _sources(cut: FilmCut, names: ReelStyle = "cmx") -> tuple[list[_Source], list[_Source]]:
    """(per clip, per music clip): reels unique per media file (or offline reel) over both EDLs."""
    items: list[CutClip | CutMusic] = [*cut.clips, *cut.music]
    reels = reel_names(((_media_key(i), *_reel_source(i)) for i in items), names)
    sources = [
        _Source(reels[_media_key(i)], _file_name(i), i.media, i.name,
                i.scene if isinstance(i, CutClip) else "")
        for i in items
    ]
    return sources[: len(cut.clips)], sources[len(cut.clips):]


def _file_comments(source: _Source, role: str) -> list[str]:
    comments = [f"* {role} CLIP NAME: {ascii_text(source.file_name)}"]
    if source.path is None:
        comments.append("* SOURCE FILE: (NULL)")
    else:
        text = str(source.path)
        comments.append(f"* SOURCE FILE: {ascii_text(text)}")
        if ascii_text(text) != text:
            comments.append(f"* SOURCE FILE URL: {file_url(source.path)}")
    if source.shot_name != source.file_name:
        comments.append(f"* FOUNDRY NAME: {ascii_text(source.shot_name)}")
    if source.scene:
        comments.append(f"* SCENE: {ascii_text(source.scene)}")
    return comments


DISSOLVE_EFFECT = "EFFECTS NAME IS CROSS DISSOLVE"


def _cut(source: _Source, source_in: int, record_in: int, record_out: int, source_drop_frame: bool | None = None) -> Event:
    line = EventLine(source.reel, source_in, source_in + record_out - record_in, record_in, record_out,
                     source_drop_frame=source_drop_frame)
    return Event((line,), tuple(_file_comments(source, "FROM")))


def _dissolve(outgoing: EventLine, incoming: EventLine, comments: list[str]) -> Event:
    return Event((outgoing, incoming), (DISSOLVE_EFFECT, *comments))


def _zero_length_after(event: Event) -> EventLine:
    """The outgoing line of a dissolve after `event`: its reel where it stopped."""
    last = event.lines[-1]
    return EventLine(last.reel, last.source_out, last.source_out, last.record_out, last.record_out,
                     source_drop_frame=last.source_drop_frame)


_BLACK_START = EventLine(BLACK_REEL, 0, 0, 0, 0)


def _check_cut(cut: FilmCut) -> list[CutTransition]:
    if not cut.clips:
        raise ExportError(f"The film “{cut.name}” has no shots, so there is no edit list to write.")
    record = 0
    for number, clip in enumerate(cut.clips, start=1):
        if clip.record_in < record or clip.frames < 1 or clip.source_out - clip.source_in != clip.frames:
            raise ExportError(f"Shot {number} ({clip.name}) overlaps the shot before it or has no frames; "
                              "an EDL describes shots one after another.")
        record = clip.record_out
    transitions = sorted((t for t in cut.transitions if t.frames > 0), key=lambda t: t.outgoing)
    for t in transitions:
        if (not 0 <= t.outgoing < len(cut.clips) - 1 or t.cut != cut.clips[t.outgoing].record_out
                or cut.gap_before(t.outgoing + 1)):
            raise ExportError(f"The transition after shot {t.outgoing + 1} is not centred on a cut between two shots.")
        if t.frames > MAX_DISSOLVE:
            raise ExportError(f"The transition after shot {t.outgoing + 1} lasts {t.frames} frames; CMX 3600 EDLs "
                              f"hold transitions of at most {MAX_DISSOLVE} frames.")
    if len({t.outgoing for t in transitions}) != len(transitions):
        raise ExportError("Two transitions lie on the same cut.")
    for frames, what in ((cut.fade_in, "fade in"), (cut.fade_out, "fade out")):
        if frames > MAX_DISSOLVE:
            raise ExportError(f"The film's {what} lasts {frames} frames; CMX 3600 EDLs hold transitions of at most "
                              f"{MAX_DISSOLVE} frames.")
    return transitions


def _through_black_comment(kind: str) -> str:
    if kind == "fade_white":
        return "* FOUNDRY TRANSITION: FADE THROUGH WHITE (CMX 3600 HAS NO WHITE SOURCE: SHOWN THROUGH BLACK)"
    return "* FOUNDRY TRANSITION: FADE THROUGH BLACK"


def picture_events(cut: FilmCut, names: ReelStyle = "cmx") -> list[Event]:
    """The video track as events, record times from 0 (the film's first frame), sources in their timecode."""
    transitions = _check_cut(cut)
    sources, _ = _sources(cut, names)
    incoming = {t.outgoing + 1: t for t in transitions}
    outgoing = {t.outgoing: t for t in transitions}
    clips = cut.clips
    last = len(clips) - 1
    events: list[Event] = []

    def source_at(index: int, record: int) -> int:
        return clips[index].source_in + record - clips[index].record_in

    for index, clip in enumerate(clips):
        source = sources[index]
        t_in = incoming.get(index)
        start = clip.record_in if t_in is None else t_in.record_in
        if t_in is not None and t_in.kind != "dissolve":  # through black: first the outgoing shot into a BL event
            into_black = t_in.frames - t_in.frames // 2
            black = EventLine(BLACK_REEL, 0, into_black, t_in.record_in, t_in.record_in + into_black, into_black)
            comments = [f"* FROM CLIP NAME: {ascii_text(sources[index - 1].file_name)}",
                        _through_black_comment(t_in.kind)]
            events.append(_dissolve(_zero_length_after(events[-1]), black, comments))
            start = t_in.record_in + into_black
        t_out = outgoing.get(index)
        end = t_out.record_in if t_out is not None else clip.record_out
        if index == last:
            end -= cut.fade_out
        dissolve_in = 0
        if index == 0:
            dissolve_in = cut.fade_in
        elif t_in is not None:
            dissolve_in = t_in.frames if t_in.kind == "dissolve" else t_in.frames // 2
        if end - start < max(dissolve_in, 1):
            raise ExportError(f"Shot {index + 1} ({clip.name}) is too short for its transitions and fades: "
                              "they overlap, which an EDL cannot describe.")
        line = EventLine(source.reel, source_at(index, start), source_at(index, end), start, end, dissolve_in,
                         clip.source_drop_frame)
        if line.source_in < 0:
            raise ExportError(f"Shot {index + 1} ({clip.name}) starts its transition {-line.source_in} frames before "
                              "the first frame of its media.")
        line = replace(line, source_in=line.source_in + clip.source_start, source_out=line.source_out + clip.source_start)
        if dissolve_in == 0:
            events.append(replace(_cut(source, line.source_in, start, end, clip.source_drop_frame), sound=clip.has_audio))
        else:
            # The film's fade in starts where its first shot does, after any empty time.
            before = replace(_BLACK_START, record_in=start, record_out=start) if index == 0 else (
                _zero_length_after(events[-1]))
            comments = []
            if before.reel != BLACK_REEL:
                comments.append(f"* FROM CLIP NAME: {ascii_text(sources[index - 1].file_name)}")
            comments += _file_comments(source, "TO")
            events.append(replace(_dissolve(before, line, comments), sound=clip.has_audio))
    if cut.fade_out:
        end = clips[-1].record_out
        black = EventLine(BLACK_REEL, 0, cut.fade_out, end - cut.fade_out, end, cut.fade_out)
        comments = [f"* FROM CLIP NAME: {ascii_text(sources[-1].file_name)}"]
        events.append(_dissolve(_zero_length_after(events[-1]), black, comments))
    return events


def music_layers(music: Sequence[CutMusic]) -> list[list[int]]:
    """Music clip indexes in record order, in as few layers as keep each layer's
    events from overlapping (cross-fades, see the module, stay in one layer)."""
    order = sorted(range(len(music)), key=lambda i: (music[i].record_in, i))
    layers: list[list[int]] = []
    for i in order:
        clip = music[i]
        for layer in layers:
            before = music[layer[-1]]
            overlap = before.record_out - clip.record_in
            if overlap <= 0 or (overlap == before.fade_out == clip.fade_in and overlap < clip.frames
                                and overlap <= MAX_DISSOLVE):
                layer.append(i)
                break
        else:
            layers.append([i])
    return layers


def music_events(cut: FilmCut, layer: Sequence[int], names: ReelStyle = "cmx") -> list[Event]:
    """One layer of the music as events, record times from 0 (the film's first frame)."""
    _, sources = _sources(cut, names)
    music = cut.music
    events: list[Event] = []
    for position, index in enumerate(layer):
        clip, source = music[index], sources[index]
        if clip.frames < 1:
            raise ExportError(f"The music clip {clip.name} is empty.")
        before = music[layer[position - 1]] if position else None
        after = music[layer[position + 1]] if position + 1 < len(layer) else None
        crossfade_in = before is not None and before.record_out > clip.record_in
        crossfade_out = after is not None and clip.record_out > after.record_in
        dissolve_in = clip.fade_in
        end = after.record_in if crossfade_out else clip.record_out - clip.fade_out
        if max(clip.fade_in, clip.fade_out) > MAX_DISSOLVE:
            raise ExportError(f"The music clip {clip.name} fades over more than {MAX_DISSOLVE} frames, the longest "
                              "transition a CMX 3600 EDL holds.")
        if end - clip.record_in < max(dissolve_in, 1):
            raise ExportError(f"The music clip {clip.name}'s fades overlap; an EDL cannot describe that.")
        source_out = clip.source_in + end - clip.record_in
        if dissolve_in == 0:
            events.append(_cut(source, clip.source_in, clip.record_in, end))
        else:
            line = EventLine(source.reel, clip.source_in, source_out, clip.record_in, end, dissolve_in)
            if crossfade_in:
                comments = [f"* FROM CLIP NAME: {ascii_text(sources[layer[position - 1]].file_name)}"]
                outgoing_line = _zero_length_after(events[-1])
            else:
                comments = []
                outgoing_line = EventLine(BLACK_REEL, 0, 0, clip.record_in, clip.record_in)
            events.append(_dissolve(outgoing_line, line, comments + _file_comments(source, "TO")))
        if clip.fade_out and not crossfade_out:
            black = EventLine(BLACK_REEL, 0, clip.fade_out, end, clip.record_out, clip.fade_out)
            comments = [f"* FROM CLIP NAME: {ascii_text(source.file_name)}"]
            events.append(_dissolve(_zero_length_after(events[-1]), black, comments))
    return events


def _title(cut: FilmCut, suffix: str = "") -> str:
    return " ".join(ascii_text(cut.name + suffix).split())[:TITLE_LENGTH] or "Untitled"


def _check_drop_frame(frame_rate: Fraction, drop_frame: bool) -> None:
    if drop_frame and not drop_frame_possible(frame_rate):
        raise ExportError(f"Drop-frame timecode exists only at 29.97 and 59.94 fps; this film runs at "
                          f"{float(frame_rate):g} fps. Export it with non-drop-frame timecode.")


def _drop_frame_of(cut: FilmCut, drop_frame: bool | None) -> bool:
    """The caller's choice, else the cut's own (non-drop when it says none)."""
    drop = bool(cut.drop_frame) if drop_frame is None else drop_frame
    _check_drop_frame(cut.frame_rate, drop)
    return drop


def edl_text(cut: FilmCut, *, drop_frame: bool | None = None, names: ReelStyle = "cmx") -> str:
    """The picture EDL of `cut` (see the module)."""
    drop = _drop_frame_of(cut, drop_frame)
    return events_text(_title(cut), picture_events(cut, names), cut.frame_rate, "V", drop, cut.record_start(drop),
                       [marker for marker in cut.markers if 0 <= marker.frame < cut.length], names)


def music_edl_texts(cut: FilmCut, *, drop_frame: bool | None = None, names: ReelStyle = "cmx") -> list[str]:
    """One music EDL per layer of overlapping music (none without music)."""
    drop = _drop_frame_of(cut, drop_frame)
    layers = music_layers(cut.music)
    texts = []
    for number, layer in enumerate(layers, start=1):
        suffix = " music" if len(layers) == 1 else f" music {number} of {len(layers)}"
        texts.append(events_text(_title(cut, suffix), music_events(cut, layer, names), cut.frame_rate, "AA", drop,
                                 cut.record_start(drop), names=names))
    return texts


def needs_long_numbers(cut: FilmCut) -> bool:
    """Whether the picture or a music EDL of `cut` holds more events than strict CMX 3600 numbers (999)."""
    if len(picture_events(cut)) > MAX_EVENTS:
        return True
    return any(len(music_events(cut, layer)) > MAX_EVENTS for layer in music_layers(cut.music))


def _write(path: Path, text: str) -> Path:
    try:
        return write_atomically(path, lambda file: file.write(text.encode("ascii")))
    except OSError as exc:
        raise ExportError(f"Could not write the edit list {path.name}: {exc.strerror or exc}.") from None


def write_edl(cut: FilmCut, path: Path, *, drop_frame: bool | None = None, names: ReelStyle = "cmx") -> Path:
    """Write the picture EDL to `path` (whole or not at all)."""
    return _write(Path(path), edl_text(cut, drop_frame=drop_frame, names=names))


def music_edl_paths(path: Path, layers: int) -> list[Path]:
    """`path` for the first music layer, NAME_2.edl, NAME_3.edl ... beside it for the others."""
    path = Path(path)
    return [path if n == 1 else path.with_name(f"{path.stem}_{n}{path.suffix}") for n in range(1, layers + 1)]


def write_music_edl(cut: FilmCut, path: Path, *, drop_frame: bool | None = None,
                    names: ReelStyle = "cmx") -> tuple[Path, ...]:
    """Write the music EDL(s): `path`, and one more file per extra layer of
    overlapping music (see the module). Without music, nothing is written."""
    texts = music_edl_texts(cut, drop_frame=drop_frame, names=names)
    return tuple(_write(p, text) for p, text in zip(music_edl_paths(path, len(texts)), texts, strict=True))

