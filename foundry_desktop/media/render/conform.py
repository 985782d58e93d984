"""One span of a source video, conformed to the output format, read a little at a time.

Pictures: output frame j of a span that starts `start_frame` output frames into
the source shows the source frame whose time is the latest at or before
(start_frame + j) / fps — so a 12 fps source doubles its frames in a 24 fps film
and a 60 fps one drops them — and the last frame holds when the source runs out.
Each picture is turned upright (rotation tags), scaled with its display aspect
kept to fit inside the output (black bars fill the rest) or to fill it (the rest
is cropped), and converted to yuv420p BT.709.

Sound: the source's audio for the same span, resampled to stereo at the output
rate, silence where the source has none.

Both read from the file as they are asked, so memory does not grow with length.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.stream
import numpy as np

from foundry_desktop.media.encode.video_writer import BT709, LIMITED_RANGE
from foundry_desktop.media.encode.yuv_picture import BLACK_YUV, planes_of, yuv420p_frame
from foundry_desktop.media.probe import is_still, open_audio, open_video, unreadable
from foundry_desktop.media.source_frames import TIMESTAMP_SLACK, decoding_failed, seek_near, shown_shape

# One decoding thread per source: the encoder's threads already keep the cores
# busy, and every extra frame thread would hold pictures of its own (a 1-minute
# 1080p render: 456 MB with one, 494 MB with two, and no slower).
DECODER_THREADS = 1


def fit_inside(aspect: Fraction, out_width: int, out_height: int) -> tuple[int, int]:
    """The even size that shows a picture of display aspect `aspect` as large as fits the output."""
    if aspect * out_height > out_width:
        fitted_w, fitted_h = out_width, out_width / aspect
    else:
        fitted_w, fitted_h = out_height * aspect, out_height
    even_w = min(out_width, max(2, 2 * round(fitted_w / 2)))
    even_h = min(out_height, max(2, 2 * round(fitted_h / 2)))
    return even_w, even_h


def cover(aspect: Fraction, out_width: int, out_height: int) -> tuple[int, int]:
    """The even size, at least the output's in both directions, that a picture of
    display aspect `aspect` scales to so that it fills the output (the rest is cropped)."""
    if aspect * out_height > out_width:
        covered_w, covered_h = out_height * aspect, out_height
    else:
        covered_w, covered_h = out_width, out_width / aspect
    return max(out_width, 2 * math.ceil(covered_w / 2)), max(out_height, 2 * math.ceil(covered_h / 2))


class ConformedVideo:
    """Output-size yuv420p frames of one source span, one per output frame time.

    `fit` is "fit" (the whole picture, black bars where its shape differs) or
    "fill" (cover the frame, cropping what sticks out). A still image is shown
    for as long as asked, like a video whose last frame holds.
    """

    def __init__(
        self, path: Path, start_frame: int, frame_rate: Fraction, width: int, height: int, fit: str = "fit"
    ) -> None:
        if fit not in ("fit", "fill"):
            raise ValueError(f"fit must be 'fit' or 'fill', not {fit!r}")
        self.path = Path(path)
        self._frame_rate = frame_rate
        self._width = width
        self._height = height
        self._fit = fit
        self._converted_for: av.VideoFrame | None = None
        self._converted: av.VideoFrame | None = None
        self._canvas: list[np.ndarray] | None = None
        self._canvas_for: tuple[int, int] | None = None
        self._shown: av.VideoFrame | None = None
        self._decoded_count = 0
        self._start_time = Fraction(start_frame) / frame_rate
        self._container = open_video(self.path, allow_still=True)
        try:
            self._still = is_still(self._container)
            self._stream = self._container.streams.video[0]
            self._stream.thread_type = "AUTO"
            self._stream.codec_context.thread_count = DECODER_THREADS
            self._time_base = self._stream.time_base or Fraction(1, 1)
            self._origin_pts = self._stream.start_time
            if start_frame > 0 and not self._still:
                # The frames between the keyframe and the trim point are decoded and
                # passed over by the timestamp rule.
                target = int(self._start_time / self._time_base) + (self._origin_pts or 0)
                seek_near(self._container, self._stream, target, self.path)
            self._frames = self._container.decode(self._stream)
            self._upcoming = self._next_source_frame()
            if self._upcoming is None:
                raise unreadable(self.path, "no frame decodes.")
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> ConformedVideo:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _next_source_frame(self) -> av.VideoFrame | None:
        if self._still and self._decoded_count:
            return None  # one picture, held
        try:
            frame = next(self._frames)
        except StopIteration:
            return None
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise decoding_failed(self.path, exc) from None
        self._decoded_count += 1
        return frame

    def _time_of(self, frame: av.VideoFrame) -> Fraction:
        if self._still:
            return Fraction(0)
        if frame.pts is None:
            # No timestamps (raw streams): trust the nominal rate.
            rate = self._stream.average_rate or self._stream.guessed_rate or self._frame_rate
            return Fraction(self._decoded_count - 1) / Fraction(rate)
        if self._origin_pts is None:
            self._origin_pts = frame.pts
        return (frame.pts - self._origin_pts) * self._time_base

    def frames(self, count: int) -> Iterator[av.VideoFrame]:
        """The span's `count` output frames, in order."""
        for j in range(count):
            instant = self._start_time + Fraction(j) / self._frame_rate
            while self._upcoming is not None and (
                self._shown is None or self._time_of(self._upcoming) <= instant + TIMESTAMP_SLACK
            ):
                self._shown = self._upcoming
                self._upcoming = self._next_source_frame()
            assert self._shown is not None
            yield self._conformed(self._shown)

    def _conformed(self, source: av.VideoFrame) -> av.VideoFrame:
        # A held or repeated source frame is converted once.
        if source is not self._converted_for:
            self._converted = self._convert(source)
            self._converted_for = source
        assert self._converted is not None
        return self._converted

    def _convert(self, source: av.VideoFrame) -> av.VideoFrame:
        aspect, turns = shown_shape(source, self._stream)
        size = cover if self._fit == "fill" else fit_inside
        shown_w, shown_h = size(aspect, self._width, self._height)
        # Scale first, in the stored orientation, then turn the (smaller) result.
        stored_w, stored_h = (shown_h, shown_w) if turns % 2 else (shown_w, shown_h)
        try:
            scaled = source.reformat(
                width=stored_w,
                height=stored_h,
                format="yuv420p",
                dst_colorspace=BT709,
                dst_color_range=LIMITED_RANGE,
                interpolation="BICUBIC",
            )
        except (av.FFmpegError, ValueError) as exc:
            raise decoding_failed(self.path, exc) from None
        planes = planes_of(scaled)
        if turns:
            planes = tuple(np.rot90(plane, turns) for plane in planes)
        if (shown_w, shown_h) == (self._width, self._height):
            return yuv420p_frame(*planes) if turns else scaled
        if self._fit == "fill":
            return self._cropped(planes, shown_w, shown_h)
        return self._letterboxed(planes, shown_w, shown_h)

    def _cropped(self, planes: tuple[np.ndarray, ...], shown_w: int, shown_h: int) -> av.VideoFrame:
        """The middle of a picture that covers the output; offsets are even, so chroma lines up."""
        left = (shown_w - self._width) // 2 & ~1
        top = (shown_h - self._height) // 2 & ~1
        y, u, v = planes
        return yuv420p_frame(
            y[top : top + self._height, left : left + self._width],
            u[top // 2 : (top + self._height) // 2, left // 2 : (left + self._width) // 2],
            v[top // 2 : (top + self._height) // 2, left // 2 : (left + self._width) // 2],
        )

    def _letterboxed(self, planes: tuple[np.ndarray, ...], shown_w: int, shown_h: int) -> av.VideoFrame:
        """The picture centred on black; sizes and offsets are even, so chroma lines up."""
        # The bars are drawn once per picture size (a stream may change size midway).
        if self._canvas is None or self._canvas_for != (shown_w, shown_h):
            self._canvas_for = (shown_w, shown_h)
            self._canvas = [
                np.full((self._height, self._width), BLACK_YUV[0], dtype=np.uint8),
                np.full((self._height // 2, self._width // 2), BLACK_YUV[1], dtype=np.uint8),
                np.full((self._height // 2, self._width // 2), BLACK_YUV[2], dtype=np.uint8),
            ]
        left = (self._width - shown_w) // 2 & ~1
        top = (self._height - shown_h) // 2 & ~1
        for index, (canvas, plane) in enumerate(zip(self._canvas, planes, strict=True)):
            x, y = (left, top) if index == 0 else (left // 2, top // 2)
            canvas[y : y + plane.shape[0], x : x + plane.shape[1]] = plane
        return yuv420p_frame(*self._canvas)

    def close(self) -> None:
        self._container.close()


class ConformedAudio:
    """Stereo float32 samples at the output rate from one source span, silence past its end."""

    def __init__(self, path: Path, start: Fraction, rate: int) -> None:
        self.path = Path(path)
        self._rate = rate
        self._resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
        self._start = round(start * rate)  # in output samples from the source's zero
        self._position: int | None = None  # where the next resampled sample lies, same units
        self._started = False
        self._buffer: list[np.ndarray] = []
        self._buffered = 0
        self._exhausted = False
        self._container = open_audio(self.path)
        try:
            self._stream = self._container.streams.audio[0]
            # Audio and picture share the video's zero, so an audio track that starts
            # late in the source starts late in the film too. A sound file has its own.
            zero = self._container.streams.video[0] if self._container.streams.video else self._stream
            self._origin = Fraction(zero.start_time or 0) * Fraction(zero.time_base or 1)
            if start > 0:
                seek_near(self._container, self._stream, int((start + self._origin) / self._stream.time_base), self.path)
            self._frames = self._container.decode(self._stream)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> ConformedAudio:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _decode_more(self) -> None:
        try:
            frame = next(self._frames)
        except StopIteration:
            self._exhausted = True
            if self._position is not None:  # flush what the resampler still holds
                self._keep(self._resampler.resample(None))
            return
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise decoding_failed(self.path, exc) from None
        if self._position is None:
            starts_at = Fraction(frame.pts) * frame.time_base - self._origin if frame.pts is not None else 0
            self._position = round(starts_at * self._rate)
        self._keep(self._resampler.resample(frame))

    def _keep(self, frames: list[av.AudioFrame]) -> None:
        for frame in frames:
            samples = frame.to_ndarray()
            assert self._position is not None
            # Decoding restarts at a packet before the trim point: drop the excess.
            if self._position < self._start:
                skip = min(samples.shape[1], self._start - self._position)
                samples = samples[:, skip:]
                self._position += skip
            if not samples.shape[1]:
                continue
            if not self._started:
                # The sound begins after the span does: silence until it comes in.
                self._started = True
                self._append(np.zeros((2, self._position - self._start), dtype=np.float32))
            self._append(samples)
            self._position += samples.shape[1]

    def _append(self, samples: np.ndarray) -> None:
        if samples.shape[1]:
            self._buffer.append(samples)
            self._buffered += samples.shape[1]

    def read(self, count: int) -> np.ndarray:
        """The next `count` samples, shaped (2, count)."""
        while self._buffered < count and not self._exhausted:
            self._decode_more()
        joined = np.concatenate(self._buffer, axis=1) if len(self._buffer) > 1 else (
            self._buffer[0] if self._buffer else np.zeros((2, 0), dtype=np.float32)
        )
        taken, rest = joined[:, :count], joined[:, count:]
        self._buffer = [rest] if rest.shape[1] else []
        self._buffered = rest.shape[1]
        if taken.shape[1] < count:
            taken = np.concatenate([taken, np.zeros((2, count - taken.shape[1]), dtype=np.float32)], axis=1)
        return taken

    def close(self) -> None:
        self._container.close()
