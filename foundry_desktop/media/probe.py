"""What a video file holds (size, rate, length, streams) and whether it decodes.

Every failure becomes a MediaError whose one-line message names the file, so
the GUI and the CLI can show it to a creator as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.stream

from foundry_desktop.errors import MediaError

# FFmpeg opens still images as one-frame "videos"; a take or a film never is one.
_IMAGE_DEMUXERS = {"image2", "image2pipe", "gif", "apng", "webp_pipe"}


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    width: int
    height: int
    frame_rate: Fraction
    frame_count: int
    duration_s: float
    video_codec: str
    has_audio: bool
    audio_rate: int | None


def unreadable(path: Path, reason: str) -> MediaError:
    return MediaError(f"{path.name} is not a video Foundry can read: {reason}")


def error_reason(exc: Exception) -> str:
    """Why FFmpeg gave up, in words a creator can act on."""
    if isinstance(exc, av.InvalidDataError):
        return "it is damaged or in a format Foundry does not know."
    # FFmpeg's own words, without the errno number and the repeated path.
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text[0].lower() + text[1:] + "."


def is_still(container: av.container.InputContainer) -> bool:
    """One picture (PNG, JPEG...), as opposed to an animation (GIF, APNG) or a video."""
    name = container.format.name
    return name == "image2" or name.endswith("_pipe")


def _is_image(container: av.container.InputContainer) -> bool:
    return container.format.name in _IMAGE_DEMUXERS or is_still(container)


def open_video(path: Path, *, allow_still: bool = False) -> av.container.InputContainer:
    """Open `path` for reading, or raise a MediaError that says why not.

    Still images are refused unless `allow_still`: a take or a film is never one,
    but a shot may show a still.
    """
    path = Path(path)
    if not path.exists():
        raise MediaError(f"{path.name} does not exist (looked in {path.parent}).")
    if not path.is_file():
        raise MediaError(f"{path.name} is not a file.")
    try:
        container = av.open(str(path), mode="r")
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise unreadable(path, error_reason(exc)) from None
    if _is_image(container) and not allow_still:
        container.close()
        raise unreadable(path, "it is a still image, not a video.")
    if not container.streams.video:
        container.close()
        raise unreadable(path, "it has no video stream.")
    return container


def open_audio(path: Path) -> av.container.InputContainer:
    """Open `path` (a sound file, or a video with sound) for its audio, or raise a MediaError."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path.name} does not exist (looked in {path.parent}).")
    try:
        container = av.open(str(path), mode="r")
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"{path.name} is not a sound file Foundry can read: {error_reason(exc)}") from None
    if not container.streams.audio:
        container.close()
        raise MediaError(f"{path.name} has no sound.")
    return container


def stream_seconds(container: av.container.InputContainer, stream: av.stream.Stream) -> float:
    """The stream's length as its container states it (0.0 when it does not)."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0


def probe_audio_seconds(path: Path) -> float:
    """How long the sound in `path` lasts, checking that it decodes."""
    path = Path(path)
    with open_audio(path) as container:
        stream = container.streams.audio[0]
        seconds = stream_seconds(container, stream)
        try:
            decoded = next(container.decode(stream), None)
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise MediaError(f"{path.name} is not a sound file Foundry can read: {error_reason(exc)}") from None
    if decoded is None or seconds <= 0:
        raise MediaError(f"{path.name} holds no sound Foundry can read.")
    return seconds


def probe_media(path: Path) -> MediaInfo:
    path = Path(path)
    with open_video(path) as container:
        video = container.streams.video[0]
        context = video.codec_context
        rate = video.average_rate or video.guessed_rate or video.base_rate
        if not rate or rate <= 0 or not context.width or not context.height:
            raise unreadable(path, "its video stream has no size or frame rate.")
        frame_rate = Fraction(rate)

        duration_s = stream_seconds(container, video)
        # MP4 and MOV know their frame count exactly; other containers only a duration.
        frame_count = video.frames or round(duration_s * frame_rate)
        if duration_s <= 0 and frame_count > 0:
            duration_s = float(frame_count / frame_rate)
        if frame_count <= 0:
            raise unreadable(path, "its video stream is empty.")

        audio = container.streams.audio[0] if container.streams.audio else None
        return MediaInfo(
            path=path,
            width=context.width,
            height=context.height,
            frame_rate=frame_rate,
            frame_count=frame_count,
            duration_s=duration_s,
            video_codec=context.name,
            has_audio=audio is not None,
            audio_rate=audio.codec_context.sample_rate if audio is not None else None,
        )


def decode_all_frames(path: Path) -> int:
    """Decode every video frame; the count, or a MediaError at the first damage."""
    path = Path(path)
    with open_video(path) as container:
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        expected = video.frames
        count = 0
        try:
            for frame in container.decode(video):
                if frame.is_corrupt:
                    raise unreadable(path, f"frame {count + 1} is damaged.")
                count += 1
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise unreadable(path, f"decoding stopped at frame {count + 1}: {error_reason(exc)}") from None
    if expected and count < expected:
        raise unreadable(path, f"it ends early ({count} of {expected} frames decode).")
    if count == 0:
        raise unreadable(path, "no frame decodes.")
    return count


# How much shorter than it says a video's pictures may end without the file being cut short: containers
# without a frame count (Matroska, WebM) state the length of their longest stream, often the sound's.
_END_SLACK_S = 1.0


def check_complete(path: Path) -> None:
    """Refuse a video whose file ends before its pictures do (a download or copy cut short: the header
    still promises the whole length). Its packets are read to the end without decoding them, which
    costs about what reading the file does."""
    path = Path(path)
    with open_video(path) as container:
        video = container.streams.video[0]
        declared = stream_seconds(container, video)
        start = float(video.start_time * video.time_base) if video.start_time is not None and video.time_base else 0.0
        count, end, damaged = 0, start, False
        try:
            for packet in container.demux(video):
                if not packet.size:
                    continue  # the end-of-stream marker
                count += 1
                damaged = damaged or packet.is_corrupt
                if packet.pts is not None and packet.time_base is not None:
                    end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise unreadable(path, f"it is damaged after frame {count}: {error_reason(exc)}") from None
        expected = video.frames
    short = (expected and count < expected) or (declared > 0 and end - start < declared - _END_SLACK_S)
    if damaged or short:
        raise unreadable(path, f"the file ends early: only {end - start:.2f} s of its {declared:.2f} s are there "
                               "(was it copied or downloaded completely?).")


@dataclass(frozen=True)
class SourceInfo:
    """A clip or still a creator brings to use as a shot."""

    path: Path
    width: int
    height: int
    still: bool
    duration_s: float | None  # None for a still: it lasts as long as it is asked to
    has_audio: bool
    timecode: str = ""  # the start timecode the file carries (a camera original's), as written; "" for none
    reel: str = ""  # the reel name the file carries; "" for none
    frame_rate: Fraction | None = None  # a clip's, the rate its timecode counts at; None for a still


def _tag(container: av.container.InputContainer, *keys: str) -> str:
    """A tag of the file's own or of one of its streams (a MOV or MP4 keeps its start timecode on the
    video stream and its tmcd track, MXF on the material package, Matroska in upper case), first of
    `keys` found; "" for none."""
    for metadata in (container.metadata, *(stream.metadata for stream in container.streams)):
        tags = {str(key).lower(): str(value).strip() for key, value in metadata.items()}
        for key in keys:
            if tags.get(key):
                return tags[key]
    return ""


def probe_sound_source(path: Path) -> SourceInfo:
    """A sound file (a music model's output) checked to decode, described as a source without a picture."""
    return SourceInfo(Path(path), 0, 0, still=False, duration_s=probe_audio_seconds(path), has_audio=True)


def probe_source(path: Path) -> SourceInfo:
    """Check that `path` is a video or a still image whose first picture decodes."""
    path = Path(path)
    with open_video(path, allow_still=True) as container:
        still = is_still(container)
        video = container.streams.video[0]
        try:
            first = next(container.decode(video), None)
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise unreadable(path, error_reason(exc)) from None
        if first is None:
            raise unreadable(path, "no picture decodes.")
        has_audio = bool(container.streams.audio)
        timecode, reel = _tag(container, "timecode"), _tag(container, "reel_name", "reel")
    if still:
        return SourceInfo(path, first.width, first.height, True, None, False, reel=reel)
    info = probe_media(path)
    check_complete(path)
    return SourceInfo(path, info.width, info.height, False, info.duration_s, has_audio, timecode, reel,
                      info.frame_rate)
