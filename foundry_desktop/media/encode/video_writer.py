"""A video file (+ stereo sound) with Foundry's encoder settings, written whole or not at all.

Takes and films both go through here, so they share one look: pictures tagged
BT.709 limited range (what players assume for HD anyway, stated so none has to
guess), encoded as a VideoEncoding says (H.264 by libx264 unless told
otherwise), sound as the container expects (AAC; Opus in WebM). The file grows
under a hidden temporary name in the destination folder and only replaces the
destination once it is complete; any failure removes it, so a crash or a full
disk never leaves half a video behind.
"""

from __future__ import annotations

import errno
import os
import uuid
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import av.container
import numpy as np

from foundry_desktop.errors import MediaError
from foundry_desktop.media.partial_files import claim_partial, release_partial
from foundry_desktop.media.probe import error_reason
from foundry_desktop.media.encode.video_encoding import (
    AUDIO_CODECS,
    ENCODER_THREADS,
    VideoEncoding,
    VideoFormat,
)

# AVColorSpace / AVColorPrimaries / AVColorTransferCharacteristic BT709, AVCOL_RANGE_MPEG.
BT709 = 1
LIMITED_RANGE = 1


def write_error(path: Path, exc: BaseException, described_as: str | None = None) -> MediaError:
    """A creator-readable MediaError for a failed write of `path` (called `described_as` if given)."""
    what = described_as or f"{path.name} in {path.parent}"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return MediaError(f"The disk is full: there is no room to write {what}.")
    if isinstance(exc, PermissionError):
        return MediaError(f"Foundry may not write {what} (permission denied).")
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return MediaError(f"Could not write {described_as or path.name}: {reason}.")


def _open_container(path: Path, container: str, options: dict[str, str]) -> av.container.OutputContainer:
    # The temporary name has no telling extension, so the muxer is named, not guessed.
    return av.open(str(path), mode="w", format=container, options=options)


class VideoWriter:
    """Append frames (and audio) in order; `finish()` publishes the file, `abort()` drops it.

    As a context manager it aborts when the block raises.
    """

    def __init__(
        self,
        path: Path,
        *,
        width: int,
        height: int,
        frame_rate: Fraction,
        keyframe_interval_s: float,
        audio_rate: int | None = None,
        encoding: VideoEncoding = VideoEncoding(),
        container: str = "mp4",
        faststart: bool = False,
        copy_video_from: av.video.stream.VideoStream | None = None,
        described_as: str | None = None,
    ) -> None:
        """With `copy_video_from`, the video is not encoded here: packets of streams
        encoded like that one are copied in with `add_video_packet`."""
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise MediaError(f"A video must have an even width and height, not {width}x{height}.")
        if frame_rate <= 0:
            raise MediaError(f"A frame rate must be positive, not {frame_rate}.")
        self.path = Path(path)
        self._described_as = described_as
        self.frame_rate = Fraction(frame_rate)
        self.audio_rate = audio_rate
        self.frames_written = 0
        self.samples_written = 0
        self._closed = False
        self.temp_path = self._new_temp_file()
        try:
            # faststart moves the index to the front (one extra pass over the file) so
            # a finished film starts playing before it has fully downloaded.
            movflags = {"movflags": "+faststart"} if faststart and container in ("mp4", "mov") else {}
            self._container = _open_container(self.temp_path, container, movflags)
            self._copying = copy_video_from is not None
            self._pix_fmt = encoding.pix_fmt
            self._encoder = encoding.encoder
            if copy_video_from is not None:
                # opaque: take the codec parameters as they are, even where the decoder that read them
                # (libdav1d for AV1) is not an encoder.
                self._video = self._container.add_stream_from_template(copy_video_from, opaque=True)
            else:
                self._video = self._add_encoder(encoding, width, height, keyframe_interval_s)
            if encoding.codec.name == "hevc" and container in ("mp4", "mov"):
                self._video.codec_tag = "hvc1"  # the tag Apple's players require for HEVC
            self._audio = None
            if audio_rate is not None:
                self._audio = self._container.add_stream(AUDIO_CODECS[container], rate=audio_rate, layout="stereo")
        except (av.FFmpegError, OSError, ValueError) as exc:
            self.abort()
            raise write_error(self.path, exc, self._described_as) from None
        except BaseException:
            self.abort()
            raise

    def _new_temp_file(self) -> Path:
        """The hidden file, beside the destination, that the video grows in."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Not mkstemp: its files are private (0600), and a film should get the
            # permissions the creator's umask gives any new file.
            temp_path = self.path.with_name(f".{self.path.stem}.{uuid.uuid4().hex}.partial")
            temp_path.open("xb").close()
        except OSError as exc:
            raise write_error(self.path, exc, self._described_as) from None
        # Held while it grows, so that the next open of the project leaves it alone (partial_files).
        self._claim = claim_partial(temp_path)
        return temp_path

    def _add_encoder(
        self, encoding: VideoEncoding, width: int, height: int, keyframe_interval_s: float
    ) -> av.video.stream.VideoStream:
        """The stream that encodes what add_frame is given, its pictures tagged BT.709 limited range."""
        video = self._container.add_stream(encoding.encoder, rate=self.frame_rate, options=encoding.options())
        video.width = width
        video.height = height
        video.pix_fmt = encoding.pix_fmt
        if encoding.bit_rate is not None:
            video.bit_rate = encoding.bit_rate
        # Frame threading: faster than FFmpeg's default slice threading, and smaller files.
        video.thread_type = "AUTO"
        video.codec_context.thread_count = ENCODER_THREADS
        context = video.codec_context
        # One tick per frame keeps NTSC rates (30000/1001) exact.
        context.time_base = 1 / self.frame_rate
        context.gop_size = max(1, round(keyframe_interval_s * self.frame_rate))
        context.colorspace = BT709
        context.color_primaries = BT709
        context.color_trc = BT709
        context.color_range = LIMITED_RANGE
        return video

    @classmethod
    def for_format(cls, path: Path, fmt: VideoFormat, **options: Any) -> VideoWriter:
        """A writer of `fmt`'s size, rate, encoding and keyframe interval (`options`: the rest)."""
        return cls(path, width=fmt.width, height=fmt.height, frame_rate=fmt.frame_rate,
                   keyframe_interval_s=fmt.keyframe_interval_s, encoding=fmt.encoding, **options)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is not None:
            self.abort()
        elif not self._closed:
            self.abort()  # left without finish(): nothing was published

    def add_frame(self, frame: av.VideoFrame) -> None:
        """Append one yuv420p frame of the writer's size; it shows for one frame time."""
        if frame.format.name != self._pix_fmt:
            frame = frame.reformat(format=self._pix_fmt)
        frame.pts = self.frames_written
        frame.time_base = self._video.codec_context.time_base
        try:
            packets = self._video.encode(frame)
        except (av.FFmpegError, OSError) as exc:
            # The encoder itself failed (it opens with the first picture): say so, not "could not write".
            raise MediaError(
                f"The {self._encoder} encoder failed ({error_reason(exc).rstrip('.')}). Render with another "
                "--encoder, or run `foundry doctor --refresh` to try the encoders again."
            ) from None
        try:
            self._container.mux(packets)
        except (av.FFmpegError, OSError) as exc:
            raise write_error(self.path, exc, self._described_as) from None
        self.frames_written += 1

    def add_video_packet(self, packet: av.Packet, frames: int) -> None:
        """Copy in an encoded packet (timestamps already placed in the film); `frames`
        is how many frames it completes, for frames_written."""
        packet.stream = self._video
        try:
            self._container.mux(packet)
        except (av.FFmpegError, OSError) as exc:
            raise write_error(self.path, exc, self._described_as) from None
        self.frames_written += frames

    def add_audio(self, samples: np.ndarray) -> None:
        """Append stereo float32 samples shaped (2, n) at the writer's audio rate."""
        if self._audio is None or samples.shape[1] == 0:
            return
        planar = np.ascontiguousarray(samples, dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout="stereo")
        frame.sample_rate = self.audio_rate
        frame.pts = self.samples_written
        frame.time_base = Fraction(1, self.audio_rate)
        try:
            self._container.mux(self._audio.encode(frame))
        except (av.FFmpegError, OSError) as exc:
            raise write_error(self.path, exc, self._described_as) from None
        self.samples_written += samples.shape[1]

    def finish(self) -> Path:
        """Flush the encoders, close the file and move it into place."""
        try:
            if not self._copying:
                self._container.mux(self._video.encode(None))
            if self._audio is not None:
                self._container.mux(self._audio.encode(None))
            self._container.close()
            self._closed = True
            os.replace(self.temp_path, self.path)
            release_partial(self._claim)
            self._claim = None
        except BaseException as exc:
            self.abort()
            if isinstance(exc, (av.FFmpegError, OSError)):
                raise write_error(self.path, exc, self._described_as) from None
            raise
        return self.path

    def abort(self) -> None:
        """Close and delete the unfinished file. Safe to call more than once."""
        if not self._closed:
            self._closed = True
            container = getattr(self, "_container", None)
            if container is not None:
                try:
                    container.close()
                except (av.FFmpegError, OSError):
                    pass  # the file is going away; its trailer does not matter
        self.temp_path.unlink(missing_ok=True)
        release_partial(getattr(self, "_claim", None))
        self._claim = None
