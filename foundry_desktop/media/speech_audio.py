"""The sound of a take, a music clip or any audio/video file as WAV files to transcribe.

Transcription endpoints take one file of at most 25 MB (OpenAI's limit). Speech
is sent as 16 kHz mono 16-bit WAV: lossless, understood by every endpoint, and
what speech models listen at anyway, so 32 kB a second. A longer sound is cut
into pieces of at most `max_piece_seconds` (10 minutes: 19.2 MB) at the quietest
tenth of a second in the piece's last 20 seconds, so that a cut falls between
words, and each piece carries where it starts in the sound, to put its words
back in place.

The samples are the ones the film plays (render/conform.py's ConformedAudio: the
same zero as the picture, the same seeking), so a word's time in a piece is its
time in the source, which the render plays at the shot's frames.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from foundry_desktop.errors import MediaError
from foundry_desktop.media.render.conform import ConformedAudio
from foundry_desktop.media.probe import open_audio, stream_seconds

SPEECH_RATE = 16_000
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_PIECE_SECONDS = 600
_WAV_HEADER_BYTES = 44
_SEARCH_SECONDS = 20
_QUIET_WINDOW = SPEECH_RATE // 10
_BLOCK = SPEECH_RATE * 10


@dataclass(frozen=True)
class SpeechPiece:
    path: Path
    offset: Fraction  # seconds from the start of the span sent, where this piece begins
    seconds: Fraction


def sound_seconds(path: Path) -> float:
    """How long the file's sound lasts; a MediaError when it has none."""
    with open_audio(path) as container:
        return stream_seconds(container, container.streams.audio[0])


def _quietest_cut(samples: np.ndarray, earliest: int) -> int:
    """The start of the quietest window at or after `earliest`, as the place to cut."""
    tail = samples[earliest:].astype(np.float64)
    windows = len(tail) // _QUIET_WINDOW
    if windows < 2:
        return len(samples)
    energy = np.square(tail[: windows * _QUIET_WINDOW]).reshape(windows, _QUIET_WINDOW).sum(axis=1)
    # The latest of the quietest windows: pieces as long as they may be.
    quietest = windows - 1 - int(np.argmin(energy[::-1]))
    return earliest + quietest * _QUIET_WINDOW + _QUIET_WINDOW // 2


def _write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SPEECH_RATE)
        out.writeframes(samples.astype("<i2").tobytes())


def speech_pieces(
    source: Path, folder: Path, *, start: Fraction = Fraction(0), seconds: Fraction | None = None,
    max_piece_seconds: int = MAX_PIECE_SECONDS,
) -> list[SpeechPiece]:
    """Write [start, start + seconds) of `source`'s sound (to its end when `seconds` is None) into
    `folder` as WAV pieces of at most `max_piece_seconds`; a MediaError when it has no sound."""
    if (max_piece_seconds * SPEECH_RATE * 2 + _WAV_HEADER_BYTES) > MAX_UPLOAD_BYTES:
        raise ValueError("a piece that long would not fit in one upload")
    if seconds is None:
        seconds = Fraction(sound_seconds(source)) - start
    total = max(0, round(seconds * SPEECH_RATE))
    if total == 0:
        raise MediaError(f"{source.name} has no sound to transcribe there.")
    limit = max_piece_seconds * SPEECH_RATE
    pieces: list[SpeechPiece] = []
    pending = np.zeros(0, np.int16)
    read = written = 0
    with ConformedAudio(source, start, SPEECH_RATE) as reader:
        while read < total or len(pending):
            while read < total and len(pending) < limit:
                count = min(_BLOCK, total - read)
                stereo = reader.read(count)
                mono = np.clip(stereo.mean(axis=0) * 32767.0, -32768, 32767).astype(np.int16)
                pending = np.concatenate([pending, mono])
                read += count
            cut = len(pending) if read >= total and len(pending) <= limit else _quietest_cut(
                pending[:limit], max(1, limit - _SEARCH_SECONDS * SPEECH_RATE))
            path = folder / f"speech-{len(pieces) + 1:03d}.wav"
            _write_wav(path, pending[:cut])
            pieces.append(SpeechPiece(path, Fraction(written, SPEECH_RATE), Fraction(cut, SPEECH_RATE)))
            written += cut
            pending = pending[cut:]
    return pieces
