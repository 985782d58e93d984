"""One piece of the film's picture, encoded on its own into a video-only file.

A film is a row of segments: a shot playing plain, a shot fading in or out of
black, a transition between two shots, or empty time (black, no source). Each is encoded independently (it
starts on a keyframe), so segments can be made in parallel, kept in a cache
under a key of everything that decides their frames, and joined into the film
without encoding them again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from foundry_desktop.errors import MediaError
from foundry_desktop.media.render.caption_overlay import CaptionOverlay, CaptionPainter
from foundry_desktop.media.render.conform import ConformedVideo
from foundry_desktop.media.render.picture_blend import (
    BLENDS,
    FILM_FADES,
    TRANSITION_BLENDS,
    film_fade_frame,
    transition_frame,
)
from foundry_desktop.media.render.stream_copy import copy_pictures
from foundry_desktop.media.encode.video_encoding import VideoFormat
from foundry_desktop.media.encode.video_writer import VideoWriter
from foundry_desktop.media.encode.yuv_picture import BLACK_YUV, yuv420p_frame

# Bump when the same inputs would now make different frames (conform, blend or caption changes).
SEGMENT_FORMAT_VERSION = 7


@dataclass(frozen=True)
class SourceSpan:
    """A take from `start_frame` (output frames into it), framed by `fit`."""

    path: Path
    content_hash: str
    start_frame: int
    fit: str = "fit"
    label: str = ""  # how a creator names it in messages ("shot 3")


@dataclass(frozen=True)
class VideoSegment:
    frames: int
    source: SourceSpan | None  # None: empty time on the timeline, black (captions may show over it)
    blend: str = "none"
    incoming: SourceSpan | None = None
    captions: tuple[CaptionOverlay, ...] = ()  # burnt in over the picture
    copy: bool = False  # the source's encoded pictures copied as they are (see stream_copy)

    def __post_init__(self) -> None:
        if self.frames <= 0:
            raise ValueError("a segment has at least one frame")
        if self.copy and (self.blend != "none" or self.captions):
            raise ValueError("only a plain, uncaptioned segment can be copied")
        if self.source is None and (self.blend != "none" or self.copy):
            raise ValueError("empty time is plain black: no blend, nothing to copy")
        if self.blend not in BLENDS:
            raise ValueError(f"unknown blend {self.blend!r}")
        if (self.blend in TRANSITION_BLENDS) != (self.incoming is not None):
            raise ValueError("a transition segment needs an incoming source, and only it")

    def describe(self) -> str:
        """The segment in a creator's words, for messages."""
        if self.source is None:
            return "empty time"
        source = self.source.label or self.source.path.name
        if self.incoming is not None:
            incoming = self.incoming.label or self.incoming.path.name
            return f"the {self.blend.replace('_', ' through ').replace('fade through', 'fade')} from {source} to {incoming}"
        return {"from_black": f"{source} fading in", "to_black": f"{source} fading out"}.get(self.blend, source)

    def key(self, fmt: VideoFormat) -> str:
        """Everything that decides this segment's encoded bytes, hashed."""

        def span(s: SourceSpan | None):
            return None if s is None else [s.content_hash, s.start_frame, s.fit]

        described = {
            "version": SEGMENT_FORMAT_VERSION,
            "frames": self.frames,
            "blend": self.blend,
            "source": span(self.source),
            "incoming": span(self.incoming),
            "captions": [caption.identity() for caption in self.captions],
            "copy": self.copy,
            "format": [fmt.width, fmt.height, str(fmt.frame_rate), fmt.encoding.identity(), fmt.keyframe_interval_s],
        }
        return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def _named_error(span: SourceSpan, exc: MediaError) -> MediaError:
    return MediaError(f"{span.label}: {exc}") if span.label else exc


def open_span(span: SourceSpan, fmt: VideoFormat) -> ConformedVideo:
    """The span's conformed pictures; a failure names the span as the creator knows it."""
    try:
        return ConformedVideo(span.path, span.start_frame, fmt.frame_rate, fmt.width, fmt.height, span.fit)
    except MediaError as exc:
        raise _named_error(span, exc) from None


def _next_picture(pictures: Iterator[av.VideoFrame], span: SourceSpan) -> av.VideoFrame:
    try:
        return next(pictures)
    except MediaError as exc:
        raise _named_error(span, exc) from None


def render_segment(
    segment: VideoSegment,
    fmt: VideoFormat,
    output: Path,
    on_frame: Callable[[], None] | None = None,
    cancel: threading.Event | None = None,
    described_as: str | None = None,
) -> Path:
    """Encode `segment` into `output` (written whole or not at all); `described_as`
    names the file in error messages."""
    if segment.source is None:
        return _render_black(segment, fmt, output, on_frame, cancel, described_as)
    if segment.copy:
        copy_pictures(segment.source.path, segment.source.start_frame, segment.frames, fmt.frame_rate, output, described_as)
        for _ in range(segment.frames) if on_frame is not None else ():
            on_frame()
        return output
    with contextlib.ExitStack() as stack:
        outgoing = stack.enter_context(open_span(segment.source, fmt))
        incoming = stack.enter_context(open_span(segment.incoming, fmt)) if segment.incoming is not None else None
        writer = stack.enter_context(
            VideoWriter.for_format(output, fmt, container=fmt.encoding.segment_container, described_as=described_as)
        )
        painter = CaptionPainter(fmt.width, fmt.height) if segment.captions else None
        pictures = outgoing.frames(segment.frames)
        incoming_pictures = incoming.frames(segment.frames) if incoming is not None else None
        for index in range(segment.frames):
            if cancel is not None and cancel.is_set():
                raise MediaError("Render cancelled.")
            picture = _next_picture(pictures, segment.source)
            if incoming_pictures is not None:
                arriving = _next_picture(incoming_pictures, segment.incoming)
                picture = transition_frame(segment.blend, picture, arriving, index, segment.frames)
            elif segment.blend in FILM_FADES:
                picture = film_fade_frame(segment.blend, picture, index, segment.frames)
            if painter is not None:
                picture = painter.apply(picture, segment.captions, index)
            writer.add_frame(picture)
            if on_frame is not None:
                on_frame()
        writer.finish()
    return output


def _render_black(
    segment: VideoSegment,
    fmt: VideoFormat,
    output: Path,
    on_frame: Callable[[], None] | None,
    cancel: threading.Event | None,
    described_as: str | None,
) -> Path:
    """Empty time: black frames, with the captions that show over it."""
    y = np.full((fmt.height, fmt.width), BLACK_YUV[0], dtype=np.uint8)
    u = np.full((fmt.height // 2, fmt.width // 2), BLACK_YUV[1], dtype=np.uint8)
    painter = CaptionPainter(fmt.width, fmt.height) if segment.captions else None
    with VideoWriter.for_format(output, fmt, container=fmt.encoding.segment_container, described_as=described_as) as writer:
        for index in range(segment.frames):
            if cancel is not None and cancel.is_set():
                raise MediaError("Render cancelled.")
            picture = yuv420p_frame(y, u, u)
            writer.add_frame(painter.apply(picture, segment.captions, index) if painter is not None else picture)
            if on_frame is not None:
                on_frame()
        writer.finish()
    return output
