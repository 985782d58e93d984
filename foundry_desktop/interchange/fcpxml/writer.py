"""FCPXML 1.10 (default) or 1.9 for Final Cut Pro and DaVinci Resolve: the
film's cut laid out the way Final Cut's own files lay one out.

    fcpxml > resources (format, effects, assets) > library > event > project
    > sequence > spine

* The sequence starts at timecode 01:00:00:00 (108000 frames at 29.97 non-drop,
  not 3600 s) and every time in the file is a whole number of frames times the
  frame duration, written as an exact fraction.
* Timecode is non-drop unless asked for drop-frame, which exists only at 29.97
  and 59.94 fps; it changes how the clock is labelled (and where one hour
  falls), never which frames play. Each asset-clip's tcFormat is its source's
  own counting (a non-drop camera original in a drop-frame film says NDF), so
  its start is labelled as the source labels it; the DTD gives an asset no
  tcFormat, so the clip carries it.
* The spine holds the shots in order: `asset-clip`s for videos,
  `video`s for still pictures (Final Cut's form: the asset lasts "0s"), and a
  `gap` named after the shot for a shot with no media, so that the timing stays.
  Empty time is a `gap` named "Gap", as Final Cut names its own.
* A transition sits between its two clips, centred on the cut as Final Cut
  centres it (film_cut.frames_before_cut), and takes no time. The film's fade from
  black is a Cross Dissolve at the very start of the spine, within the first
  clip, and the fade to black one at the very end (what Final Cut writes).
  Which effect stands for which kind: see fcpxml/effects.py.
* Music pieces are connected `asset-clip`s below the shot they start over
  (lane -1, role music), captions connected Basic Titles above it (lane 1), and
  markers sit in the shot they fall in; each at its time in that shot's own
  (source) timeline. A scene is a marker "Scene: NAME" where it begins and the
  keyword "Scene: NAME" over each of its clips (Final Cut's keyword collections).
  Music, captions and markers starting after the film's end are left out, and so
  is music with no file (a connected clip must refer to one). Markers carry no
  colour in FCPXML.
* Every take and music file is one `asset` with a `media-rep` file URL. Takes
  share the sequence's format (Foundry conforms every take to the film's size
  and rate); the asset is named by its file name, which Resolve relinks by,
  and the clip by the shot.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path, PurePath

from lxml import etree

from foundry_desktop.atomic_file import write_atomically
from foundry_desktop.errors import ExportError
from foundry_desktop.interchange.fcpxml import effects as effects
from foundry_desktop.interchange.fcpxml.document import REEL_KEY
from foundry_desktop.interchange.fcpxml.rational_time import DROP_FRAME_RATES, fcpxml_time, frame_duration
from foundry_desktop.interchange.file_url import file_url
from foundry_desktop.interchange.film_cut import (
    SCENE_LABEL,
    CutCaption,
    CutClip,
    CutMusic,
    CutTransition,
    FilmCut,
    with_scene_markers,
)

FCPXML_VERSIONS = ("1.9", "1.10")

_AUDIO_RATES = {32000: "32k", 44100: "44.1k", 48000: "48k", 88200: "88.2k", 96000: "96k", 176400: "176.4k",
                192000: "192k"}
# Final Cut's preset names, for the sizes and rates it has presets for; other formats go unnamed.
_PRESET_SIZES = {(1920, 1080): "1080p", (1280, 720): "720p", (3840, 2160): "3840x2160p"}
_PRESET_RATES = {Fraction(24000, 1001): "2398", Fraction(24): "24", Fraction(25): "25", Fraction(30000, 1001): "2997",
                 Fraction(30): "30", Fraction(50): "50", Fraction(60000, 1001): "5994", Fraction(60): "60"}
# XML 1.0 cannot hold control characters (other than tab and line breaks) or lone surrogates.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def fcpxml_text(cut: FilmCut, version: str = "1.10", drop_frame: bool = False) -> str:
    """The FCPXML document describing `cut`."""
    _check(cut, version, drop_frame)
    root = _Document(with_scene_markers(cut).with_gaps_as_clips(), version, drop_frame).build()
    body = etree.tostring(root, encoding="unicode", pretty_print=True, doctype="<!DOCTYPE fcpxml>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


def write_fcpxml(cut: FilmCut, path: Path, version: str = "1.10", drop_frame: bool = False) -> Path:
    """Write `cut` to `path` as FCPXML (whole or not at all)."""
    text = fcpxml_text(cut, version, drop_frame)
    try:
        return write_atomically(path, lambda file: file.write(text.encode("utf-8")))
    except OSError as exc:
        raise ExportError(f"Could not write the FCPXML file {path.name}: {exc.strerror or exc}.") from None


def _check(cut: FilmCut, version: str, drop_frame: bool) -> None:
    """Refuse what no editor could open as the film Foundry plays (a cut built wrong is a bug upstream,
    but a file that silently says something else would be worse)."""
    if version not in FCPXML_VERSIONS:
        raise ExportError(f"FCPXML version {version} cannot be written; choose one of {', '.join(FCPXML_VERSIONS)}.")
    if drop_frame and Fraction(cut.frame_rate) not in DROP_FRAME_RATES:
        raise ExportError(f"Drop-frame timecode exists only at 29.97 and 59.94 fps, not at {float(cut.frame_rate):g}.")
    if not cut.clips:
        raise ExportError("The film has no shots, so there is no cut to export.")
    record = 0
    for number, clip in enumerate(cut.clips, start=1):
        if clip.record_in < record or clip.frames < 1 or clip.source_out - clip.source_in != clip.frames:
            raise ExportError(f"Shot {number} ({clip.name}) overlaps the shot before it or has no frames.")
        if clip.media is not None and not clip.media.is_absolute():
            raise ExportError(f"Shot {number}'s media path {clip.media} is not absolute.")
        record = clip.record_out
    for transition in cut.transitions:
        if not 0 <= transition.outgoing < len(cut.clips) - 1:
            raise ExportError(f"A transition follows shot {transition.outgoing + 1}, which has no shot after it.")
        if cut.gap_before(transition.outgoing + 1):
            raise ExportError(f"The transition after shot {transition.outgoing + 1} leads into empty time.")
        if transition.cut != cut.clips[transition.outgoing].record_out:
            raise ExportError(f"The transition after shot {transition.outgoing + 1} is not centred on its cut.")
    for music in cut.music:
        if music.media is not None and not music.media.is_absolute():
            raise ExportError(f"The music {music.name}'s media path {music.media} is not absolute.")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _element(tag: str, attributes: Iterable[tuple[str, str | None]] = (), parent: etree._Element | None = None):
    """An element with its attributes in the given order (None: left out), so the text is stable."""
    element = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
    for name, value in attributes:
        if value is not None:
            element.set(name, _clean(value))
    return element


@dataclass
class _AssetUse:
    id: str
    media: PurePath
    frames: int
    video: bool = False
    audio: bool = False
    still: bool = False
    start: int = 0  # the timecode of its first frame, in frames
    name: str = ""  # the media's own name ("": its file's)
    reel: str = ""  # its first clip's reel ("": none)


def _media_of(clip: CutClip) -> PurePath | None:
    """The file a clip refers to: its media, or an offline clip's expected media (so editors see a
    clip to relink, not a gap); None for empty time."""
    return clip.media if clip.media is not None else clip.offline_media


class _Document:
    def __init__(self, cut: FilmCut, version: str, drop_frame: bool) -> None:
        self.cut = cut
        self.version = version
        self.drop_frame = drop_frame
        self.frame = frame_duration(cut.frame_rate)
        self.start = cut.record_start(drop_frame)
        self.ids = 0
        self.assets: dict[tuple[PurePath, bool], _AssetUse] = {}
        self.effects: dict[str, str] = {}  # uid -> resource id
        self.title_styles = 0
        self.clip_starts = [clip.record_in for clip in cut.clips]

    # Times: durations and source times are frames; places in the sequence count from one hour.
    def duration(self, frames: int) -> str:
        return fcpxml_time(frames * self.frame)

    def position(self, record_frame: int) -> str:
        return fcpxml_time((self.start + record_frame) * self.frame)

    def next_id(self) -> str:
        self.ids += 1
        return f"r{self.ids}"

    def build(self) -> etree._Element:
        root = _element("fcpxml", [("version", self.version)])
        resources = _element("resources", parent=root)
        self.build_resources(resources)
        library = _element("library", parent=root)
        event = _element("event", [("name", self.cut.name)], library)
        project = _element("project", [("name", self.cut.name)], event)
        sequence = _element("sequence", [
            ("format", self.format_id),
            ("duration", self.duration(self.cut.length)),
            ("tcStart", self.position(0)),
            ("tcFormat", "DF" if self.drop_frame else "NDF"),
            ("audioLayout", "stereo"),
            ("audioRate", _AUDIO_RATES.get(self.cut.audio_rate)),
        ], project)
        self.build_spine(_element("spine", parent=sequence))
        return root

    # Resources: the film's format, the effects the cut uses, one asset per media file.
    def build_resources(self, resources: etree._Element) -> None:
        cut = self.cut
        self.format_id = self.next_id()
        size, rate = _PRESET_SIZES.get((cut.width, cut.height)), _PRESET_RATES.get(Fraction(cut.frame_rate))
        _element("format", [
            ("id", self.format_id),
            ("name", f"FFVideoFormat{size}{rate}" if size and rate else None),
            ("frameDuration", fcpxml_time(self.frame)),
            ("width", str(cut.width)),
            ("height", str(cut.height)),
        ], resources)
        self.still_format_id = None
        if any(clip.still and clip.media is not None for clip in cut.clips):
            # Pictures have no rate of their own; Final Cut calls that format "rate undefined".
            self.still_format_id = self.next_id()
            _element("format", [("id", self.still_format_id), ("name", "FFVideoFormatRateUndefined"),
                                ("width", str(cut.width)), ("height", str(cut.height))], resources)
        kinds = {t.kind for t in cut.transitions}
        wanted = []
        if "dissolve" in kinds or cut.fade_in or cut.fade_out:
            wanted.append(effects.CROSS_DISSOLVE)
        if kinds & {"fade_black", "fade_white"}:
            wanted.append(effects.FADE_TO_COLOR)
        if kinds or cut.fade_in or cut.fade_out:
            wanted.append(effects.AUDIO_CROSSFADE)
        if any(caption.start < cut.length for caption in cut.captions):
            wanted.append(effects.BASIC_TITLE)
        for name, uid in wanted:
            self.effects[uid] = self.next_id()
            _element("effect", [("id", self.effects[uid]), ("name", name), ("uid", uid)], resources)
        self.collect_assets()
        for use in self.assets.values():
            asset = _element("asset", [
                ("id", use.id),
                ("name", use.name or use.media.name),
                ("start", self.duration(use.start)),
                ("duration", "0s" if use.still else self.duration(use.frames)),
                ("hasVideo", "1" if use.video else None),
                ("format", (self.still_format_id if use.still else self.format_id) if use.video else None),
                ("hasAudio", "1" if use.audio else None),
                ("audioSources", "1" if use.audio else None),
                ("audioChannels", "2" if use.audio else None),
                ("audioRate", str(cut.audio_rate) if use.audio else None),
            ], resources)
            _element("media-rep", [("kind", "original-media"), ("src", file_url(use.media))], asset)
            if use.reel:  # a conform key, where Final Cut keeps a clip's reel
                _element("md", [("key", REEL_KEY), ("value", _clean(use.reel))], _element("metadata", parent=asset))

    def collect_assets(self) -> None:
        def use(media: PurePath, frames: int, still: bool, start: int = 0) -> _AssetUse:
            key = (media, still)
            if key not in self.assets:
                self.assets[key] = _AssetUse(self.next_id(), media, frames, still=still, start=start)
            found = self.assets[key]
            found.frames = max(found.frames, frames)
            return found

        for clip in self.cut.clips:
            if (media := _media_of(clip)) is not None:
                found = use(media, clip.media_frames, clip.still, clip.source_start)
                found.video = True
                found.name = found.name or clip.file_name
                found.reel = found.reel or clip.reel
                found.audio |= clip.has_audio and not clip.still
        for music in self.playing_music():
            use(music.media, music.media_frames, False).audio = True

    def playing_music(self) -> list[CutMusic]:
        # A piece with no file has nothing to refer to (a connected clip cannot be a gap).
        return [m for m in self.cut.music
                if m.media is not None and 0 <= m.record_in < self.cut.length and m.frames > 0]

    # The storyline.
    def build_spine(self, spine: etree._Element) -> None:
        cut = self.cut
        outgoing = {t.outgoing: t for t in cut.transitions}
        attached = self.attachments()
        if cut.fade_in:
            self.transition(spine, effects.CROSS_DISSOLVE, 0, cut.fade_in)
        for index, clip in enumerate(cut.clips):
            element = self.clip(spine, clip)
            music, captions, markers = attached[index]
            for piece in music:
                self.music(element, clip, piece)
            for caption in captions:
                self.title(element, clip, caption)
            for marker in markers:
                _element("marker", [("start", self.local(clip, marker.frame)), ("duration", self.duration(1)),
                                    ("value", marker.label)], element)
            if clip.scene:
                _element("keyword", [("start", self.local(clip, clip.record_in)),
                                     ("duration", self.duration(clip.frames)),
                                     ("value", SCENE_LABEL + clip.scene)], element)
            if index in outgoing:
                self.between(spine, outgoing[index])
        if cut.fade_out:
            self.transition(spine, effects.CROSS_DISSOLVE, cut.length - cut.fade_out, cut.fade_out)

    def attachments(self):
        """Per clip, the music, captions and markers that start over it."""
        per_clip = [([], [], []) for _ in self.cut.clips]

        def owner(frame: int) -> int | None:
            return bisect.bisect_right(self.clip_starts, frame) - 1 if 0 <= frame < self.cut.length else None

        for music in sorted(self.playing_music(), key=lambda m: m.record_in):
            per_clip[owner(music.record_in)][0].append(music)
        for caption in sorted(self.cut.captions, key=lambda c: (c.start, c.end)):
            if (index := owner(caption.start)) is not None and caption.end > caption.start:
                per_clip[index][1].append(caption)
        for marker in sorted(self.cut.markers, key=lambda m: m.frame):
            if (index := owner(marker.frame)) is not None:
                per_clip[index][2].append(marker)
        return per_clip

    def local(self, clip: CutClip, record_frame: int) -> str:
        """`record_frame` in `clip`'s own timeline, which runs in its media's time (its source timecode)."""
        return self.duration(clip.source_start + clip.source_in + record_frame - clip.record_in)

    def clip(self, spine: etree._Element, clip: CutClip) -> etree._Element:
        timing = [("offset", self.position(clip.record_in)), ("name", clip.name),
                  ("start", self.duration(clip.source_start + clip.source_in)),
                  ("duration", self.duration(clip.frames))]
        media = _media_of(clip)
        if media is None:
            return _element("gap", timing, spine)
        asset = self.assets[(media, clip.still)]
        if clip.still:
            return _element("video", [("ref", asset.id), *timing], spine)
        return _element("asset-clip", [
            ("ref", asset.id), *timing,
            ("srcEnable", "video" if asset.audio and not clip.has_audio else None),
            ("tcFormat", "DF" if clip.source_counts_drop_frame(self.drop_frame, self.cut.frame_rate) else "NDF"),
            ("audioRole", "dialogue" if clip.has_audio else None),
        ], spine)

    def music(self, parent: etree._Element, clip: CutClip, music: CutMusic) -> None:
        timing = [("lane", "-1"), ("offset", self.local(clip, music.record_in)), ("name", music.name),
                  ("start", self.duration(music.source_in)), ("duration", self.duration(music.frames))]
        asset = self.assets[(music.media, False)]
        element = _element("asset-clip", [("ref", asset.id), *timing,
                                          ("srcEnable", "audio" if asset.video else None),
                                          ("audioRole", "music")], parent)
        if music.gain_db or music.fade_in or music.fade_out:
            volume = _element("adjust-volume", [("amount", f"{music.gain_db:g}dB")], element)
            if music.fade_in or music.fade_out:
                amount = _element("param", [("name", "amount")], volume)
                if music.fade_in:
                    _element("fadeIn", [("type", "easeIn"), ("duration", self.duration(music.fade_in))], amount)
                if music.fade_out:
                    _element("fadeOut", [("type", "easeOut"), ("duration", self.duration(music.fade_out))], amount)

    def title(self, parent: etree._Element, clip: CutClip, caption: CutCaption) -> None:
        end = min(caption.end, self.cut.length)
        text = _clean(caption.text)
        title = _element("title", [
            ("ref", self.effects[effects.BASIC_TITLE[1]]),
            ("lane", "1"),
            ("offset", self.local(clip, caption.start)),
            ("name", text.splitlines()[0] if text.strip() else "Caption"),
            ("duration", self.duration(end - caption.start)),
        ], parent)
        self.title_styles += 1
        style = f"ts{self.title_styles}"
        _element("text-style", [("ref", style)], _element("text", parent=title)).text = text
        _element("text-style", [("font", "Helvetica"), ("fontSize", "63"), ("fontFace", "Regular"),
                                ("fontColor", "1 1 1 1"), ("alignment", "center")],
                 _element("text-style-def", [("id", style)], title))

    def between(self, spine: etree._Element, transition: CutTransition) -> None:
        effect = effects.CROSS_DISSOLVE if transition.kind == "dissolve" else effects.FADE_TO_COLOR
        element = self.transition(spine, effect, transition.record_in, transition.frames)
        if transition.kind == "fade_white":
            name, key = effects.COLOR_PARAM
            _element("param", [("name", name), ("key", key), ("value", effects.WHITE)], element.find("filter-video"))

    def transition(self, spine: etree._Element, effect: tuple[str, str], record_in: int, frames: int):
        name, uid = effect
        element = _element("transition", [("name", name), ("offset", self.position(record_in)),
                                          ("duration", self.duration(frames))], spine)
        _element("filter-video", [("ref", self.effects[uid]), ("name", name)], element)
        _element("filter-audio", [("ref", self.effects[effects.AUDIO_CROSSFADE[1]]),
                                  ("name", effects.AUDIO_CROSSFADE[0])], element)
        return element
