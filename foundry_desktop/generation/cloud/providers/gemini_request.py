"""The body of a Veo `predictLongRunning` call on the Gemini API, built from the model's table.

Field names and casing are the python-genai SDK's own (models.py, _GenerateVideosParameters_to_mldev
and _GenerateVideosConfig_to_mldev): `instances[0]` holds prompt, image, lastFrame and
referenceImages; `parameters` holds aspectRatio, durationSeconds, resolution and negativePrompt.
Pictures travel inline as {bytesBase64Encoded, mimeType}: the Gemini API takes no other kind, and
a request of at most 20 MiB. No seed is sent: the SDK refuses one in Gemini API mode.
"""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.catalog.gemini_models import (
    HIGH_RESOLUTION_SECONDS,
    MAX_REFERENCES,
    MAX_REQUEST_BYTES,
    PRICE_AT_1080P,
    REFERENCE_SECONDS,
)
from foundry_desktop.generation.cloud.catalog.video_models import RequestShape, VideoModel, shape_request
from foundry_desktop.generation.cloud.inputs import PictureRules, picture_for

BODY_ALLOWANCE = 64 * 1024  # the JSON around the pictures, and the prompt: well under this


@dataclass(frozen=True)
class VeoPlan:
    """What will be asked of Veo for one shot: the shape (shown before sending) and its pictures."""

    shape: RequestShape
    resolution: str
    references: tuple[Path, ...]
    pictures: PictureRules  # what the model's pictures must be (inputs.picture_for fits them)
    who: str  # the model in messages: "Google's Gemini API's Veo 3.1"


def plan_request(model: VideoModel, request: GenerationRequest, *, provider_words: str) -> VeoPlan:
    """The shot as Veo will be asked for it, or a GenerationError saying why it cannot be sent."""
    shape = shape_request(model, request, provider_words=provider_words)
    notes = list(shape.notes)
    references: tuple[Path, ...] = ()
    if shape.endpoint == "text_to_video" and request.reference_images:
        references = request.reference_images[:MAX_REFERENCES]
        if len(request.reference_images) > MAX_REFERENCES:
            notes.append(f"{model.label} follows up to {MAX_REFERENCES} reference pictures; the first "
                         f"{MAX_REFERENCES} are sent")
        if shape.duration_s != REFERENCE_SECONDS:
            notes.append(f"{REFERENCE_SECONDS:g} s: {model.label} makes {REFERENCE_SECONDS:g} s clips when it "
                         f"follows reference pictures")
            estimate = model.price.for_seconds(REFERENCE_SECONDS) if model.price else None
            shape = dataclasses.replace(shape, duration_s=REFERENCE_SECONDS, estimate=estimate)
    shape = dataclasses.replace(shape, notes=tuple(notes))
    # 1080p comes only in 8 s clips (and costs Veo 3.1 Fast a little more): asked for where the project is that large.
    high = min(request.width, request.height) >= 1080 and shape.duration_s == HIGH_RESOLUTION_SECONDS
    if high and model.id in PRICE_AT_1080P and shape.duration_s is not None:
        shape = dataclasses.replace(shape, estimate=PRICE_AT_1080P[model.id].for_seconds(shape.duration_s))
    rules = model.endpoints[shape.endpoint].pictures or PictureRules()
    return VeoPlan(shape, "1080p" if high else "720p", references, rules, f"{provider_words}'s {model.label}")


def _picture(path: Path, role: str, plan: VeoPlan) -> dict[str, str]:
    data, mime = picture_for(path, plan.pictures, role=role, who=plan.who)
    return {"bytesBase64Encoded": base64.b64encode(data).decode("ascii"), "mimeType": mime}


def request_body(plan: VeoPlan, request: GenerationRequest, *, provider_words: str) -> dict[str, Any]:
    """The JSON body for `predictLongRunning`; refused here when its pictures make it too large."""
    instance: dict[str, Any] = {}
    prompt = request.prompt.strip()
    if prompt:
        instance["prompt"] = prompt
    if plan.shape.endpoint == "image_to_video":
        assert request.input_image is not None
        instance["image"] = _picture(request.input_image, "input image", plan)
        if request.last_image is not None:
            instance["lastFrame"] = _picture(request.last_image, "last frame", plan)
    if plan.references:
        instance["referenceImages"] = [{"image": _picture(path, "reference picture", plan), "referenceType": "asset"}
                                       for path in plan.references]
    parameters: dict[str, Any] = {"aspectRatio": plan.shape.ratio, "resolution": plan.resolution}
    if plan.shape.duration_s is not None:
        parameters["durationSeconds"] = int(plan.shape.duration_s)
    if request.negative_prompt.strip():
        parameters["negativePrompt"] = request.negative_prompt.strip()
    pictures = sum(len(picture["bytesBase64Encoded"]) for picture in _pictures_of(instance))
    if pictures + BODY_ALLOWANCE > MAX_REQUEST_BYTES:
        raise GenerationError(
            f"The shot's pictures make a request of {pictures / 1024**2:.1f} MiB; {provider_words} takes up to "
            f"{MAX_REQUEST_BYTES / 1024**2:.0f} MiB in all. Use smaller pictures (a JPEG of the keyframe, say).")
    return {"instances": [instance], "parameters": parameters}


def _pictures_of(instance: dict[str, Any]) -> list[dict[str, str]]:
    found = [instance[key] for key in ("image", "lastFrame") if key in instance]
    return found + [reference["image"] for reference in instance.get("referenceImages", [])]
