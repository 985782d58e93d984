"""The primary storyline of an FCPXML sequence: its shots, one after another, and the
transitions between them (reader.py says what becomes of each element).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction

from lxml import etree

from foundry_desktop.interchange.fcpxml import effects as effects
from foundry_desktop.interchange.fcpxml.clip_contents import ShotContents, title_text
from foundry_desktop.interchange.fcpxml.compound import NESTING, NestedStoryline, Window, nested_storyline
from foundry_desktop.interchange.fcpxml.document import (
    CONTAINERS,
    MEDIA_CLIPS,
    FcpxmlDocument,
    Place,
    elements,
    primary_chain,
    reel_of,
    source_counting,
)
from foundry_desktop.interchange.film_cut import (
    GAP_NAME,
    CutClip,
    CutTransition,
    CutTransitionKind,
    frames_before_cut,
    scene_of_label,
)

_CONFORM_RATES = {"23.98": Fraction(24000, 1001), "29.97": Fraction(30000, 1001), "47.95": Fraction(48000, 1001),
                  "59.94": Fraction(60000, 1001)}


@dataclass
class _Shot:
    clip: CutClip
    element: etree._Element  # whose markers and connected clips belong to the shot
    place: Place


def _is_empty_time(shot: _Shot) -> bool:
    """A gap named as Final Cut names its own (and Foundry its empty time); a gap named
    otherwise stands for a shot with no media (what Foundry writes for one)."""
    return shot.element.tag == "gap" and shot.clip.name == GAP_NAME


def _scene_keyword(element: etree._Element) -> str:
    """The scene a clip's "Scene: NAME" keyword names (Foundry's export), or ""."""
    for keyword in element.findall("keyword"):
        for value in keyword.get("value", "").split(","):  # Final Cut lists several keywords with commas
            if name := scene_of_label(value.strip()):
                return name
    return ""


class PrimaryStoryline:
    """Reads the shots in order; what rides on each goes to `contents`."""

    def __init__(self, doc: FcpxmlDocument, contents: ShotContents) -> None:
        self.doc = doc
        self.contents = contents

    def read(self, spine: etree._Element) -> tuple[list[CutClip], list[CutTransition], int, int]:
        """The shots and transitions of the storyline `spine`, and the film's fade in and fade out."""
        clips: list[CutClip] = []
        transitions: list[CutTransition] = []
        fade_in = fade_out = 0
        waiting: etree._Element | None = None  # a transition seen after the last shot read
        into_gap: etree._Element | None = None  # one from the last shot into empty time: a fade out if last
        transition_places: list[tuple[etree._Element, int]] = []
        record = 0  # where the next item starts: after the last shot and any empty time since
        for item in (i for element in elements(spine) for i in self.items(element, len(clips) + 1, record, 0)):
            if not isinstance(item, _Shot):
                element = item
                if not clips:
                    fade_in = self.doc.frames(self.doc.time(element, "duration"))
                    transition_places.append((element, 0))
                elif waiting is not None:
                    self.doc.warn(f"{self.doc.where(element)}: two transitions in a row; the second was left out.")
                else:
                    waiting = element
                continue
            shot = item
            record = shot.clip.record_out
            if _is_empty_time(shot):
                # What rides on the gap (music, captions, markers) keeps its place in the film.
                self.contents.read(shot.clip, shot.element, shot.place, len(clips) + 1)
                if waiting is not None:
                    into_gap, waiting = waiting, None
                continue
            if into_gap is not None:  # empty time in the film's middle: no transition crosses it
                self._left_out(into_gap)
                into_gap = None
            if waiting is not None and clips and clips[-1].record_out < shot.clip.record_in:
                self._left_out(waiting)
                waiting = None
            if waiting is not None:
                frames = self.doc.frames(self.doc.time(waiting, "duration"))
                cut = shot.clip.record_in
                transitions.append(CutTransition(len(clips) - 1, self.transition_kind(waiting), cut - frames_before_cut(frames),
                                                 frames))
                transition_places.append((waiting, cut - frames_before_cut(frames)))
                waiting = None
            clips.append(replace(shot.clip, scene=_scene_keyword(shot.element)))
            self.contents.read(shot.clip, shot.element, shot.place, len(clips))
        if waiting is None:  # a transition into the empty time the film ends in is its fade to black
            waiting = into_gap
        if waiting is not None and clips:
            fade_out = self.doc.frames(self.doc.time(waiting, "duration"))
            transition_places.append((waiting, clips[-1].record_out - fade_out))
        for element, record_in in transition_places:
            frames = self.doc.frames(self.doc.time(element, "duration"))
            self.contents.read_markers(element, Place(record_in, self.doc.tc_start), (record_in, record_in + frames))
        return clips, transitions, fade_in, fade_out

    def items(self, element: etree._Element, number: int, record_in: int,
              depth: int) -> Iterator[etree._Element | _Shot]:
        """What `element` puts in the storyline from `record_in`: a transition, a shot, or the shots (and
        transitions between them) of the storyline a compound or multicam clip plays."""
        if element.tag == "transition":
            yield element
        elif element.tag in NESTING and (nested := nested_storyline(self.doc, element, depth)) is not None:
            yield from self.flattened(element, nested, number, record_in, depth)
        elif (shot := self.shot(element, number, record_in)) is not None:
            yield shot

    def flattened(self, element: etree._Element, nested: NestedStoryline, number: int, record_in: int,
                  depth: int) -> Iterator[etree._Element | _Shot]:
        """The shots of `nested` that `element` shows, placed from `record_in`; transitions only between them."""
        frames = self.doc.frames(self.doc.time(element, "duration"))
        start = self.doc.time(element, "start", nested.origin)
        first = self.doc.frames(start - nested.origin)
        window = Window(first, first + frames, record_in - first)
        # The clip's own markers and connected clips ride on it as on any shot.
        whole = CutClip(element.get("name") or element.tag, None, frames, 0, frames, record_in, record_in + frames)
        self.contents.read(whole, element, Place(record_in, start), number)
        waiting: etree._Element | None = None
        shown = False
        record, end = 0, record_in  # where the next storyline item starts; where the last shown one ends
        for child in elements(nested.container):
            if child.get("offset") is not None and child.tag != "transition":
                record = self.doc.frames(self.doc.time(child, "offset") - nested.origin)
            for item in self.items(child, number, record, depth + 1):
                if not isinstance(item, _Shot):
                    waiting = item if shown else self._cut_off(item, nested, window, number)
                    continue
                record = item.clip.record_out
                placed = window.trimmed(item.clip, item.place)
                if placed is None:
                    waiting = waiting if waiting is None else self._cut_off(waiting, nested, window, number)
                    continue
                if waiting is not None:
                    yield waiting
                    waiting = None
                shown = True
                end = placed[0].record_out
                yield _Shot(placed[0], item.element, placed[1])
        if waiting is not None:
            self._cut_off(waiting, nested, window, number)
        if not shown:
            self.doc.warn(f"Shot {number}: the {nested.what} shows nothing of its storyline; it is empty time.")
        if end < record_in + frames:  # its storyline ends before the clip does
            gap = CutClip(GAP_NAME, None, record_in + frames - end, 0, record_in + frames - end, end,
                          record_in + frames)
            yield _Shot(gap, etree.Element("gap", name=GAP_NAME), Place(end, Fraction(0)))

    def _cut_off(self, transition: etree._Element, nested: NestedStoryline, window: Window, number: int) -> None:
        """A transition of a nested storyline with no shown cut on both sides: it is left out, and said so
        when any of it shows (one at the very edge of what the clip shows, or the storyline's own fade)."""
        first = self.doc.frames(self.doc.time(transition, "offset", nested.origin) - nested.origin)
        if first < window.end and window.first < first + self.doc.frames(self.doc.time(transition, "duration")):
            self.doc.warn(f"Shot {number}: the transition at the edge of what the {nested.what} shows was left out.")

    def _left_out(self, transition: etree._Element) -> None:
        self.doc.warn(f"{self.doc.where(transition)}: a transition between a shot and empty time was left out.")

    def transition_kind(self, transition: etree._Element) -> CutTransitionKind:
        video = transition.find("filter-video")
        if video is None:
            return "dissolve"
        effect = self.doc.resources.get(video.get("ref"))
        uid = effect.get("uid") if effect is not None else None
        if uid == effects.CROSS_DISSOLVE[1]:
            return "dissolve"
        if uid == effects.FADE_TO_COLOR[1]:
            for param in video.findall("param"):
                if param.get("name", "").lower() == "color" or param.get("key") == effects.COLOR_PARAM[1]:
                    try:
                        channels = [float(v) for v in param.get("value", "").split()[:3]]
                    except ValueError:
                        channels = []
                    if len(channels) == 3 and min(channels) >= 0.5:
                        return "fade_white"
            return "fade_black"
        name = transition.get("name") or video.get("name") or "unnamed"
        self.doc.warn(f"The transition '{name}' became a cross dissolve.")
        return "dissolve"

    def shot(self, element: etree._Element, number: int, record_in: int) -> _Shot | None:
        """The shot an element of the primary storyline makes, starting at `record_in`."""
        tag = element.tag
        label = element.get("name") or tag
        if tag == "audition":
            picks = list(elements(element))
            if not picks:
                return None
            self.doc.warn(f"Shot {number} is an audition; only its chosen clip '{picks[0].get('name', '')}' was read.")
            return self.shot(picks[0], number, record_in)
        generator = self.doc.generator(element)
        if tag in MEDIA_CLIPS and generator is None:
            asset = self.doc.asset(element)
            duration = self.doc.time(element, "duration", self.doc.time(asset, "duration", Fraction(0)))
        else:
            duration = self.doc.time(element, "duration")
        frames = self.doc.frames(duration)
        if frames < 1:
            self.doc.warn(f"{self.doc.where(element)}: '{label}' lasts less than a frame and was left out.")
            return None
        place = Place(record_in, self.doc.origin(element))
        media = self.doc.media_at(element, place.origin) if tag in MEDIA_CLIPS + CONTAINERS else None
        self.retimed(element, number, label)
        if generator is not None or tag == "title":  # a title is words to show, whatever its effect
            return _Shot(self.generated(element, generator, number, record_in, frames), element, place)
        if media is None:
            if tag == "gap" and label == GAP_NAME:
                return _Shot(CutClip(label, None, frames, 0, frames, record_in, record_in + frames), element, place)
            self.without_media(element, number)
            return _Shot(CutClip(label, None, frames, 0, frames, record_in, record_in + frames), element, place)
        asset, asset_time = media
        asset_start = self.doc.time(asset, "start", Fraction(0))
        source_in = self.doc.frames(asset_time - asset_start)
        if source_in < 0:
            self.doc.warn(f"Shot {number} ('{label}') starts before its media does; "
                          f"it was read from the media's start.")
            source_in = 0
        path = self.doc.media_path(asset)
        still = asset.get("hasVideo") == "1" and self.doc.time(asset, "duration", Fraction(0)) == 0
        has_audio = asset.get("hasAudio") == "1" and element.get("srcEnable", "all") != "video" and tag != "video"
        media_frames = max(self.doc.asset_frames(asset), source_in + frames)
        clip = CutClip(label, path, media_frames, source_in, source_in + frames, record_in, record_in + frames,
                       has_audio=has_audio, still=still, source_start=max(0, self.doc.frames(asset_start)),
                       reel=reel_of(asset), source_drop_frame=source_counting(element, self.doc.drop_frame))
        return _Shot(clip, element, place)

    def generated(self, element: etree._Element, effect: etree._Element | None, number: int, record_in: int,
                  frames: int) -> CutClip:
        """A title or generator (a solid, a placeholder) in the storyline: a title card for Foundry's built-in
        generator to make, of the title's text or else the generator's name."""
        effect_name = "an effect missing from the file" if effect is None else effect.get("name") or "an effect"
        label = element.get("name") or (effect.get("name") if effect is not None else None) or element.tag
        text = title_text(element, self.doc.entities) if element.tag == "title" else ""
        kind = "title" if element.tag == "title" else "generator"
        self.doc.warn(f"Shot {number} is the {kind} '{label}' ({effect_name}); it became a title card to generate, "
                      f"of {'its text' if text else 'its name'}.")
        return CutClip(label, None, frames, 0, frames, record_in, record_in + frames,
                       metadata={"prompt": text or label, "backend": "builtin", "title_card": True})

    def without_media(self, element: etree._Element, number: int) -> None:
        """Say why a storyline element that plays no media Foundry can use became an offline shot."""
        tag, label = element.tag, element.get("name") or element.tag
        if tag == "gap":
            self.doc.warn(f"Shot {number} is a gap in the storyline; it became an offline shot named '{label}'.")
        elif tag in CONTAINERS:
            self.doc.warn(f"Shot {number} ('{label}') holds no media Foundry can use; it became an offline shot.")
        elif tag in NESTING:
            self.doc.warn(f"Shot {number}: the clip '{label}' plays nothing Foundry can use; it became an "
                          f"offline shot.")
        else:
            self.doc.warn(f"Shot {number} is a <{tag}>, which Foundry does not read; it became an offline shot.")

    def retimed(self, element: etree._Element, number: int, label: str) -> None:
        """Warn of what changes a shot's speed, in it or in the media it nests."""
        for node in primary_chain(element):
            if node.find("timeMap") is not None:
                self.doc.warn(f"Shot {number} ('{label}') changes speed (retime), which Foundry does not represent; "
                              f"it plays at normal speed from its first frame.")
            conform = node.find("conform-rate")
            if conform is not None and conform.get("scaleEnabled", "1") != "0" and conform.get("srcFrameRate"):
                source_rate = conform.get("srcFrameRate")
                try:
                    rate = _CONFORM_RATES.get(source_rate) or Fraction(source_rate)
                except (ValueError, ZeroDivisionError):
                    continue
                if rate != self.doc.rate:
                    self.doc.warn(f"Shot {number} ('{label}') plays its {source_rate} fps media at the timeline's "
                                  f"rate (a slight speed change); Foundry plays it at normal speed.")
