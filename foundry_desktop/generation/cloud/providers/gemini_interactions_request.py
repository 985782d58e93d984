"""The body of a Gemini Omni Flash `POST /v1beta/interactions` call, built from the model's table.

Field names are the python-genai SDK's own (google/genai/_gaos/types/interactions: CreateModelInteraction,
VideoResponseFormat, GenerationConfig.video_config, ImageContent, TextContent): snake_case on the
wire, since none has an alias. A text-only shot sends its prompt as `input`; a shot with pictures
sends `input` as a list of content blocks, the pictures ({type "image", data, mime_type}) before the
words ({type "text", text}), as Google's Omni page shows. `generation_config.video_config.task` says
which of text, first frame or references the pictures are, so the service need not guess it.

`background: true` makes the create call answer at once with the interaction's id (followed with
GET /v1beta/interactions/{id}); `store: true` keeps the interaction there to be read back.
`delivery: "uri"` asks for a link rather than the video inline, as Google advises past 4 MB; the
answer may still carry it inline (Google's page: a GET returns the data inline for now).
"""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.catalog.gemini_omni_models import MAX_REFERENCES, MAX_REQUEST_BYTES, RESOLUTION
from foundry_desktop.generation.cloud.catalog.video_models import RequestShape, VideoModel, shape_request
from foundry_desktop.generation.cloud.inputs import PictureRules, picture_for

BODY_ALLOWANCE = 64 * 1024  # the JSON around the pictures, and the prompt: well under this


@dataclass(frozen=True)
class OmniPlan:
    """What will be asked of Omni for one shot: the shape (shown before sending), the task it names
    and the reference pictures that go with the words."""

    shape: RequestShape
    task: str  # video_config.task: text_to_video, image_to_video or reference_to_video
    references: tuple[Path, ...]
    pictures: PictureRules  # what the model's pictures must be (inputs.picture_for fits them)
    who: str  # the model in messages
    resolution: str = RESOLUTION


def plan_interaction(model: VideoModel, request: GenerationRequest, *, provider_words: str) -> OmniPlan:
    """The shot as Omni will be asked for it, or a GenerationError saying why it cannot be sent."""
    shape = shape_request(model, request, provider_words=provider_words)
    notes = list(shape.notes)
    if request.negative_prompt.strip():
        notes.append(f"{model.label} takes no negative prompt; write what to leave out into the prompt itself")
    task, references = "text_to_video", ()
    if shape.endpoint == "image_to_video":
        task = "image_to_video"
    elif request.reference_images:
        task, references = "reference_to_video", tuple(request.reference_images[:MAX_REFERENCES])
        if len(request.reference_images) > MAX_REFERENCES:
            notes.append(f"{model.label} is sent the first {MAX_REFERENCES} reference pictures")
    rules = model.endpoints[shape.endpoint].pictures or PictureRules()
    return OmniPlan(dataclasses.replace(shape, notes=tuple(notes)), task, references, rules,
                    f"{provider_words}'s {model.label}")


def _picture(path: Path, role: str, plan: OmniPlan) -> dict[str, str]:
    data, mime = picture_for(path, plan.pictures, role=role, who=plan.who)
    return {"type": "image", "data": base64.b64encode(data).decode("ascii"), "mime_type": mime}


def interaction_body(plan: OmniPlan, request: GenerationRequest, *, provider_words: str) -> dict[str, Any]:
    """The JSON body for `POST /v1beta/interactions`; refused here when its pictures make it too large."""
    shape = plan.shape
    if plan.task == "image_to_video" and request.input_image:
        pictures = [_picture(request.input_image, "input image", plan)]
    else:
        pictures = [_picture(path, "reference picture", plan) for path in plan.references]
    prompt = request.prompt.strip()
    weight = sum(len(picture["data"]) for picture in pictures)
    if weight + BODY_ALLOWANCE > MAX_REQUEST_BYTES:
        raise GenerationError(
            f"The shot's pictures make a request of {weight / 1024**2:.1f} MiB; {provider_words} takes up to "
            f"{MAX_REQUEST_BYTES / 1024**2:.0f} MiB in all. Use smaller pictures (a JPEG of the keyframe, say).")
    response_format: dict[str, Any] = {"type": "video", "aspect_ratio": shape.ratio, "resolution": plan.resolution,
                                       "delivery": "uri"}
    if shape.duration_s is not None:
        response_format["duration"] = f"{int(shape.duration_s)}s"
    return {
        "model": shape.model,
        "input": [*pictures, {"type": "text", "text": prompt}] if pictures else prompt,
        "background": True,
        "store": True,
        "response_format": response_format,
        "generation_config": {"video_config": {"task": plan.task}},
    }
