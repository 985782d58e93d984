"""The first video track of an OTIO timeline: the film's clips, and its transitions
centred on their cuts (reader.py says what becomes of each item).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import opentimelineio as otio

from foundry_desktop.interchange.film_cut import CutTransition, CutTransitionKind, frames_before_cut
from foundry_desktop.interchange.otio.conventions import CMX_NAMESPACE, foundry_metadata
from foundry_desktop.interchange.otio.timeline_source import TimelineSource

STILL_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".heic"}
TRANSITION_KINDS: tuple[CutTransitionKind, ...] = ("dissolve", "fade_black", "fade_white")


@dataclass
class VideoEntry:
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
    scene: str = ""
    is_gap: bool = False
    source_start: int = 0  # the timecode of its media's first frame (its available range's start)
    reel: str = ""  # its source's reel, where the OTIO EDL adapter keeps it
    source_drop_frame: bool | None = None  # whether its source's timecode drops frames (None: as the timeline's)
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
class TransitionAt:
    """A transition after `boundary` entries of the video track (before entry `boundary`)."""

    boundary: int
    before: int  # frames before the cut (in_offset)
    after: int  # frames after it (out_offset)
    kind: CutTransitionKind


def source_counting(reference: otio.core.MediaReference | None) -> bool | None:
    """Whether a media reference's timecode drops frames where it says so: Foundry's metadata, else what
    OpenTimelineIO's Final Cut 7 XML adapter keeps of the file's timecode (displayformat DF / NDF)."""
    if reference is None:
        return None
    said = foundry_metadata(reference).get("drop_frame")
    if isinstance(said, bool):
        return said
    fcp = reference.metadata.get("fcp_xml")
    timecode = fcp.get("timecode") if hasattr(fcp, "get") else None
    shown = timecode.get("displayformat") if hasattr(timecode, "get") else None
    return {"DF": True, "NDF": False}.get(str(shown).upper()) if shown else None


def _reel_of(item: otio.schema.Clip) -> str:
    kept = item.metadata.get(CMX_NAMESPACE)
    reel = kept.get("reel") if hasattr(kept, "get") else None
    return reel.strip() if isinstance(reel, str) else ""


class VideoTrack:
    """Reads the film's track into clips, then trims its ends and centres its transitions."""

    def __init__(self, src: TimelineSource) -> None:
        self.src = src

    def clip_entry(self, item: otio.schema.Clip, start: int, end: int, number: int) -> VideoEntry:
        name = item.name or (item.media_reference.name if item.media_reference else "") or f"Clip {number}"
        what = f"Clip {number} ({name})"
        media = self.src.media(item, what)
        source_in, source_out, media_frames = self.src.source(item, what)
        source_out = source_in + (end - start)  # a time effect may make the two differ; the record wins
        own = foundry_metadata(item)
        for effect in item.effects:
            if isinstance(effect, otio.schema.FreezeFrame):
                self.src.warn(f"{what} is a freeze frame in the timeline; Foundry plays it at normal speed.")
            elif isinstance(effect, otio.schema.LinearTimeWarp):
                self.src.warn(f"{what} plays at {effect.time_scalar:g}x speed in the timeline; "
                              "Foundry plays it at normal speed.")
            else:
                self.src.warn(f"{what} has the effect {effect.effect_name or effect.name or 'unnamed'}, "
                              "which is not imported.")
        metadata = own.get("metadata")
        entry = VideoEntry(
            name=name, media=media, media_frames=max(media_frames, source_out), source_in=source_in,
            source_out=source_out, record_in=start, record_out=end,
            has_audio=bool(own.get("has_audio", False)),
            still=bool(own.get("still", media is not None and media.suffix.lower() in STILL_SUFFIXES)),
            metadata=metadata if isinstance(metadata, dict) else {},
            scene=own["scene"] if isinstance(own.get("scene"), str) else "",
            reel=_reel_of(item),
        )
        available = item.media_reference.available_range if item.media_reference is not None else None
        entry.source_start = max(0, self.src.frames(available.start_time)) if available is not None else 0
        entry.source_drop_frame = source_counting(item.media_reference)
        source_start = self.src.frames(item.trimmed_range().start_time)
        for marker in item.markers:
            entry.markers.append((self.src.frames(marker.marked_range.start_time) - source_start + source_in, marker))
        return entry

    def transition(self, item: otio.schema.Transition, boundary: int) -> TransitionAt:
        # Foundry's files say which kind it was; the film's fades say "fade_in"/"fade_out" and need no kind.
        kind = foundry_metadata(item).get("kind")
        if kind not in TRANSITION_KINDS:
            kind = "dissolve"
            if item.transition_type != otio.schema.TransitionTypes.SMPTE_Dissolve:
                name = item.name or item.transition_type or "without a name"
                self.src.warn(f"The transition {name} becomes a dissolve.")
        return TransitionAt(boundary, self.src.frames(item.in_offset), self.src.frames(item.out_offset), kind)

    def read(self, track: otio.schema.Track) -> tuple[list[VideoEntry], list[TransitionAt]]:
        """The track's clips, gaps and stand-ins, in record frames, and the transitions between them."""
        entries: list[VideoEntry] = []
        betweens: list[TransitionAt] = []
        for index, item in enumerate(track):
            if isinstance(item, otio.schema.Transition):
                if betweens and betweens[-1].boundary == len(entries):
                    self.src.warn("Two transitions follow each other; the second is left out.")
                else:
                    betweens.append(self.transition(item, len(entries)))
                continue
            start, end = self.src.track_frames(track, index)
            if end <= start:
                continue
            if isinstance(item, otio.schema.Gap):
                entries.append(VideoEntry("Gap", None, end - start, 0, end - start, start, end, is_gap=True))
            elif isinstance(item, otio.schema.Clip):
                entries.append(self.clip_entry(item, start, end, len(entries) + 1))
            else:
                name = item.name or type(item).__name__
                self.src.warn(f"The nested {type(item).__name__.lower()} {name} is not imported; "
                              "an empty shot of its length takes its place.")
                entries.append(VideoEntry(name, None, end - start, 0, end - start, start, end))
        return entries, betweens

    def trim_ends(self, entries: list[VideoEntry], betweens: list[TransitionAt]) -> tuple[int, int, int]:
        """Take the empty time at both ends out of `entries`; the transitions into and out of it
        are the film's fades. Returns (fade_in, fade_out, the empty time left before the first
        clip: the film's own, kept as a gap; what comes after the last clip is no film)."""
        leading = 0
        while entries and entries[0].is_gap:
            leading += entries.pop(0).length
            for between in betweens:
                between.boundary -= 1
        while entries and entries[-1].is_gap:
            entries.pop()
        fade_in = fade_out = 0
        kept: list[TransitionAt] = []
        for between in betweens:
            if not entries:
                continue
            if between.boundary <= 0:
                fade_in = between.before + between.after
                reach = min(between.before, entries[0].source_in)
                if reach < between.before:
                    self.src.warn("The fade from black reaches before the first clip's media; it is shortened.")
                    fade_in -= between.before - reach
                entries[0].shift_in(-reach)
                leading -= reach
            elif between.boundary >= len(entries):
                fade_out = between.before + between.after
                entries[-1].shift_out(between.after)
            else:
                kept.append(between)
        betweens[:] = kept
        return fade_in, fade_out, max(0, leading)

    def centred(self, entries: list[VideoEntry], betweens: list[TransitionAt]) -> list[CutTransition]:
        transitions: list[CutTransition] = []
        for between in betweens:
            frames = between.before + between.after
            if frames <= 0:
                continue
            outgoing, incoming = entries[between.boundary - 1], entries[between.boundary]
            if outgoing.is_gap or incoming.is_gap:  # no transition crosses empty time (domain.cut_plan)
                self.src.warn(f"The transition between {outgoing.name} and {incoming.name} joins empty time; "
                              "it was left out.")
                continue
            shift = frames_before_cut(frames) - between.before  # how far the cut moves to lie in the middle
            if shift:
                movable = (outgoing.length + shift >= 1 and incoming.length - shift >= 1
                           and incoming.source_in + shift >= 0)
                pair = f"{outgoing.name} and {incoming.name}"
                if movable:
                    outgoing.shift_out(shift)
                    incoming.shift_in(shift)
                    direction = "later" if shift > 0 else "earlier"
                    self.src.warn(f"The transition between {pair} was not centred on its cut; the cut moved "
                                  f"{abs(shift)} frames {direction}, so the same pictures show.")
                else:
                    self.src.warn(f"The transition between {pair} was not centred on its cut; it is centred on it now.")
            cut = outgoing.record_out
            transitions.append(CutTransition(between.boundary - 1, between.kind, cut - frames_before_cut(frames), frames))
        return transitions
