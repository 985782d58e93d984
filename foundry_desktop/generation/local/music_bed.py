"""The built-in music bed: a soft chord progression synthesised on the CPU, for a film with no music service.

It is honest background music, not a composition: a pad holding each chord for a bar, a bass
on the chord's root and a soft pulse on the beats. The prompt's words choose the mood (minor
for "dark", "sad", "night"...; slow for "calm", "ambient"...; faster for "upbeat", "action"...)
and the seed the key, the tempo within the mood's range and the progression, so variants of
one prompt differ and the same request always makes the same sound. It fades in and out, and
is levelled to a quiet bed (about -20 dBFS RMS) that sits under dialogue. Encoded as AAC in
an .m4a with PyAV; a minute takes a second or two, most of it the AAC encoder.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
import uuid
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import EventSink, GenerationEvent, GenerationRequest, GenerationResult

SAMPLE_RATE = 48_000
TARGET_RMS = 0.1  # -20 dBFS: a bed under voices, loud enough to hear
PEAK_LIMIT = 0.89  # -1 dBFS
MAX_SECONDS = 20 * 60
ATTACK_S = 0.3  # how long a chord takes to swell in
RING_S = 0.4  # how long it rings on into the next bar while fading out

_MINOR_WORDS = frozenset("dark sad melancholy melancholic night gloomy tense mysterious somber sombre moody "
                         "lonely rain noir eerie tragic cold".split())
_MAJOR_WORDS = frozenset("happy bright uplifting joyful sunny warm hopeful playful cheerful summer morning "
                         "triumphant".split())
_SLOW_WORDS = frozenset("calm slow ambient gentle soft peaceful quiet dreamy relaxed meditative lullaby "
                        "tender".split())
_FAST_WORDS = frozenset("upbeat fast energetic action driving chase dance epic lively intense".split())

# Progressions as scale degrees (0 = the tonic), one chord a bar.
_MAJOR_PROGRESSIONS = ((0, 4, 5, 3), (0, 5, 3, 4), (0, 3, 0, 4), (5, 3, 0, 4))
_MINOR_PROGRESSIONS = ((0, 5, 2, 6), (0, 3, 4, 0), (0, 6, 5, 6), (0, 5, 3, 4))
_MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)


@dataclass(frozen=True)
class BedPlan:
    """What the bed will be: chosen from the prompt and the seed."""

    root_midi: int  # the key's tonic, in the octave of the pad
    minor: bool
    tempo_bpm: float
    progression: tuple[int, ...]

    def words(self) -> str:
        names = "C C# D D# E F F# G G# A A# B".split()
        return f"{names[self.root_midi % 12]} {'minor' if self.minor else 'major'}, {self.tempo_bpm:.0f} bpm"


def plan_bed(prompt: str, seed: int) -> BedPlan:
    """The key, mode, tempo and progression for `prompt` and `seed`."""
    words = set(re.findall(r"[a-z]+", prompt.lower()))
    chance = random.Random(seed)
    minor_votes = len(words & _MINOR_WORDS) - len(words & _MAJOR_WORDS)
    minor = minor_votes > 0 or (minor_votes == 0 and chance.random() < 0.5)
    pace = len(words & _FAST_WORDS) - len(words & _SLOW_WORDS)
    low, high = (112, 128) if pace > 0 else (66, 82) if pace < 0 else (84, 104)
    tempo = float(chance.randint(low, high))
    root = 48 + chance.randrange(12)  # C3..B3
    progression = chance.choice(_MINOR_PROGRESSIONS if minor else _MAJOR_PROGRESSIONS)
    return BedPlan(root, minor, tempo, progression)


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _chord_notes(plan: BedPlan, degree: int) -> list[int]:
    """The triad on `degree` of the key, as MIDI notes."""
    scale = _MINOR_SCALE if plan.minor else _MAJOR_SCALE
    return [plan.root_midi + scale[(degree + step) % 7] + 12 * ((degree + step) // 7) for step in (0, 2, 4)]


def _tone(frequency: float, t: np.ndarray, detune_cents: float) -> np.ndarray:
    """A soft pad voice: a sine with two quiet overtones, a little detuned."""
    f = frequency * 2 ** (detune_cents / 1200)
    phase = 2 * np.pi * f * t
    return np.sin(phase) + 0.25 * np.sin(2 * phase) + 0.08 * np.sin(3 * phase)


def _bar(plan: BedPlan, degree: int, t: np.ndarray, bar_s: float) -> np.ndarray:
    """One bar of pad, bass and pulse, stereo (2, n); the pad and bass ring on past `bar_s`, fading
    out while the next chord swells in (the bars overlap by that ring), so chords join without a dip."""
    notes = _chord_notes(plan, degree)
    swell = np.minimum(1.0, t / ATTACK_S) * np.clip((bar_s + RING_S - t) / RING_S, 0.0, 1.0)
    left = sum(_tone(_hz(note), t, -4) for note in notes) / 3
    right = sum(_tone(_hz(note), t, 4) for note in notes) / 3
    bass = np.sin(2 * np.pi * _hz(notes[0] - 12) * t) * 0.6
    beat = 60.0 / plan.tempo_bpm
    since_beat = np.mod(t, beat)
    pulse = np.sin(2 * np.pi * _hz(notes[0] + 12) * t) * np.exp(-since_beat * 9.0) * 0.35 * (t < bar_s)
    return np.stack([left * 0.5 * swell + bass * swell + pulse, right * 0.5 * swell + bass * swell + pulse])


def synthesise_bed(prompt: str, seed: int, seconds: float, rate: int = SAMPLE_RATE) -> tuple[np.ndarray, BedPlan]:
    """The bed's samples, float32 stereo (2, n), levelled and faded; and what it is."""
    if not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"A music bed lasts between a moment and {MAX_SECONDS // 60} minutes, not {seconds:g} s.")
    plan = plan_bed(prompt, seed)
    total = max(1, round(seconds * rate))
    bar_samples = round(4 * 60.0 / plan.tempo_bpm * rate)
    out = np.zeros((2, total), dtype=np.float64)
    t_bar = np.arange(bar_samples + round(RING_S * rate)) / rate
    bars = {degree: _bar(plan, degree, t_bar, bar_samples / rate) for degree in set(plan.progression)}  # once each
    for index, start in enumerate(range(0, total, bar_samples)):
        piece = bars[plan.progression[index % len(plan.progression)]]
        end = min(total, start + piece.shape[1])
        out[:, start:end] += piece[:, : end - start]
    rms = float(np.sqrt(np.mean(out**2))) or 1.0
    out *= TARGET_RMS / rms
    np.clip(out, -PEAK_LIMIT, PEAK_LIMIT, out=out)
    fade = min(total // 2, round(min(3.0, seconds * 0.15) * rate))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade) ** 2
        out[:, :fade] *= ramp
        out[:, total - fade:] *= ramp[::-1]
    return out.astype(np.float32), plan


def write_bed(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    """Encode stereo float samples as AAC in `path` (.m4a), through a hidden file renamed when whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.partial")
    try:
        with av.open(str(partial), mode="w", format="ipod") as container:
            stream = container.add_stream("aac", rate=rate, layout="stereo")
            stream.bit_rate = 160_000
            step = rate  # a second at a time
            for start in range(0, samples.shape[1], step):
                frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + step]),
                                                   format="fltp", layout="stereo")
                frame.sample_rate = rate
                frame.pts = start
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def make_bed(output_dir: Path, owner_id: str, prompt: str, seed: int, seconds: float) -> tuple[Path, BedPlan]:
    """Synthesise and encode a bed into `output_dir` under a new name (blocking: run it on a thread)."""
    samples, plan = synthesise_bed(prompt, seed, seconds)
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", owner_id)[:64] or "music"
    return write_bed(Path(output_dir) / f"builtin-bed-{safe}-{uuid.uuid4().hex}.m4a", samples), plan


async def generate_bed(request: GenerationRequest, on_event: EventSink) -> GenerationResult:
    """The built-in backend's answer to a request for sound: a bed as long as the request's frames."""
    started = time.monotonic()
    if request.frames < 1 or request.frame_rate <= 0:
        raise GenerationError(f"Music must last at least one frame, not {request.frames}.")
    seconds = float(request.frames / Fraction(request.frame_rate))
    on_event(GenerationEvent("queued", request.shot_id))
    try:
        path, plan = await asyncio.to_thread(make_bed, request.output_dir, request.shot_id, request.prompt,
                                             request.seed, seconds)
    except (ValueError, av.FFmpegError, OSError) as exc:
        on_event(GenerationEvent("failed", request.shot_id, message=str(exc)))
        raise GenerationError(f"The built-in music bed could not be made: {exc}") from None
    on_event(GenerationEvent("done", request.shot_id, 1.0))
    return GenerationResult(path=path, frames=request.frames, width=0, height=0,
                            frame_rate=Fraction(request.frame_rate), elapsed_s=round(time.monotonic() - started, 3),
                            backend_info={"generator": "music_bed", "version": 1, "music": plan.words()})
