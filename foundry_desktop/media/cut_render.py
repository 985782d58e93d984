"""The cuts-only film render: spans of takes, end to end, into one MP4.

The film has exactly sum(segment.frames) frames at the output rate, and exactly
as much audio as its pictures last, so nothing drifts out of sync however long
the timeline. Audio per frame is counted from the film's start (frame n begins
at sample round(n * rate / fps)), never accumulated, so rounding cannot pile up.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from foundry_desktop.errors import MediaError
from foundry_desktop.media.conform import ConformedAudio, ConformedVideo
from foundry_desktop.media.mp4_writer import Mp4Writer
from foundry_desktop.media.probe import MediaInfo, probe_media

KEYFRAME_INTERVAL_S = 2.0


@dataclass(frozen=True)
class OutputFormat:
    width: int
    height: int
    frame_rate: Fraction
    audio_rate: int = 48000


@dataclass(frozen=True)
class CutSegment:
    """`frames` output frames of `path`, starting `start_frame` output frames into it."""

    path: Path
    start_frame: int
    frames: int


def first_sample_of_frame(frame_index: int, fmt: OutputFormat) -> int:
    """The audio sample at which output frame `frame_index` begins (rounded half up)."""
    rate = Fraction(fmt.frame_rate)
    exact = Fraction(frame_index * fmt.audio_rate) / rate
    return int(exact + Fraction(1, 2))


class _Progress:
    """Reports at most every percent, so a GUI is not flooded from the worker thread."""

    def __init__(self, total: int, sink: Callable[[float], None] | None) -> None:
        self._total = total
        self._sink = sink
        self._last = -1.0

    def at(self, done: int) -> None:
        fraction = done / self._total
        if self._sink is not None and (fraction - self._last >= 0.01 or done == self._total):
            self._last = fraction
            self._sink(fraction)


def render_cut(
    segments: Sequence[CutSegment],
    output: Path,
    fmt: OutputFormat,
    on_progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> MediaInfo:
    """Render `segments` back to back into `output` (written whole or not at all)."""
    output = Path(output)
    for segment in segments:
        if segment.frames < 0 or segment.start_frame < 0:
            raise ValueError(f"A cut segment cannot start or last a negative number of frames: {segment}")
    live = [segment for segment in segments if segment.frames > 0]
    if not live:
        raise MediaError("Nothing to render: the timeline has no generated shots.")
    if fmt.audio_rate <= 0:
        raise MediaError(f"An audio rate must be positive, not {fmt.audio_rate}.")
    # Check every source before encoding anything: a bad take fails in a moment, by name.
    sources = {segment.path: probe_media(segment.path) for segment in live}

    total = sum(segment.frames for segment in live)
    progress = _Progress(total, on_progress)
    with Mp4Writer(
        output,
        width=fmt.width,
        height=fmt.height,
        frame_rate=Fraction(fmt.frame_rate),
        keyframe_interval_s=KEYFRAME_INTERVAL_S,
        audio_rate=fmt.audio_rate,
        faststart=True,
    ) as writer:
        for segment in live:
            _render_segment(segment, sources[segment.path], fmt, writer, progress, cancel)
        if cancel is not None and cancel.is_set():
            raise MediaError("Render cancelled.")
        writer.finish()
    return probe_media(output)


def _render_segment(
    segment: CutSegment,
    source: MediaInfo,
    fmt: OutputFormat,
    writer: Mp4Writer,
    progress: _Progress,
    cancel: threading.Event | None,
) -> None:
    frame_rate = Fraction(fmt.frame_rate)
    with contextlib.ExitStack() as sources:
        pictures = sources.enter_context(
            ConformedVideo(segment.path, segment.start_frame, frame_rate, fmt.width, fmt.height)
        )
        sound = None
        if source.has_audio:
            start = segment.start_frame / frame_rate
            sound = sources.enter_context(ConformedAudio(segment.path, start, fmt.audio_rate))
        for frame in pictures.frames(segment.frames):
            if cancel is not None and cancel.is_set():
                raise MediaError("Render cancelled.")
            writer.add_frame(frame)
            # Audio up to the end of this frame, interleaved with the pictures so the
            # muxer never has to hold one stream back while waiting for the other.
            wanted = first_sample_of_frame(writer.frames_written, fmt) - writer.samples_written
            writer.add_audio(sound.read(wanted) if sound is not None else np.zeros((2, wanted), dtype=np.float32))
            progress.at(writer.frames_written)
