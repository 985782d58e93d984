"""Words a transcription heard, and where each one falls in the film.

A transcription endpoint answers each word with its start and end in seconds
from the start of the audio it was sent, and a transcript text that carries
the punctuation the word list leaves out ("Hello, world." is heard as the words
"Hello" and "world"). Captions want both: the punctuation to read well and to
split at, the times to show and highlight each word when it is said.

Seconds become film frames the way a typed time does (domain.time: the nearest
frame, halves rounded up), counted from where the audio starts in the film.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from foundry_desktop.domain.time import seconds_to_frames


@dataclass(frozen=True)
class HeardWord:
    """A word as the transcription gave it: seconds from the start of the audio sent."""

    text: str
    start: Fraction
    end: Fraction


@dataclass(frozen=True)
class TimedWord:
    """A word placed in the film: [start, end) film frames, end after start."""

    text: str
    start: int
    end: int


_WORD_CHARACTERS = re.compile(r"\w", re.UNICODE)


def _bare(text: str) -> str:
    return "".join(_WORD_CHARACTERS.findall(text)).casefold()


def punctuated(words: Sequence[HeardWord], transcript: str) -> list[HeardWord]:
    """The words with the punctuation around them in `transcript` put back ("Hello" -> "Hello,").

    The transcript is split at spaces and its pieces matched to the words in order by their
    letters; a word the transcript spells otherwise keeps its bare text. A piece that is
    only punctuation ("-", "…") joins the word before it."""
    pieces = transcript.split()
    result: list[HeardWord] = []
    cursor = 0
    for word in words:
        bare = _bare(word.text)
        text = word.text.strip()
        for look in range(cursor, min(cursor + 4, len(pieces))):  # a few pieces ahead, no further
            if bare and _bare(pieces[look]) == bare:
                text = pieces[look]
                trailing = look + 1
                while trailing < len(pieces) and not _bare(pieces[trailing]):
                    text += pieces[trailing]
                    trailing += 1
                cursor = trailing
                break
        result.append(HeardWord(text, word.start, word.end))
    return result


def place_words(
    words: Iterable[HeardWord], rate: Fraction, *, audio_starts_at: int, shown_from: int = 0, shown_until: int | None = None
) -> list[TimedWord]:
    """Film frames of each word of audio that starts at film frame `audio_starts_at`.

    Words are kept when they start within [shown_from, shown_until) of the audio (in frames from
    its start): what is outside a shot's trimmed part, or past a clip's end, is not heard in the
    film, so it gets no caption. A word lasts at least one frame."""
    placed = []
    for word in words:
        if not word.text.strip():
            continue
        start = seconds_to_frames(word.start, rate)
        end = max(start + 1, seconds_to_frames(word.end, rate))
        if start < shown_from or (shown_until is not None and start >= shown_until):
            continue
        if shown_until is not None:
            end = min(end, shown_until)
        placed.append(TimedWord(word.text.strip(), audio_starts_at + start - shown_from, audio_starts_at + end - shown_from))
    placed.sort(key=lambda word: word.start)
    return placed
