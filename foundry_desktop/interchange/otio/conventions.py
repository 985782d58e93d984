"""How a Foundry cut is spelt in OpenTimelineIO, shared by the writer and the reader.

OTIO stores a time as a float count of frames at a float rate. Foundry writes
every time as a whole frame count at the cut's rate (30000/1001 as the float
29.97002997002997), so the floats are integers far below 2**53 and survive the
JSON text exactly; the reader turns the float rate back into the exact
Fraction NTSC rates are meant to be. Media paths are absolute file URLs,
percent-encoded UTF-8 (interchange.file_url). What OTIO has no field for lives in each object's
metadata under the "foundry" key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import opentimelineio as otio

NAMESPACE = "foundry"
CMX_NAMESPACE = "cmx_3600"  # where the OTIO EDL adapter keeps a clip's reel ({"reel": ...})

# Track metadata["foundry"]["role"]: what an audio track holds.
MUSIC_ROLE = "music"
SHOT_SOUND_ROLE = "shot_sound"

# Marker colours: OTIO's named colours and the RGB each stands for (Resolve's marker palette).
MARKER_COLORS: dict[str, str] = {
    otio.schema.MarkerColor.RED: "#e0292f",
    otio.schema.MarkerColor.PINK: "#ff6fae",
    otio.schema.MarkerColor.ORANGE: "#f08a24",
    otio.schema.MarkerColor.YELLOW: "#e5c022",
    otio.schema.MarkerColor.GREEN: "#33b84d",
    otio.schema.MarkerColor.CYAN: "#2fc9d6",
    otio.schema.MarkerColor.BLUE: "#2c64e0",
    otio.schema.MarkerColor.PURPLE: "#9343c9",
    otio.schema.MarkerColor.MAGENTA: "#d633c9",
    otio.schema.MarkerColor.BLACK: "#000000",
    otio.schema.MarkerColor.WHITE: "#ffffff",
}
CAPTION_MARKER_COLOR = otio.schema.MarkerColor.CYAN


def otio_rate(frame_rate: Fraction) -> float:
    return float(frame_rate)


def exact_rate(rate: float) -> Fraction:
    """The rate a float stands for: 29.97, 29.97002997 and 30000/1001 as a float
    all mean NTSC's 30000/1001; other rates are taken as the simplest fraction."""
    if not 1 / 1001 <= rate <= 10**6:  # NaN too: no frame rate any timeline is cut at
        raise ValueError(f"frame rate {rate}")
    if abs(rate - round(rate)) < 1e-6:
        return Fraction(round(rate))
    ntsc = Fraction(round(rate * 1001 / 1000) * 1000, 1001)
    if abs(rate - float(ntsc)) < 0.006:  # 29.97 or 23.98 written with two decimals is still NTSC
        return ntsc
    return Fraction(rate).limit_denominator(1001)


def frame_time(frames: int, frame_rate: Fraction) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, otio_rate(frame_rate))


def frame_range(start: int, frames: int, frame_rate: Fraction) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(frame_time(start, frame_rate), frame_time(frames, frame_rate))


def foundry_metadata(thing: otio.core.SerializableObjectWithMetadata) -> dict[str, Any]:
    """The object's metadata["foundry"] as plain dicts and lists, or {}."""
    value = _plain(thing.metadata.get(NAMESPACE))
    return value if isinstance(value, dict) else {}


def _plain(value: Any) -> Any:
    """OTIO's AnyDictionary / AnyVector as dict / list, so the cut holds ordinary Python values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_plain(v) for v in value]
    return value
