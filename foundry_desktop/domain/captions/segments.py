"""Spoken words grouped into captions a viewer can read.

The rule, after the subtitle guides broadcasters publish (BBC, Netflix):

* A caption has at most two lines of at most 42 characters (`max_line_characters`,
  `max_lines`); a word longer than a line stands alone.
* A new caption starts at a pause in the speech of half a second or more
  (`pause_seconds`), after a word that ends a sentence (. ? ! …), and before the
  caption would show for longer than 7 seconds (`max_seconds`) or hold more text
  than its lines do. Once a caption fills one line, it also ends after a word that
  ends a clause (, ; : —), so a break falls where a reader pauses anyway.
* A caption shows from its first word until its last word ends, then stays up
  longer if it needs to, up to the next caption's start: at least `min_seconds`
  (5/6 s), and long enough to read at `max_characters_per_second` (17). Speech
  faster than that cannot be slowed down; such a caption is shown while it is
  said.
* Two lines are split at the space that makes them most even, preferring a space
  after punctuation, with both lines within the limit.

Each caption keeps when each of its words starts, for the per-word highlight.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from foundry_desktop.domain.captions.spoken_words import TimedWord
from foundry_desktop.domain.time import seconds_to_frames

SENTENCE_ENDS = (".", "?", "!", "…", "。", "？", "！")
CLAUSE_ENDS = (",", ";", ":", "—", "–", "、", "，")
_CLOSERS = "\"'”’)]»"


@dataclass(frozen=True)
class CaptionRules:
    max_line_characters: int = 42
    max_lines: int = 2
    min_seconds: Fraction = Fraction(5, 6)
    max_seconds: Fraction = Fraction(7)
    max_characters_per_second: int = 17
    pause_seconds: Fraction = Fraction(1, 2)

    @property
    def max_characters(self) -> int:
        return self.max_line_characters * self.max_lines


@dataclass(frozen=True)
class CaptionDraft:
    """A caption before it is styled: its text (lines joined by a newline), its film
    frames [start, end), and the frame where each of its words starts."""

    text: str
    start: int
    end: int
    word_starts: tuple[int, ...]


def _ends_with(word: str, marks: tuple[str, ...]) -> bool:
    return word.rstrip(_CLOSERS).endswith(marks)


def _joined(words: Sequence[TimedWord]) -> str:
    return " ".join(word.text for word in words)


def break_lines(text: str, rules: CaptionRules = CaptionRules()) -> str:
    """`text` on one line if it fits, else on two lines split as evenly as the limit allows
    (a space after punctuation wins over one a few characters nearer the middle)."""
    words = text.split()
    if len(text) <= rules.max_line_characters or len(words) < 2 or rules.max_lines < 2:
        return " ".join(words)
    best, best_cost = 1, None
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        overflow = max(0, len(first) - rules.max_line_characters) + max(0, len(second) - rules.max_line_characters)
        punctuation_bonus = 6 if _ends_with(words[cut - 1], SENTENCE_ENDS + CLAUSE_ENDS) else 0
        cost = (overflow, abs(len(first) - len(second)) - punctuation_bonus)
        if best_cost is None or cost < best_cost:
            best, best_cost = cut, cost
    return " ".join(words[:best]) + "\n" + " ".join(words[best:])


def _fits(words: Sequence[TimedWord], rules: CaptionRules) -> bool:
    text = _joined(words)
    if len(words) == 1:
        return True
    if len(text) > rules.max_characters:
        return False
    lines = break_lines(text, rules).split("\n")
    return len(lines) <= rules.max_lines and all(len(line) <= rules.max_line_characters for line in lines)


def _groups(words: Sequence[TimedWord], rate: Fraction, rules: CaptionRules) -> list[list[TimedWord]]:
    pause = seconds_to_frames(rules.pause_seconds, rate)
    longest = seconds_to_frames(rules.max_seconds, rate)
    groups: list[list[TimedWord]] = []
    current: list[TimedWord] = []
    for word in words:
        # Words said on the same frame stay together: a caption needs a frame of its own.
        if current and word.start > current[-1].start:
            last = current[-1]
            full_line = len(_joined(current)) >= rules.max_line_characters
            if (
                word.start - last.end >= pause
                or _ends_with(last.text, SENTENCE_ENDS)
                or (full_line and _ends_with(last.text, CLAUSE_ENDS))
                or word.end - current[0].start > longest
                or not _fits([*current, word], rules)
            ):
                groups.append(current)
                current = []
        current.append(word)
    if current:
        groups.append(current)
    return groups


def caption_drafts(words: Sequence[TimedWord], rate: Fraction, rules: CaptionRules = CaptionRules()) -> list[CaptionDraft]:
    """The captions for `words` (in film frames, in order), by the rule in the module docstring."""
    words = sorted(words, key=lambda word: word.start)
    groups = _groups(words, rate, rules)
    shortest = seconds_to_frames(rules.min_seconds, rate)
    drafts = []
    for number, group in enumerate(groups):
        text = break_lines(_joined(group), rules)
        start = group[0].start
        spoken_end = max(word.end for word in group)
        readable = seconds_to_frames(Fraction(len(text.replace("\n", " ")), rules.max_characters_per_second), rate)
        end = max(spoken_end, start + shortest, start + readable)
        if number + 1 < len(groups):
            end = min(end, groups[number + 1][0].start)
        end = max(end, start + 1)
        drafts.append(CaptionDraft(text, start, end, tuple(word.start for word in group)))
    return drafts
