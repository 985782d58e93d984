"""Sound that the transcription test server (servers/openai_audio.py) hears as words.

Each word is a burst of tone between silences, at a pitch of its own; the server
hears a burst as the word its vocabulary gives that pitch, from the burst's first
loud sample to its last. So a test that writes `Speech` knows exactly which words
the server will hear and when.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from video_sources import write_video

LEVEL = 0.5


@dataclass(frozen=True)
class Spoken:
    text: str  # as the transcript writes it, punctuation included
    start: Fraction  # seconds
    end: Fraction


class Speech:
    """Words said at given times; `vocabulary` is what the test server is given to hear them."""

    def __init__(self, words: list[tuple[str, str | float, str | float]]) -> None:
        self.words = [Spoken(text, Fraction(str(start)), Fraction(str(end))) for text, start, end in words]
        distinct = list(dict.fromkeys(word.text for word in self.words))
        # Pitches far apart (more than the server's 5% tolerance) and well inside any codec's band.
        self.pitch = {text: 300.0 * 1.12 ** number for number, text in enumerate(distinct)}
        self.vocabulary = {hz: text for text, hz in self.pitch.items()}

    def tone(self, times: np.ndarray) -> np.ndarray:
        samples = np.zeros_like(times, dtype=np.float64)
        for word in self.words:
            inside = (times >= float(word.start)) & (times < float(word.end))
            samples[inside] = LEVEL * np.sin(2 * np.pi * self.pitch[word.text] * (times[inside] - float(word.start)))
        return samples

    def write_wav(self, path: Path, seconds: float, rate: int = 48000) -> Path:
        times = np.arange(round(seconds * rate)) / rate
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes((self.tone(times) * 32767).astype("<i2").tobytes())
        return path

    def write_video(self, path: Path, *, frames: int, frame_rate: int = 24, width: int = 320, height: int = 180,
                    grey: int = 90) -> Path:
        """A clip with this speech as its sound (AAC in MP4, as takes come) over a grey picture."""
        return write_video(path, frames=frames, frame_rate=frame_rate, width=width, height=height, tone=self.tone,
                           audio_rate=48000, picture=lambda index: np.full((height, width, 3), grey, np.uint8))
