"""Reading an OpenTimelineIO (.otio) timeline, Foundry's or anyone's, into a FilmCut.

The first video track is the film: its clips in order, with its gaps. A
collection (SerializableCollection) of several timelines is chosen from as an
FCPXML library's projects are (timeline_choice.py): by name or number, and
refused with their list when none is named.
What FilmCut cannot hold becomes the closest thing it can, with a warning:

* Empty time before the first clip is the film's own (it starts in black);
  empty time after the last clip is dropped. A Gap between clips stays empty
  time, so what follows keeps its place; a transition between a Gap and a clip
  in the film's middle is left out, with a warning.
* A nested stack or track in the video track becomes an offline clip of its
  length, named after it.
* A transition between two clips becomes a centred one of in_offset +
  out_offset frames. An uneven one (the cmx_3600 adapter's dissolves start at
  the cut) is centred by moving the cut, so every frame shows the same
  pictures as before; where the media has no room for that, the cut stays
  and the transition is centred on it. Transitions other than SMPTE_Dissolve
  become dissolves. A transition at the film's start or end (nothing or a
  Gap on its far side) is the film's fade from or to black; where it reached
  into a Gap, the clip is lengthened over that part, as the dissolve showed it.
* Speed changes (LinearTimeWarp, FreezeFrame) and other effects are not kept.
* MissingReference, GeneratorReference, image sequences and non-file URLs
  make offline clips (media None). File URLs are decoded exactly; relative
  paths are taken from the .otio file's folder. A media reference's
  metadata["foundry"]["drop_frame"] (or the Final Cut 7 XML adapter's timecode
  displayformat) says how its source's timecode counts, kept where it differs
  from the timeline's.
* Markers on the timeline, the video track and its clips become markers;
  Foundry's caption markers become captions. A clip's scene comes from its
  metadata; the "Scene: NAME" marker where that scene begins is the scene's,
  not a marker of the film. Audio tracks become music, except clips playing
  the same file in the same place as a video clip, which are that clip's own
  sound (has_audio), and Foundry's "Shot sound" track.
* Source frames count from the start of the media's available_range (its
  first frame); without one, from the timecode the file gives.
* Times at other rates are converted to the cut's rate (the timeline's) and
  rounded to whole frames.

Metadata under "foundry" (Foundry's own files) gives back the frame size and
each clip's cut metadata; a foreign file gets 1920x1080.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import opentimelineio as otio

from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.film_cut import CutClip, FilmCut, ReadCut, without_scene_markers
from foundry_desktop.interchange.otio.audio_tracks import music_and_shot_sound
from foundry_desktop.interchange.otio.conventions import foundry_metadata
from foundry_desktop.interchange.otio.markers import markers_and_captions
from foundry_desktop.interchange.otio.timeline_source import TimelineSource
from foundry_desktop.interchange.otio.video_track import VideoTrack
from foundry_desktop.interchange.timeline_choice import pick_timeline

DEFAULT_WIDTH, DEFAULT_HEIGHT = 1920, 1080


def _cut(src: TimelineSource) -> FilmCut:
    """The film the timeline's first video track and its audio tracks make."""
    video_tracks = src.timeline.video_tracks()
    own = foundry_metadata(src.timeline)
    width, height = own.get("width"), own.get("height")
    if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
        width, height = DEFAULT_WIDTH, DEFAULT_HEIGHT
    audio_rate = own.get("audio_rate")
    if not (isinstance(audio_rate, int) and audio_rate > 0):
        audio_rate = 48000
    start = src.timeline.global_start_time  # the conform keys: the timeline's start timecode, where it has one
    base = FilmCut(name=src.timeline.name or Path(src.file_name).stem, frame_rate=src.rate, width=width,
                   height=height, audio_rate=audio_rate, timecode_start=None if start is None else src.frames(start),
                   drop_frame=own["drop_frame"] if isinstance(own.get("drop_frame"), bool) else None)
    if not video_tracks:
        src.warn(f"{src.file_name} has no video track; the cut is empty.")
        return base
    for extra in video_tracks[1:]:
        if any(isinstance(item, otio.schema.Clip) for item in extra):
            src.warn(f"Only the first video track is imported; the track {extra.name or 'after it'} is left out.")
    track = video_tracks[0]
    video = VideoTrack(src)
    entries, betweens = video.read(track)
    fade_in, fade_out, leading = video.trim_ends(entries, betweens)
    transitions = video.centred(entries, betweens)
    origin = entries[0].record_in - leading if entries else 0
    clips: list[CutClip] = []
    numbered: dict[int, int] = {}  # entry index -> clip index; gaps are no clips, only time
    for index, entry in enumerate(entries):
        if entry.is_gap:
            continue
        numbered[index] = len(clips)
        clips.append(CutClip(
            name=entry.name, media=entry.media, media_frames=max(entry.media_frames, entry.source_out),
            source_in=entry.source_in, source_out=entry.source_out, record_in=entry.record_in - origin,
            record_out=entry.record_out - origin, has_audio=entry.has_audio, still=entry.still,
            scene=entry.scene, metadata=entry.metadata, source_start=entry.source_start, reel=entry.reel,
            source_drop_frame=None if entry.source_drop_frame == bool(base.drop_frame) else entry.source_drop_frame,
        ))
    transitions = [replace(t, outgoing=numbered[t.outgoing], record_in=t.record_in - origin) for t in transitions]
    length = clips[-1].record_out if clips else 0
    markers, captions = markers_and_captions(src, track, entries, origin, length)
    music, sounding = music_and_shot_sound(src, clips, origin)
    clips = [replace(clip, has_audio=True) if i in sounding else clip for i, clip in enumerate(clips)]
    return replace(base, clips=tuple(clips), transitions=tuple(transitions), fade_in=fade_in, fade_out=fade_out,
                   music=tuple(music), markers=tuple(markers), captions=tuple(captions))


def _one_line(exc: BaseException) -> str:
    """OTIO's own words for what it refused, on the one line an error is shown in."""
    return " ".join(str(exc).split())


# Timelines nest a few levels per stack, track and clip: a few dozen in all. OTIO's C++ reader recurses
# once per level and overflows the C stack (a crash, not an error) on thousands, so deeper is refused first.
MAX_JSON_DEPTH = 500
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: str) -> bool:
    """Whether the JSON nests beyond MAX_JSON_DEPTH (brackets inside strings do not count)."""
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


_SCHEMA_NAME = re.compile(r"[A-Za-z_][\w.]*\.([1-9]\d{0,5})")


def _bad_schema(node: object) -> str | None:
    """The first OTIO_SCHEMA that is not a name and a version from 1 ("Clip.0" crashes OTIO's C++
    reader: the process dies, no exception), or None. The depth is bounded (_too_deep) before this."""
    if isinstance(node, dict):
        schema = node.get("OTIO_SCHEMA")
        if schema is not None and not (isinstance(schema, str) and _SCHEMA_NAME.fullmatch(schema)):
            return repr(schema)[:60]
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    return next((bad for child in children if (bad := _bad_schema(child)) is not None), None)


def _timeline(text: str, file_name: str, sequence: str | None) -> otio.schema.Timeline:
    if _too_deep(text):
        raise CutFileError(f"{file_name} nests its JSON far deeper than any timeline; it was not read.")
    try:
        document = json.loads(text)
    except RecursionError:
        raise CutFileError(f"{file_name} nests its JSON far deeper than any timeline; it was not read.") from None
    except json.JSONDecodeError as exc:
        raise CutFileError(f"{file_name} is not an OTIO file: its JSON is broken at line {exc.lineno}, "
                           f"column {exc.colno} ({exc.msg}).") from None
    if not isinstance(document, dict) or "OTIO_SCHEMA" not in document:
        raise CutFileError(f"{file_name} is JSON but not an OpenTimelineIO file (it has no OTIO_SCHEMA).")
    bad = _bad_schema(document)
    if bad is not None:
        raise CutFileError(f"{file_name} is a damaged OTIO file: {bad} is not an OTIO schema and version.")
    try:
        read = otio.adapters.read_from_string(text, adapter_name="otio_json")
    except Exception as exc:  # OTIO's C++ core raises ValueError, KeyError, TypeError... for damaged files
        raise CutFileError(f"{file_name} is a damaged OTIO file: {_one_line(exc)}") from None
    if isinstance(read, otio.schema.Timeline):
        if sequence is not None:
            raise CutFileError(f"{file_name} holds one timeline: there is none to choose by name.")
        return read
    if isinstance(read, otio.schema.SerializableCollection):
        timelines = list(read.find_children(descended_from_type=otio.schema.Timeline))
        if timelines:
            named = [(t.name or f"Timeline {n}", t) for n, t in enumerate(timelines, start=1)]
            return pick_timeline(file_name, named, sequence, "timelines")[1]
    schema = document.get("OTIO_SCHEMA")
    raise CutFileError(f"{file_name} holds an OTIO {str(schema).split('.')[0]}, not a timeline.")


def read_otio_text(text: str, base_folder: Path, file_name: str = "The timeline",
                   sequence: str | None = None) -> ReadCut:
    """Read OTIO JSON text; relative media paths are taken from `base_folder`. `sequence` chooses the timeline
    of a collection holding several, by name or number (timeline_choice)."""
    src = TimelineSource(_timeline(text, file_name, sequence), base_folder, file_name)
    try:
        cut = _cut(src)
    except (ValueError, TypeError, KeyError) as exc:  # OTIO refusing an inconsistent timeline (a bad range...)
        raise CutFileError(f"{file_name} cannot be read as a cut: {_one_line(exc)}") from None
    return ReadCut(without_scene_markers(cut), tuple(src.warnings))


def read_otio(path: Path, sequence: str | None = None, file_name: str | None = None) -> ReadCut:
    """Read a .otio file (see the module's docstring for what becomes what); `file_name` names it in
    messages (a bundle's content.otio, by the bundle's name). Bundles are read unpacked (bundle.py)."""
    file_name = file_name or path.name
    if path.suffix.lower() in (".otioz", ".otiod"):
        raise CutFileError(f"{path.name} is an OTIO bundle: it is read unpacked (otio/bundle.py), not as a file.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CutFileError(f"Could not read {file_name}: {exc.strerror or exc}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CutFileError(f"{file_name} is not an OTIO file: it is not text (UTF-8).") from None
    return read_otio_text(text, path.absolute().parent, file_name, sequence)
