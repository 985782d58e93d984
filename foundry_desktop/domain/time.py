"""Exact time: integer frames at a rational frame rate, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from foundry_desktop.domain.errors import DomainError

# Rates people type as decimals but mean as NTSC fractions.
_NTSC_RATES = {
    Fraction("23.976"): Fraction(24000, 1001),
    Fraction("23.98"): Fraction(24000, 1001),
    Fraction("29.97"): Fraction(30000, 1001),
    Fraction("47.952"): Fraction(48000, 1001),
    Fraction("59.94"): Fraction(60000, 1001),
    Fraction("119.88"): Fraction(120000, 1001),
}


# A typed number's exponent beyond this is no frame rate or time anyone means; refused before the exact
# arithmetic, which would otherwise build a number of a billion digits for "1e999999999".
_MAX_EXPONENT = 15


def _exact_decimal(text: str) -> Fraction | None:
    """A decimal as typed ('2.5', '1e3'), exactly; None when it is no finite number of sensible size."""
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or (not number.is_zero() and abs(number.adjusted()) > _MAX_EXPONENT):
        return None
    return Fraction(number)


def parse_frame_rate(text: str | int | Fraction) -> Fraction:
    """'24', '30000/1001', '29.97' (meaning 30000/1001) -> an exact Fraction."""
    if isinstance(text, Fraction):
        rate = text
    else:
        numerator, slash, denominator = str(text).strip().partition("/")
        parts = [_exact_decimal(numerator)] + ([_exact_decimal(denominator)] if slash else [])
        if None in parts or (slash and parts[1] == 0):
            raise DomainError(f"{text!r} is not a frame rate (try 24, 25, 30 or 30000/1001).")
        rate = parts[0] / parts[1] if slash else parts[0]
    rate = _NTSC_RATES.get(rate, rate)
    if rate <= 0 or rate > 1000:
        raise DomainError(f"Frame rate {text} is out of range (it must be above 0 and at most 1000).")
    return rate


def parse_seconds(text: str | int | float | Fraction) -> Fraction:
    """A duration typed in seconds, parsed exactly ('2.5' is 5/2, not a binary float)."""
    if isinstance(text, Fraction):
        return text
    seconds = _exact_decimal(str(text).strip())
    if seconds is None:
        raise DomainError(f"{text!r} is not a number of seconds.")
    return seconds


def seconds_to_frames(seconds: str | int | float | Fraction, rate: Fraction) -> int:
    """Nearest whole frame, halves rounded up (so 0.5 s at 25 fps is 13 frames, not 12)."""
    exact = parse_seconds(seconds) * rate
    return int(exact + Fraction(1, 2)) if exact >= 0 else -int(-exact + Fraction(1, 2))


def frames_in_duration(seconds: float, rate: Fraction) -> int:
    """Whole frames in a file's measured duration. Containers store durations in
    their own time base and probes hand them over as floats, so 30 frames at 29.97
    come back as 1.000999... s; a shortfall of under a thousandth of a frame still
    counts the frame."""
    return int(Fraction(seconds) * rate + Fraction(1, 1000))


def frames_to_seconds(frames: int, rate: Fraction) -> Fraction:
    return Fraction(frames) / rate


def format_timecode(frames: int, rate: Fraction) -> str:
    """HH:MM:SS:FF for display, counting whole frames at the nominal rate."""
    nominal = round(rate)
    seconds, ff = divmod(frames, nominal)
    hh, rest = divmod(seconds, 3600)
    mm, ss = divmod(rest, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}"
