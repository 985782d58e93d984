"""Fitting scene lengths to a film's length in whole frames.

A language model proposes scene durations in seconds that rarely add up to the
target (27.5 s of scenes for a 30 s film), and seconds rarely land on frames
(1.1 s at 29.97 fps). The plan needs whole frames that add up to the target
exactly, so the proposal is read as weights: each scene gets its share of the
target in proportion, and the frames lost to rounding down go, one each, to the
scenes with the largest remainders (Hamilton's method, ties to the earlier
scene). A scene never gets fewer than `minimum` frames: one whose share falls
below it is held at the minimum and the rest is shared among the others.

The result is deterministic, adds up exactly, keeps the order of the weights
(a longer proposal never becomes a shorter scene), and leaves lengths that
already add up untouched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from foundry_desktop.domain.errors import DomainError

Weight = int | float | Fraction


def fit_durations(weights: Sequence[Weight], target: int, minimum: int = 1) -> list[int]:
    """Whole frames, one per weight, adding up to `target`, each at least `minimum` (lowered to
    target // len(weights) when the target is too short for it, never below one frame)."""
    count = len(weights)
    if count == 0:
        raise DomainError("There are no scenes to fit.")
    if target < count:
        raise DomainError(f"{count} scenes need at least {count} frames; the target is {target}.")
    exact = [_as_fraction(weight) for weight in weights]
    minimum = max(1, min(minimum, target // count))
    if not any(exact):
        exact = [Fraction(1)] * count  # nothing to go by: equal shares
    held: set[int] = set()
    while True:
        free = [index for index in range(count) if index not in held]
        budget = target - minimum * len(held)
        total = sum(exact[index] for index in free)
        shares = {index: budget * exact[index] / total if total else Fraction(budget, len(free)) for index in free}
        below = {index for index, share in shares.items() if share < minimum}
        # Holding every free scene is impossible: their shares add up to the budget, which is at
        # least `minimum` for each of them.
        if not below:
            break
        held |= below
    frames = [minimum] * count
    for index, share in shares.items():
        frames[index] = math.floor(share)
    left = target - sum(frames)
    by_remainder = sorted(shares, key=lambda index: (-(shares[index] - math.floor(shares[index])), index))
    for index in by_remainder[:left]:
        frames[index] += 1
    return frames


def refit_around(frames: Sequence[int], index: int, length: int, target: int, minimum: int = 1) -> list[int]:
    """`frames` with scene `index` set to `length` and the others fitted, in proportion to their
    lengths now, into what is left of `target`. A length that leaves too little for the others
    (`minimum` each, lowered as fit_durations does) is shortened to what fits."""
    count = len(frames)
    if not 0 <= index < count:
        raise DomainError(f"There is no scene {index + 1}.")
    if count == 1:
        return [target]
    minimum = max(1, min(minimum, target // count))
    length = max(1, min(length, target - minimum * (count - 1)))
    others = [frames[other] for other in range(count) if other != index]
    fitted = fit_durations(others, target - length, minimum)
    return fitted[:index] + [length] + fitted[index:]


def _as_fraction(weight: Weight) -> Fraction:
    if isinstance(weight, float) and not math.isfinite(weight):
        raise DomainError(f"A scene length of {weight} cannot be fitted.")
    value = Fraction(weight)
    if value < 0:
        raise DomainError(f"A scene cannot last {weight} (less than nothing).")
    return value
