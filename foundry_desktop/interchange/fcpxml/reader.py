"""Reading a timeline from FCPXML (Final Cut Pro, DaVinci Resolve...) into a FilmCut.

Versions 1.8 to 1.11 are read as their DTDs define them. 1.12 and 1.13 (Final
Cut Pro 10.8 and 11) are read too, with a warning: they add elements for new
Final Cut features but keep the timeline's structure, and whatever this reader
does not know is reported like any other unsupported element. Anything newer,
older, or not FCPXML is refused in words. Parsing is safe: no entities are
expanded and nothing is fetched from the network.

What becomes of each part of the first project's sequence:

* Times are converted to whole frames at the sequence's rate (its format's
  frameDuration); record frames count from the sequence's start (its tcStart),
  so drop-frame timecode changes nothing. Times off that grid (media at
  another rate) are rounded to the nearest frame, with a warning.
* Primary storyline: `asset-clip`, `video` and `audio` elements, and `clip` /
  `sync-clip` containers (through their primary media, however nested), become
  shots on that media: source in = the clip's start in its asset's time minus
  the asset's own start (its timecode origin). A shot's source length always
  equals its length in the film.
* A FilmCut has no gaps: a `gap` becomes an offline shot (no media) named after
  it, so the shots after it keep their places. Likewise compound (`ref-clip`)
  and multicam (`mc-clip`) clips, titles in the storyline (whose text also
  becomes a caption) and anything unknown, each with a warning. Of an
  `audition`, its chosen (first) clip is read.
* Transitions are centred on their cut by Foundry's rule (starting
  `frames // 2` before it; Final Cut puts the odd frame of an odd-length
  transition before the cut instead, a one-frame difference in where the blend
  starts). A transition before the first clip is the film's fade from black,
  one after the last its fade to black. Cross Dissolve is a dissolve, Fade To
  Color a fade through black (through white when its colour is light); other
  transitions become dissolves, with a warning.
* Markers and chapter markers, on any clip read, keep their place in the film;
  ones outside the visible part of their clip are left out, with a warning.
  Markers inside a transition count from the sequence's start (what the
  Final Cut samples show).
* Connected clips: audio with the music role (or audio-only media with no
  role) becomes music, also inside a connected audio storyline; connected
  titles and captions become captions. Other connected clips, connected
  storylines with video, speed changes (timeMap, rate conform), effects and
  transforms are not represented, each with a warning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from lxml import etree

from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.fcpxml import effects as effects
from foundry_desktop.interchange.fcpxml.rational_time import parse_fcpxml_time
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

OLDEST_VERSION = (1, 8)
NEWEST_CHECKED_VERSION = (1, 11)  # the newest DTD Foundry has
NEWEST_VERSION = (1, 13)

_VERSION = re.compile(r"^\s*(\d+)\.(\d+)\s*$")
_AUDIO_RATES = {"32k": 32000, "44.1k": 44100, "48k": 48000, "88.2k": 88200, "96k": 96000, "176.4k": 176400,
                "192k": 192000}
_CONFORM_RATES = {"23.98": Fraction(24000, 1001), "29.97": Fraction(30000, 1001), "47.95": Fraction(48000, 1001),
                  "59.94": Fraction(60000, 1001)}
_MEDIA_CLIPS = ("asset-clip", "video", "audio")  # elements whose local time is their asset's time
_CONTAINERS = ("clip", "sync-clip")
_MARKERS = ("marker", "chapter-marker")
_FILTERS = ("filter-video", "filter-video-mask", "filter-audio")
_PICTURE_ADJUSTMENTS = ("adjust-crop", "adjust-corners", "adjust-transform", "adjust-blend", "adjust-360-transform")


def read_fcpxml(path: Path) -> ReadCut:
    """The cut of the first project in an .fcpxml file or .fcpxmld bundle."""
    path = Path(path)
    document = path / "Info.fcpxml" if path.is_dir() else path
    try:
        data = document.read_bytes()
    except OSError as exc:
        raise CutFileError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
    return read_fcpxml_text(data, document.parent, path.name)


def read_fcpxml_text(text: str | bytes, folder: Path, name: str = "The FCPXML file") -> ReadCut:
    """The cut in FCPXML `text`; relative media paths are resolved against `folder`."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                             remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CutFileError(f"{name} is not well-formed XML (line {exc.lineno}: {exc.msg}).") from None
    if root is None:
        raise CutFileError(f"{name} is empty.")
    if root.tag != "fcpxml":
        raise CutFileError(f"{name} is not an FCPXML file: its root element is <{root.tag}>, not <fcpxml>.")
    return _Reader(root, folder, name).read()


def _version(root: etree._Element, name: str) -> tuple[int, int]:
    text = root.get("version")
    match = _VERSION.match(text or "")
    if match is None:
        raise CutFileError(f"{name} does not say which FCPXML version it is (version=\"{text or ''}\").")
    version = int(match.group(1)), int(match.group(2))
    if version > NEWEST_VERSION:
        raise CutFileError(
            f"{name} is FCPXML {text.strip()}, newer than Foundry reads (1.8 to 1.13). "
            f"Export it again choosing FCPXML 1.11 or older.")
    if version < OLDEST_VERSION:
        raise CutFileError(
            f"{name} is FCPXML {text.strip()}, older than Foundry reads (1.8 to 1.13). "
            f"Open it in Final Cut Pro and export it again.")
    return version


@dataclass(frozen=True)
class _Place:
    """Where an element's own timeline lies in the film: its local time `origin` is at record frame `base`."""

    base: int
    origin: Fraction


@dataclass
class _Shot:
    clip: CutClip
    element: etree._Element  # whose markers and connected clips belong to the shot
    place: _Place


class _Reader:
    def __init__(self, root: etree._Element, folder: Path, name: str) -> None:
        self.root, self.folder, self.name = root, folder, name
        self.warnings: list[str] = []
        self.off_grid = False
        resources = root.find("resources")
        self.resources = {} if resources is None else {r.get("id"): r for r in resources if r.get("id")}
        self.markers: list[CutMarker] = []
        self.captions: list[CutCaption] = []
        self.music: list[CutMusic] = []

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def where(self, element: etree._Element) -> str:
        return f"{self.name}, line {element.sourceline}"

    # Times.
    def time(self, element: etree._Element, attribute: str, default: Fraction | None = None) -> Fraction:
        text = element.get(attribute)
        if text is None:
            if default is None:
                raise CutFileError(f"{self.where(element)}: <{element.tag}> has no {attribute}.")
            return default
        try:
            return parse_fcpxml_time(text)
        except ValueError:
            raise CutFileError(
                f"{self.where(element)}: <{element.tag}> {attribute}=\"{text}\" is not an FCPXML time.") from None

    def frames(self, seconds: Fraction) -> int:
        exact = seconds * self.rate
        if exact.denominator != 1:
            self.off_grid = True
            return math.floor(exact + Fraction(1, 2))
        return exact.numerator

    def record(self, place: _Place, local: Fraction) -> int:
        return place.base + self.frames(local - place.origin)

    def origin(self, element: etree._Element) -> Fraction:
        """The local time at an element's first frame: its start, which defaults to its asset's start for
        media clips, to the sequence's start for a transition, and to 0s otherwise."""
        if element.tag in _MEDIA_CLIPS and element.get("start") is None:
            asset = self.resources.get(element.get("ref"))
            if asset is not None and asset.tag == "asset":
                return self.time(asset, "start", Fraction(0))
        if element.tag == "transition":
            return self.tc_start
        return self.time(element, "start", Fraction(0))

    def child_place(self, parent: _Place, child: etree._Element) -> _Place:
        return _Place(self.record(parent, self.time(child, "offset", Fraction(0))), self.origin(child))

    # Resources.
    def asset(self, element: etree._Element) -> etree._Element:
        ref = element.get("ref")
        asset = self.resources.get(ref)
        if asset is None or asset.tag != "asset":
            label = element.get("name") or element.tag
            raise CutFileError(
                f"{self.where(element)}: the clip '{label}' refers to '{ref}', which is not an asset "
                f"among the file's resources.")
        return asset

    def media_path(self, asset: etree._Element) -> Path | None:
        reps = asset.findall("media-rep")
        originals = [r for r in reps if r.get("kind", "original-media") == "original-media"]
        src = next((r.get("src") for r in originals + reps if r.get("src")), None) or asset.get("src")
        path = path_from_file_url(src, self.folder) if src else None
        if path is None:
            self.warn(f"The media '{asset.get('name', asset.get('id'))}' names no file Foundry can open "
                      f"({src or 'no address'}); its shots are offline.")
        return path

    def asset_frames(self, asset: etree._Element) -> int:
        # Media lengths are rarely whole frames (an audio track runs on); the whole frames in it count.
        return math.floor(self.time(asset, "duration", Fraction(0)) * self.rate)

    def read(self) -> ReadCut:
        version = _version(self.root, self.name)
        if version > NEWEST_CHECKED_VERSION:
            self.warn(f"{self.name} is FCPXML {version[0]}.{version[1]}, newer than the 1.11 definition Foundry "
                      f"knows; it was read as 1.11, and anything it did not know is listed here.")
        projects = list(self.root.iter("project"))
        if not projects:
            raise CutFileError(f"{self.name} holds no project (timeline), only clips or events; "
                               f"export a project from your editor.")
        project = projects[0]
        if len(projects) > 1:
            self.warn(f"{self.name} holds {len(projects)} projects; only the first, "
                      f"'{project.get('name', '')}', was read.")
        sequence = project.find("sequence")
        if sequence is None or sequence.find("spine") is None:
            raise CutFileError(f"{self.where(project)}: the project has no sequence with a storyline (spine).")
        film_format = self.resources.get(sequence.get("format"))
        if film_format is None or film_format.tag != "format":
            raise CutFileError(f"{self.where(sequence)}: the sequence's format '{sequence.get('format')}' "
                               f"is not among the file's resources.")
        duration = self.time(film_format, "frameDuration", Fraction(0))
        if duration <= 0:
            raise CutFileError(f"{self.where(film_format)}: the sequence's format has no frame duration, "
                               f"so its frame rate is unknown.")
        self.rate = 1 / duration
        self.tc_start = self.time(sequence, "tcStart", Fraction(0))
        try:
            width, height = int(film_format.get("width", "")), int(film_format.get("height", ""))
        except ValueError:
            width, height = 1920, 1080
            self.warn(f"The sequence's format gives no frame size; the film is {width}×{height}.")
        clips, transitions, fade_in, fade_out = self.storyline(sequence.find("spine"))
        length = clips[-1].record_out if clips else 0
        if self.off_grid:
            self.warn("Some times are not whole frames at the timeline's rate (media at another rate); "
                      "they were rounded to the nearest frame.")
        cut = FilmCut(
            name=project.get("name") or Path(self.name).stem,
            frame_rate=self.rate,
            width=width,
            height=height,
            clips=tuple(clips),
            transitions=tuple(transitions),
            fade_in=fade_in,
            fade_out=fade_out,
            music=tuple(sorted(self.music, key=lambda m: (m.record_in, m.name))),
            markers=tuple(sorted((m for m in self.markers if 0 <= m.frame < length), key=lambda m: m.frame)),
            captions=tuple(sorted((c for c in self.captions if c.start < length), key=lambda c: (c.start, c.end))),
            audio_rate=_AUDIO_RATES.get(sequence.get("audioRate", ""), 48000),
        )
        return ReadCut(cut, tuple(self.warnings))

    # The primary storyline.
    def storyline(self, spine: etree._Element):
        clips: list[CutClip] = []
        transitions: list[CutTransition] = []
        fade_in = fade_out = 0
        waiting: etree._Element | None = None  # a transition seen after the last shot read
        transition_places: list[tuple[etree._Element, int]] = []
        for element in _elements(spine):
            if element.tag == "transition":
                if not clips:
                    fade_in = self.frames(self.time(element, "duration"))
                    transition_places.append((element, 0))
                elif waiting is not None:
                    self.warn(f"{self.where(element)}: two transitions in a row; the second was left out.")
                else:
                    waiting = element
                continue
            shot = self.shot(element, len(clips) + 1, clips[-1].record_out if clips else 0)
            if shot is None:
                continue
            if waiting is not None:
                frames = self.frames(self.time(waiting, "duration"))
                cut = shot.clip.record_in
                transitions.append(CutTransition(len(clips) - 1, self.transition_kind(waiting), cut - frames // 2,
                                                 frames))
                transition_places.append((waiting, cut - frames // 2))
                waiting = None
            clips.append(shot.clip)
            self.contents(shot, len(clips))
        if waiting is not None and clips:
            fade_out = self.frames(self.time(waiting, "duration"))
            transition_places.append((waiting, clips[-1].record_out - fade_out))
        for element, record_in in transition_places:
            frames = self.frames(self.time(element, "duration"))
            self.read_markers(element, _Place(record_in, self.tc_start), (record_in, record_in + frames))
        return clips, transitions, fade_in, fade_out

    def transition_kind(self, transition: etree._Element) -> CutTransitionKind:
        video = transition.find("filter-video")
        if video is None:
            return "dissolve"
        effect = self.resources.get(video.get("ref"))
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
        self.warn(f"The transition '{name}' became a cross dissolve.")
        return "dissolve"

    def shot(self, element: etree._Element, number: int, record_in: int) -> _Shot | None:
        """The shot an element of the primary storyline makes, starting at `record_in`."""
        tag = element.tag
        label = element.get("name") or tag
        if tag == "audition":
            picks = list(_elements(element))
            if not picks:
                return None
            self.warn(f"Shot {number} is an audition; only its chosen clip '{picks[0].get('name', '')}' was read.")
            return self.shot(picks[0], number, record_in)
        if tag in _MEDIA_CLIPS:
            asset = self.asset(element)
            duration = self.time(element, "duration", self.time(asset, "duration", Fraction(0)))
        else:
            duration = self.time(element, "duration")
        frames = self.frames(duration)
        if frames < 1:
            self.warn(f"{self.where(element)}: '{label}' lasts less than a frame and was left out.")
            return None
        place = _Place(record_in, self.origin(element))
        media = self.media_at(element, place.origin) if tag in _MEDIA_CLIPS + _CONTAINERS else None
        self.retimed(element, number, label)
        if media is None:
            if tag == "gap":
                self.warn(f"Shot {number} is a gap in the storyline; it became an offline shot named '{label}'.")
            elif tag == "title":
                self.warn(f"Shot {number} is the title '{label}'; it became an offline shot with its text "
                          f"as a caption.")
                if text := self.title_text(element):
                    self.captions.append(CutCaption(record_in, record_in + frames, text))
            elif tag == "ref-clip":
                self.warn(f"Shot {number} is the compound clip '{label}', which Foundry cannot represent; "
                          f"it became an offline shot.")
            elif tag == "mc-clip":
                self.warn(f"Shot {number} is the multicam clip '{label}', which Foundry cannot represent; "
                          f"it became an offline shot.")
            elif tag in _CONTAINERS:
                self.warn(f"Shot {number} ('{label}') holds no media Foundry can use; it became an offline shot.")
            else:
                self.warn(f"Shot {number} is a <{tag}>, which Foundry does not read; it became an offline shot.")
            clip = CutClip(label, None, frames, 0, frames, record_in, record_in + frames)
            return _Shot(clip, element, place)
        asset, asset_time = media
        asset_start = self.time(asset, "start", Fraction(0))
        source_in = self.frames(asset_time - asset_start)
        if source_in < 0:
            self.warn(f"Shot {number} ('{label}') starts before its media does; it was read from the media's start.")
            source_in = 0
        path = self.media_path(asset)
        still = asset.get("hasVideo") == "1" and self.time(asset, "duration", Fraction(0)) == 0
        has_audio = asset.get("hasAudio") == "1" and element.get("srcEnable", "all") != "video" and tag != "video"
        media_frames = max(self.asset_frames(asset), source_in + frames)
        clip = CutClip(label, path, media_frames, source_in, source_in + frames, record_in, record_in + frames,
                       has_audio=has_audio, still=still)
        return _Shot(clip, element, place)

    def media_at(self, element: etree._Element, local: Fraction) -> tuple[etree._Element, Fraction] | None:
        """The asset an element shows at its local time `local`, and the time in that asset."""
        if element.tag in _MEDIA_CLIPS:
            return self.asset(element), local
        if element.tag not in _CONTAINERS:
            return None
        primary = _primary_children(element)
        for prefer_video in (True, False):
            for child in primary:
                if prefer_video and child.tag == "audio":
                    continue
                offset = self.time(child, "offset", Fraction(0))
                if offset <= local < offset + self.time(child, "duration", Fraction(10**9)) or len(primary) == 1:
                    return self.media_at(child, self.origin(child) + local - offset)
        return None

    def retimed(self, element: etree._Element, number: int, label: str) -> None:
        """Warn of what changes a shot's speed, in it or in the media it nests."""
        for node in _primary_chain(element):
            if node.find("timeMap") is not None:
                self.warn(f"Shot {number} ('{label}') changes speed (retime), which Foundry does not represent; "
                          f"it plays at normal speed from its first frame.")
            conform = node.find("conform-rate")
            if conform is not None and conform.get("scaleEnabled", "1") != "0" and conform.get("srcFrameRate"):
                source_rate = conform.get("srcFrameRate")
                try:
                    rate = _CONFORM_RATES.get(source_rate) or Fraction(source_rate)
                except ValueError:
                    continue
                if rate != self.rate:
                    self.warn(f"Shot {number} ('{label}') plays its {source_rate} fps media at the timeline's "
                              f"rate (a slight speed change); Foundry plays it at normal speed.")

    # What a shot holds: markers, connected clips, effects.
    def contents(self, shot: _Shot, number: int) -> None:
        label, visible = shot.clip.name, (shot.clip.record_in, shot.clip.record_out)
        names = []
        place = shot.place
        for depth, node in enumerate(_primary_chain(shot.element)):
            if depth:  # media nested in a container lies in the container's own timeline
                place = self.child_place(place, node)
            self.read_markers(node, place, visible)
            names += [f.get("name") or self.effect_name(f) for f in _elements(node) if f.tag in _FILTERS]
            names += [a.tag.removeprefix("adjust-") for a in _elements(node) if a.tag in _PICTURE_ADJUSTMENTS]
        if names:
            self.warn(f"Shot {number} ('{label}') has effects Foundry does not represent: {', '.join(names)}.")
        own_asset = shot.clip.media is not None and _primary_chain(shot.element)[-1].get("ref")
        for child in _elements(shot.element):
            lane = child.get("lane", "0")
            if lane == "0":
                continue
            if child.tag == "audio" and child.get("ref") == own_asset:
                continue  # a container's own sound, split out below its picture
            self.connected(child, int(lane) if lane.lstrip("-").isdigit() else 1, shot.place, number)

    def effect_name(self, filter_element: etree._Element) -> str:
        effect = self.resources.get(filter_element.get("ref"))
        return effect.get("name", "an effect") if effect is not None else "an effect"

    def read_markers(self, element: etree._Element, place: _Place, visible: tuple[int, int]) -> None:
        """Markers of `element` that fall in the record frames `visible` (where it shows in the film)."""
        for marker in _elements(element):
            if marker.tag not in _MARKERS:
                continue
            frame = self.record(place, self.time(marker, "start"))
            value = marker.get("value", "")
            if not visible[0] <= frame < visible[1]:
                self.warn(f"The marker '{value}' lies outside the visible part of its clip and was left out.")
                continue
            self.markers.append(CutMarker(frame, value))

    def connected(self, element: etree._Element, lane: int, parent: _Place, number: int) -> None:
        tag, label = element.tag, element.get("name") or element.tag
        place = self.child_place(parent, element)
        if tag in ("title", "caption"):
            text = self.title_text(element)
            frames = self.frames(self.time(element, "duration"))
            if text:
                self.captions.append(CutCaption(max(0, place.base), place.base + frames, text))
            self.read_markers(element, place, (place.base, place.base + frames))
            return
        if tag == "spine":
            self.connected_storyline(element, lane, place, number)
            return
        if self.is_music(element, lane):
            self.add_music(element, place)
            frames = self.frames(self.time(element, "duration", Fraction(0)))
            self.read_markers(element, place, (place.base, place.base + frames))
            return
        kind = "audio" if self.audio_only(element) else "clip"
        self.warn(f"The connected {kind} '{label}' over shot {number} is not represented "
                  f"(Foundry's film has one picture track and a music track).")

    def connected_storyline(self, spine: etree._Element, lane: int, place: _Place, number: int) -> None:
        items = [c for c in _elements(spine) if c.tag != "transition"]
        music = [c for c in items if c.tag != "gap"]
        if lane >= 0 or not music or not all(self.is_music(c, lane) for c in music):
            self.warn(f"A connected storyline over shot {number} is not represented "
                      f"(Foundry's film has one picture track).")
            return
        for item in music:
            self.add_music(item, self.child_place(place, item))

    def audio_only(self, element: etree._Element) -> bool:
        if element.tag == "audio":
            return True
        media = self.media_at(element, self.origin(element)) if element.tag in _MEDIA_CLIPS + _CONTAINERS else None
        return media is not None and media[0].get("hasVideo") != "1"

    def is_music(self, element: etree._Element, lane: int) -> bool:
        if element.tag not in _MEDIA_CLIPS + _CONTAINERS:
            return False
        role = (element.get("audioRole") or element.get("role") or "").lower()
        if role.startswith("music"):
            return True
        return lane < 0 and not role and self.audio_only(element)

    def add_music(self, element: etree._Element, place: _Place) -> None:
        media = self.media_at(element, place.origin)
        if media is None:
            return
        asset, asset_time = media
        source_in = self.frames(asset_time - self.time(asset, "start", Fraction(0)))
        frames = self.frames(self.time(element, "duration", self.time(asset, "duration", Fraction(0))))
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
                self.warn(f"{self.where(volume)}: the volume '{volume.get('amount')}' was read as 0 dB.")
            for param in volume.findall("param"):
                fade = param.find("fadeIn")
                fade_in = self.frames(self.time(fade, "duration")) if fade is not None else fade_in
                fade = param.find("fadeOut")
                fade_out = self.frames(self.time(fade, "duration")) if fade is not None else fade_out
        self.music.append(CutMusic(
            name=element.get("name") or asset.get("name", ""),
            media=self.media_path(asset),
            media_frames=max(self.asset_frames(asset), source_in + frames),
            source_in=source_in,
            source_out=source_in + frames,
            record_in=record_in,
            gain_db=gain,
            fade_in=fade_in,
            fade_out=fade_out,
        ))

    @staticmethod
    def title_text(element: etree._Element) -> str:
        """The words of a title or caption: its styled runs (the rest of a `text` is indentation)."""
        texts = []
        for text in element.findall("text"):
            runs = [style.text or "" for style in text.iter("text-style")]
            texts.append("".join(runs) if runs else (text.text or "").strip())
        return "\n".join(t for t in texts if t)


def _elements(parent: etree._Element) -> Iterator[etree._Element]:
    """Child elements only (entity references are kept as nodes: entities are never expanded)."""
    return (child for child in parent if isinstance(child.tag, str))


def _primary_children(container: etree._Element) -> list[etree._Element]:
    return [c for c in _elements(container) if c.tag in _MEDIA_CLIPS + _CONTAINERS and c.get("lane", "0") == "0"]


def _primary_chain(element: etree._Element) -> list[etree._Element]:
    """The element, and inside a container the media it plays, down to the media clip."""
    chain = [element]
    while chain[-1].tag in _CONTAINERS and (inner := _primary_children(chain[-1])):
        video = [c for c in inner if c.tag != "audio"]
        chain.append((video or inner)[0])
    return chain
