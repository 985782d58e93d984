"""One node input as a ComfyUI server's /object_info describes it, and whether a value fits it.

/object_info gives each input a spec: `["INT", {"min": 1, "max": 4096, ...}]`, a
type a link must carry (`["LATENT"]`, `["VAE", {}]`), or a dropdown in one of two
shapes (`[[choices...], {...}]` from classic nodes, `["COMBO", {"options": [...]}]`
from newer ones). ComfyUI refuses a prompt whose value is out of range, of the
wrong kind, or linked from an output of another type; these say so before a
prompt is sent, in a creator's words.
"""

from __future__ import annotations

import math
from typing import Any

_NUMBER_TYPES = ("INT", "FLOAT")
# Core ComfyUI's socket types: only a link to another node's output fills one. Other type
# names may be widgets of newer nodes (COMFY_DYNAMICCOMBO_V3...), so they are not judged.
_SOCKET_TYPES = frozenset({
    "MODEL", "CLIP", "VAE", "CONDITIONING", "LATENT", "IMAGE", "MASK", "AUDIO", "VIDEO", "CLIP_VISION",
    "CLIP_VISION_OUTPUT", "SAMPLER", "SIGMAS", "NOISE", "GUIDER", "CONTROL_NET", "STYLE_MODEL", "UPSCALE_MODEL",
})  # fmt: skip


def spec_type(spec: Any) -> str | None:
    """The input's type name ("INT", "LATENT", "COMBO"...), or None for a spec Foundry cannot read."""
    if not isinstance(spec, (list, tuple)) or not spec:
        return None
    if isinstance(spec[0], list):
        return "COMBO"
    return spec[0] if isinstance(spec[0], str) else None


def spec_options(spec: Any) -> dict[str, Any]:
    """The spec's second item: its default, bounds, tooltip... ({} when it has none)."""
    if isinstance(spec, (list, tuple)) and len(spec) > 1 and isinstance(spec[1], dict):
        return spec[1]
    return {}


def dropdown_choices(spec: Any) -> list[Any] | None:
    """The choices of a dropdown input, in either shape; None if the input is no dropdown."""
    if not isinstance(spec, (list, tuple)) or not spec:
        return None
    if isinstance(spec[0], list):
        return spec[0]
    if spec[0] == "COMBO":
        choices = spec_options(spec).get("options")
        return choices if isinstance(choices, list) else None
    return None


def value_problem(spec: Any, value: Any) -> str | None:
    """Why ComfyUI would refuse `value` for an input with this spec, or None if it fits.

    As ComfyUI does, a number may come as text ("5") and text and on/off inputs take
    anything; dropdowns are left to the caller (a missing model file is said differently).
    """
    kind = spec_type(spec)
    if kind in _NUMBER_TYPES:
        number = _as_number(value, kind)
        if number is None:
            return f"takes {'a whole number' if kind == 'INT' else 'a number'}, not {value!r}"
        options = spec_options(spec)
        low, high = options.get("min"), options.get("max")
        if isinstance(low, (int, float)) and number < low:
            return f"is {value}, below the least the node takes ({low})"
        if isinstance(high, (int, float)) and number > high:
            return f"is {value}, above the most the node takes ({high})"
        return None
    if kind in _SOCKET_TYPES:
        return f"must be wired to a node that gives {kind}; the workflow sets it to the value {value!r}"
    return None


def _as_number(value: Any, kind: str) -> float | None:
    """ComfyUI's int(value) / float(value), or None where that fails (or gives no finite number)."""
    try:
        number = int(value) if kind == "INT" else float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def link_problem(spec: Any, source_outputs: list[Any], output_index: int) -> str | None:
    """Why a link from output `output_index` of a node with these outputs does not fit the input."""
    if not 0 <= output_index < len(source_outputs):
        return f"is wired to output {output_index} of a node that has {len(source_outputs)} outputs"
    expected, given = spec_type(spec), source_outputs[output_index]
    if expected is None or not isinstance(given, str):
        return None
    # ComfyUI accepts "*" either side, and a type list "A,B" when the two lists overlap.
    if "*" in (expected, given) or set(expected.split(",")) & set(given.split(",")):
        return None
    if expected == "COMBO":  # a dropdown fed by a node that outputs a choice (a list of them in the spec)
        return None
    return f"takes {expected} but is wired to an output that gives {given}"
