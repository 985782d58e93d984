"""The outline of a sound for the timeline: its lowest and highest sample per bucket.

A timeline draws a clip's sound as a band from each bucket's minimum to its
maximum; at any zoom the GUI picks the bucket rate it needs. The file is decoded
a frame at a time and only the buckets are kept, so memory does not grow with
the sound's length (an hour at 100 buckets a second is 2.9 MB), and the result
is cached beside the thumbnails, keyed the same way.

Bucket b holds the samples s with s * buckets_per_second // sample_rate == b,
so there are ceil(samples * buckets_per_second / sample_rate) buckets: a last,
shorter bucket holds the remainder.

A file without sound raises a MediaError ("... has no sound."), as every other
reader of sound in Foundry does, rather than giving an empty outline: a caller
drawing a video clip knows from its probe whether it has sound, and a creator who
picks a soundless file as music should be told so, not shown a flat line.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO

import av
import numpy as np

from foundry_desktop.errors import MediaError
from foundry_desktop.media.derived_cache import cache_key, save_atomically
from foundry_desktop.media.probe import error_reason, open_audio

# Part of every cache key: bump it when the outline changes for the same request.
_WAVEFORM_FORMAT = "waveform-1"
# Samples gathered before they are bucketed: fewer, larger numpy calls.
_BATCH_SAMPLES = 1 << 16


@dataclass(frozen=True)
class WaveformPeaks:
    """Per-bucket extremes of the sound's mono mix (float32, within -1..1)."""

    minima: np.ndarray
    maxima: np.ndarray
    sample_rate: int
    duration_s: float
    buckets_per_second: int


class _Buckets:
    """Min and max per bucket of mono samples fed in order."""

    def __init__(self, sample_rate: int, buckets_per_second: int) -> None:
        self._rate = sample_rate
        self._per_second = buckets_per_second
        self.samples = 0  # bucketed so far
        self._pending: list[np.ndarray] = []
        self._pending_count = 0
        self._minima: list[np.ndarray] = []
        self._maxima: list[np.ndarray] = []
        # The last bucket seen may go on in the next batch: (index, min, max).
        self._open: tuple[int, np.float32, np.float32] | None = None

    def add(self, mono: np.ndarray) -> None:
        self._pending.append(mono)
        self._pending_count += mono.shape[0]
        if self._pending_count >= _BATCH_SAMPLES:
            self._bucket_pending()

    def _bucket_pending(self) -> None:
        if not self._pending_count:
            return
        batch = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        self._pending, self._pending_count = [], 0
        first = self.samples * self._per_second // self._rate
        last = (self.samples + batch.shape[0] - 1) * self._per_second // self._rate
        buckets = np.arange(first, last + 1, dtype=np.int64)
        # Bucket b starts at sample ceil(b * rate / per_second); the first may have started earlier.
        starts = -(-buckets * self._rate // self._per_second) - self.samples
        starts[0] = 0
        lows = np.minimum.reduceat(batch, starts)
        highs = np.maximum.reduceat(batch, starts)
        if self._open is not None:
            index, low, high = self._open
            if index == first:
                lows[0], highs[0] = min(lows[0], low), max(highs[0], high)
            else:
                self._minima.append(np.array([low], dtype=np.float32))
                self._maxima.append(np.array([high], dtype=np.float32))
        self._minima.append(lows[:-1])
        self._maxima.append(highs[:-1])
        self._open = (last, lows[-1], highs[-1])
        self.samples += batch.shape[0]

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        self._bucket_pending()
        if self._open is not None:
            _, low, high = self._open
            self._minima.append(np.array([low], dtype=np.float32))
            self._maxima.append(np.array([high], dtype=np.float32))
            self._open = None
        if not self._minima:
            return np.zeros(0, np.float32), np.zeros(0, np.float32)
        minima = np.clip(np.concatenate(self._minima), -1.0, 1.0).astype(np.float32)
        maxima = np.clip(np.concatenate(self._maxima), -1.0, 1.0).astype(np.float32)
        return minima, maxima


def _decoded_peaks(path: Path, buckets_per_second: int) -> WaveformPeaks:
    with open_audio(path) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        if not rate:
            raise MediaError(f"{path.name} holds no sound Foundry can read.")
        if buckets_per_second > rate:
            raise ValueError(f"{buckets_per_second} buckets a second is more than the {rate} samples")
        # Sound and picture share the video's zero (as in the render), so a sound
        # that starts late in a video starts late in its outline too.
        zero = container.streams.video[0] if container.streams.video else stream
        origin = Fraction(zero.start_time or 0) * Fraction(zero.time_base or 1)
        # Float planar at the source's own rate and channels: the mono mix is the
        # channels' mean, taken here so that it is plainly that.
        resampler = av.AudioResampler(format="fltp")
        buckets = _Buckets(rate, buckets_per_second)
        to_skip: int | None = None
        try:
            for frame in container.decode(stream):
                if to_skip is None:
                    starts = Fraction(frame.pts) * frame.time_base - origin if frame.pts is not None else 0
                    offset = round(starts * rate)
                    if offset > 0:
                        buckets.add(np.zeros(offset, np.float32))
                    to_skip = max(0, -offset)  # sound from before the zero is not on the timeline
                for converted in resampler.resample(frame):
                    mono = converted.to_ndarray().mean(axis=0, dtype=np.float32)
                    if to_skip:
                        dropped = min(to_skip, mono.shape[0])
                        mono, to_skip = mono[dropped:], to_skip - dropped
                    buckets.add(mono)
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise MediaError(f"{path.name} is not a sound file Foundry can read: {error_reason(exc)}") from None
        minima, maxima = buckets.finish()
    if buckets.samples == 0:
        raise MediaError(f"{path.name} holds no sound Foundry can read.")
    return WaveformPeaks(minima, maxima, rate, buckets.samples / rate, buckets_per_second)


def _cached(final: Path, buckets_per_second: int) -> WaveformPeaks | None:
    try:
        with np.load(final) as stored:
            return WaveformPeaks(
                stored["minima"],
                stored["maxima"],
                int(stored["sample_rate"]),
                float(stored["duration_s"]),
                buckets_per_second,
            )
    except (OSError, ValueError, KeyError, EOFError):
        return None  # missing or unreadable: made again


def waveform_peaks(
    path: Path, buckets_per_second: int, cache_dir: Path, *, content_hash: str | None = None
) -> WaveformPeaks:
    """The min/max outline of the sound in `path` (a sound file or a video with sound).

    Raises a MediaError naming the file when it is missing, damaged or has no sound.
    """
    if buckets_per_second < 1:
        raise ValueError(f"buckets_per_second must be at least 1, not {buckets_per_second}")
    path = Path(path)
    settings = {"kind": _WAVEFORM_FORMAT, "buckets_per_second": buckets_per_second}
    final = Path(cache_dir) / f"{cache_key(path, content_hash, settings)}.npz"
    if final.is_file():
        cached = _cached(final, buckets_per_second)
        if cached is not None:
            return cached
    peaks = _decoded_peaks(path, buckets_per_second)

    def write(file: IO[bytes]) -> None:
        np.savez(
            file,
            minima=peaks.minima,
            maxima=peaks.maxima,
            sample_rate=np.int64(peaks.sample_rate),
            duration_s=np.float64(peaks.duration_s),
        )

    save_atomically(final, write, f"the sound outline of {path.name} in {final.parent}")
    return peaks
