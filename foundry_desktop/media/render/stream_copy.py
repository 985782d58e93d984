"""Copying a take's encoded pictures into the film instead of encoding them again.

A take can be copied where it is already exactly what the film's encoder
would write: the same codec parameters (SPS/PPS — compared byte for byte with
a one-frame file from the film's own encoder settings, since a film keeps one
set for all its segments), the same size, pixel format and frame rate, one
picture per frame on the film's frame grid. (Matching the film's encoder
byte for byte means that, in practice, the takes copied are those Foundry
encoded itself: the built-in generator's, made with the film's settings.) Only
whole closed groups of pictures are copied — from a keyframe up to the next
keyframe or the take's end — so no copied picture refers to one left out. The
frames before the first keyframe and after the last are encoded as usual.

Copying skips the encode (the slow part of a render) and keeps the take's
pictures exactly as they were, with no second generation of compression loss.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from foundry_desktop.errors import MediaError
from foundry_desktop.media.probe import open_video
from foundry_desktop.media.encode.video_encoding import VideoFormat
from foundry_desktop.media.encode.video_writer import VideoWriter


@dataclass(frozen=True)
class CopyableTake:
    frames: int
    keyframes: tuple[int, ...]  # frame numbers where a closed group of pictures starts


@functools.cache
def _film_extradata(fmt: VideoFormat) -> bytes:
    """The codec parameters the film's encoder writes, read back from a one-frame file."""
    with tempfile.TemporaryDirectory(prefix="foundry-sps-") as folder:
        path = Path(folder) / "one-frame.mp4"
        with VideoWriter.for_format(path, fmt) as writer:
            writer.add_frame(av.VideoFrame(fmt.width, fmt.height, "yuv420p"))
            writer.finish()
        with av.open(str(path)) as container:
            return bytes(container.streams.video[0].codec_context.extradata or b"")


def copyable_take(path: Path, fmt: VideoFormat) -> CopyableTake | None:
    """Where `path` could be copied into a film of this format, or None if nowhere.

    Reads packets only (no decoding), so it costs little even for long takes."""
    if fmt.encoding.encoder != "libx264":
        return None  # only x264's parameter sets could ever match a take's
    try:
        container = open_video(path)
    except MediaError:
        return None  # the render will say what is wrong with it
    with container:
        stream = container.streams.video[0]
        context = stream.codec_context
        if (context.name, context.width, context.height) != ("h264", fmt.width, fmt.height):
            return None
        if context.format is None or context.format.name != "yuv420p":
            return None
        if bytes(context.extradata or b"") != _film_extradata(fmt):
            return None
        tick = Fraction(1) / fmt.frame_rate / stream.time_base  # one frame in the stream's time base
        origin = stream.start_time or 0
        frames: list[tuple[int, bool]] = []
        group_start = 0
        for packet in container.demux(stream):  # in decoding order
            if packet.size == 0:
                continue
            if packet.pts is None:
                return None
            position = (packet.pts - origin) / tick
            if position.denominator != 1:
                return None  # off the film's frame grid
            if packet.is_keyframe:
                group_start = int(position)
            elif position < group_start:
                return None  # an open group: a picture shown before its keyframe refers to the group before
            frames.append((int(position), packet.is_keyframe))
    frames.sort()
    if [number for number, _ in frames] != list(range(len(frames))):
        return None  # a gap or a repeat: not one picture per frame
    return CopyableTake(len(frames), tuple(number for number, key in frames if key))


def split_for_copy(take: CopyableTake | None, start: int, frames: int) -> list[tuple[int, int, bool]]:
    """[start, start + frames) of the take as runs (first frame, frames, copied?):
    the whole groups of pictures inside it copied, the rest encoded."""
    end = start + frames
    if take is None or end > take.frames:
        return [(start, frames, False)]
    inside = [key for key in take.keyframes if start <= key < end]
    if not inside:
        return [(start, frames, False)]
    first = inside[0]
    last = end if end == take.frames or end in take.keyframes else inside[-1]
    if last <= first:
        return [(start, frames, False)]
    runs = [(start, first - start, False), (first, last - first, True), (last, end - last, False)]
    return [run for run in runs if run[1] > 0]


def copy_pictures(path: Path, first: int, frames: int, frame_rate: Fraction, output: Path, described_as: str | None) -> None:
    """Copy frames [first, first + frames) of the take at `path` (whole groups of pictures)
    into `output`, re-timed to start at 0."""
    with open_video(path) as container:
        stream = container.streams.video[0]
        tick = Fraction(1) / frame_rate / stream.time_base
        origin = stream.start_time or 0
        context = stream.codec_context
        with VideoWriter(output, width=context.width, height=context.height, frame_rate=frame_rate,
                         keyframe_interval_s=1.0, copy_video_from=stream, described_as=described_as) as writer:
            shift = origin + int(first * tick)
            for packet in container.demux(stream):
                if packet.size == 0 or not first <= (packet.pts - origin) / tick < first + frames:
                    continue
                packet.pts -= shift
                packet.dts -= shift
                writer.add_video_packet(packet, frames=1)
            if writer.frames_written != frames:
                raise MediaError(f"{path.name} gave {writer.frames_written} pictures to copy, not {frames}.")
            writer.finish()
