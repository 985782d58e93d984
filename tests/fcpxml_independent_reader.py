"""An FCPXML reader for the tests, independent of Foundry's: plain xml.etree and Fraction
arithmetic, nothing of foundry_desktop.interchange, so a writer's mistake and a reader's
cannot cancel out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote, urlsplit


def parse_time(text: str) -> Fraction:
    number, _, denominator = text.removesuffix("s").partition("/")
    return Fraction(int(number), int(denominator or 1))


def independent_read(text: str) -> dict:
    root = ET.fromstring(text)
    resources = {r.get("id"): r for r in root.find("resources")}
    sequence = root.find("library/event/project/sequence")
    sequence_format = resources[sequence.get("format")]
    frame = parse_time(sequence_format.get("frameDuration"))
    tc_start = parse_time(sequence.get("tcStart"))

    def frames(value: str) -> int:
        exact = parse_time(value) / frame
        assert exact.denominator == 1, value
        return exact.numerator

    def media(element) -> Path | None:
        if element.tag == "gap":
            return None
        src = resources[element.get("ref")].find("media-rep").get("src")
        assert src.startswith("file:///")
        return Path(unquote(urlsplit(src).path))

    clips, transitions, music, markers, captions = [], [], [], [], []
    items = list(sequence.find("spine"))
    for index, item in enumerate(items):
        if item.tag == "transition":
            record_in = frames(item.get("offset")) - frames(sequence.get("tcStart"))
            kind = item.find("filter-video").get("name")
            white = item.find("filter-video/param") is not None
            transitions.append((index, kind + (" white" if white else ""), record_in, frames(item.get("duration"))))
            continue
        record_in = (parse_time(item.get("offset")) - tc_start) / frame
        start = frames(item.get("start", "0s"))
        length = frames(item.get("duration"))
        clips.append((item.get("name"), media(item), start, start + length, record_in, record_in + length))
        for child in item:
            place = record_in + frames(child.get("offset", "0s")) - start
            if child.tag == "asset-clip":
                assert child.get("lane") == "-1" and child.get("audioRole") == "music"
                child_start = frames(child.get("start"))
                music.append((child.get("name"), media(child), child_start, child_start + frames(child.get("duration")),
                              place))
            elif child.tag == "title":
                assert child.get("lane") == "1"
                captions.append((place, place + frames(child.get("duration")), child.find("text/text-style").text))
            elif child.tag == "marker":
                markers.append((record_in + frames(child.get("start")) - start, child.get("value")))
    return dict(frame_rate=1 / frame, width=int(sequence_format.get("width")),
                height=int(sequence_format.get("height")), clips=clips, transitions=transitions, music=music,
                markers=markers, captions=captions, items=[i.tag for i in items])




def independent_shots(text: str | bytes, project: str | None = None) -> dict:
    """The shots of any storyline Final Cut writes, as (name, file, source in, source out, record in,
    record out) in frames at the sequence's rate, source frames counted from the asset's start: each
    item placed by its own offset, compound and multicam clips followed into what they play, `clip`
    and `sync-clip` into their primary media. Titles and generators have no file; empty time ("Gap")
    is not a shot. Also the sequence's rate and tcStart in frames."""
    root = ET.fromstring(text)
    resources = {r.get("id"): r for r in root.find("resources")}
    projects = [p for p in root.iter("project") if project in (None, p.get("name"))]
    sequence = projects[0].find("sequence")
    frame = parse_time(resources[sequence.get("format")].get("frameDuration"))
    shots: list[tuple] = []

    def t(element, attribute, default="0s") -> Fraction:
        return parse_time(element.get(attribute, default))

    def frames(seconds: Fraction) -> int:
        return round(seconds / frame)

    def play(items, first: Fraction, end: Fraction, shift: Fraction) -> None:
        """Items whose offsets are local times; the part from `first` to `end` lands at local time + shift."""
        for item in items:
            if item.tag in ("transition", "marker", "mc-source") or item.get("lane", "0") != "0":
                continue
            reference = resources.get(item.get("ref"))
            default_start = reference.get("start", "0s") if reference is not None and reference.tag == "asset" else "0s"
            offset, start = t(item, "offset"), t(item, "start", default_start)
            duration = t(item, "duration", reference.get("duration") if reference is not None else "0s")
            lo, hi = max(offset, first), min(offset + duration, end)
            if lo >= hi or (item.tag == "gap" and item.get("name") == "Gap"):
                continue
            inner = start + lo - offset  # the item's own time at `lo`
            if item.tag == "ref-clip":
                sequence = reference.find("sequence")
                play(sequence.find("spine"), inner, inner + hi - lo, lo + shift - inner)
            elif item.tag == "mc-clip":
                video = next(s.get("angleID") for s in item.findall("mc-source") if s.get("srcEnable") != "audio")
                angle = next(a for a in reference.iter("mc-angle") if a.get("angleID") == video)
                play(angle, inner, inner + hi - lo, lo + shift - inner)
            elif item.tag in ("clip", "sync-clip"):
                primary = [c for c in item if c.tag in ("asset-clip", "video", "clip") and c.get("lane") is None]
                play(primary[:1], inner, inner + hi - lo, lo + shift - inner)
            elif reference is not None and reference.tag == "asset":
                rep = reference.find("media-rep")
                src = rep.get("src") if rep is not None else reference.get("src")
                source = inner - t(reference, "start")
                shots.append((None, Path(unquote(urlsplit(src).path)), frames(source), frames(source + hi - lo),
                              frames(lo + shift), frames(hi + shift)))
            else:  # a title, a generator, a gap of another name
                shots.append((None, None, 0, frames(hi - lo), frames(lo + shift), frames(hi + shift)))

    tc_start = t(sequence, "tcStart")
    play(sequence.find("spine"), tc_start, Fraction(10**9), -tc_start)
    return dict(frame_rate=1 / frame, timecode_start=frames(tc_start), shots=shots)
