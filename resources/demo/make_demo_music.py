"""Compose the demo's music bed: resources/demo/music.m4a, a quiet 16-second pad.

Run it to regenerate the file:

    .venv/bin/python resources/demo/make_demo_music.py

Four chords (I-vi-IV-V in D major), each four seconds, voiced as soft sine partials
with a slow attack and release so the changes breathe, over a low drone; a touch of
detuning gives the pad width. Everything is computed with numpy (no randomness, so it
is reproducible) and encoded to AAC with PyAV.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

RATE = 48000
CHORD_SECONDS = 4.0
HERE = Path(__file__).resolve().parent
# MIDI notes of D, Bm, G, A, each with its bass an octave down.
CHORDS = [(50, 62, 66, 69), (47, 62, 66, 71), (43, 62, 67, 71), (45, 61, 64, 69)]


def hz(note: int) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def envelope(samples: int, attack: float, release: float) -> np.ndarray:
    t = np.arange(samples) / RATE
    rise = np.clip(t / attack, 0, 1)
    fall = np.clip((samples / RATE - t) / release, 0, 1)
    return np.sin(rise * np.pi / 2) ** 2 * np.sin(fall * np.pi / 2) ** 2


def chord(notes: tuple[int, ...], samples: int) -> np.ndarray:
    t = np.arange(samples) / RATE
    left, right = np.zeros(samples), np.zeros(samples)
    for index, note in enumerate(notes):
        level = 0.5 if index == 0 else 0.22
        for detune, pan in ((-0.15, 0.7), (0.15, 0.3)):
            tone = np.sin(2 * np.pi * (hz(note) + detune) * t) + 0.25 * np.sin(4 * np.pi * (hz(note) + detune) * t)
            left += level * pan * tone
            right += level * (1 - pan) * tone
    shape = envelope(samples, attack=1.2, release=1.5)
    return np.stack([left * shape, right * shape])


def compose() -> np.ndarray:
    samples = int(CHORD_SECONDS * RATE)
    pad = np.concatenate([chord(notes, samples) for notes in CHORDS], axis=1)
    t = np.arange(pad.shape[1]) / RATE
    drone = 0.12 * np.sin(2 * np.pi * hz(38) * t) * envelope(pad.shape[1], 2.0, 3.0)
    mixed = pad + drone
    return (0.35 * mixed / np.abs(mixed).max()).astype(np.float32)


def write(samples: np.ndarray, path: Path) -> None:
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=RATE, layout="stereo")
        stream.bit_rate = 96000
        for start in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + 1024]),
                                               format="fltp", layout="stereo")
            frame.sample_rate = RATE
            frame.pts = start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


if __name__ == "__main__":
    write(compose(), HERE / "music.m4a")
