"""Reading an OpenTimelineIO (.otio) timeline, Foundry's or anyone's, into a FilmCut.

The first video track is the film: its clips in order, butted end to end.
What FilmCut cannot hold becomes the closest thing it can, with a warning:

* Empty time before the first clip is dropped (the film starts with it; the
  other tracks move with it); empty time after the last clip is dropped. A
  Gap between clips becomes an offline clip named "Gap", so what follows keeps
  its place.
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
  paths are taken from the .otio file's folder.
* Markers on the timeline, the video track and its clips become markers;
  Foundry's caption markers become captions. Audio tracks become music,
  except clips playing the same file in the same place as a video clip, which
  are that clip's own sound (has_audio), and Foundry's "Shot sound" track.
* Source frames count from the start of the media's available_range (its
  first frame); without one, from the timecode the file gives.
* Times at other rates are converted to the cut's rate (the timeline's) and
  rounded to whole frames.

Metadata under "foundry" (Foundry's own files) gives back the frame size and
each clip's cut metadata; a foreign file gets 1920x1080.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.file_url import path_from_file_url
from foundry_desktop.interchange.film_cut import (
    CutCaption,
    CutClip,
    CutMarker,
    CutMusic,
    CutTransition,
    CutTransitionKind,
    FilmCut,
    ReadCut,
)
from foundry_desktop.interchange.otio.conventions import (
    MARKER_COLORS,
    MUSIC_ROLE,
    NAMESPACE,
    SHOT_SOUND_ROLE,
    exact_rate,
)

DEFAULT_WIDTH, DEFAULT_HEIGHT = 1920, 1080
DEFAULT_MARKER_COLOR = CutMarker(0).color
STILL_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".heic"}
TRANSITION_KINDS: tuple[CutTransitionKind, ...] = ("dissolve", "fade_black", "fade_white")


def _foundry(thing: otio.core.SerializableObjectWithMetadata) -> dict[str, Any]:
    """The object's metadata["foundry"] as plain dicts and lists, or {}."""
    value = _plain(thing.metadata.get(NAMESPACE))
    return value if isinstance(value, dict) else {}


def _plain(value: Any) -> Any:
    """OTIO's AnyDictionary / AnyVector as dict / list, so the cut holds ordinary Python values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_plain(v) for v in value]
    return value


@dataclass
class _Entry:
    """A clip of the film while it is being worked out (record frames before the origin shift)."""

    name: str
    media: Path | None
    media_frames: int
    source_in: int
    source_out: int
    record_in: int
    record_out: int
    has_audio: bool = False
    still: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    is_gap: bool = False
    markers: list[tuple[int, otio.schema.Marker]] = field(default_factory=list)  # (source frame, marker)

    @property
    def length(self) -> int:
        return self.record_out - self.record_in

    def shift_in(self, frames: int) -> None:
        """Move the start `frames` later (negative: earlier), keeping what plays at each record frame."""
        self.record_in += frames
        self.source_in += frames

    def shift_out(self, frames: int) -> None:
        self.record_out += frames
        self.source_out += frames
        self.media_frames = max(self.media_frames, self.source_out)


@dataclass
class _Between:
    """A transition after `boundary` entries of the video track (before entry `boundary`)."""

    boundary: int
    before: int  # frames before the cut (in_offset)
    after: int  # frames after it (out_offset)
    kind: CutTransitionKind


class _Reader:
    def __init__(self, timeline: otio.schema.Timeline, base_folder: Path, file_name: str) -> None:
        self.timeline = timeline
        self.base_folder = base_folder
        self.file_name = file_name
        self.warnings: list[str] = []
        self.off_grid = False  # said once: times between frames were rounded
        self.rate = self._rate()

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    # Time

    def _rate(self) -> Fraction:
        written = _foundry(self.timeline).get("frame_rate")
        if isinstance(written, str):
            try:
                return Fraction(written)
            except (ValueError, ZeroDivisionError):
                pass
        candidates = [self.timeline.global_start_time]
        for track in self.timeline.video_tracks() + self.timeline.audio_tracks():
            for item in track:
                if isinstance(item, otio.core.Item) and item.source_range is not None:
                    candidates.append(item.source_range.duration)
        for time in candidates:
            if time is not None and time.rate > 0:
                return exact_rate(time.rate)
        return Fraction(24)

    def frames(self, time: otio.opentime.RationalTime) -> int:
        if time.rate <= 0:
            return 0
        rate = exact_rate(time.rate)
        exact = Fraction(time.value) if rate == self.rate else Fraction(time.value) * self.rate / rate
        whole = round(exact)
        if abs(exact - whole) > Fraction(1, 1000) and not self.off_grid:
            self.off_grid = True
            self.warn("Some times lie between frames at the timeline's rate; they were rounded to whole frames.")
        return whole

    def track_frames(self, track: otio.schema.Track, index: int) -> tuple[int, int]:
        """Where child `index` of `track` sits, in frames of the timeline (its start and end)."""
        span = track.range_of_child_at_index(index)
        start = self.frames(span.start_time) - self.track_offset(track)
        return start, start + self.frames(span.duration)

    def track_offset(self, track: otio.schema.Track) -> int:
        return self.frames(track.source_range.start_time) if track.source_range is not None else 0

    # Media

    def media(self, item: otio.schema.Clip, what: str) -> Path | None:
        reference = item.media_reference
        if isinstance(reference, otio.schema.ExternalReference):
            path = path_from_file_url(reference.target_url or "", self.base_folder)
            if path is None:
                self.warn(f"{what}'s media is not a file ({reference.target_url}); it is imported offline.")
            elif not reference.target_url:
                self.warn(f"{what} names no media file; it is imported offline.")
                return None
            return path
        if isinstance(reference, otio.schema.MissingReference):
            return None
        if isinstance(reference, otio.schema.GeneratorReference):
            self.warn(f"{what} is generated ({reference.generator_kind or 'a generator'}); it is imported offline.")
        elif isinstance(reference, otio.schema.ImageSequenceReference):
            self.warn(f"{what} is an image sequence; it is imported offline.")
        else:
            self.warn(f"{what} has media Foundry cannot read ({type(reference).__name__}); it is imported offline.")
        return None

    def source(self, item: otio.schema.Clip, what: str) -> tuple[int, int, int]:
        """(source_in, source_out, media_frames): source frames from the media's first frame."""
        trimmed = item.trimmed_range()
        available = item.media_reference.available_range if item.media_reference is not None else None
        first = self.frames(available.start_time) if available is not None else 0
        source_in = self.frames(trimmed.start_time) - first
        source_out = source_in + self.frames(trimmed.duration)
        media_frames = self.frames(available.duration) if available is not None else source_out
        if source_in < 0:
            self.warn(f"{what} starts before its media's first frame; it starts on that frame instead.")
            source_out, source_in = source_out - source_in, 0
        return source_in, source_out, max(media_frames, source_out)

    # The video track

    def clip_entry(self, item: otio.schema.Clip, start: int, end: int, number: int) -> _Entry:
        name = item.name or (item.media_reference.name if item.media_reference else "") or f"Clip {number}"
        what = f"Clip {number} ({name})"
        media = self.media(item, what)
        source_in, source_out, media_frames = self.source(item, what)
        source_out = source_in + (end - start)  # a time effect may make the two differ; the record wins
        own = _foundry(item)
        for effect in item.effects:
            if isinstance(effect, otio.schema.FreezeFrame):
                self.warn(f"{what} is a freeze frame in the timeline; Foundry plays it at normal speed.")
            elif isinstance(effect, otio.schema.LinearTimeWarp):
                self.warn(f"{what} plays at {effect.time_scalar:g}x speed in the timeline; "
                          "Foundry plays it at normal speed.")
            else:
                self.warn(f"{what} has the effect {effect.effect_name or effect.name or 'unnamed'}, "
                          "which is not imported.")
        metadata = own.get("metadata")
        entry = _Entry(
            name=name, media=media, media_frames=max(media_frames, source_out), source_in=source_in,
            source_out=source_out, record_in=start, record_out=end,
            has_audio=bool(own.get("has_audio", False)),
            still=bool(own.get("still", media is not None and media.suffix.lower() in STILL_SUFFIXES)),
            metadata=metadata if isinstance(metadata, dict) else {},
        )
        source_start = self.frames(item.trimmed_range().start_time)
        for marker in item.markers:
            entry.markers.append((self.frames(marker.marked_range.start_time) - source_start + source_in, marker))
        return entry

    def transition(self, item: otio.schema.Transition, boundary: int) -> _Between:
        # Foundry's files say which kind it was; the film's fades say "fade_in"/"fade_out" and need no kind.
        kind = _foundry(item).get("kind")
        if kind not in TRANSITION_KINDS:
            kind = "dissolve"
            if item.transition_type != otio.schema.TransitionTypes.SMPTE_Dissolve:
                self.warn(f"The transition {item.name or item.transition_type or 'without a name'} becomes a dissolve.")
        return _Between(boundary, self.frames(item.in_offset), self.frames(item.out_offset), kind)

    def video(self, track: otio.schema.Track) -> tuple[list[_Entry], list[_Between]]:
        entries: list[_Entry] = []
        betweens: list[_Between] = []
        for index, item in enumerate(track):
            if isinstance(item, otio.schema.Transition):
                if betweens and betweens[-1].boundary == len(entries):
                    self.warn("Two transitions follow each other; the second is left out.")
                else:
                    betweens.append(self.transition(item, len(entries)))
                continue
            start, end = self.track_frames(track, index)
            if end <= start:
                continue
            if isinstance(item, otio.schema.Gap):
                entries.append(_Entry("Gap", None, end - start, 0, end - start, start, end, is_gap=True))
            elif isinstance(item, otio.schema.Clip):
                entries.append(self.clip_entry(item, start, end, len(entries) + 1))
            else:
                name = item.name or type(item).__name__
                self.warn(f"The nested {type(item).__name__.lower()} {name} is not imported; "
                          "an empty shot of its length takes its place.")
                entries.append(_Entry(name, None, end - start, 0, end - start, start, end))
        return entries, betweens

    def trim_ends(self, entries: list[_Entry], betweens: list[_Between]) -> tuple[int, int]:
        """Drop the empty time at both ends; the transitions into and out of it are the
        film's fades. Returns (fade_in, fade_out)."""
        leading = 0
        while entries and entries[0].is_gap:
            leading += entries.pop(0).length
            for between in betweens:
                between.boundary -= 1
        while entries and entries[-1].is_gap:
            entries.pop()
        fade_in = fade_out = 0
        kept: list[_Between] = []
        for between in betweens:
            if not entries:
                continue
            if between.boundary <= 0:
                fade_in = between.before + between.after
                reach = min(between.before, entries[0].source_in)
                if reach < between.before:
                    self.warn("The fade from black reaches before the first clip's media; it is shortened.")
                    fade_in -= between.before - reach
                entries[0].shift_in(-reach)
                leading -= reach
            elif between.boundary >= len(entries):
                fade_out = between.before + between.after
                entries[-1].shift_out(between.after)
            else:
                kept.append(between)
        betweens[:] = kept
        if leading > 0:
            self.warn(f"The timeline's first {leading} frames are empty; the film starts with its first clip.")
        return fade_in, fade_out

    def centred(self, entries: list[_Entry], betweens: list[_Between]) -> list[CutTransition]:
        transitions: list[CutTransition] = []
        for between in betweens:
            frames = between.before + between.after
            if frames <= 0:
                continue
            outgoing, incoming = entries[between.boundary - 1], entries[between.boundary]
            shift = frames // 2 - between.before  # how far the cut moves to lie in the middle
            if shift:
                movable = (outgoing.length + shift >= 1 and incoming.length - shift >= 1
                           and incoming.source_in + shift >= 0)
                pair = f"{outgoing.name} and {incoming.name}"
                if movable:
                    outgoing.shift_out(shift)
                    incoming.shift_in(shift)
                    direction = "later" if shift > 0 else "earlier"
                    self.warn(f"The transition between {pair} was not centred on its cut; the cut moved "
                              f"{abs(shift)} frames {direction}, so the same pictures show.")
                else:
                    self.warn(f"The transition between {pair} was not centred on its cut; it is centred on it now.")
            cut = outgoing.record_out
            transitions.append(CutTransition(between.boundary - 1, between.kind, cut - frames // 2, frames))
        return transitions

    # Markers and captions

    def markers(self, track: otio.schema.Track, entries: list[_Entry], origin: int,
                length: int) -> tuple[list[CutMarker], list[CutCaption]]:
        placed: list[tuple[int, otio.schema.Marker]] = []
        placed += [(self.frames(m.marked_range.start_time), m) for m in self.timeline.tracks.markers]
        placed += [(self.frames(m.marked_range.start_time) - self.track_offset(track), m) for m in track.markers]
        for entry in entries:
            placed += [(entry.record_in + source - entry.source_in, m) for source, m in entry.markers]
        markers: list[CutMarker] = []
        captions: list[CutCaption] = []
        for frame, marker in placed:
            frame -= origin
            own = _foundry(marker)
            if own.get("caption"):
                end = min(length, frame + max(1, self.frames(marker.marked_range.duration)))
                if frame < 0 or frame >= length:
                    self.warn(f"The caption “{marker.name}” lies outside the film; it is left out.")
                else:
                    captions.append(CutCaption(frame, end, marker.name))
                continue
            if not 0 <= frame <= length:
                self.warn(f"The marker {marker.name or 'without a name'} lies outside the film; it is left out.")
                continue
            color = own.get("color")
            if not isinstance(color, str):
                color = MARKER_COLORS.get(marker.color, DEFAULT_MARKER_COLOR)
            markers.append(CutMarker(frame, marker.name, color))
        return (sorted(markers, key=lambda m: m.frame), sorted(captions, key=lambda c: (c.start, c.end)))

    # Audio

    def audio(self, clips: list[CutClip], origin: int) -> tuple[list[CutMusic], set[int]]:
        """The music, and the video clips whose own sound an audio track plays."""
        music: list[CutMusic] = []
        sounding: set[int] = set()
        for track in self.timeline.audio_tracks():
            role = _foundry(track).get("role")
            if role == SHOT_SOUND_ROLE:
                continue
            fades: dict[int, dict[str, int]] = {}
            for index, item in enumerate(track):
                if isinstance(item, otio.schema.Transition):
                    frames = self.frames(item.in_offset) + self.frames(item.out_offset)
                    fades.setdefault(index - 1, {})["fade_out"] = frames
                    fades.setdefault(index + 1, {})["fade_in"] = frames
            for index, item in enumerate(track):
                if isinstance(item, (otio.schema.Gap, otio.schema.Transition)):
                    continue
                start, end = self.track_frames(track, index)
                start, end = start - origin, end - origin
                if not isinstance(item, otio.schema.Clip):
                    kind = type(item).__name__.lower()
                    self.warn(f"The nested {kind} {item.name} on an audio track is not imported.")
                    continue
                what = f"The audio clip {item.name}"
                media = self.media(item, what)
                if role != MUSIC_ROLE and media is not None:
                    own_sound = [i for i, clip in enumerate(clips)
                                 if clip.media == media and clip.record_in < end and start < clip.record_out]
                    if own_sound:
                        sounding.update(own_sound)
                        continue
                piece = self.music_piece(item, what, media, start, end, fades.get(index, {}))
                if piece is not None:
                    music.append(piece)
        return music, sounding

    def music_piece(self, item: otio.schema.Clip, what: str, media: Path | None, start: int, end: int,
                    fades: dict[str, int]) -> CutMusic | None:
        source_in, _, media_frames = self.source(item, what)
        source_out = source_in + end - start
        if start < 0:
            self.warn(f"{what} starts before the film; its beginning is cut off.")
            source_in, start = source_in - start, 0
            if source_in >= source_out:
                return None
        own = _foundry(item)
        gain = own.get("gain_db", 0.0)
        return CutMusic(
            name=item.name or (media.name if media else "Music"), media=media,
            media_frames=max(media_frames, source_out), source_in=source_in, source_out=source_out,
            record_in=start, gain_db=float(gain) if isinstance(gain, (int, float)) else 0.0,
            fade_in=int(own.get("fade_in", fades.get("fade_in", 0))),
            fade_out=int(own.get("fade_out", fades.get("fade_out", 0))),
        )

    # The whole

    def cut(self) -> FilmCut:
        video_tracks = self.timeline.video_tracks()
        own = _foundry(self.timeline)
        width, height = own.get("width"), own.get("height")
        if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
            width, height = DEFAULT_WIDTH, DEFAULT_HEIGHT
        audio_rate = own.get("audio_rate")
        if not (isinstance(audio_rate, int) and audio_rate > 0):
            audio_rate = 48000
        base = FilmCut(name=self.timeline.name or Path(self.file_name).stem, frame_rate=self.rate, width=width,
                       height=height, audio_rate=audio_rate)
        if not video_tracks:
            self.warn(f"{self.file_name} has no video track; the cut is empty.")
            return base
        for extra in video_tracks[1:]:
            if any(isinstance(item, otio.schema.Clip) for item in extra):
                self.warn(f"Only the first video track is imported; the track {extra.name or 'after it'} is left out.")
        track = video_tracks[0]
        entries, betweens = self.video(track)
        fade_in, fade_out = self.trim_ends(entries, betweens)
        transitions = self.centred(entries, betweens)
        origin = entries[0].record_in if entries else 0
        clips: list[CutClip] = []
        for entry in entries:
            if entry.is_gap:
                self.warn(f"The gap of {entry.length} frames at frame {entry.record_in - origin} "
                          "becomes an empty shot named Gap.")
            clips.append(CutClip(
                name=entry.name, media=entry.media, media_frames=max(entry.media_frames, entry.source_out),
                source_in=entry.source_in, source_out=entry.source_out, record_in=entry.record_in - origin,
                record_out=entry.record_out - origin, has_audio=entry.has_audio, still=entry.still,
                metadata=entry.metadata,
            ))
        transitions = [replace(t, record_in=t.record_in - origin) for t in transitions]
        length = clips[-1].record_out if clips else 0
        markers, captions = self.markers(track, entries, origin, length)
        music, sounding = self.audio(clips, origin)
        clips = [replace(clip, has_audio=True) if i in sounding else clip for i, clip in enumerate(clips)]
        return replace(base, clips=tuple(clips), transitions=tuple(transitions), fade_in=fade_in, fade_out=fade_out,
                       music=tuple(music), markers=tuple(markers), captions=tuple(captions))


def _timeline(text: str, file_name: str) -> tuple[otio.schema.Timeline, list[str]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CutFileError(f"{file_name} is not an OTIO file: its JSON is broken at line {exc.lineno}, "
                           f"column {exc.colno} ({exc.msg}).") from None
    if not isinstance(document, dict) or "OTIO_SCHEMA" not in document:
        raise CutFileError(f"{file_name} is JSON but not an OpenTimelineIO file (it has no OTIO_SCHEMA).")
    try:
        read = otio.adapters.read_from_string(text, adapter_name="otio_json")
    except Exception as exc:  # OTIO's C++ core raises ValueError, KeyError, TypeError... for damaged files
        raise CutFileError(f"{file_name} is a damaged OTIO file: {exc}") from None
    if isinstance(read, otio.schema.Timeline):
        return read, []
    if isinstance(read, otio.schema.SerializableCollection):
        timelines = list(read.find_children(descended_from_type=otio.schema.Timeline))
        if timelines:
            more = [f"{file_name} holds {len(timelines)} timelines; the first, {timelines[0].name}, is imported."]
            return timelines[0], more if len(timelines) > 1 else []
    schema = document.get("OTIO_SCHEMA")
    raise CutFileError(f"{file_name} holds an OTIO {str(schema).split('.')[0]}, not a timeline.")


def read_otio_text(text: str, base_folder: Path, file_name: str = "The timeline") -> ReadCut:
    """Read OTIO JSON text; relative media paths are taken from `base_folder`."""
    timeline, warnings = _timeline(text, file_name)
    reader = _Reader(timeline, base_folder, file_name)
    reader.warnings.extend(warnings)
    try:
        cut = reader.cut()
    except (ValueError, TypeError, KeyError) as exc:  # OTIO refusing an inconsistent timeline (a bad range...)
        raise CutFileError(f"{file_name} cannot be read as a cut: {exc}") from None
    return ReadCut(cut, tuple(reader.warnings))


def read_otio(path: Path) -> ReadCut:
    """Read a .otio file (see the module's docstring for what becomes what)."""
    if path.suffix.lower() in (".otioz", ".otiod"):
        raise CutFileError(f"{path.name} is an OTIO bundle, which Foundry does not read; "
                           "export the timeline as a plain .otio file.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CutFileError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CutFileError(f"{path.name} is not an OTIO file: it is not text (UTF-8).") from None
    return read_otio_text(text, path.absolute().parent, path.name)
