"""A test server that speaks Replicate's HTTP API (https://api.replicate.com/v1).

Routes, as docs/protocols/cloud-apis.md gives them:

* ``POST /v1/models/{owner}/{name}/predictions`` with ``{"input": {...}}`` (official
  models) and ``POST /v1/predictions`` with ``{"version": ID or "owner/name:ID",
  "input": {...}}``, both with optional ``webhook`` and ``webhook_events_filter``
  (recorded, never called) → 201 and the prediction;
* ``GET /v1/predictions/{id}``; ``POST /v1/predictions/{id}/cancel`` → the prediction;
* ``GET /v1/models/{owner}/{name}`` → the model, with
  ``latest_version.openapi_schema`` (Cog's: ``components.schemas.Input`` and
  ``Output``); ``GET /v1/models/{owner}/{name}/versions/{id}``; ``GET /v1/models``
  (one page listing every model); ``GET /v1/account``;
* ``POST /v1/files`` (replicate-python's ``files.create``: multipart/form-data, the bytes
  in the part ``content`` with its filename and content type, an optional ``metadata``
  part of JSON) → 201 and the file ``{"id", "name", "content_type", "size", "etag",
  "checksums": {"sha256", "md5"}, "metadata", "created_at", "expires_at", "urls":
  {"get"}}``; ``GET /v1/files/{id}``, ``GET /v1/files``, ``DELETE /v1/files/{id}`` → 204.
  A prediction's input may name a file by its ``urls.get``.

Rules checked on a prediction's input, from Replicate's published contract: the model's
own schema (Cog's OpenAPI, as for each model below); data URLs only for files up to
256 KB ("Corrections and additions" of the reference: larger ones go by URL or through the
files API); a file URL of this server only for a file it holds. Community models (those
not ``official``) answer 404 on ``/v1/models/{owner}/{name}/predictions`` and run on
``/v1/predictions`` with a version. A model's ``runtime_check`` fails the prediction (not
the request) as the model itself would, e.g. Hailuo 02 at 10 s in 1080p, or Kling 3.0 given an
end_image without a start_image or a prompt over 2500 characters, or a picture its page refuses in
words (Kling 3.0: jpg/png, at least 300 px, 1:2.5 to 2.5:1, 10 MB; Hailuo 02: MiniMax's frame rules):
rules its schema states only in words, which Cog's validation cannot check, so the model's own code
fails the prediction (`picture_rules`).

Quirks emulated:

* errors are RFC 7807 problem details, ``{"title", "detail", "status"}``: 401 on a
  wrong token, 404 for an unknown model or prediction, 422 for input the model's
  schema refuses (required, type, enum, minimum/maximum, maxLength, uri format;
  with ``invalid_fields``) or an unknown version;
* the prediction object: ``id``, ``model``, ``version``, ``input``, ``logs``,
  ``output``, ``data_removed``, ``error``, ``status`` (starting → processing →
  succeeded | failed | canceled), ``created_at``/``started_at``/``completed_at``
  (ISO with microseconds), ``urls`` (``get``, ``cancel``, ``web``; ``stream`` only
  for models declared to stream, which no default model is) and, once settled,
  ``metrics.predict_time``;
* ``Prefer: wait`` holds the create call until the prediction settles or 60 s pass,
  ``Prefer: wait=N`` (1 ≤ N ≤ 60) for N seconds; any other ``wait`` value is a 400;
* a failed prediction has ``status: failed`` and ``error`` text
  (``fail_tasks_with="moderation"`` gives Replicate's E005 "flagged as sensitive");
* a video model's ``output`` is one URL; an image model's a list of URLs, as many
  as ``num_outputs`` (flux-schnell), or one URL (flux-kontext-pro, which follows an
  ``input_image``); a music model's (meta/musicgen) one URL to a WAV or MP3 of
  ``duration`` seconds; output URLs say they expire after an hour.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import secrets
import string
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from PIL import Image

from .cloud_base import (
    CANCELLED,
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    CloudServer,
    Task,
    fit_aspect,
    iso_time,
    json_object,
)

MAX_WAIT_S = 60
STATUSES = {QUEUED: "starting", RUNNING: "processing", SUCCEEDED: "succeeded", FAILED: "failed", CANCELLED: "canceled"}
FAILURES = {
    "moderation": "The input or output was flagged as sensitive. Please try again with different inputs. (E005)",
    "error": "Prediction failed for an unknown reason. It might have run out of memory. (E1000)",
}
WEBHOOK_EVENTS = ("start", "output", "logs", "completed")
ASPECT_RATIOS = ["1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21"]
MAX_DATA_URL_BYTES = 256 * 1024  # Replicate: data URLs for files up to 256 KB
MAX_FILE_BYTES = 100 * 1024**2  # Replicate's files API: files up to 100 MB
MAX_FILENAME_BYTES = 255  # the files API's filename: required, at most 255 bytes of UTF-8


@dataclass(frozen=True)
class PictureLimits:
    """What a model takes in one picture input: Pillow's format names, the shorter side, width/height, bytes."""

    formats: tuple[str, ...]
    min_side: int
    aspect_range: tuple[float, float] | None
    max_bytes: int

    def problem(self, name: str, data: bytes) -> str | None:
        """The model's error for this picture, or None when it takes it."""
        if len(data) > self.max_bytes:
            return f"{name}: the image is larger than {self.max_bytes // 1000**2} MB."
        try:
            with Image.open(io.BytesIO(data)) as picture:
                picture.load()
                kind, (width, height) = picture.format, picture.size
        except Exception:
            return f"{name}: the file is not an image that can be read."
        if kind not in self.formats:
            return f"{name}: unsupported image format {kind}; supported formats: {', '.join(self.formats)}."
        if min(width, height) < self.min_side:
            return f"{name}: the image is {width}x{height}; it must be at least {self.min_side}px on each side."
        if self.aspect_range and not self.aspect_range[0] <= width / height <= self.aspect_range[1]:
            return (f"{name}: the image's aspect ratio {width / height:.2f} is outside "
                    f"{self.aspect_range[0]} to {self.aspect_range[1]}.")
        return None


# kwaivgi/kling-v3-video's start_image: "Supports .jpg/.jpeg/.png, max 10MB, min 300px, aspect ratio 1:2.5
# to 2.5:1"; end_image: "Supports .jpg/.jpeg/.png, max 10MB, min 300px".
KLING_V3_START = PictureLimits(("JPEG", "PNG"), 300, (0.4, 2.5), 10 * 1000**2)
KLING_V3_END = PictureLimits(("JPEG", "PNG"), 300, None, 10 * 1000**2)
# minimax/hailuo-02's frames, as MiniMax's API reference states them (Replicate's page does not):
# JPG, JPEG, PNG or WebP, under 20 MB, the shorter side over 300 px, aspect ratio 2:5 to 5:2.
HAILUO_FRAME = PictureLimits(("JPEG", "PNG", "WEBP"), 300, (0.4, 2.5), 20 * 1000**2)


@dataclass(frozen=True)
class ReplicateModel:
    """A model: its input schema (a JSON schema object, as Cog writes it) and what it outputs."""

    name: str  # "owner/name"
    properties: dict[str, dict[str, Any]]
    required: tuple[str, ...] = ("prompt",)
    # "video": one MP4 URL; "images": a list of image URLs; "image": one image URL; "audio": one sound URL
    output: str = "video"
    description: str = ""
    stream: bool = False
    version: str = field(default_factory=lambda: secrets.token_hex(32))
    official: bool = True  # False: a community model, run by version only
    # What the model itself fails a prediction for (the request is taken): its error text, or None.
    runtime_check: Callable[[dict[str, Any]], str | None] | None = None
    # The pictures it takes, as its page states them in words (Cog cannot check them: the model's own
    # code fails the prediction, billed): input name -> the rules.
    picture_rules: dict[str, PictureLimits] = field(default_factory=dict)

    def input_schema(self) -> dict[str, Any]:
        properties = {
            name: {"title": name.replace("_", " ").title(), "x-order": order, **spec}
            for order, (name, spec) in enumerate(self.properties.items())
        }
        return {"type": "object", "title": "Input", "required": list(self.required), "properties": properties}

    def openapi_schema(self) -> dict[str, Any]:
        uri = {"type": "string", "format": "uri"}
        output = {"type": "array", "items": uri} if self.output == "images" else uri
        return {
            "openapi": "3.0.2",
            "info": {"title": "Cog", "version": "0.1.0"},
            "paths": {},
            "components": {"schemas": {"Input": self.input_schema(), "Output": {"title": "Output", **output}}},
        }


def _hailuo_length(inputs: dict[str, Any]) -> str | None:
    if inputs.get("duration", 6) == 10 and inputs.get("resolution", "1080p") != "768p":
        return "10 seconds is only available for 768p resolution."
    return None


def _kling_v3_rules(inputs: dict[str, Any]) -> str | None:
    for name in ("prompt", "negative_prompt"):
        if len(inputs.get(name) or "") > 2500:
            return f"{name} must be at most 2500 characters."
    if inputs.get("end_image") and not inputs.get("start_image"):
        return "end_image requires start_image."
    return None


def default_models() -> list[ReplicateModel]:
    """Two video models and three image models, with inputs shaped like the real ones'."""
    uri = {"type": "string", "format": "uri"}
    return [
        # Replicate's input schema of kwaivgi/kling-v3-video, version 4a8ba274 (its page
        # replicate.com/kwaivgi/kling-v3-video/versions/4a8ba2743bd9…/api, read 2026-12-07). That
        # page shows no enum values for mode and aspect_ratio (Cog writes them as allOf refs); they
        # are those a mirror of the schema lists (cinemasetfree.com/guides/generators/kwaivgi/
        # kling-v3-video). What the page gives only in words (the 2500-character prompts, "Requires
        # start_image") the schema cannot refuse: the model fails such a prediction (_kling_v3_rules).
        ReplicateModel(
            "kwaivgi/kling-v3-video",
            {
                "prompt": {"type": "string", "description": "Text prompt for video generation. Max 2500 characters."},
                "negative_prompt": {"type": "string", "default": "",
                                    "description": "Things you do not want to see in the video. Max 2500 characters."},
                "start_image": {**uri, "description": "First frame image. Supports .jpg/.jpeg/.png, max 10MB, min "
                                "300px, aspect ratio 1:2.5 to 2.5:1."},
                "end_image": {**uri, "description": "Last frame image. Requires start_image. Supports "
                              ".jpg/.jpeg/.png, max 10MB, min 300px."},
                "mode": {"type": "string", "enum": ["standard", "pro"], "default": "pro",
                         "description": "'standard' generates 720p, 'pro' generates 1080p."},
                "aspect_ratio": {"type": "string", "enum": ["16:9", "9:16", "1:1"], "default": "16:9",
                                 "description": "Aspect ratio. Ignored when start_image is provided."},
                "duration": {"type": "integer", "minimum": 3, "maximum": 15, "default": 5,
                             "description": "Video duration in seconds."},
                "generate_audio": {"type": "boolean", "default": False},
                "multi_prompt": {"type": "string", "description": "JSON array of shot definitions for multi-shot "
                                 "mode. Max 6 shots, min 1s per shot, total must equal duration."},
            },
            description="Kling Video 3.0: text- and image-to-video up to 15 s, with native audio",
            runtime_check=_kling_v3_rules,
            picture_rules={"start_image": KLING_V3_START, "end_image": KLING_V3_END},
        ),
        ReplicateModel(  # replicate.com/minimax/hailuo-02/versions/c43b610e…/api (2026-12)
            "minimax/hailuo-02",
            {
                "prompt": {"type": "string", "description": "Text prompt for generation"},
                "first_frame_image": {**uri, "description": "First frame image for video generation. The output "
                                      "video will have the same aspect ratio as this image."},
                "last_frame_image": {**uri, "description": "Last frame image for video generation."},
                "duration": {"type": "integer", "enum": [6, 10], "default": 6,
                             "description": "10 seconds is only available for 768p resolution."},
                "resolution": {"type": "string", "enum": ["512p", "768p", "1080p"], "default": "1080p"},
                "prompt_optimizer": {"type": "boolean", "default": True},
            },
            description="Text- and image-to-video",
            runtime_check=_hailuo_length,
            picture_rules={"first_frame_image": HAILUO_FRAME, "last_frame_image": HAILUO_FRAME},
        ),
        ReplicateModel(
            "black-forest-labs/flux-schnell",
            {
                "prompt": {"type": "string"},
                "aspect_ratio": {"type": "string", "enum": ASPECT_RATIOS, "default": "1:1"},
                "num_outputs": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1},
                "output_format": {"type": "string", "enum": ["webp", "jpg", "png"], "default": "webp"},
                "seed": {"type": "integer"},
            },
            output="images",
            description="Fast text-to-image",
        ),
        ReplicateModel(
            "black-forest-labs/flux-kontext-pro",
            {
                "prompt": {"type": "string"},
                "input_image": {**uri, "description": "Image to use as reference. Must be jpeg, png, gif, or webp."},
                "aspect_ratio": {"type": "string", "enum": ["match_input_image", *ASPECT_RATIOS],
                                 "default": "match_input_image"},
                "output_format": {"type": "string", "enum": ["jpg", "png"], "default": "png"},
                "safety_tolerance": {"type": "integer", "minimum": 0, "maximum": 6, "default": 2},
                "seed": {"type": "integer"},
            },
            output="image",
            description="Text-based image editing that follows a reference picture",
        ),
        ReplicateModel(
            "black-forest-labs/flux-2-pro",
            {
                "prompt": {"type": "string"},
                "input_images": {"type": "array", "items": uri, "default": [], "maxItems": 8,
                                 "description": "List of input images for image-to-image generation."},
                "aspect_ratio": {"type": "string", "enum": ["match_input_image", "custom", *ASPECT_RATIOS],
                                 "default": "1:1"},
                "output_format": {"type": "string", "enum": ["webp", "jpg", "png"], "default": "webp"},
                "seed": {"type": "integer"},
            },
            output="image",
            description="Text-to-image following up to eight reference pictures",
        ),
    ]


def music_models() -> list[ReplicateModel]:
    """meta/musicgen, with the inputs of its published schema (Cog writes its enums as allOf refs;
    plain enums here, which the client reads the same)."""
    return [
        ReplicateModel(
            "meta/musicgen",
            {
                "model_version": {"type": "string", "enum": ["stereo-melody-large", "stereo-large", "melody-large",
                                                             "large"], "default": "stereo-melody-large"},
                "prompt": {"type": "string"},
                "input_audio": {"type": "string", "format": "uri"},
                "duration": {"type": "integer", "default": 8},
                "continuation": {"type": "boolean", "default": False},
                "normalization_strategy": {"type": "string", "enum": ["loudness", "clip", "peak", "rms"],
                                           "default": "loudness"},
                "top_k": {"type": "integer", "default": 250},
                "top_p": {"type": "number", "default": 0},
                "temperature": {"type": "number", "default": 1},
                "classifier_free_guidance": {"type": "integer", "default": 3},
                "output_format": {"type": "string", "enum": ["wav", "mp3"], "default": "wav"},
                "seed": {"type": "integer"},
            },
            required=(),
            output="audio",
            description="Music from a text prompt",
        ),
    ]


class ReplicateServer(CloudServer):
    """Replicate's API on 127.0.0.1; see the module docstring."""

    output_url_ttl_s = 3600.0
    max_body_bytes = MAX_FILE_BYTES + 1024**2  # a file upload's form around its bytes

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        task_seconds: float = 0.4,
        models: Iterable[ReplicateModel] | None = None,
        outputs_expire_s: float | None = None,
    ) -> None:
        super().__init__(api_key, task_seconds=task_seconds, outputs_expire_s=outputs_expire_s)
        every = [*default_models(), *music_models()] if models is None else models
        self.models = {model.name: model for model in every}
        self.files: dict[str, dict[str, Any]] = {}  # id -> the file object
        self.file_bytes: dict[str, bytes] = {}  # id -> its bytes, which a model reads its pictures from
        self.max_file_bytes = MAX_FILE_BYTES

    @property
    def uploads(self) -> int:
        """How many files were uploaded through the files API."""
        with self._lock:
            return self._counts["uploads"]

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/models/{owner}/{name}/predictions", self._create_for_model),
            web.post("/v1/predictions", self._create_for_version),
            web.get("/v1/predictions/{id}", self._get_prediction),
            web.post("/v1/predictions/{id}/cancel", self._cancel_prediction),
            web.get("/v1/models", self._list_models),
            web.get("/v1/models/{owner}/{name}", self._get_model),
            web.get("/v1/models/{owner}/{name}/versions/{version}", self._get_version),
            web.get("/v1/account", self._account),
            web.post("/v1/files", self._create_file),
            web.get("/v1/files", self._list_files),
            web.get("/v1/files/{id}", self._get_file),
            web.delete("/v1/files/{id}", self._delete_file),
        ]

    def error_response(self, status: int, message: str, **details: Any) -> web.Response:
        title = details.pop("title", message)
        body = {"title": title, "detail": message, "status": status, **details}
        return web.json_response(body, status=status, content_type="application/problem+json")

    def unauthorized(self, request: web.Request) -> web.Response:
        return self.error_response(401, "You did not pass a valid authentication token", title="Unauthenticated")

    def rate_limited(self, retry_after_s: float) -> web.Response:
        seconds = f"{retry_after_s:g}"
        response = self.error_response(
            429, f"Request was throttled. Expected available in {seconds} second(s).", title="Request was throttled."
        )
        response.headers["Retry-After"] = seconds
        return response

    def new_task_id(self) -> str:
        return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(26))

    def _not_found(self) -> web.Response:
        return self.error_response(404, "The requested resource could not be found.", title="Not found")

    # ----------------------------------------------------------------- create

    async def _create_for_model(self, request: web.Request) -> web.Response:
        model = self.models.get(f"{request.match_info['owner']}/{request.match_info['name']}")
        if model is None or not model.official:  # community models run by version only
            return self._not_found()
        return await self._create(request, model)

    async def _create_for_version(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        version = body.get("version") if body else None
        wanted = version.rpartition(":")[2] if isinstance(version, str) else None
        model = next((m for m in self.models.values() if m.version == wanted), None)
        if model is None:
            return self.error_response(
                422,
                "The specified version does not exist (or perhaps you don't have permission to use it?)",
                title="Invalid version or not permitted",
            )
        return await self._create(request, model)

    async def _create(self, request: web.Request, model: ReplicateModel) -> web.Response:
        wait_s = _prefer_wait(request.headers.get("Prefer"))
        if wait_s is False:
            return self.error_response(
                400, f"Prefer: wait=N needs 1 <= N <= {MAX_WAIT_S}", title="Invalid Prefer header"
            )
        body = await json_object(request)
        if body is None or not isinstance(body.get("input"), dict):
            return self._invalid([("input", "required", "input is required and must be an object")])
        events = body.get("webhook_events_filter")
        if events is not None and (not isinstance(events, list) or any(e not in WEBHOOK_EVENTS for e in events)):
            return self._invalid(
                [("webhook_events_filter", "enum", "must be a subset of " + ", ".join(WEBHOOK_EVENTS))]
            )
        inputs = body["input"]
        if problems := _validate(inputs, model.input_schema()) or self._file_problems(inputs, model):
            return self._invalid(problems)
        width, height = _size(inputs.get("aspect_ratio"), "16:9" if model.output == "video" else "1:1")
        if model.output == "audio":  # a sound of `duration` seconds (see media_bytes)
            fmt, count, width, height = inputs.get("output_format", "wav"), 1, inputs.get("duration", 8), 0
        elif model.output == "video":
            fmt, count = "mp4", 1
        else:
            output_format = inputs.get("output_format", model.properties["output_format"]["default"])
            fmt, count = ("jpeg" if output_format == "jpg" else output_format), inputs.get("num_outputs", 1)
        task = self.create_task(
            fmt=fmt, width=width, height=height, payload=inputs, outputs=count, filename="out", model=model.name
        )
        if model.runtime_check is not None and (error := model.runtime_check(inputs)) is not None:
            task.failure = error  # the model fails it once it runs, as the real one does
        elif (error := self._picture_failure(inputs, model)) is not None:
            task.failure = error
        if wait_s:
            await self.wait_until_settled(task, wait_s)
        return web.json_response(self._prediction(task, model), status=201)

    def _file_problems(self, inputs: dict[str, Any], model: ReplicateModel) -> list[tuple[str, str, str]]:
        """Pictures the service refuses: a data URL of a file over 256 KB, a file URL of no file held."""
        problems = []
        for name, value in inputs.items():
            if model.properties.get(name, {}).get("format") != "uri" and (
                    model.properties.get(name, {}).get("items") or {}).get("format") != "uri":
                continue
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(item, str):
                    continue
                if item.startswith("data:") and _data_url_bytes(item) > MAX_DATA_URL_BYTES:
                    problems.append((name, "data_url_too_large", f"{name}: data URLs are for files up to 256 KB; "
                                     f"upload larger files with the files API or give their URL"))
                elif item.startswith(f"{self.url}/v1/files/") and item.rsplit("/", 1)[-1] not in self.files:
                    problems.append((name, "file_not_found", f"{name}: the file {item} does not exist"))
        return problems

    def _picture_failure(self, inputs: dict[str, Any], model: ReplicateModel) -> str | None:
        """Why the model fails a picture it was given (its type, size, shape or weight), or None."""
        for name, limits in model.picture_rules.items():
            value = inputs.get(name)
            data = None
            if isinstance(value, str) and value.startswith("data:"):
                data = base64.b64decode(value.partition(",")[2])
            elif isinstance(value, str) and value.startswith(f"{self.url}/v1/files/"):
                data = self.file_bytes.get(value.rsplit("/", 1)[-1])
            if data is not None and (problem := limits.problem(name, data)) is not None:
                return problem
        return None

    def _invalid(self, problems: list[tuple[str, str, str]]) -> web.Response:
        detail = "\n".join(f"- {name}: {description}" for name, _, description in problems)
        fields = [{"type": kind, "field": name, "description": description} for name, kind, description in problems]
        return self.error_response(422, detail, title="Input validation failed", invalid_fields=fields)

    # ----------------------------------------------------------------- predictions

    def _prediction(self, task: Task, model: ReplicateModel) -> dict[str, Any]:
        phase = task.phase
        urls = {
            "get": f"{self.url}/v1/predictions/{task.id}",
            "cancel": f"{self.url}/v1/predictions/{task.id}/cancel",
            "web": f"https://replicate.com/p/{task.id}",
        }
        if model.stream:
            urls["stream"] = f"{self.url}/v1/predictions/{task.id}/stream"
        output: Any = None
        if phase == SUCCEEDED:
            output = self.output_urls(task)
            if model.output != "images":
                output = output[0]
        started, finished = task.started_wall, task.finished_wall
        body: dict[str, Any] = {
            "id": task.id,
            "model": model.name,
            "version": model.version,
            "input": task.payload,
            "logs": _logs(task),
            "output": output,
            "data_removed": False,
            "error": FAILURES.get(task.failure, task.failure) if phase == FAILED else None,
            "status": STATUSES[phase],
            "created_at": iso_time(task.created_wall, 6),
            "urls": urls,
        }
        if started is not None:
            body["started_at"] = iso_time(started, 6)
        if finished is not None:
            body["completed_at"] = iso_time(finished, 6)
            body["metrics"] = {
                "predict_time": round(task.run_s, 6),
                "total_time": round(finished - task.created_wall, 6),
            }
        return body

    def _found(self, request: web.Request) -> tuple[Task, ReplicateModel] | None:
        task = self.find_task(request.match_info["id"])
        return None if task is None else (task, self.models[task.extra["model"]])

    async def _get_prediction(self, request: web.Request) -> web.Response:
        if (found := self._found(request)) is None:
            return self._not_found()
        self.count("polls")
        return web.json_response(self._prediction(*found))

    async def _cancel_prediction(self, request: web.Request) -> web.Response:
        if (found := self._found(request)) is None:
            return self._not_found()
        if found[0].cancel():
            self.count("cancels")
        return web.json_response(self._prediction(*found))

    # ----------------------------------------------------------------- models

    def _model_json(self, model: ReplicateModel) -> dict[str, Any]:
        owner, name = model.name.split("/")
        return {
            "url": f"https://replicate.com/{model.name}",
            "owner": owner,
            "name": name,
            "description": model.description,
            "visibility": "public",
            "run_count": 1000,
            "latest_version": self._version_json(model),
            "default_example": None,
        }

    @staticmethod
    def _version_json(model: ReplicateModel) -> dict[str, Any]:
        return {
            "id": model.version,
            "created_at": "2026-01-01T00:00:00.000000Z",
            "cog_version": "0.14.0",
            "openapi_schema": model.openapi_schema(),
        }

    async def _get_model(self, request: web.Request) -> web.Response:
        model = self.models.get(f"{request.match_info['owner']}/{request.match_info['name']}")
        return self._not_found() if model is None else web.json_response(self._model_json(model))

    async def _get_version(self, request: web.Request) -> web.Response:
        model = self.models.get(f"{request.match_info['owner']}/{request.match_info['name']}")
        if model is None or model.version != request.match_info["version"]:
            return self._not_found()
        return web.json_response(self._version_json(model))

    async def _list_models(self, request: web.Request) -> web.Response:
        results = [self._model_json(model) for model in self.models.values()]
        return web.json_response({"next": None, "previous": None, "results": results})

    # ----------------------------------------------------------------- files

    async def _create_file(self, request: web.Request) -> web.Response:
        """replicate-python's files.create: the bytes in the part `content`, optional JSON `metadata`."""
        if not request.content_type.startswith("multipart/"):
            return self.error_response(400, "The request must be multipart/form-data.", title="Invalid request")
        form = await request.post()
        content = form.get("content")
        if not isinstance(content, web.FileField):
            return self.error_response(400, "The content part is required.", title="Invalid request")
        if not content.filename or len(content.filename.encode()) > MAX_FILENAME_BYTES:
            return self.error_response(400, "The filename is required and must be at most 255 bytes.",
                                       title="Invalid request")
        metadata: Any = form.get("metadata", "{}")
        try:
            metadata = json.loads(metadata if isinstance(metadata, str) else metadata.file.read())
        except ValueError:
            return self.error_response(400, "The metadata must be valid JSON.", title="Invalid request")
        data = content.file.read()
        if len(data) > self.max_file_bytes:
            return self.error_response(413, f"Files may be at most {self.max_file_bytes} bytes.",
                                       title="Payload too large")
        file_id = self.new_task_id()
        created = time.time()
        self.files[file_id] = {
            "id": file_id, "name": content.filename, "content_type": content.content_type or "application/octet-stream",
            "size": len(data), "etag": hashlib.md5(data).hexdigest(),
            "checksums": {"sha256": hashlib.sha256(data).hexdigest(), "md5": hashlib.md5(data).hexdigest()},
            "metadata": metadata, "created_at": iso_time(created, 3), "expires_at": iso_time(created + 86400, 3),
            "urls": {"get": f"{self.url}/v1/files/{file_id}"},
        }
        self.file_bytes[file_id] = data
        self.count("uploads")
        return web.json_response(self.files[file_id], status=201)

    async def _list_files(self, request: web.Request) -> web.Response:
        return web.json_response({"next": None, "previous": None, "results": list(self.files.values())})

    async def _get_file(self, request: web.Request) -> web.Response:
        found = self.files.get(request.match_info["id"])
        return self._not_found() if found is None else web.json_response(found)

    async def _delete_file(self, request: web.Request) -> web.Response:
        if self.files.pop(request.match_info["id"], None) is None:
            return self._not_found()
        return web.Response(status=204)

    async def _account(self, request: web.Request) -> web.Response:
        return web.json_response({"type": "user", "username": "test-user", "name": "Test User", "github_url": None})


def _prefer_wait(header: str | None) -> float | None | bool:
    """Seconds to hold the create call: None without `Prefer: wait`, False when its N is invalid."""
    for preference in (header or "").split(","):
        name, _, value = preference.strip().partition("=")
        if name.strip().lower() != "wait":
            continue
        if not value:
            return float(MAX_WAIT_S)
        return int(value) if value.strip().isdigit() and 1 <= int(value) <= MAX_WAIT_S else False
    return None


def _size(aspect_ratio: Any, default: str) -> tuple[int, int]:
    """The output size for an aspect_ratio input ("16:9"); `default` when there is none or it is no ratio."""
    sides = aspect_ratio.split(":") if isinstance(aspect_ratio, str) else []
    if len(sides) != 2 or not all(side.isdigit() and int(side) > 0 for side in sides):
        sides = default.split(":")
    return fit_aspect(int(sides[0]), int(sides[1]))


def _data_url_bytes(url: str) -> int:
    """The size of the file a data URL holds."""
    header, _, data = url.partition(",")
    if header.endswith(";base64"):
        return len(data) * 3 // 4 - data[-2:].count("=")
    return len(data)


def _logs(task: Task) -> str:
    """Cog-like logs: a line per tenth of progress so far."""
    if task.started_wall is None:
        return ""
    tenths = 10 if task.phase == SUCCEEDED else int(task.progress * 10)
    return "".join(f"{tenth * 10:3d}%|{'#' * tenth:<10}| {tenth}/10\n" for tenth in range(tenths + 1))


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
_URI = re.compile(r"^(https?://\S+|data:[\w/+.-]+(;[\w=-]+)*(;base64)?,.*)$", re.DOTALL)


def _validate(inputs: dict[str, Any], schema: dict[str, Any]) -> list[tuple[str, str, str]]:
    """What the input schema refuses in `inputs`: (field, kind, description) triples.

    Inputs the schema does not name are ignored, as Replicate does.
    """
    problems = [(name, "required", f"{name} is required") for name in schema["required"] if name not in inputs]
    for name, value in inputs.items():
        spec = schema["properties"].get(name)
        if spec is None:
            continue
        expected = spec.get("type")
        wrong_type = expected in _JSON_TYPES and (
            not isinstance(value, _JSON_TYPES[expected]) or (isinstance(value, bool) and expected != "boolean")
        )
        if wrong_type:
            problems.append(
                (name, "invalid_type", f"Invalid type. Expected: {expected}, given: {type(value).__name__}")
            )
        elif "enum" in spec and value not in spec["enum"]:
            choices = ", ".join(repr(choice) if isinstance(choice, str) else str(choice) for choice in spec["enum"])
            problems.append((name, "enum", f"{name} must be one of the following: {choices}"))
        elif "minimum" in spec and value < spec["minimum"]:
            problems.append((name, "number_gte", f"{name} must be greater than or equal to {spec['minimum']}"))
        elif "maximum" in spec and value > spec["maximum"]:
            problems.append((name, "number_lte", f"{name} must be less than or equal to {spec['maximum']}"))
        elif "maxLength" in spec and len(value) > spec["maxLength"]:
            problems.append((name, "string_lte", f"{name} must be at most {spec['maxLength']} characters"))
        elif spec.get("format") == "uri" and not _URI.match(value):
            problems.append((name, "format", f"{name}: Does not match format 'uri'"))
        elif "maxItems" in spec and len(value) > spec["maxItems"]:
            problems.append((name, "array_max_items", f"{name}: Array must have at most {spec['maxItems']} items"))
        elif (spec.get("items") or {}).get("format") == "uri" and not all(
            isinstance(item, str) and _URI.match(item) for item in value
        ):
            problems.append((name, "format", f"{name}: every item must match format 'uri'"))
    return problems
