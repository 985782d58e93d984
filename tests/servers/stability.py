"""A test server that speaks Stability AI's image API (https://api.stability.ai).

Stability closed its video API on 2025-07-24; only the synchronous image
generation of docs/protocols/cloud-apis.md is emulated:

* ``POST /v2beta/stable-image/generate/core``, ``/ultra`` and ``/sd3``, a
  **multipart/form-data** body with ``prompt`` (required), ``negative_prompt``,
  ``aspect_ratio``, ``seed``, ``output_format`` (png, jpeg, webp) and, for ``/sd3``,
  ``model`` and ``mode`` (text-to-image, or image-to-image with an ``image`` file
  and a ``strength``); the image is made while the request waits
  (``task_seconds``).

Quirks emulated:

* ``Accept: image/*`` (or none, or ``*/*``) answers the image's raw bytes, with the
  ``finish-reason`` and ``seed`` headers; ``Accept: application/json`` answers
  ``{"image": base64, "finish_reason", "seed"}``;
* errors are ``{"id", "name", "errors": [...]}``: 400 bad input (a body that is
  not multipart among it), 401 bad key, 403 ``content_moderation``, 413 a body
  over 10 MiB, 422 rejected input, 429, 500;
* ``fail_tasks_with`` arms the next generation: ``"moderation"`` → 403,
  ``"filtered"`` → 200 with ``finish_reason: CONTENT_FILTERED`` (a picture is still
  sent, as Stability sends a blurred one), ``"rejected"`` → 422, ``"error"`` → 500;
  any other text is sent as the ``finish_reason`` of a 200;
* there are no output URLs: ``truncate_outputs`` and ``non_video_outputs`` break
  the image in the response itself (the raw body cut short, or HTML), or, in the
  JSON answer, the image the base64 holds; ``downloads`` counts the images sent.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from typing import Any

from aiohttp import web

from .cloud_base import CloudServer, fit_aspect

SERVICES = ("core", "ultra", "sd3")
ASPECT_RATIOS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")
OUTPUT_FORMATS = ("png", "jpeg", "webp")
SD3_MODELS = ("sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash")
MAX_PROMPT_CHARS = 10_000
MAX_SEED = 4294967294
ERROR_NAMES = {
    400: "bad_request",
    401: "unauthorized",
    403: "content_moderation",
    404: "not_found",
    413: "payload_too_large",
    422: "invalid_language",
    429: "rate_limit_exceeded",
    500: "internal_error",
}
MODERATION_MESSAGE = (
    "Your request was flagged by our content moderation system, as a result your request was denied "
    "and you were not charged."
)


class StabilityServer(CloudServer):
    """Stability AI's image generation on 127.0.0.1; see the module docstring."""

    max_body_bytes = 10 * 1024 * 1024

    def __init__(self, api_key: str = "test-key", *, task_seconds: float = 0.05) -> None:
        super().__init__(api_key, task_seconds=task_seconds)

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/v2beta/stable-image/generate/{service}", self._generate)]

    def error_response(self, status: int, message: str, **details: Any) -> web.Response:
        name = details.pop("name", ERROR_NAMES.get(status, "error"))
        body = {"id": secrets.token_hex(16), "name": name, "errors": details.pop("errors", [message]), **details}
        return web.json_response(body, status=status)

    def unauthorized(self, request: web.Request) -> web.Response:
        return self.error_response(401, "authorization: invalid or missing API key")

    async def _generate(self, request: web.Request) -> web.Response:
        service = request.match_info["service"]
        if service not in SERVICES:
            return self.error_response(404, f"service {service!r} not found")
        if not request.content_type.startswith("multipart/form-data"):
            return self.error_response(400, "content-type: must be multipart/form-data")
        form = await request.post()
        if errors := _validate(form, service):
            return self.error_response(400, errors[0], errors=errors)

        await asyncio.sleep(self.task_seconds)
        failure = self.take_failure()
        if failure == "moderation":
            return self.error_response(403, MODERATION_MESSAGE)
        if failure == "rejected":
            return self.error_response(422, "English is the only supported language for this service.")
        if failure == "error":
            return self.error_response(500, "An unexpected server error occurred, please try again.")
        self.count("submissions")
        # "filtered" (or any other text, taken as Stability's own finish reason) still sends a picture.
        finish_reason = "SUCCESS" if failure is None else "CONTENT_FILTERED" if failure == "filtered" else failure

        fmt = form.get("output_format") or "png"
        width, height = fit_aspect(*(int(side) for side in (form.get("aspect_ratio") or "1:1").split(":")))
        seed = int(form.get("seed") or 0) or secrets.randbelow(MAX_SEED) + 1
        if "application/json" in request.headers.get("Accept", ""):
            image, _, _ = self.deliverable(fmt, width, height)
            self.count("downloads")
            body = {"image": base64.b64encode(image).decode(), "finish_reason": finish_reason, "seed": seed}
            return web.json_response(body)
        headers = {"finish-reason": finish_reason, "seed": str(seed)}
        return await self.send_output(request, fmt, width, height, headers)


def _validate(form: Any, service: str) -> list[str]:
    """Stability's error list for a generate form ([] when it is acceptable)."""
    errors = []
    prompt = form.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        errors.append("prompt: is required")
    elif len(prompt) > MAX_PROMPT_CHARS:
        errors.append(f"prompt: must be at most {MAX_PROMPT_CHARS} characters")
    negative = form.get("negative_prompt")
    if isinstance(negative, str) and len(negative) > MAX_PROMPT_CHARS:
        errors.append(f"negative_prompt: must be at most {MAX_PROMPT_CHARS} characters")
    if form.get("aspect_ratio") not in (None, *ASPECT_RATIOS):
        errors.append(f"aspect_ratio: must be one of {', '.join(ASPECT_RATIOS)}")
    if form.get("output_format") not in (None, *OUTPUT_FORMATS):
        errors.append(f"output_format: must be one of {', '.join(OUTPUT_FORMATS)}")
    seed = form.get("seed")
    if seed is not None and not (isinstance(seed, str) and seed.isdigit() and int(seed) <= MAX_SEED):
        errors.append(f"seed: must be an integer from 0 to {MAX_SEED}")
    if service == "sd3":
        if form.get("model") not in (None, *SD3_MODELS):
            errors.append(f"model: must be one of {', '.join(SD3_MODELS)}")
        mode = form.get("mode", "text-to-image")
        if mode == "image-to-image":
            if not isinstance(form.get("image"), web.FileField):
                errors.append("image: is required in image-to-image mode")
            if not _is_fraction(form.get("strength")):
                errors.append("strength: is required in image-to-image mode, a number from 0 to 1")
        elif mode != "text-to-image":
            errors.append("mode: must be text-to-image or image-to-image")
    return errors


def _is_fraction(text: Any) -> bool:
    try:
        return 0.0 <= float(text) <= 1.0
    except (TypeError, ValueError):
        return False
