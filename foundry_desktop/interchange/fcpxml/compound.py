"""Clips that play a storyline of their own: compound clips (`ref-clip`) and multicam clips (`mc-clip`).

Foundry's film has one picture track, so such a clip is flattened: the shots of the
storyline it plays take its place in the film, trimmed to the part it shows.

* A `ref-clip` plays the sequence of its `media` resource; its start is a time in
  that sequence (by default the sequence's tcStart).
* An `mc-clip` plays one angle of its `media` resource's `multicam`: the angle its
  `mc-source` enables for video (Final Cut's active video angle). Its start is a
  time in the multicam's timeline, where each angle's clips lie at their offsets.

A compound may nest another, down to MAX_DEPTH; deeper is taken for a compound
that contains itself, and refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from lxml import etree

from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.fcpxml.document import FcpxmlDocument, Place
from foundry_desktop.interchange.film_cut import CutClip

NESTING = ("ref-clip", "mc-clip")
MAX_DEPTH = 16


@dataclass(frozen=True)
class NestedStoryline:
    """The items a nesting clip plays (`container`'s children), whose timeline starts at `origin`."""

    container: etree._Element
    origin: Fraction
    what: str  # how the warnings name it: "compound clip 'A'", "multicam clip 'B' (angle 'Cam 2')"


def nested_storyline(doc: FcpxmlDocument, element: etree._Element, depth: int) -> NestedStoryline | None:
    """What a ref-clip or mc-clip plays, or None (with a warning) when its media holds nothing to play."""
    label = element.get("name") or element.tag
    if depth > MAX_DEPTH:
        raise CutFileError(f"{doc.where(element)}: the clip '{label}' nests compound clips more than "
                           f"{MAX_DEPTH} deep (does one contain itself?); the file cannot be read.")
    media = doc.resources.get(element.get("ref"))
    if media is None or media.tag != "media":
        raise CutFileError(f"{doc.where(element)}: the clip '{label}' refers to '{element.get('ref')}', which is "
                           f"not a media resource (compound or multicam clip) in the file.")
    if element.tag == "ref-clip":
        sequence = media.find("sequence")
        spine = sequence.find("spine") if sequence is not None else None
        if spine is None:
            doc.warn(f"{doc.where(element)}: the compound clip '{label}' holds no storyline.")
            return None
        return NestedStoryline(spine, doc.time(sequence, "tcStart", Fraction(0)), f"compound clip '{label}'")
    multicam = media.find("multicam")
    angles = {a.get("angleID"): a for a in multicam.findall("mc-angle")} if multicam is not None else {}
    active = [s.get("angleID") for s in element.findall("mc-source") if s.get("srcEnable", "all") in ("all", "video")]
    angle = angles.get(active[0]) if active else None
    if angle is None:
        doc.warn(f"{doc.where(element)}: the multicam clip '{label}' names no video angle its media holds.")
        return None
    return NestedStoryline(angle, doc.time(multicam, "tcStart", Fraction(0)),
                           f"multicam clip '{label}' (angle '{angle.get('name') or angle.get('angleID')}')")


@dataclass(frozen=True)
class Window:
    """The part of a nested storyline a clip shows, in the storyline's frames, and where it lands in the film."""

    first: int
    end: int  # exclusive
    shift: int  # film frame = storyline frame + shift

    def trimmed(self, clip: CutClip, place: Place) -> tuple[CutClip, Place] | None:
        """`clip` (at storyline frames) cut to the window and moved into the film; None when none of it shows."""
        first, end = max(clip.record_in, self.first), min(clip.record_out, self.end)
        if first >= end:
            return None
        source_in = clip.source_in + first - clip.record_in
        moved = replace(clip, source_in=source_in, source_out=source_in + end - first,
                        record_in=first + self.shift, record_out=end + self.shift)
        return moved, Place(place.base + self.shift, place.origin)
