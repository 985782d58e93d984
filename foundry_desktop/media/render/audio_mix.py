"""The film's sound: pieces of audio placed on the film's sample clock and mixed.

Each placement plays a source from a point in it, for a number of samples,
at a gain, with equal-power fades at its ends (so a crossfade between two
unrelated sounds keeps its loudness). The mixer reads the film front to back
in blocks and opens a source only while it plays, so memory does not grow
with the film's length or the number of clips.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from foundry_desktop.errors import MediaError
from foundry_desktop.media.render.conform import ConformedAudio


@dataclass(frozen=True)
class AudioPlacement:
    path: Path
    start_sample: int  # film sample where it begins
    samples: int
    source_start: Fraction  # seconds into the source
    gain_db: float = 0.0
    fade_in: int = 0  # samples
    fade_out: int = 0
    label: str = ""  # how a creator names it in messages ("shot 3", "music: bed.mp3")
    loop_samples: int | None = None  # play this much of the source, then start it again

    @property
    def end_sample(self) -> int:
        return self.start_sample + self.samples


def _envelope(placement: AudioPlacement, first: int, count: int) -> np.ndarray | float:
    """The gain for samples [first, first + count) of the placement."""
    gain = 10 ** (placement.gain_db / 20)
    fade_in, fade_out = placement.fade_in, placement.fade_out
    if not (fade_in and first < fade_in) and not (fade_out and first + count > placement.samples - fade_out):
        return gain
    positions = np.arange(first, first + count, dtype=np.float64) + 0.5
    curve = np.ones(count)
    if fade_in:
        curve *= np.sin(np.clip(positions / fade_in, 0, 1) * (math.pi / 2))
    if fade_out:
        curve *= np.sin(np.clip((placement.samples - positions) / fade_out, 0, 1) * (math.pi / 2))
    return (curve * gain).astype(np.float32)


def _labelled(placement: AudioPlacement, exc: MediaError) -> MediaError:
    return MediaError(f"{placement.label}: {exc}") if placement.label else exc


class _Playing:
    def __init__(self, placement: AudioPlacement, rate: int) -> None:
        self.placement = placement
        self.played = 0
        self._rate = rate
        self.reader = self._open()

    def _open(self) -> ConformedAudio:
        try:
            return ConformedAudio(self.placement.path, self.placement.source_start, self._rate)
        except MediaError as exc:
            raise _labelled(self.placement, exc) from None

    def read(self, count: int) -> np.ndarray:
        loop = self.placement.loop_samples
        parts = []
        wanted = count
        while wanted:
            into_loop = self.played % loop if loop else 0
            if loop and into_loop == 0 and self.played:
                self.reader.close()
                self.reader = self._open()
            take = min(wanted, loop - into_loop) if loop else wanted
            try:
                parts.append(self.reader.read(take))
            except MediaError as exc:
                raise _labelled(self.placement, exc) from None
            wanted -= take
            self.played += take
        samples = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
        return samples * _envelope(self.placement, self.played - count, count)


class AudioMixer:
    """Stereo float32 blocks of the mix, read in order from the film's first sample."""

    def __init__(self, placements: list[AudioPlacement], rate: int) -> None:
        self.rate = rate
        self._waiting = sorted((p for p in placements if p.samples > 0), key=lambda p: p.start_sample)
        self._playing: list[_Playing] = []
        self.position = 0

    def read(self, count: int) -> np.ndarray:
        start, end = self.position, self.position + count
        mix = np.zeros((2, count), dtype=np.float32)
        while self._waiting and self._waiting[0].start_sample < end:
            self._playing.append(_Playing(self._waiting.pop(0), self.rate))
        for playing in list(self._playing):
            placement = playing.placement
            lo, hi = max(start, placement.start_sample), min(end, placement.end_sample)
            if lo < hi:
                mix[:, lo - start : hi - start] += playing.read(hi - lo)
            if placement.end_sample <= end:
                playing.reader.close()
                self._playing.remove(playing)
        self.position = end
        return mix

    def close(self) -> None:
        for playing in self._playing:
            playing.reader.close()
        self._playing.clear()

    def __enter__(self) -> AudioMixer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
