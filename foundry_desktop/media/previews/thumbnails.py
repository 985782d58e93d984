"""Small pictures of a video or still at a given time, for the bin and the timeline.

The GUI asks for the same pictures over and over (every repaint, every reopen),
so each one is kept as a file in a cache folder, named by a hash of what it
shows: the source's identity (its path, size and modification time, or its
content hash when the caller knows it), the time, the width and the mode. A
cache hit opens nothing.

The pictures are JPEGs: video frames are photographic, so at thumbnail size a
JPEG is several times smaller than a PNG and quicker to write, and its loss
does not show. A timeline strip of a long film is thousands of these.

Fast mode (the default) shows the keyframe at or before the time asked: one
picture decoded, which is what scrubbing and strips need. Exact mode decodes on
to the frame on screen at that time, by the same rule the render follows
(`conform.py`): the latest frame whose time is at or before it.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import IO, Self

import av
import av.container
import numpy as np
from PIL import Image

from foundry_desktop.media.derived_cache import cache_key, save_atomically
from foundry_desktop.media.probe import (
    error_reason,
    is_still,
    open_video,
    stream_seconds,
    unreadable,
)
from foundry_desktop.media.source_frames import TIMESTAMP_SLACK, seek_near, shown_shape

# Part of every cache key: bump it when the pictures change for the same request.
_THUMBNAIL_FORMAT = "thumbnail-1"
_JPEG_QUALITY = 85


def _thumbnail_file(
    path: Path, cache_dir: Path, content_hash: str | None, width: int, exact: bool, place: dict[str, object]
) -> Path:
    settings = {"kind": _THUMBNAIL_FORMAT, "width": width, "exact": exact, **place}
    return Path(cache_dir) / f"{cache_key(path, content_hash, settings)}.jpg"


def _open_for_pictures(path: Path) -> av.container.InputContainer:
    """`path` opened for its pictures, without FFmpeg's trial decode.

    While it opens a file FFmpeg decodes its first picture (single-threaded) to
    learn its pixel format; at 1080p that costs as much as the thumbnail itself.
    The picture is decoded here anyway, so the trial decoder is told to skip it.
    Whatever will not open that way goes through open_video, which either opens
    it or says in a creator's words why it cannot.
    """
    try:
        container = av.open(str(path), mode="r", options={"skip_frame": "all"})
    except (av.FFmpegError, OSError, ValueError):
        return open_video(path, allow_still=True)
    if container.streams.video:
        return container
    container.close()
    return open_video(path, allow_still=True)


class _Pictures:
    """One open source, asked for pictures at any times, in any order."""

    def __init__(self, path: Path, width: int, exact: bool) -> None:
        self.path = path
        self._width = width
        self._exact = exact
        self.container = _open_for_pictures(path)
        try:
            self.still = is_still(self.container)
            self.stream = self.container.streams.video[0]
            self.stream.thread_type = "AUTO"
            if not exact:
                # A keyframe shown alone refers to no other frame, so leaving out
                # H.264's deblocking cannot smear into later ones; at thumbnail size
                # it does not show, and it is a tenth of the decode.
                self.stream.codec_context.options = {"skip_loop_filter": "all"}
            self._time_base = self.stream.time_base or Fraction(1, 1)
            # Unstated (Matroska, opened as above): the clock starts at zero.
            self._origin_pts = self.stream.start_time or 0
        except BaseException:
            self.container.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.container.close()

    def duration_s(self) -> float:
        return stream_seconds(self.container, self.stream)

    def at(self, at_s: float) -> np.ndarray:
        """The RGB picture shown at `at_s` seconds (a keyframe's, in fast mode), upright and scaled."""
        instant = Fraction(max(0.0, at_s))
        back_off = Fraction(0)
        while True:
            frame = self._decoded_near(instant, instant - back_off)
            if frame is None or self.still or instant - back_off <= 0:
                break
            starts = self._starts(frame)
            if starts is None or starts <= instant + TIMESTAMP_SLACK:
                break
            # Some containers (MPEG-TS) seek by byte position and land past the
            # time asked: seek from further back, then from further still.
            back_off = max(Fraction(1), 2 * back_off)
        if frame is None:
            raise unreadable(self.path, "no picture decodes.")
        return self._scaled(frame)

    def _decoded_near(self, instant: Fraction, seek_to: Fraction) -> av.VideoFrame | None:
        if not self.still:
            seek_to = max(Fraction(0), seek_to)
            seek_near(self.container, self.stream, int(seek_to / self._time_base) + self._origin_pts, self.path)
        try:
            return self._frame_at(instant) if self._exact and not self.still else self._first_frame()
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise unreadable(self.path, error_reason(exc)) from None

    def _starts(self, frame: av.VideoFrame) -> Fraction | None:
        return None if frame.pts is None else (frame.pts - self._origin_pts) * self._time_base

    def _first_frame(self) -> av.VideoFrame | None:
        """The first picture from where the file was sought to: the keyframe.

        The decoder holds pictures back until it has decoded the frames after them
        (to put B-frames in order); draining it right after the keyframe gives that
        picture without decoding any other.
        """
        for packet in self.container.demux(self.stream):
            frames = self.stream.decode(packet)
            if frames:
                return frames[0]
            if packet.is_keyframe and packet.size:
                frames = self.stream.decode(None)
                return frames[0] if frames else None
        return None

    def _frame_at(self, instant: Fraction) -> av.VideoFrame | None:
        """The frame on screen at `instant`: the latest that starts at or before it."""
        shown = None
        for frame in self.container.decode(self.stream):
            starts = self._starts(frame)
            if starts is None:
                return frame  # without a timestamp a frame cannot be placed: the first will do
            if shown is not None and starts > instant + TIMESTAMP_SLACK:
                break  # the frame before this one is on screen at `instant`
            shown = frame
            if frame.duration and starts + frame.duration * self._time_base > instant + TIMESTAMP_SLACK:
                break  # on screen until after `instant`: no need to decode the next one
        return shown  # past the end, the last frame holds

    def _scaled(self, frame: av.VideoFrame) -> np.ndarray:
        aspect, turns = shown_shape(frame, self.stream)
        height = max(2, 2 * round(self._width / aspect / 2))
        # Scale in the stored orientation, then turn the (small) result, as conform does.
        stored_w, stored_h = (height, self._width) if turns % 2 else (self._width, height)
        try:
            scaled = frame.reformat(width=stored_w, height=stored_h, format="rgb24", interpolation="AREA")
        except (av.FFmpegError, ValueError) as exc:
            raise unreadable(self.path, error_reason(exc)) from None
        picture = scaled.to_ndarray()
        return np.ascontiguousarray(np.rot90(picture, turns)) if turns else picture


def _save_jpeg(picture: np.ndarray, final: Path, source: Path) -> Path:
    def write(file: IO[bytes]) -> None:
        Image.fromarray(picture).save(file, format="JPEG", quality=_JPEG_QUALITY)

    return save_atomically(final, write, f"a thumbnail of {source.name} in {final.parent}")


def _check_width(width: int) -> None:
    if width < 2:
        raise ValueError(f"a thumbnail must be at least 2 pixels wide, not {width}")


def thumbnail(
    path: Path,
    at_s: float,
    cache_dir: Path,
    width: int = 160,
    *,
    exact: bool = False,
    content_hash: str | None = None,
) -> Path:
    """A JPEG, `width` pixels wide with the picture's shape (even height), of `path` at `at_s`.

    Fast mode shows the keyframe at or before `at_s`; `exact` the frame on screen
    then. A still shows its picture at any time. Times past the end show the last
    frame (exact) or last keyframe (fast).
    """
    _check_width(width)
    path = Path(path)
    final = _thumbnail_file(path, cache_dir, content_hash, width, exact, {"at_s": float(at_s)})
    if final.is_file():
        return final
    with _Pictures(path, width, exact) as pictures:
        picture = pictures.at(at_s)
    return _save_jpeg(picture, final, path)


def thumbnail_strip(
    path: Path,
    count: int,
    cache_dir: Path,
    width: int = 160,
    *,
    exact: bool = False,
    content_hash: str | None = None,
) -> list[Path]:
    """`count` thumbnails for a timeline strip: picture i shows the start of the i-th
    of `count` equal slices of the source (i * duration / count), so the first is
    its first frame, as an editor's filmstrip shows it.

    The source is opened once, and only for the pictures not cached yet. Their keys
    hold (count, i) rather than a time, so a full hit does not even open the file.
    """
    if count < 0:
        raise ValueError(f"a strip cannot have {count} pictures")
    _check_width(width)
    path = Path(path)
    finals = [
        _thumbnail_file(path, cache_dir, content_hash, width, exact, {"strip": [count, index]})
        for index in range(count)
    ]
    missing = [index for index, final in enumerate(finals) if not final.is_file()]
    if not missing:
        return finals
    with _Pictures(path, width, exact) as pictures:
        if pictures.still:
            picture = pictures.at(0.0)
            for index in missing:
                _save_jpeg(picture, finals[index], path)
            return finals
        duration_s = pictures.duration_s()
        for index in missing:
            _save_jpeg(pictures.at(index * duration_s / count), finals[index], path)
    return finals
