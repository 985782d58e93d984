"""Markers on an OTIO timeline, its video track and its clips, as the film's markers;
Foundry's caption markers as captions.
"""

from __future__ import annotations

import opentimelineio as otio

from foundry_desktop.interchange.film_cut import CutCaption, CutMarker
from foundry_desktop.interchange.otio.conventions import MARKER_COLORS, foundry_metadata
from foundry_desktop.interchange.otio.timeline_source import TimelineSource
from foundry_desktop.interchange.otio.video_track import VideoEntry

DEFAULT_MARKER_COLOR = CutMarker(0).color


def markers_and_captions(src: TimelineSource, track: otio.schema.Track, entries: list[VideoEntry], origin: int,
                         length: int) -> tuple[list[CutMarker], list[CutCaption]]:
    """The markers and captions that fall in the film (`length` frames, starting at record frame `origin`)."""
    placed: list[tuple[int, otio.schema.Marker]] = []
    placed += [(src.frames(m.marked_range.start_time), m) for m in src.timeline.tracks.markers]
    placed += [(src.frames(m.marked_range.start_time) - src.track_offset(track), m) for m in track.markers]
    for entry in entries:
        placed += [(entry.record_in + source - entry.source_in, m) for source, m in entry.markers]
    markers: list[CutMarker] = []
    captions: list[CutCaption] = []
    for frame, marker in placed:
        frame -= origin
        own = foundry_metadata(marker)
        if own.get("caption"):
            end = min(length, frame + max(1, src.frames(marker.marked_range.duration)))
            if frame < 0 or frame >= length:
                src.warn(f"The caption “{marker.name}” lies outside the film; it is left out.")
            else:
                captions.append(CutCaption(frame, end, marker.name))
            continue
        if not 0 <= frame <= length:
            src.warn(f"The marker {marker.name or 'without a name'} lies outside the film; it is left out.")
            continue
        color = own.get("color")
        if not isinstance(color, str):
            color = MARKER_COLORS.get(marker.color, DEFAULT_MARKER_COLOR)
        markers.append(CutMarker(frame, marker.name, color))
    return (sorted(markers, key=lambda m: m.frame), sorted(captions, key=lambda c: (c.start, c.end)))
