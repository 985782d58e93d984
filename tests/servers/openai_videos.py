"""A test server that speaks the OpenAI Videos API (``/v1/videos``), as gateways keep serving it.

OpenAI shut its own /v1/videos down on 2026-09-24; the shape lives on in
OpenAI-compatible gateways, and the real ``openai`` package talks to this server
with ``OpenAI(base_url=server.base_url, api_key=...)``. Routes, as
docs/protocols/cloud-apis.md and the SDK give them:

* ``POST /v1/videos`` (what ``client.videos.create`` sends: multipart/form-data
  with ``prompt``, ``model``, ``seconds``, ``size`` and an optional
  ``input_reference`` image file; a JSON body is taken too) → the video object;
* ``GET /v1/videos/{id}`` → ``{"id", "object": "video", "model", "status":
  queued | in_progress | completed | failed, "progress": 0..100, "seconds",
  "size", "prompt", "created_at", "completed_at", "expires_at", "error",
  "remixed_from_video_id"}`` (Unix times);
* ``GET /v1/videos/{id}/content?variant=video|thumbnail|spritesheet`` → the MP4
  (a WebP thumbnail, a JPEG spritesheet), once completed;
* ``DELETE /v1/videos/{id}`` → ``{"id", "object": "video.deleted", "deleted": true}``;
  there is no cancel endpoint, so deleting a queued or in-progress video is how
  it is cancelled (counted in ``cancels``);
* ``GET /v1/videos`` (a cursor page) and ``POST /v1/videos/{id}/remix``.

Quirks emulated:

* errors are ``{"error": {"message", "type", "param", "code"}}``: 401
  ``invalid_api_key``, 400 ``invalid_request_error`` for a missing prompt or a
  model, seconds or size outside what the model takes (below), an
  ``input_reference`` picture that is not the size asked for,
  404 for an unknown video, 429 ``rate_limit_exceeded`` with ``Retry-After`` and
  ``retry-after-ms`` (which the SDK prefers), 5xx ``server_error``;
* a failed video has ``status: failed`` and ``error: {"code", "message"}``
  (``fail_tasks_with="moderation"`` gives ``moderation_blocked``);
* asking for the content before the video completed is a 400 ``video_not_ready``;
* ``content_redirect=True`` makes ``/content`` answer 302 to a signed output URL
  of this server instead of the bytes, as some gateways do;
* ``poll_after_ms`` sets the ``openai-poll-after-ms`` header on retrieve, which
  the SDK's ``create_and_poll`` follows (not sent by default).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from typing import Any

from aiohttp import web
from PIL import Image

from .cloud_base import (
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    CloudServer,
    Task,
    fit_aspect,
    json_object,
)
from .openai_errors import OpenAIErrors

# The request's rules, copied from openai-python 3.3.1 (Apache-2.0), src/openai/types/:
# video_model_param.py (VideoModelParam), video_seconds.py (VideoSeconds), video_size.py (VideoSize).
SDK_MODELS = ("sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06", "sora-2-2025-12-08")
SECONDS = ("4", "8", "12")
SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")
# The SDK lists every size for every model; OpenAI's model pages split them: 1792x1024 and 1024x1792
# were sora-2-pro's only (platform.openai.com/docs/models/sora-2 and sora-2-pro).
MODEL_SIZES = {model: SIZES if "-pro" in model else ("720x1280", "1280x720") for model in SDK_MODELS}
MODELS = SDK_MODELS
REFERENCE_TYPES = ("image/jpeg", "image/png", "image/webp")
STATUSES = {QUEUED: "queued", RUNNING: "in_progress", SUCCEEDED: "completed", FAILED: "failed"}
FAILURES = {
    "moderation": ("moderation_blocked", "Your request was blocked by our moderation system."),
    "error": ("internal_error", "Video generation failed due to an internal error. Please try again."),
}


class OpenAIVideosServer(OpenAIErrors, CloudServer):
    """An OpenAI-compatible /v1/videos on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        task_seconds: float = 0.4,
        models: Iterable[str] = MODELS,
        seconds: Iterable[str] = SECONDS,
        sizes: Iterable[str] = SIZES,
        content_redirect: bool = False,
        poll_after_ms: int | None = None,
        outputs_expire_s: float | None = None,
    ) -> None:
        """`models` beyond the SDK's are a gateway's own: they take `seconds` and `sizes`."""
        super().__init__(api_key, task_seconds=task_seconds, outputs_expire_s=outputs_expire_s)
        self.models, self.seconds, self.sizes = tuple(models), tuple(seconds), tuple(sizes)
        self.content_redirect = content_redirect
        self.poll_after_ms = poll_after_ms

    @property
    def base_url(self) -> str:
        """What to give the openai client as base_url."""
        return f"{self.url}/v1"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/videos", self._create),
            web.get("/v1/videos", self._list),
            web.get("/v1/videos/{id}", self._retrieve),
            web.delete("/v1/videos/{id}", self._delete),
            web.get("/v1/videos/{id}/content", self._content),
            web.post("/v1/videos/{id}/remix", self._remix),
        ]

    def new_task_id(self) -> str:
        return f"video_{secrets.token_hex(20)}"

    def _invalid(self, message: str, param: str, code: str = "invalid_value") -> web.Response:
        return self.error_response(400, message, param=param, code=code)

    def _not_found(self, video_id: str) -> web.Response:
        return self.error_response(404, f"Video with id '{video_id}' not found.", param="video_id")

    # ----------------------------------------------------------------- create

    async def _create(self, request: web.Request) -> web.Response:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            fields = {name: value for name, value in form.items()}
        else:
            fields = await json_object(request)
            if fields is None:
                return self._invalid("The request body must be a JSON object or multipart form.", "body")
        return self._start(fields)

    def _start(self, fields: dict[str, Any], remixed_from: Task | None = None) -> web.Response:
        prompt = fields.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            return self._invalid("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter")
        source = remixed_from.payload if remixed_from else {}
        model = fields.get("model", source.get("model", "sora-2"))
        if model not in self.models:
            supported = ", ".join(f"'{v}'" for v in self.models)
            return self._invalid(f"Invalid value: '{model}'. Supported values are: {supported}.", "model")
        sizes = MODEL_SIZES.get(model, self.sizes)
        choices = {
            "model": (model, self.models),
            "seconds": (str(fields.get("seconds", source.get("seconds", "4"))),
                        SECONDS if model in MODEL_SIZES else self.seconds),
            # The SDK's default, 720x1280, for the SDK's models; a gateway's first size for its own.
            "size": (fields.get("size", source.get("size", "720x1280" if model in MODEL_SIZES else sizes[0])), sizes),
        }
        for param, (value, allowed) in choices.items():
            if value not in allowed:
                supported = ", ".join(f"'{v}'" for v in allowed)
                return self._invalid(f"Invalid value: '{value}'. Supported values are: {supported}.", param)
        if (problem := _reference_problem(fields.get("input_reference"), choices["size"][0])) is not None:
            return self._invalid(problem, "input_reference")
        payload = {"prompt": prompt, **{param: value for param, (value, _) in choices.items()}}
        width, height = fit_aspect(*(int(side) for side in payload["size"].split("x")))
        task = self.create_task(
            fmt="mp4", width=width, height=height, payload=payload, remixed_from=remixed_from and remixed_from.id
        )
        return web.json_response(self._video(task))

    async def _remix(self, request: web.Request) -> web.Response:
        source = self.find_task(request.match_info["id"])
        if source is None:
            return self._not_found(request.match_info["id"])
        if source.phase != SUCCEEDED:
            return self._invalid("Only a completed video can be remixed.", "video_id", "video_not_ready")
        return self._start(await json_object(request) or {}, remixed_from=source)

    # ----------------------------------------------------------------- videos

    def _video(self, task: Task) -> dict[str, Any]:
        phase = task.phase
        finished = task.finished_wall
        expire_s = self.outputs_expire_s
        body = {
            "id": task.id,
            "object": "video",
            "model": task.payload["model"],
            "status": STATUSES[phase],
            "progress": round(task.progress * 100),
            "seconds": task.payload["seconds"],
            "size": task.payload["size"],
            "prompt": task.payload["prompt"],
            "created_at": int(task.created_wall),
            "completed_at": int(finished) if finished is not None else None,
            "expires_at": int(finished + expire_s) if finished is not None and expire_s is not None else None,
            "error": None,
            "remixed_from_video_id": task.extra["remixed_from"],
        }
        if phase == FAILED:
            code, message = FAILURES.get(task.failure, (task.failure, "Video generation failed."))
            body["error"] = {"code": code, "message": message}
        return body

    async def _retrieve(self, request: web.Request) -> web.Response:
        task = self.find_task(request.match_info["id"])
        if task is None:
            return self._not_found(request.match_info["id"])
        self.count("polls")
        headers = {"openai-poll-after-ms": str(self.poll_after_ms)} if self.poll_after_ms is not None else None
        return web.json_response(self._video(task), headers=headers)

    async def _list(self, request: web.Request) -> web.Response:
        videos = [task for task in self.tasks if not task.deleted]
        if request.query.get("order", "desc") == "desc":
            videos.reverse()
        ids = [task.id for task in videos]
        if (after := request.query.get("after")) in ids:
            videos = videos[ids.index(after) + 1 :]
        limit = int(request.query["limit"]) if request.query.get("limit", "").isdigit() else 20
        page = [self._video(task) for task in videos[:limit]]
        return web.json_response(
            {
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": len(videos) > limit,
            }
        )

    async def _delete(self, request: web.Request) -> web.Response:
        task = self.find_task(request.match_info["id"])
        if task is None:
            return self._not_found(request.match_info["id"])
        if task.cancel():
            self.count("cancels")
        task.deleted = True
        return web.json_response({"id": task.id, "object": "video.deleted", "deleted": True})

    async def _content(self, request: web.Request) -> web.StreamResponse:
        task = self.find_task(request.match_info["id"])
        if task is None:
            return self._not_found(request.match_info["id"])
        variant = request.query.get("variant", "video")
        if variant not in ("video", "thumbnail", "spritesheet"):
            return self._invalid(
                f"Invalid value: '{variant}'. Supported values are: 'video', 'thumbnail' and 'spritesheet'.", "variant"
            )
        if task.phase != SUCCEEDED:
            status = STATUSES.get(task.phase, "cancelled")
            return self._invalid(f"Video is not ready yet; its status is {status}.", "video_id", "video_not_ready")
        if variant == "thumbnail":
            return await self.send_output(request, "webp", task.width, task.height)
        if variant == "spritesheet":
            return await self.send_output(request, "jpeg", task.width * 4, task.height)
        if self.content_redirect:
            return web.Response(status=302, headers={"Location": self.output_urls(task)[0]})
        return await self.send_output(request, "mp4", task.width, task.height)


def _reference_problem(reference: Any, size: str) -> str | None:
    """Why the API refuses an ``input_reference`` picture (None: it takes it): a type other than
    JPEG, PNG or WebP, or a picture of another size than the video asked for."""
    if not isinstance(reference, web.FileField):
        return None
    if reference.content_type not in REFERENCE_TYPES:
        return f"Invalid input_reference type '{reference.content_type}'. Supported: {', '.join(REFERENCE_TYPES)}."
    try:
        with Image.open(io.BytesIO(reference.file.read())) as picture:
            picture_size = f"{picture.width}x{picture.height}"
    except (OSError, ValueError):
        return "The input_reference file is not a picture that can be read."
    finally:
        reference.file.seek(0)
    if picture_size != size:
        return f"Inpaint image must match the requested width and height ({picture_size} given, {size} asked for)."
    return None
