"""Fitting a shot to a Replicate model's input schema (Cog's OpenAPI, read at run time).

Which input takes the first frame, the last frame or a picture to follow, and a number
(duration, frames, rate) or an aspect ratio as the schema allows it: the nearest of an enum,
else clamped to its minimum and maximum.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.inputs import nearest_aspect, nearest_choice

# Where models take their first frame, most usual names first; others are found by their format.
IMAGE_INPUTS = ("image", "start_image", "first_frame_image", "input_image", "init_image", "first_frame",
                "start_frame", "image_url")
NOT_A_START_IMAGE = ("end", "last", "tail", "mask", "ref")
LAST_FRAME_INPUTS = ("last_frame_image", "end_image", "last_image", "end_frame", "last_frame", "tail_image")
# Where image models take a picture to follow (a character's reference), most usual names first;
# the plural ones are lists of pictures (FLUX.2's input_images, Gemini's image_input).
REFERENCE_INPUTS = ("input_image", "image_prompt", "reference_image", "subject_image", "input_images",
                    "image_input", "reference_images", "image")


def resolve_property(spec: dict[str, Any], components: Mapping[str, Any]) -> dict[str, Any]:
    """A property with Cog's `allOf: [{$ref}]` (how it writes enums) merged with what it refers to."""
    merged = {key: value for key, value in spec.items() if key != "allOf"}
    parts = spec.get("allOf")
    for part in parts if isinstance(parts, list) else []:
        ref = part.get("$ref", "") if isinstance(part, dict) else ""
        target = (components.get(ref.rsplit("/", 1)[-1]) if isinstance(ref, str) and ref.startswith("#/components/schemas/")
                  else part)
        if isinstance(target, dict):
            merged = {**target, **merged}
    return merged


def fit_value(spec: dict[str, Any], value: float) -> Any:
    """`value` as the schema allows it: the nearest of an enum, else clamped to minimum/maximum and
    made an integer when the input is one (a string enum of numbers keeps its strings)."""
    enum = spec.get("enum")
    if enum:
        numeric = {float(choice): choice for choice in enum
                   if isinstance(choice, (int, float, str)) and not isinstance(choice, bool)
                   and re.fullmatch(r"\d+(\.\d+)?", str(choice))}
        return numeric[nearest_choice(value, numeric)] if numeric else None
    low, high = spec.get("minimum"), spec.get("maximum")
    if isinstance(low, (int, float)):
        value = max(value, low)
    if isinstance(high, (int, float)):
        value = min(value, high)
    kind = spec.get("type")
    if kind == "integer":
        return round(value)
    if kind == "string":
        return str(round(value))
    return value


def image_input(properties: Mapping[str, dict[str, Any]], *, still: bool = False) -> str | None:
    """The input that takes the shot's first frame (for a still, the picture to follow), if the model has one."""
    for name in (*REFERENCE_INPUTS, *IMAGE_INPUTS) if still else IMAGE_INPUTS:
        kind = properties.get(name, {}).get("type", "string")
        if name in properties and (kind == "string" or (still and kind == "array")):
            return name
    candidates = sorted(
        (spec.get("x-order", math.inf), name) for name, spec in properties.items()
        if spec.get("format") == "uri" and ("image" in name or "frame" in name)
        and not any(word in name for word in NOT_A_START_IMAGE)
    )
    return candidates[0][1] if candidates else None


def fit_aspect(request: GenerationRequest, props: Mapping[str, dict[str, Any]], inputs: dict[str, Any]) -> None:
    """The aspect ratio nearest the project's, where the model has the input."""
    if "aspect_ratio" not in props:
        return
    choices = [c for c in props["aspect_ratio"].get("enum") or [] if isinstance(c, str) and ":" in c]
    if choices:
        inputs["aspect_ratio"] = nearest_aspect(request.width, request.height, choices)
    elif props["aspect_ratio"].get("type", "string") == "string":
        common = math.gcd(request.width, request.height) or 1
        inputs["aspect_ratio"] = f"{request.width // common}:{request.height // common}"
