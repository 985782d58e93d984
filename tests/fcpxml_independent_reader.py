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


