"""The `type=` of `foundry`'s options: each reads one kind of value and checks its real range
(domain.ranges), so that a value out of range, not finite or of the wrong kind is refused in one line
before the command opens the project, copies a file or estimates anything.

A time keeps the text the creator typed (the service reads it exactly, at the project's frame rate);
the rest become the number they name.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.ranges.value_range import FRAME_SIDE, ValueRange
from foundry_desktop.domain.time import parse_frame_rate, parse_seconds


def _checked(read: Callable[[str], object]) -> Callable[[str], object]:
    """`read`, with a refusal in the creator's words as argparse's one-line error."""

    def value(text: str) -> object:
        try:
            return read(text)
        except DomainError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    value.__name__ = read.__name__  # argparse names the type in a few of its own messages
    return value


def seconds(limits: ValueRange) -> Callable[[str], object]:
    """A time or duration in seconds within `limits`, kept as typed."""

    def seconds_value(text: str) -> str:
        limits.check(float(parse_seconds(text)))
        return text.strip()

    return _checked(seconds_value)


def number(limits: ValueRange) -> Callable[[str], object]:
    """A decimal number within `limits` (never inf or nan)."""

    def number_value(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise DomainError(f"{text!r} is not a number: give {limits.what} {limits.words()}.") from None
        return limits.check(value)

    return _checked(number_value)


def whole(limits: ValueRange) -> Callable[[str], object]:
    """A whole number within `limits`."""

    def whole_value(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise DomainError(f"{text!r} is not a whole number: give {limits.what} {limits.words()}.") from None
        return int(limits.check(value))

    return _checked(whole_value)


def _frame_rate_value(text: str) -> str:
    parse_frame_rate(text)
    return text.strip()


frame_rate = _checked(_frame_rate_value)  # 24, 29.97, 30000/1001: kept as typed


def _picture_size_value(text: str) -> str:
    width, x, height = text.strip().lower().partition("x")
    if not (x and width.isdigit() and height.isdigit()):
        raise DomainError(f"{text!r} is not a size; write it as WIDTHxHEIGHT, e.g. 1920x1080.")
    for side in (int(width), int(height)):
        FRAME_SIDE.check(side)
        if side % 2:
            raise DomainError(f"{text} is not a size a video can have: both sides must be even.")
    return text.strip()


picture_size = _checked(_picture_size_value)  # WIDTHxHEIGHT, even sides, as ProjectFormat accepts


def existing_file(text: str) -> str:
    """A file that is there (not a folder)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file.")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} does not exist.")
    return text


def existing_folder(text: str) -> str:
    """A folder that is there."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is not a folder." if path.exists() else f"{text} does not exist.")
    return text


def auto_or_seconds(limits: ValueRange) -> Callable[[str], object]:
    """`auto` (as long as the film), or a length in seconds within `limits`."""
    read_seconds = seconds(limits)

    def auto_or_seconds_value(text: str) -> str:
        if text.strip().lower() == "auto":
            return "auto"
        try:
            float(parse_seconds(text))
        except DomainError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds or auto.") from None
        return read_seconds(text)

    return auto_or_seconds_value
