"""The Gemini API's Interactions API for Gemini Omni Flash, as the Gemini test server speaks it.

Routes, as googleapis/python-genai 2.19.0 calls them (google/genai/_gaos/interactions.py):

* ``POST /v1beta/interactions`` → the interaction: with ``background: true`` at once, ``{"id": "v1_…",
  "status": "in_progress", "object": "interaction", "model"}``; without it, once it has settled;
* ``GET /v1beta/interactions/{id}`` → the interaction: "queued" or "in_progress" while it runs, then
  "completed" with its steps (a "user_input" step, then a "model_output" step whose content holds
  ``{"type": "video", "mime_type": "video/mp4", "uri": …/files/{id}:download?alt=media}``, or the
  video inline as ``"data"`` (base64) when ``inline_video`` is set, as Google's Omni page says a GET
  answers for now), or "failed" with ``errors`` (``{code, message}``);
* ``POST /v1beta/interactions/{id}/cancel`` → the interaction, "cancelled"; one that has settled
  cannot be (the SDK: "only applies to background interactions that are still running").

The rules a create is checked against are copied here from the SDK's own types (not from the
product's table), and from Google's Omni page where the types leave a value open; each has a
known-invalid request refused in tests/test_gemini_interactions_server.py:

* the body's fields are CreateModelInteraction's, snake_case (no field has an alias): an unknown or
  camelCase name (``responseFormat``) is refused; ``model`` and ``input`` are required;
* a model the server does not list is a 404; a Veo model is refused (it takes predictLongRunning);
* ``input`` is a non-empty string or a list of content blocks: ``{"type": "text", "text"}`` or
  ``{"type": "image", "data": base64 of a picture, "mime_type"}`` (ImageContentMimeType), with only
  ImageContent's fields;
* ``response_format`` is a VideoResponseFormat: ``type`` "video"; ``aspect_ratio`` "16:9" or "9:16";
  ``resolution`` 360p, 720p, 1080p or 4k; ``delivery`` inline or uri; ``duration`` a string of
  whole seconds ("8s"), 3 to 10 (Google's page); ``gcs_uri`` is Vertex's only;
* ``generation_config`` has GenerationConfig's fields only; ``seed`` an integer; ``video_config``
  only ``task`` (text_to_video, image_to_video, reference_to_video, edit, extend); the task must fit
  the pictures sent (none, one, one or more); edit and extend need a video, which Foundry never sends;
* Omni takes no ``system_instruction`` and no ``stop_sequences`` (Google's page);
* ``background``, ``store`` and ``stream`` are booleans; a background interaction is stored (it is
  read back by id), so ``store: false`` with it is refused;
* a request over 20 MiB is a 400, like every Gemini API call.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from aiohttp import web

from .cloud_base import CANCELLED, FAILED, SUCCEEDED, Task, fit_aspect, json_object, media_bytes

OMNI_MODELS = {"gemini-omni-1.2-flash": "Gemini Omni Flash 1.2", "gemini-omni-1.1-flash": "Gemini Omni Flash 1.1"}
CREATE_FIELDS = frozenset({
    "input", "model", "background", "environment", "generation_config", "labels", "previous_interaction_id",
    "response_format", "response_mime_type", "response_modalities", "safety_settings", "service_tier", "store",
    "stream", "system_instruction", "tools", "webhook_config"})
OMNI_UNSUPPORTED = frozenset({"system_instruction"})
GENERATION_FIELDS = frozenset({
    "image_config", "max_output_tokens", "seed", "speech_config", "stop_sequences", "thinking_level",
    "thinking_summaries", "tool_choice", "transcription_config", "video_config"})
TASKS = frozenset({"text_to_video", "image_to_video", "reference_to_video", "edit", "extend"})
VIDEO_FORMAT_FIELDS = frozenset({"aspect_ratio", "delivery", "duration", "gcs_uri", "resolution", "type"})
ASPECT_RATIOS = frozenset({"16:9", "9:16"})
RESOLUTIONS = frozenset({"360p", "720p", "1080p", "4k"})
DELIVERIES = frozenset({"inline", "uri"})
SECONDS = range(3, 11)
DURATION = re.compile(r"^(\d+)s$")
IMAGE_FIELDS = frozenset({"data", "mime_type", "resolution", "type", "uri"})
IMAGE_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/webp": b"RIFF",
               "image/heic": b"", "image/heif": b"", "image/gif": b"GIF8", "image/bmp": b"BM", "image/tiff": b""}
MAX_PICTURES = 10  # Google Cloud's Omni model page: images per prompt
FAILURES = {  # fail_tasks_with kind -> how the interaction ends
    "moderation": {"status": "failed", "errors": [
        {"code": "content_blocked", "message": "The video was blocked by the safety filters."}]},
    "error": {"status": "failed", "errors": [{"code": "internal", "message": "Video generation failed. Try again."}]},
    "step_error": {"status": "completed", "steps": [{"type": "model_output", "error": {
        "code": 13, "message": "The model could not finish the video."}}]},
}


class Refused(Exception):
    """A request Google refuses: its status and message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class InteractionRoutes:
    """The Interactions API's routes, mixed into GeminiServer (a CloudServer)."""

    inline_video = False  # answer the video inline (base64) rather than as a files link

    def interaction_routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1beta/interactions", self._create_interaction),
            web.get("/v1beta/interactions/{id}", self._get_interaction),
            web.post("/v1beta/interactions/{id}/cancel", self._cancel_interaction),
        ]

    async def _create_interaction(self, request: web.Request) -> web.Response:
        if (request.content_length or 0) > self.max_request_bytes:
            return self.error_response(400, f"Request payload size exceeds the limit: {self.max_request_bytes} bytes.")
        body = await json_object(request)
        if body is None:
            return self.error_response(400, "Invalid JSON payload received.")
        try:
            pictures, response_format = check_interaction(body, veo_models=set(self.models))
        except Refused as refused:
            return self.error_response(refused.status, str(refused))
        ratio = response_format.get("aspect_ratio", "16:9")
        width, height = fit_aspect(*(int(side) for side in ratio.split(":")))
        task = self.create_task(fmt="mp4", width=width, height=height, payload=body, api="interactions",
                                model=body["model"], pictures=pictures)
        if not body.get("background"):
            await self.wait_until_settled(task, self.task_seconds + 5)
        return web.json_response(self._interaction(task))

    def _interaction_task(self, request: web.Request) -> Task | None:
        task = self.find_task(request.match_info["id"].removeprefix("v1_"))
        return task if task is not None and task.extra.get("api") == "interactions" else None

    async def _get_interaction(self, request: web.Request) -> web.Response:
        task = self._interaction_task(request)
        if task is None:
            return self.error_response(404, f"Interaction {request.match_info['id']} not found.")
        self.count("polls")
        return web.json_response(self._interaction(task))

    async def _cancel_interaction(self, request: web.Request) -> web.Response:
        task = self._interaction_task(request)
        if task is None:
            return self.error_response(404, f"Interaction {request.match_info['id']} not found.")
        if not task.cancel():
            refused = {"code": 400, "status": "FAILED_PRECONDITION",
                       "message": "Only background interactions that are still running can be cancelled."}
            return web.json_response({"error": refused}, status=400)
        self.count("cancels")
        return web.json_response(self._interaction(task))

    def _interaction(self, task: Task) -> dict[str, Any]:
        answer: dict[str, Any] = {"id": f"v1_{task.id}", "object": "interaction", "model": task.extra["model"],
                                  "created": "2026-12-07T10:00:00Z"}
        phase = task.phase
        if phase in (SUCCEEDED, FAILED):
            outcome = FAILURES.get(task.failure or "", FAILURES["error"]) if phase == FAILED else None
            answer["status"] = outcome["status"] if outcome else "completed"
            prompt = {"type": "user_input", "content": [{"type": "text", "text": "…"}]}
            answer["steps"] = [prompt, *(outcome or {}).get("steps", [])] if outcome else [prompt, {
                "type": "model_output", "content": [self._video_block(task)]}]
            if outcome and "errors" in outcome:
                answer["errors"] = outcome["errors"]
            answer["usage"] = {"output_tokens_by_modality": [{"modality": "video", "tokens": 5792 * 8}]}
        elif phase == CANCELLED:
            answer["status"] = "cancelled"
        else:
            answer["status"] = "in_progress" if task.progress > 0 else "queued"
        return answer

    def _video_block(self, task: Task) -> dict[str, Any]:
        block: dict[str, Any] = {"type": "video", "mime_type": "video/mp4"}
        if self.inline_video:
            block["data"] = base64.b64encode(media_bytes(task.fmt, task.width, task.height)).decode("ascii")
        else:
            block["uri"] = f"{self.url}/v1beta/files/{task.outputs[0]}:download?alt=media"
        return block


# --------------------------------------------------------------------------- the rules


def check_interaction(body: dict[str, Any], *, veo_models: set[str]) -> tuple[int, dict[str, Any]]:
    """(pictures sent, response_format) of an acceptable create, or Refused with Google's words."""
    unknown = set(body) - CREATE_FIELDS
    if unknown:
        raise Refused(f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}": Cannot find field.')
    model = body.get("model")
    if model in veo_models:
        raise Refused(f"{model} does not support the Interactions API: use predictLongRunning.")
    if model not in OMNI_MODELS:
        raise Refused(f"models/{model} is not found for API version v1beta.", status=404)
    if OMNI_UNSUPPORTED & set(body):
        raise Refused(f"`{sorted(OMNI_UNSUPPORTED & set(body))[0]}` isn't supported by this model.")
    for name in ("background", "store", "stream"):
        if name in body and type(body[name]) is not bool:
            raise Refused(f"{name} must be true or false.")
    if body.get("background") and body.get("store") is False:
        raise Refused("A background interaction must be stored (store: true) to be read back.")
    pictures = _check_input(body.get("input"))
    response_format = _check_response_format(body.get("response_format", {"type": "video"}))
    _check_generation_config(body.get("generation_config", {}), pictures)
    return pictures, response_format


def _check_input(value: Any) -> int:
    if isinstance(value, str):
        if not value.strip():
            raise Refused("input must not be empty.")
        return 0
    if not isinstance(value, list) or not value:
        raise Refused("input must be a string or a list of content blocks.")
    pictures = words = 0
    for index, block in enumerate(value):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            if set(block) - {"type", "text", "annotations"} or not isinstance(block.get("text"), str):
                raise Refused(f"input[{index}]: a text block takes a string `text`.")
            words += bool(block["text"].strip())
        elif kind == "image":
            _check_picture(index, block)
            pictures += 1
        else:
            raise Refused(f"input[{index}].type {kind!r} is not a content type Foundry's trials send.")
    if not words:
        raise Refused("input needs a text block that says what to make.")
    if pictures > MAX_PICTURES:
        raise Refused(f"At most {MAX_PICTURES} images per request are supported.")
    return pictures


def _check_picture(index: int, block: dict[str, Any]) -> None:
    if set(block) - IMAGE_FIELDS:
        raise Refused(f'Unknown name "{sorted(set(block) - IMAGE_FIELDS)[0]}" in input[{index}].')
    check_picture_bytes(f"input[{index}]", ("mime_type", block.get("mime_type")), ("data", block.get("data")),
                        IMAGE_TYPES)


def check_picture_bytes(where: str, mime: tuple[str, Any], data: tuple[str, Any], kinds: dict[str, bytes]) -> None:
    """A picture's (field name, value) pairs: a listed type, and base64 of bytes that begin as that type does."""
    (mime_field, mime_type), (data_field, encoded) = mime, data
    if mime_type not in kinds:
        raise Refused(f"{where}.{mime_field} must be one of {', '.join(kinds)}; got {mime_type!r}.")
    try:
        raw = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) and encoded else b""
    except (binascii.Error, ValueError):
        raw = b""
    if not raw:
        raise Refused(f"{where}.{data_field} must be base64 picture bytes.")
    if not raw.startswith(kinds[mime_type]):
        raise Refused(f"Unable to process input image: {where} is not a {mime_type} picture.")


def _check_response_format(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("type") != "video":
        raise Refused('response_format must be a video format ({"type": "video", …}) for this model.')
    if set(value) - VIDEO_FORMAT_FIELDS:
        raise Refused(f'Unknown name "{sorted(set(value) - VIDEO_FORMAT_FIELDS)[0]}" in response_format.')
    if "gcs_uri" in value:
        raise Refused("response_format.gcs_uri is only supported on Vertex AI.")
    checks = (("aspect_ratio", ASPECT_RATIOS), ("resolution", RESOLUTIONS), ("delivery", DELIVERIES))
    for name, allowed in checks:
        if name in value and value[name] not in allowed:
            raise Refused(f"response_format.{name} {value[name]!r} is not supported: use one of "
                          f"{', '.join(sorted(allowed))}.")
    if "duration" in value:
        match = DURATION.match(value["duration"]) if isinstance(value["duration"], str) else None
        if match is None or int(match.group(1)) not in SECONDS:
            raise Refused(f"response_format.duration {value['duration']!r} is out of range: use whole seconds from "
                          f"\"{SECONDS[0]}s\" to \"{SECONDS[-1]}s\".")
    return value


def _check_generation_config(config: Any, pictures: int) -> None:
    if not isinstance(config, dict):
        raise Refused("generation_config must be an object.")
    if set(config) - GENERATION_FIELDS:
        raise Refused(f'Unknown name "{sorted(set(config) - GENERATION_FIELDS)[0]}" in generation_config.')
    if "stop_sequences" in config:
        raise Refused("`stop_sequences` isn't supported by this model.")
    if "seed" in config and type(config["seed"]) is not int:
        raise Refused("generation_config.seed must be an integer.")
    video = config.get("video_config", {})
    if not isinstance(video, dict) or set(video) - {"task"}:
        raise Refused("generation_config.video_config takes `task` only.")
    task = video.get("task")
    if task is None:
        return
    if task not in TASKS:
        raise Refused(f"video_config.task {task!r} is not one of {', '.join(sorted(TASKS))}.")
    if task in ("edit", "extend"):
        raise Refused(f"video_config.task {task!r} needs a video to work on.")
    fits = {"text_to_video": pictures == 0, "image_to_video": pictures == 1, "reference_to_video": pictures >= 1}
    if not fits[task]:
        raise Refused(f"video_config.task {task!r} does not fit a request with {pictures} image(s).")
