"""A marker's colour as the nearest of the few colours a format names (OTIO's MarkerColor,
an EDL locator's colour word): editors show markers in a handful of colours, Foundry in any."""

from __future__ import annotations


def _rgb(colour: str) -> tuple[int, int, int] | None:
    digits = colour.strip().lstrip("#")
    if len(digits) not in (6, 8):  # #rrggbb, or with alpha (which no format's marker keeps)
        return None
    try:
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    except ValueError:
        return None


def nearest_named(colour: str, named: dict[str, str], fallback: str) -> str:
    """The name in `named` (name -> "#rrggbb") whose colour is nearest `colour`; `fallback`
    when `colour` is not a colour."""
    rgb = _rgb(colour)
    if rgb is None:
        return fallback

    def distance(name: str) -> int:
        other = _rgb(named[name])
        assert other is not None
        return sum((a - b) ** 2 for a, b in zip(rgb, other, strict=True))

    return min(named, key=distance)
