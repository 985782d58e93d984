"""The OTIO timeline being read: its times in whole frames at the cut's rate, its
clips' media files and source ranges, and the warnings collected on the way.
"""

from __future__ import annotations

import contextlib
import math

from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from foundry_desktop.interchange.file_url import path_from_file_url
from foundry_desktop.interchange.film_cut import MAX_CUT_FRAMES
from foundry_desktop.interchange.otio.conventions import exact_rate, foundry_metadata


class TimelineSource:
    """A timeline, the folder its relative media paths start from, and the cut's frame rate."""

    def __init__(self, timeline: otio.schema.Timeline, base_folder: Path, file_name: str) -> None:
        self.timeline = timeline
        self.base_folder = base_folder
        self.file_name = file_name
        self.warnings: list[str] = []
        self.off_grid = False  # said once: times between frames were rounded
        self.rate = self._rate()

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def _rate(self) -> Fraction:
        written = foundry_metadata(self.timeline).get("frame_rate")
        if isinstance(written, str):
            try:
                if Fraction(written) > 0:
                    return Fraction(written)
            except (ValueError, ZeroDivisionError):
                pass
        candidates = [self.timeline.global_start_time]
        for track in self.timeline.video_tracks() + self.timeline.audio_tracks():
            for item in track:
                if isinstance(item, otio.core.Item) and item.source_range is not None:
                    candidates.append(item.source_range.duration)
        for time in candidates:
            if time is not None and time.rate > 0:
                with contextlib.suppress(ValueError):  # a rate too small to be one: the next clue
                    return exact_rate(time.rate)
        return Fraction(24)

    def frames(self, time: otio.opentime.RationalTime) -> int:
        if time.rate <= 0:
            return 0
        if not math.isfinite(time.value):
            raise ValueError(f"a time of {time.value} frames")
        rate = exact_rate(time.rate)
        exact = Fraction(time.value) if rate == self.rate else Fraction(time.value) * self.rate / rate
        if abs(exact) > MAX_CUT_FRAMES:  # ValueError: the reader refuses the file in words
            raise ValueError(f"a time of {time.value:g} frames at {time.rate:g} fps is far beyond any film")
        whole = round(exact)
        if abs(exact - whole) > Fraction(1, 1000) and not self.off_grid:
            self.off_grid = True
            self.warn("Some times lie between frames at the timeline's rate; they were rounded to whole frames.")
        return whole

    def track_frames(self, track: otio.schema.Track, index: int) -> tuple[int, int]:
        """Where child `index` of `track` sits, in frames of the timeline (its start and end)."""
        span = track.range_of_child_at_index(index)
        start = self.frames(span.start_time) - self.track_offset(track)
        return start, start + self.frames(span.duration)

    def track_offset(self, track: otio.schema.Track) -> int:
        return self.frames(track.source_range.start_time) if track.source_range is not None else 0

    def media(self, item: otio.schema.Clip, what: str) -> Path | None:
        reference = item.media_reference
        if isinstance(reference, otio.schema.ExternalReference):
            path = path_from_file_url(reference.target_url or "", self.base_folder)
            if path is None:
                self.warn(f"{what}'s media is not a file ({reference.target_url}); it is imported offline.")
            elif not reference.target_url:
                self.warn(f"{what} names no media file; it is imported offline.")
                return None
            return path
        if isinstance(reference, otio.schema.MissingReference):
            return None
        if isinstance(reference, otio.schema.GeneratorReference):
            self.warn(f"{what} is generated ({reference.generator_kind or 'a generator'}); it is imported offline.")
        elif isinstance(reference, otio.schema.ImageSequenceReference):
            self.warn(f"{what} is an image sequence; it is imported offline.")
        else:
            self.warn(f"{what} has media Foundry cannot read ({type(reference).__name__}); it is imported offline.")
        return None

    def source(self, item: otio.schema.Clip, what: str) -> tuple[int, int, int]:
        """(source_in, source_out, media_frames): source frames from the media's first frame."""
        trimmed = item.trimmed_range()
        available = item.media_reference.available_range if item.media_reference is not None else None
        first = self.frames(available.start_time) if available is not None else 0
        source_in = self.frames(trimmed.start_time) - first
        source_out = source_in + self.frames(trimmed.duration)
        media_frames = self.frames(available.duration) if available is not None else source_out
        if source_in < 0:
            self.warn(f"{what} starts before its media's first frame; it starts on that frame instead.")
            source_out, source_in = source_out - source_in, 0
        return source_in, source_out, max(media_frames, source_out)
