"""Which timeline of an FCPXML file becomes the film.

A file may hold one project, several (a library exported whole; Final Cut puts
an empty one first as often as not), or none at all: only an event's clips,
which is what Final Cut exports when clips rather than a project are selected.

* One project: its sequence.
* Several: the one named (`--sequence NAME`, or its number in the list); with
  none named the file is refused with the list of names, so the creator
  chooses. Taking the first would as likely take an empty one.
* None: the clips of the one event that holds any, in order, as a cut (a
  sequence is made for them at the first clip's format), and the warnings say
  so. Clips in several events are as ambiguous as several projects: the events'
  names are listed to choose from.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from fractions import Fraction

from lxml import etree

from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.fcpxml.document import FcpxmlDocument, elements
from foundry_desktop.interchange.timeline_choice import pick_timeline

# What an event holds that plays as a clip of a storyline.
EVENT_CLIPS = ("asset-clip", "clip", "ref-clip", "sync-clip", "mc-clip", "video", "audio", "title")


@dataclass(frozen=True)
class Timeline:
    name: str
    sequence: etree._Element


def chosen_timeline(doc: FcpxmlDocument, choice: str | None) -> Timeline:
    """The timeline of `doc` to read: the one named `choice`, or the only one there is."""
    projects = list(doc.root.iter("project"))
    if projects:
        named = [(p.get("name") or f"Project {n}", p) for n, p in enumerate(projects, start=1)]
        name, project = pick_timeline(doc.name, named, choice, "projects")
        sequence = project.find("sequence")
        if sequence is None or sequence.find("spine") is None:
            raise CutFileError(f"{doc.where(project)}: the project '{name}' has no sequence with a storyline (spine).")
        return Timeline(name, sequence)
    groups = [(e.get("name") or f"Event {n}", e) for n, e in enumerate(doc.root.iter("event"), start=1)]
    groups = [(name, event) for name, event in groups if _clips(event)]
    if _clips(doc.root):
        groups.append((doc.name, doc.root))  # clips straight under <fcpxml>
    if not groups:
        raise CutFileError(f"{doc.name} holds no project (timeline) and no clips: there is nothing to import.")
    name, group = pick_timeline(doc.name, groups, choice, "events of clips and no project")
    clips = _clips(group)
    doc.warn(f"{doc.name} holds no project, only clips: the {len(clips)} clip{'s' if len(clips) != 1 else ''} "
             f"of '{name}' were read in order as a cut.")
    return Timeline(name, _sequence_of(doc, clips))


def _clips(parent: etree._Element) -> list[etree._Element]:
    return [child for child in elements(parent) if child.tag in EVENT_CLIPS]


def _sequence_of(doc: FcpxmlDocument, clips: list[etree._Element]) -> etree._Element:
    """A sequence whose storyline plays `clips` one after another, at the first clip's format."""
    film_format = next((found for clip in clips if (found := _format_of(doc, clip))), None)
    if film_format is None:
        raise CutFileError(f"{doc.name} holds clips but none says its format (frame rate); there is no "
                           f"timeline to make of them.")
    sequence = etree.Element("sequence", format=film_format, tcStart="0s")
    spine = etree.SubElement(sequence, "spine")
    for clip in clips:
        spine.append(copy.deepcopy(clip))  # a copy: the event keeps its clips
    return sequence


def _format_of(doc: FcpxmlDocument, clip: etree._Element) -> str | None:
    """The id of the format a clip plays at: its own, or its media's."""
    if clip.get("format"):
        return clip.get("format")
    resource = doc.resources.get(clip.get("ref"))
    if resource is None:
        return None
    if resource.get("format"):
        return resource.get("format")
    inner = resource.find("sequence")
    if inner is None:
        inner = resource.find("multicam")
    if inner is not None and inner.get("format"):
        return inner.get("format")
    for child in elements(clip):  # a clip nests its media
        if child.tag in EVENT_CLIPS and (found := _format_of(doc, child)):
            return found
    return None


def start_timecode(doc: FcpxmlDocument, sequence: etree._Element) -> tuple[Fraction, bool]:
    """The sequence's first instant (its tcStart) and whether its timecode is drop-frame (tcFormat DF)."""
    return doc.time(sequence, "tcStart", Fraction(0)), sequence.get("tcFormat", "NDF").upper() == "DF"
