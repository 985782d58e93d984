"""Loudness by EBU R128 / ITU-R BS.1770: measured, then matched to a target.

The meter is FFmpeg's own `ebur128` filter (through PyAV's filter graph): a
maintained implementation of the standard's K-weighting, gating and
true-peak oversampling, fed block by block so a long film needs no more
memory than a short one.

Normalisation is one gain for the whole mix (no compression): the gain that
brings the integrated loudness to the target, lowered if needed so the true
peak stays under the ceiling. A mix that is nearly silent is left as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import av
import av.filter
import numpy as np

# Below this the gate leaves too little to measure: do not amplify near-silence.
_QUIETEST_MEASURABLE_LUFS = -70.0


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float | None  # None when nothing passed the gate (silence)
    true_peak_dbtp: float | None


class LoudnessMeter:
    """Feed stereo float32 blocks shaped (2, n); read the result at the end."""

    def __init__(self, rate: int) -> None:
        self._rate = rate
        self._graph = av.filter.Graph()
        source = self._graph.add_abuffer(
            format="fltp", sample_rate=rate, layout="stereo", time_base=Fraction(1, rate)
        )
        meter = self._graph.add("ebur128", "metadata=1:peak=true")
        sink = self._graph.add("abuffersink")
        source.link_to(meter)
        meter.link_to(sink)
        self._graph.configure()
        self._position = 0
        self._latest: dict[str, str] = {}

    def add(self, samples: np.ndarray) -> None:
        if not samples.shape[1]:
            return
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples, dtype=np.float32), format="fltp", layout="stereo")
        frame.sample_rate = self._rate
        frame.pts = self._position
        frame.time_base = Fraction(1, self._rate)
        self._position += samples.shape[1]
        self._graph.push(frame)
        self._drain()

    def _drain(self) -> None:
        while True:
            try:
                frame = self._graph.pull()
            except (av.BlockingIOError, av.EOFError):
                return
            self._latest = dict(frame.metadata)

    def result(self) -> Loudness:
        self._graph.push(None)
        self._drain()
        integrated = float(self._latest.get("lavfi.r128.I", "-inf"))
        peak = float(self._latest.get("lavfi.r128.true_peak", "0"))
        return Loudness(
            integrated_lufs=integrated if integrated > _QUIETEST_MEASURABLE_LUFS else None,
            true_peak_dbtp=20 * math.log10(peak) if peak > 0 else None,
        )


def normalising_gain_db(measured: Loudness, target_lufs: float, ceiling_dbtp: float) -> float:
    """The one gain that brings `measured` to the target without passing the ceiling."""
    if measured.integrated_lufs is None:
        return 0.0
    gain = target_lufs - measured.integrated_lufs
    if measured.true_peak_dbtp is not None:
        gain = min(gain, ceiling_dbtp - measured.true_peak_dbtp)
    return gain
