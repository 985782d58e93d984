"""What rides on a shot of the primary storyline: its markers, the clips connected
to it (music, titles and captions) and its effects (which Foundry does not
represent, so they are only warned about).
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from lxml import etree

from foundry_desktop.interchange.fcpxml.document import (
    CONTAINERS,
    MEDIA_CLIPS,
    FcpxmlDocument,
    Place,
    elements,
    primary_chain,
)
from foundry_desktop.interchange.fcpxml.entities import element_text
from foundry_desktop.interchange.film_cut import CutCaption, CutClip, CutMarker, CutMusic

_MARKERS = ("marker", "chapter-marker")
_FILTERS = ("filter-video", "filter-video-mask", "filter-audio")
_PICTURE_ADJUSTMENTS = ("adjust-crop", "adjust-corners", "adjust-transform", "adjust-blend", "adjust-360-transform")


class ShotContents:
    """Collects the film's markers, captions and music as the storyline's shots are read."""

    def __init__(self, doc: FcpxmlDocument) -> None:
        self.doc = doc
        self.markers: list[CutMarker] = []
        self.captions: list[CutCaption] = []
        self.music: list[CutMusic] = []
        self.left_out: list[tuple[int, str]] = []  # connected clips a single-track film cannot hold: lane, what
        self.effects: dict[str, list[int]] = {}  # each effect or keyframed parameter: the shots it is on
        self.not_music: list[str] = []  # connected sound of another role (dialogue, effects) put on the music track

    def left_out_warning(self) -> str | None:
        """The one warning that names everything a single-track film could not hold, or None."""
        parts = []
        if self.left_out:
            lanes = sorted({lane for lane, _ in self.left_out})
            count = len(self.left_out)
            parts.append(f"{count} connected clip{'s' if count != 1 else ''} on lane{'s' if len(lanes) > 1 else ''} "
                         f"{_spans(lanes)} {'were' if count != 1 else 'was'} left out: "
                         + _listed([what for _, what in self.left_out]))
        if self.effects:
            parts.append("Effects were left out: " + _listed(
                [f"{name} (shot{'s' if len(shots) > 1 else ''} {_spans(shots)})" for name, shots in self.effects.items()]))
        if self.not_music:
            parts.append("Connected sound that is not music went to the music track: " + _listed(self.not_music))
        if not parts:
            return None
        return "Foundry's film has one picture track, a music track and no effects. " + ". ".join(parts) + "."

    def read(self, clip: CutClip, element: etree._Element, place: Place, number: int) -> None:
        """What shot `number` holds: `clip`, read from `element` of the storyline at `place`."""
        visible = (clip.record_in, clip.record_out)
        names = []
        shot_place = place
        for depth, node in enumerate(primary_chain(element)):
            if depth:  # media nested in a container lies in the container's own timeline
                place = self.doc.child_place(place, node)
            self.read_markers(node, place, visible)
            names += [f.get("name") or self.effect_name(f) for f in elements(node) if f.tag in _FILTERS]
            names += [a.tag.removeprefix("adjust-") for a in elements(node) if a.tag in _PICTURE_ADJUSTMENTS]
            names += [f"keyframed {p.get('name') or 'parameter'}" for f in elements(node)
                      if f.tag in _FILTERS + _PICTURE_ADJUSTMENTS for p in f.iter("param")
                      if p.find("keyframeAnimation") is not None]
        for name in dict.fromkeys(names):
            self.effects.setdefault(name, []).append(number)
        own_asset = clip.media is not None and primary_chain(element)[-1].get("ref")
        music_before = len(self.music)
        for child in elements(element):
            lane = child.get("lane", "0")
            if lane == "0":
                continue
            if child.tag == "audio" and child.get("ref") == own_asset:
                continue  # a container's own sound, split out below its picture
            self.connected(child, int(lane) if re.fullmatch(r"-?\d{1,6}", lane) else 1, shot_place, number)
        if element.tag in CONTAINERS:  # what a clip or sync-clip holds plays only while it does
            held = (_within(m, clip.record_in, clip.record_out) for m in self.music[music_before:])
            self.music[music_before:] = [m for m in held if m is not None]

    def effect_name(self, filter_element: etree._Element) -> str:
        effect = self.doc.resources.get(filter_element.get("ref"))
        return effect.get("name", "an effect") if effect is not None else "an effect"

    def read_markers(self, element: etree._Element, place: Place, visible: tuple[int, int]) -> None:
        """Markers of `element` that fall in the record frames `visible` (where it shows in the film)."""
        for marker in elements(element):
            if marker.tag not in _MARKERS:
                continue
            frame = self.doc.record(place, self.doc.time(marker, "start"))
            value = marker.get("value", "")
            if not visible[0] <= frame < visible[1]:
                self.doc.warn(f"The marker '{value}' lies outside the visible part of its clip and was left out.")
                continue
            self.markers.append(CutMarker(frame, value))

    def connected(self, element: etree._Element, lane: int, parent: Place, number: int) -> None:
        tag, label = element.tag, element.get("name") or element.tag
        place = self.doc.child_place(parent, element)
        if tag in ("title", "caption"):
            text = title_text(element, self.doc.entities)
            frames = self.doc.frames(self.doc.time(element, "duration"))
            if text:
                self.captions.append(CutCaption(max(0, place.base), place.base + frames, text))
            self.read_markers(element, place, (place.base, place.base + frames))
            return
        if tag == "spine":
            self.connected_storyline(element, lane, place, number)
            return
        if self.is_music(element, lane):
            self.to_music(element, place, number)
            frames = self.doc.frames(self.doc.time(element, "duration", Fraction(0)))
            self.read_markers(element, place, (place.base, place.base + frames))
            return
        kind = "audio" if self.audio_only(element) else "clip"
        self.left_out.append((lane, f"the {kind} '{label}' over shot {number}"))

    def connected_storyline(self, spine: etree._Element, lane: int, place: Place, number: int) -> None:
        """A storyline connected to shot `number`: what of it is music goes to the music track."""
        items = [c for c in elements(spine) if c.tag not in ("transition", "gap")]
        music = [c for c in items if self.is_music(c, lane)]
        for item in music:
            self.to_music(item, self.doc.child_place(place, item), number)
        if rest := [c.get("name") or c.tag for c in items if c not in music]:
            self.left_out.append((lane, f"a storyline over shot {number} ({', '.join(rest)})"))

    def audio_only(self, element: etree._Element) -> bool:
        if element.tag == "audio":
            return True
        if element.tag not in MEDIA_CLIPS + CONTAINERS:
            return False
        media = self.doc.media_at(element, self.doc.origin(element))
        return media is not None and media[0].get("hasVideo") != "1"

    def is_music(self, element: etree._Element, lane: int) -> bool:
        if element.tag not in MEDIA_CLIPS + CONTAINERS:
            return False
        if _role(element).startswith("music"):
            return True
        return lane < 0 and self.audio_only(element)  # dialogue and effects too: the music track keeps the sound

    def to_music(self, element: etree._Element, place: Place, number: int) -> None:
        """A connected audio clip onto the music track, noting it when its role says it is not music."""
        self.add_music(element, place)
        if (role := _role(element)) and not role.startswith("music"):
            self.not_music.append(f"the {role.split('.')[0]} '{element.get('name') or element.tag}' over shot {number}")

    def add_music(self, element: etree._Element, place: Place) -> None:
        media = self.doc.media_at(element, place.origin)
        if media is None:
            return
        asset, asset_time = media
        source_in = self.doc.frames(asset_time - self.doc.time(asset, "start", Fraction(0)))
        frames = self.doc.frames(self.doc.time(element, "duration", self.doc.time(asset, "duration", Fraction(0))))
        record_in = place.base
        if record_in < 0:  # starts before the film: keep what plays in it
            source_in, frames, record_in = source_in - record_in, frames + record_in, 0
        if frames < 1:
            return
        gain, fade_in, fade_out = 0.0, 0, 0
        volume = element.find("adjust-volume")
        if volume is not None:
            try:
                gain = float(volume.get("amount", "0dB").strip().removesuffix("dB"))
            except ValueError:
                self.doc.warn(f"{self.doc.where(volume)}: the volume '{volume.get('amount')}' was read as 0 dB.")
            for param in volume.findall("param"):
                fade = param.find("fadeIn")
                fade_in = self.doc.frames(self.doc.time(fade, "duration")) if fade is not None else fade_in
                fade = param.find("fadeOut")
                fade_out = self.doc.frames(self.doc.time(fade, "duration")) if fade is not None else fade_out
        self.music.append(CutMusic(
            name=element.get("name") or asset.get("name", ""),
            media=self.doc.media_path(asset),
            media_frames=max(self.doc.asset_frames(asset), source_in + frames),
            source_in=source_in,
            source_out=source_in + frames,
            record_in=record_in,
            gain_db=gain,
            fade_in=fade_in,
            fade_out=fade_out,
        ))


def title_text(element: etree._Element, entities: dict[str, str]) -> str:
    """The words of a title or caption: its styled runs (the rest of a `text` is indentation), with
    the document's entities in them expanded."""
    texts = []
    for text in element.findall("text"):
        runs = [element_text(style, entities) for style in text.iter("text-style")]
        texts.append("".join(runs) if runs else element_text(text, entities).strip())
    return "\n".join(t for t in texts if t)


def _role(element: etree._Element) -> str:
    """A clip's audio role as Final Cut names it ("dialogue", "music.music-1"...), lower case; "" for none."""
    return (element.get("audioRole") or element.get("role") or "").lower()


def _within(music: CutMusic, first: int, end: int) -> CutMusic | None:
    """`music` cut to the record frames from `first` to `end`; None when none of it plays there."""
    record_in, record_out = max(music.record_in, first), min(music.record_out, end)
    if record_in >= record_out:
        return None
    source_in = music.source_in + record_in - music.record_in
    frames = record_out - record_in
    return replace(music, source_in=source_in, source_out=source_in + frames, record_in=record_in,
                   fade_in=min(music.fade_in, frames), fade_out=min(music.fade_out, frames - min(music.fade_in, frames)))


def _spans(numbers: list[int]) -> str:
    """Sorted numbers as runs: "1-3, 5"."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        elif not runs or number != runs[-1][1]:
            runs.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


_LISTED = 12  # a cut of thousands of clips still gets a warning one can read


def _listed(items: list[str]) -> str:
    more = f"; and {len(items) - _LISTED:,} more" if len(items) > _LISTED else ""
    return "; ".join(items[:_LISTED]) + more
