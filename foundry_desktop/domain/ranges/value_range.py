"""The real range of each number a creator types: lengths, gains, loudness, counts, seeds, budgets.

One table, so that `foundry`'s options (cli/parsers/values.py), the service's edits and the dialogs'
spin boxes refuse the same values with the same words: a value out of range is refused before anything
is copied or written, and a non-finite one (inf, nan) never reaches the arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from foundry_desktop.domain.errors import DomainError


@dataclass(frozen=True)
class ValueRange:
    """`low` to `high` inclusive, in `unit`; `what` names the value in a refusal ("a gain")."""

    what: str
    low: float
    high: float
    unit: str = ""
    integer: bool = False
    above: bool = False  # `low` itself is not allowed (a length of 0)

    def words(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.above:
            return f"more than {_shown(self.low)} and at most {_shown(self.high)}{unit}"
        return f"from {_shown(self.low)} to {_shown(self.high)}{unit}"

    def check(self, value: float) -> float:
        """`value`, or a DomainError that says the range."""
        if isinstance(value, float) and not math.isfinite(value):
            raise DomainError(f"{value} is not {self.what}: give a number {self.words()}.")
        if self.integer and value != int(value):
            raise DomainError(f"{_shown(value)} is not {self.what}: give a whole number {self.words()}.")
        if not self.low <= value <= self.high or (self.above and value == self.low):
            raise DomainError(f"{_shown(value)} is out of range for {self.what}: it must be {self.words()}.")
        return value


def _shown(value: float) -> str:
    """A number as a creator writes it: 1000000, not 1e+06; 0.5, not 0.50000."""
    return str(int(value)) if value == int(value) and abs(value) < 1e19 else f"{value:g}"


# Times, in seconds. A generated shot, a transition or a fade longer than these is a typing slip.
SHOT_SECONDS = ValueRange("a shot's length", 0, 3600, "seconds", above=True)
FILM_SECONDS = ValueRange("a film's length", 1, 4 * 3600, "seconds")
TRANSITION_SECONDS = ValueRange("a transition's length", 0, 60, "seconds", above=True)
FADE_SECONDS = ValueRange("a fade", 0, 600, "seconds")
FILM_TIME_SECONDS = ValueRange("a time in the film", 0, 24 * 3600, "seconds")  # beyond: no film is that long

# Sound.
GAIN_DB = ValueRange("a gain", -60, 24, "dB")  # as domain.project's AudioClip and Shot accept
LOUDNESS_LUFS = ValueRange("a loudness", -36, -6, "LUFS")  # quiet cinema mixes to loud pop masters
TRUE_PEAK_DBTP = ValueRange("a true peak ceiling", -20, 0, "dBTP")

# Counts and generation.
VARIANTS = ValueRange("a number of variants", 0, 100, integer=True)
PRIORITY = ValueRange("a priority", -1000, 1000, integer=True)
SEED = ValueRange("a seed", 0, 2**63 - 1, integer=True)  # as ShotSpec stores it
BUDGET = ValueRange("a budget", 0, 1e12)
NUMBER = ValueRange("a number (they are numbered from 1)", 1, 1_000_000, integer=True)  # shots, captions, looks...
PER_PAGE = ValueRange("a page (at least one shot on it)", 1, 100, integer=True)
MAX_QUEUED = ValueRange("a number of queued prompts", 1, 64, integer=True)

# Encoding.
CRF = ValueRange("a constant quality (CRF)", 0, 63, integer=True)
BITRATE_KBPS = ValueRange("a bitrate", 1, 1_000_000, "kb/s", integer=True)
FRAME_SIDE = ValueRange("a picture's side", 16, 8192, "pixels", integer=True)  # as ProjectFormat accepts

# Waiting on services (as app.generation.settings and the assist's settings accept them).
POLL_SECONDS = ValueRange("a wait between status reads", 0.1, 600, "seconds")
TIMEOUT_MINUTES = ValueRange("a task's time limit", 1, 24 * 60, "minutes")
REQUEST_SECONDS = ValueRange("a request's time limit", 1, 3600, "seconds")
