"""A cut file's picture as plain records, read without foundry_desktop, for the round-trip tests.

`events_of_edl(path, rate)` reads a CMX 3600 EDL through OpenTimelineIO's cmx_3600 adapter,
or, where that adapter refuses the file (a dissolve from black at the start, an audio
dissolve first), through the few lines of parsing below. `events_of_fcpxml(path)` reads an
FCPXML project's spine with xml.etree and Fraction arithmetic, a compound, multicam or
sync clip read as the pieces of the clips it shows, each with its own media's source timecode
(the timecode an online editor conforms to).

Both give the same record for the same film, whatever the format's conventions: an event is
a clip as long as it is on screen, so a clip that dissolves into the next one lasts to the
dissolve's end (an EDL writes it stopping where the dissolve starts, FCPXML where the edit
sits inside it) and its source runs on by as much. Times are SMPTE labels ("01:00:00:12",
";" before the frames in drop-frame), so a changed start timecode or a lost drop-frame flag
shows as plainly as a moved cut. A clip with no source timecode (a title, a generator) has
None there; a clip whose file names no reel has reel None. A clip's source out is its source in
plus its time on screen: a speed change (EDL M2, an FCPXML timeMap) is the importer's to warn
about, and OpenTimelineIO reads it that way too.

OpenTimelineIO's FCPXML adapter (otio-fcpx-xml-adapter 1.0.0 on PyPI) was tried as the FCPXML
reader and left out: it drops transitions, places the timeline's start timecode as a gap, and
counts 29.97 and 23.976 fps as 29 and 23 (a 1,860-frame clip read as 1,799 frames).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, to_timecode

_NTSC = {round(Fraction(30000, 1001), 3): Fraction(30000, 1001), round(Fraction(60000, 1001), 3): Fraction(60000, 1001),
         round(Fraction(24000, 1001), 3): Fraction(24000, 1001)}
_REEL_KEY = "com.apple.proapps.studio.reel"  # where Final Cut keeps a clip's reel
_BLACK = {"BL", "BLACK"}


@dataclass(frozen=True)
class Event:
    name: str
    reel: str | None
    record_in: str
    record_out: str
    source_in: str | None
    source_out: str | None


@dataclass(frozen=True)
class Transition:
    record_in: str
    frames: int


@dataclass(frozen=True)
class Picture:
    """A file's picture track: its events in record order and its transitions."""
    rate: Fraction
    drop_frame: bool
    events: tuple[Event, ...]
    transitions: tuple[Transition, ...]


def label(frames: int, rate: Fraction, drop_frame: bool) -> str:
    return to_timecode(RationalTime(frames, float(rate)), float(rate), drop_frame)


def edl_text(path: Path) -> str:
    """The EDL's text as a program writing it meant it: BOMs honoured, DOS end-of-file bytes and NULs dropped."""
    data = Path(path).read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return text.replace("\x1a", "").replace("\x00", "")


def edl_drop_frame(text: str) -> bool:
    """The first FCM line's flag, which the record times are counted in."""
    for line in text.splitlines():
        if line.strip().upper().startswith("FCM:"):
            return "NON" not in line.upper()
    return False


_DROP_SEPARATOR = re.compile(r"\b\d\d:\d\d:\d\d[;.,]\d\d\b")


def edl_source_counting(text: str) -> list[bool]:
    """Whether each picture event's source timecode counts in drop frame, in the order of the file (black
    and zero-length lines left out): by its label's separator in a file that writes drop frame with ";",
    else by the FCM line in force (CMX 3600 lets FCM change before an event whose source counts otherwise)."""
    separators = bool(_DROP_SEPARATOR.search(text))
    in_force, flags = False, []
    for line in text.splitlines():
        line = line.strip()
        if line.upper().startswith("FCM:"):
            in_force = "NON" not in line.upper()
            continue
        match = _EVENT_LINE.match(line)
        if not match or ("V" not in match["chan"] and match["chan"] != "B") or match["reel"].strip().upper() in _BLACK:
            continue
        if match["ri"] == match["ro"]:
            continue
        flags.append(match["si"][8] in ";.," if separators else in_force)
    return flags


def _in_own_counting(picture: Picture, flags: list[bool]) -> Picture:
    """The picture with each event's source relabelled in its source's own counting (`flags`, one per event)."""
    if len(flags) != len(picture.events):
        return picture
    events = []
    for event, drop in zip(picture.events, flags, strict=True):
        if event.source_in is not None and drop != picture.drop_frame:
            frames = [RationalTime.from_timecode(label, float(picture.rate)).to_frames()
                      for label in (event.source_in, event.source_out)]
            event = replace(event, source_in=label(frames[0], picture.rate, drop),
                            source_out=label(frames[1], picture.rate, drop))
        events.append(event)
    return replace(picture, events=tuple(events))


def events_of_edl(path: Path, rate: Fraction) -> Picture:
    text = edl_text(path)
    drop = edl_drop_frame(text)
    try:
        timeline = otio.adapters.read_from_string(text, "cmx_3600", rate=float(rate))
    except Exception:  # noqa: BLE001 - the adapter refuses some valid files; the lines below read those
        return events_of_edl_lines(text, rate, drop)
    tracks = timeline.video_tracks()
    if not tracks:
        return Picture(rate, drop, (), ())
    return _in_own_counting(_events_of_otio_track(tracks[0], rate, drop), edl_source_counting(text))


def _events_of_otio_track(track: otio.schema.Track, rate: Fraction, drop: bool) -> Picture:
    start = -round(track.source_range.start_time.to_frames()) if track.source_range else 0
    items = list(track)
    events, transitions = [], []
    for index, item in enumerate(items):
        if isinstance(item, otio.schema.Transition):
            cut = start + round(track.range_of_child_at_index(index + 1).start_time.to_frames())
            before, after = round(item.in_offset.to_frames()), round(item.out_offset.to_frames())
            transitions.append(Transition(label(cut - before, rate, drop), before + after))
            continue
        if not isinstance(item, otio.schema.Clip):
            continue
        reel = item.metadata.get("cmx_3600", {}).get("reel")
        reference = item.media_reference
        if reel in _BLACK or (isinstance(reference, otio.schema.GeneratorReference)
                              and reference.generator_kind == "black"):
            continue
        placed = track.range_of_child_at_index(index)
        record_in = start + round(placed.start_time.to_frames())
        record_out = record_in + round(placed.duration.to_frames())
        source_in = round(item.source_range.start_time.to_frames())
        before = items[index - 1] if index > 0 else None
        after = items[index + 1] if index + 1 < len(items) else None
        early = round(before.in_offset.to_frames()) if isinstance(before, otio.schema.Transition) else 0
        late = round(after.out_offset.to_frames()) if isinstance(after, otio.schema.Transition) else 0
        source_out = source_in + record_out - record_in + late
        events.append(Event(item.name, reel, label(record_in - early, rate, drop), label(record_out + late, rate, drop),
                            label(source_in - early, rate, drop), label(source_out, rate, drop)))
    return Picture(rate, drop, tuple(events), tuple(transitions))


_TC = r"\d\d:\d\d:\d\d[:;.,]\d\d"
# Read from both ends, so a long reel name with spaces in it (Avid's File129) stays one reel.
_EVENT_LINE = re.compile(rf"^(?P<num>\d+)\s+(?P<reel>.+?)\s+(?P<chan>V|B|A\d*|AA|A\d*/V|AA/V|NONE)\s+"
                         rf"(?P<trans>C|D|W\d+|K\s*[BO]?)\s+(?:(?P<dur>\d+)\s+)?"
                         rf"(?P<si>{_TC})\s+(?P<so>{_TC})\s+(?P<ri>{_TC})\s+(?P<ro>{_TC})\s*$")
_CLIP_NAME = re.compile(r"^\*?\s*(FROM|TO) CLIP NAME:\s*(?P<name>.*?)\s*$")


def _frames_of(text: str, rate: Fraction) -> int:
    """Frames of a label, drop frame where its separator says so (as OpenTimelineIO reads EDLs)."""
    return RationalTime.from_timecode(text[:8] + text[8:].replace(".", ";").replace(",", ";"), float(rate)).to_frames()


def events_of_edl_lines(text: str, rate: Fraction, drop: bool) -> Picture:
    """The picture events of an EDL OpenTimelineIO refuses, read line by line: the values the test computes itself."""
    events: list[Event] = []
    transitions: list[Transition] = []
    last_number, last_reel = None, ""
    for line in text.splitlines():
        line = line.strip()
        if (named := _CLIP_NAME.match(line)) and events and events[-1].name == "":
            incoming = named.group(1) == "TO" or not transitions or events[-1].record_in != transitions[-1].record_in
            if incoming:
                events[-1] = replace(events[-1], name=named["name"])
            continue
        match = _EVENT_LINE.match(line)
        if not match or "V" not in match["chan"] and match["chan"] != "B":
            continue
        ri, ro, si = (_frames_of(match[key], rate) for key in ("ri", "ro", "si"))
        number, reel = int(match["num"]), match["reel"].strip()
        if match["trans"] != "C":
            length = int(match["dur"] or 0)
            transitions.append(Transition(label(ri, rate, drop), length))
            picks_up = number == last_number and last_reel.upper() not in _BLACK  # not a dissolve from black
            if picks_up and events and ri == _frames_of(events[-1].record_out, rate):
                outgoing = events[-1]  # the dissolve's first line: the outgoing clip runs on under it
                events[-1] = replace(outgoing, record_out=label(ri + length, rate, drop),
                                     source_out=label(_frames_of(outgoing.source_out, rate) + length, rate, drop))
        last_number, last_reel = number, reel
        if ro == ri or reel.upper() in _BLACK:
            continue
        events.append(Event("", None if reel == "AX" else reel, label(ri, rate, drop), label(ro, rate, drop),
                            label(si, rate, drop), label(si + ro - ri, rate, drop)))
    return _in_own_counting(Picture(rate, drop, tuple(events), tuple(transitions)), edl_source_counting(text))


def _time(text: str | None) -> Fraction:
    if not text:
        return Fraction(0)
    number, _, denominator = text.removesuffix("s").partition("/")
    return Fraction(int(number), int(denominator or 1))


_CLIP_KINDS = ("asset-clip", "clip", "ref-clip", "sync-clip", "mc-clip")
# Event clips hold no record time: laid end to end, they start where Final Cut starts a new project.
EVENT_CLIPS_START = Fraction(0)


def fcpxml_projects(path: Path) -> list[str]:
    return [project.get("name", "") for project in ET.parse(path).getroot().iter("project")]


def _sequence(root: ET.Element, resources: dict[str, ET.Element], project: str | None) -> ET.Element:
    """The named project's sequence (the first project's without a name); without projects, the
    event's clips laid end to end as one."""
    for element in root.iter("project"):
        if project is None or element.get("name") == project:
            return element.find("sequence")
    if project is not None:
        raise ValueError(f"no project named {project!r}")
    clips = [clip for event in root.iter("event") for clip in event if clip.tag in _CLIP_KINDS]
    if not clips:
        raise ValueError("no project and no event clips")
    first = clips[0]
    sequence = ET.Element("sequence", format=first.get("format") or resources[first.get("ref")].get("format"),
                          tcStart=f"{EVENT_CLIPS_START}s")
    spine = ET.SubElement(sequence, "spine")
    offset = EVENT_CLIPS_START
    for clip in clips:
        placed = ET.SubElement(spine, clip.tag, {**clip.attrib, "offset": f"{offset}s"})
        placed.extend(list(clip))
        offset += _time(clip.get("duration"))
    return sequence


def events_of_fcpxml(path: Path, project: str | None = None) -> Picture:
    """A project's primary storyline (the spine): its clips, titles and generators as events, gaps left out."""
    root = ET.parse(path).getroot()
    resources = {r.get("id"): r for r in root.iter() if r.get("id") and r.tag in ("format", "asset", "media", "effect")}
    sequence = _sequence(root, resources, project)
    frame = _time(resources[sequence.get("format")].get("frameDuration"))
    rate = 1 / frame
    rate = _NTSC.get(round(rate, 3), rate)
    drop = sequence.get("tcFormat") == "DF"
    items = _flattened([_picked(item) for item in sequence.find("spine")], resources)

    def frames(value: Fraction) -> int:
        return round(value / frame)

    events, transitions = [], []
    for index, item in enumerate(items):
        if item.tag == "transition":
            transitions.append(Transition(label(frames(_time(item.get("offset"))), rate, drop),
                                          frames(_time(item.get("duration")))))
            continue
        if item.tag in ("gap", "audio") or item.get("lane"):
            continue
        offset, duration, start = (frames(_time(item.get(key))) for key in ("offset", "duration", "start"))
        before = items[index - 1] if index > 0 else None
        after = items[index + 1] if index + 1 < len(items) else None
        early = offset - frames(_time(before.get("offset"))) if before is not None and before.tag == "transition" else 0
        late = max(0, frames(_time(after.get("offset")) + _time(after.get("duration"))) - offset - duration) \
            if after is not None and after.tag == "transition" else 0
        source_drop = item.get("tcFormat", sequence.get("tcFormat")) == "DF"
        generated = item.tag == "title" or resources.get(item.get("ref"), item).tag == "effect"  # a video of an effect
        source = None if generated else (label(start - early, rate, source_drop),
                                         label(start + duration + late, rate, source_drop))
        events.append(Event(item.get("name", ""), _fcpxml_reel(item, resources),
                            label(offset - early, rate, drop), label(offset + duration + late, rate, drop),
                            *(source or (None, None))))
    return Picture(rate, drop, tuple(events), tuple(transitions))


# A container clip shows other clips: a compound (ref-clip) its media's spine, a multicam (mc-clip) the
# angle it shows the picture of, a sync-clip or clip the clips of its own storyline (those without a lane).
# An online editor conforms to the media those clips play, so each piece is read with the source
# timecode of the clip inside, not the container's own start (which counts in the container's time).
_CONTAINERS = ("ref-clip", "mc-clip", "sync-clip", "clip")
_STORYLINE = ("asset-clip", "video", "title", "gap", "transition", *_CONTAINERS)


def _storyline(item: ET.Element, resources: dict[str, ET.Element]) -> tuple[list[ET.Element], Fraction]:
    """The items a container clip plays, and where its own time starts when its `start` is left out."""
    if item.tag == "ref-clip":
        sequence = resources[item.get("ref")].find("sequence")
        return list(sequence.find("spine")), _time(sequence.get("tcStart"))
    if item.tag == "mc-clip":
        multicam = resources[item.get("ref")].find("multicam")
        shown = next((source.get("angleID") for source in item.iter("mc-source")
                      if source.get("srcEnable") in ("video", "all")), None)
        angle = next((a for a in multicam.iter("mc-angle") if a.get("angleID") == shown), multicam.find("mc-angle"))
        return list(angle), _time(multicam.get("tcStart"))
    spine = item.find("spine")
    children = [*item, *(spine if spine is not None and not spine.get("lane") else [])]
    return [child for child in children if child.tag in _STORYLINE and not child.get("lane")], Fraction(0)


def _flattened(items: list[ET.Element], resources: dict[str, ET.Element]) -> list[ET.Element]:
    """The spine with every container clip replaced by the pieces of what it shows, placed and trimmed
    where the container shows them."""
    flat = []
    for item in items:
        if item.tag not in _CONTAINERS or item.get("lane"):
            flat.append(item)
            continue
        inner, zero = _storyline(item, resources)
        start = _time(item.get("start")) if item.get("start") else zero
        end = start + _time(item.get("duration"))
        shift = _time(item.get("offset")) - start
        for piece in _flattened([_picked(child) for child in inner], resources):
            offset, duration = _time(piece.get("offset")), _time(piece.get("duration"))
            if piece.tag == "transition":
                if start <= offset < end:
                    flat.append(_placed(piece, offset=offset + shift))
                continue
            first, last = max(offset, start), min(offset + duration, end)
            if first < last:
                flat.append(_placed(piece, offset=first + shift, duration=last - first,
                                    start=_time(piece.get("start")) + first - offset))
    return flat


def _placed(item: ET.Element, **times: Fraction) -> ET.Element:
    placed = ET.Element(item.tag, {**item.attrib, **{key: f"{value}s" for key, value in times.items()}})
    placed.extend(list(item))
    return placed


def _picked(item: ET.Element) -> ET.Element:
    """An audition plays its first child (the pick), at the audition's place."""
    if item.tag != "audition" or len(item) == 0:
        return item
    pick = ET.Element(item[0].tag, {**item[0].attrib, "offset": item.get("offset", "0s")})
    pick.extend(list(item[0]))
    return pick


def _fcpxml_reel(item: ET.Element, resources: dict[str, ET.Element]) -> str | None:
    """The reel Final Cut keeps in a clip's metadata, or in its asset's."""
    for element in (item, resources.get(item.get("ref"))):
        if element is not None:
            found = element.find(f"metadata/md[@key='{_REEL_KEY}']")
            if found is not None:
                return found.get("value")
    return None
