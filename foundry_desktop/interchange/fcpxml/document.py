"""An FCPXML document's values as Foundry counts them: times in whole frames at the
timeline's rate, assets as media files, clips placed in the film.

Every element keeps its own local timeline; a `Place` says where it lies in the
film. The warnings collected here are the reader's, in the order they arose.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from lxml import etree

from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.fcpxml.entities import entity_values
from foundry_desktop.interchange.fcpxml.rational_time import parse_fcpxml_time
from foundry_desktop.interchange.film_cut import MAX_CUT_FRAMES
from foundry_desktop.interchange.file_url import path_from_file_url

MEDIA_CLIPS = ("asset-clip", "video", "audio")  # elements whose local time is their asset's time
CONTAINERS = ("clip", "sync-clip")


REEL_KEY = "com.apple.proapps.studio.reel"  # Final Cut's metadata key for a clip's reel (a conform key)


def reel_of(asset: etree._Element) -> str:
    """The reel an asset's metadata names; "" for none."""
    md = asset.find(f"metadata/md[@key='{REEL_KEY}']")
    return (md.get("value") or "").strip() if md is not None else ""


@dataclass(frozen=True)
class Place:
    """Where an element's own timeline lies in the film: its local time `origin` is at record frame `base`."""

    base: int
    origin: Fraction


class FcpxmlDocument:
    """The parsed file, its resources by id, and the sequence's rate and start once the reader knows them."""

    rate: Fraction  # frames per second of the sequence
    tc_start: Fraction  # the sequence's first instant
    drop_frame: bool = False  # whether the sequence's timecode drops frame labels (its tcFormat)

    def __init__(self, root: etree._Element, folder: Path, name: str) -> None:
        self.root, self.folder, self.name = root, folder, name
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        self.off_grid = False
        self.entities = entity_values(root, name)
        resources = root.find("resources")
        self.resources = {} if resources is None else {r.get("id"): r for r in resources if r.get("id")}

    def warn(self, text: str) -> None:
        if text not in self._warned:  # a set: a cut of thousands of clips may warn thousands of times
            self._warned.add(text)
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
            time = parse_fcpxml_time(text)
        except ValueError:
            raise CutFileError(
                f"{self.where(element)}: <{element.tag}> {attribute}=\"{text}\" is not an FCPXML time.") from None
        if time < 0 and attribute in ("duration", "frameDuration"):  # a damaged file: nothing lasts less than nothing
            raise CutFileError(f"{self.where(element)}: <{element.tag}> lasts {attribute}=\"{text}\", less than nothing.")
        return time

    def frames(self, seconds: Fraction) -> int:
        exact = seconds * self.rate
        if abs(exact) > MAX_CUT_FRAMES:
            raise CutFileError(f"{self.name} holds a time of {float(seconds):.3g} s, far beyond any film: "
                               "the file is damaged.")
        if exact.denominator != 1:
            self.off_grid = True
            return math.floor(exact + Fraction(1, 2))
        return exact.numerator

    def record(self, place: Place, local: Fraction) -> int:
        return place.base + self.frames(local - place.origin)

    def origin(self, element: etree._Element) -> Fraction:
        """The local time at an element's first frame: its start, which defaults to its asset's start for
        media clips, to the sequence's start for a transition, and to 0s otherwise."""
        if element.tag in MEDIA_CLIPS and element.get("start") is None:
            asset = self.resources.get(element.get("ref"))
            if asset is not None and asset.tag == "asset":
                return self.time(asset, "start", Fraction(0))
        if element.tag == "transition":
            return self.tc_start
        return self.time(element, "start", Fraction(0))

    def child_place(self, parent: Place, child: etree._Element) -> Place:
        return Place(self.record(parent, self.time(child, "offset", Fraction(0))), self.origin(child))

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

    def generator(self, element: etree._Element) -> etree._Element | None:
        """The effect a `video` or `title` element generates its picture with (a title, a solid, a
        placeholder), or None when it plays media."""
        resource = self.resources.get(element.get("ref"))
        if element.tag in ("video", "title") and resource is not None and resource.tag == "effect":
            return resource
        return None

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

    def media_at(self, element: etree._Element, local: Fraction) -> tuple[etree._Element, Fraction] | None:
        """The asset an element shows at its local time `local`, and the time in that asset."""
        if element.tag in MEDIA_CLIPS:
            return None if self.generator(element) is not None else (self.asset(element), local)
        if element.tag not in CONTAINERS:
            return None
        primary = primary_children(element)
        for prefer_video in (True, False):
            for child in primary:
                if prefer_video and child.tag == "audio":
                    continue
                offset = self.time(child, "offset", Fraction(0))
                if offset <= local < offset + self.time(child, "duration", Fraction(10**9)) or len(primary) == 1:
                    return self.media_at(child, self.origin(child) + local - offset)
        return None


def elements(parent: etree._Element) -> Iterator[etree._Element]:
    """Child elements only (entity references are kept as nodes: entities are never expanded)."""
    return (child for child in parent if isinstance(child.tag, str))


def primary_children(container: etree._Element) -> list[etree._Element]:
    return [c for c in elements(container) if c.tag in MEDIA_CLIPS + CONTAINERS and c.get("lane", "0") == "0"]


def source_counting(element: etree._Element, sequence_drop_frame: bool) -> bool | None:
    """Whether the media a clip plays counts its timecode in drop frame, where the clip says so otherwise than
    the sequence (its own tcFormat, or that of the media clip it nests, the innermost first); None where it
    counts as the sequence does or says nothing."""
    for node in reversed(primary_chain(element)):
        said = (node.get("tcFormat") or "").upper()
        if said in ("DF", "NDF"):
            drop = said == "DF"
            return None if drop == sequence_drop_frame else drop
    return None


def primary_chain(element: etree._Element) -> list[etree._Element]:
    """The element, and inside a container the media it plays, down to the media clip."""
    chain = [element]
    while chain[-1].tag in CONTAINERS and (inner := primary_children(chain[-1])):
        video = [c for c in inner if c.tag != "audio"]
        chain.append((video or inner)[0])
    return chain
