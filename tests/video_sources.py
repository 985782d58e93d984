"""Small real source videos (and sounds) for the media tests, written with PyAV.

A frame's picture can encode its index (a grey level per frame), so a test can
tell which source frame ended up where after frame-rate conforming and trims.
"""

from __future__ import annotations

import wave
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

GREY_STEP = 7
GREY_LEVELS = 31  # indices repeat after this many frames


def grey_of(index: int) -> int:
    return 16 + GREY_STEP * (index % GREY_LEVELS)


def index_of_grey(luma: float) -> int:
    return round((luma - 16) / GREY_STEP)


def frame_indices(path: Path) -> list[int]:
    """For a video of grey_of(i) frames: which source index each decoded frame shows."""
    with av.open(str(path)) as container:
        indices = []
        for frame in container.decode(video=0):
            y = frame.to_ndarray(format="gray")
            h, w = y.shape
            indices.append(index_of_grey(float(y[h // 3 : 2 * h // 3, w // 3 : 2 * w // 3].mean())))
        return indices


def decoded_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def decoded_audio(path: Path) -> tuple[np.ndarray, int]:
    """All audio as float32 (channels, samples) and its rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        chunks = [frame.to_ndarray() for frame in container.decode(stream)]
        rate = stream.codec_context.sample_rate
    planar = [chunk if chunk.ndim == 2 and chunk.shape[0] <= 8 else chunk.reshape(1, -1) for chunk in chunks]
    return np.concatenate(planar, axis=1).astype(np.float32), rate


def write_video(
    path: Path,
    *,
    width: int = 160,
    height: int = 90,
    frame_rate: Fraction | int = 24,
    frames: int = 24,
    picture: Callable[[int], np.ndarray] | None = None,
    pix_fmt: str = "yuv420p",
    gop: int = 12,
    container_format: str | None = None,
    tone: Callable[[np.ndarray], np.ndarray] | None = None,
    audio_rate: int = 44100,
    codec: str = "libx264",
    rotation: int = 0,
    tags: dict[str, str] | None = None,
) -> Path:
    """Write `frames` pictures (RGB arrays from `picture(i)`, grey_of(i) by default).

    `rotation` tags the stream to be shown turned counter-clockwise by that many degrees;
    `tags` are the file's metadata (a "timecode" tag becomes a MOV or MP4 file's tmcd track).
    With `tone`, also a mono audio track: tone(times in seconds) -> samples, as
    long as the video.
    """
    frame_rate = Fraction(frame_rate)
    if picture is None:

        def picture(index: int) -> np.ndarray:
            return np.full((height, width, 3), grey_of(index), dtype=np.uint8)

    with av.open(str(path), mode="w", format=container_format) as container:
        container.metadata.update(tags or {})
        options = {"crf": "8", "preset": "ultrafast"} if codec == "libx264" else {}
        video = container.add_stream(codec, rate=frame_rate, options=options)
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        if rotation:
            video.set_display_rotation(rotation)
        video.codec_context.time_base = 1 / frame_rate
        video.codec_context.gop_size = gop
        audio = None
        if tone is not None:
            audio = container.add_stream("aac", rate=audio_rate, layout="mono")
        written = 0
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(picture(index), format="rgb24")
            frame.pts = index
            container.mux(video.encode(frame))
            if audio is not None:
                end = round((index + 1) * audio_rate / frame_rate)
                times = np.arange(written, end) / audio_rate
                samples = tone(times).astype(np.float32)[None, :]
                sound = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
                sound.sample_rate = audio_rate
                sound.pts = written
                sound.time_base = Fraction(1, audio_rate)
                container.mux(audio.encode(sound))
                written = end
        container.mux(video.encode(None))
        if audio is not None:
            container.mux(audio.encode(None))
    return path


def sine(hz: float = 440.0, level: float = 0.5) -> Callable[[np.ndarray], np.ndarray]:
    return lambda times: level * np.sin(2 * np.pi * hz * times)


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples)))) if samples.size else 0.0


def write_wav(path: Path, seconds: float, level: float, hz: float = 220.0, rate: int = 44100) -> Path:
    times = np.arange(int(seconds * rate)) / rate
    samples = (level * np.sin(2 * np.pi * hz * times) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path
