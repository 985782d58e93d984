"""A test server that speaks OpenAI's Images API (``/v1/images``), as OpenAI and compatible gateways do.

The real ``openai`` package talks to it with ``OpenAI(base_url=server.base_url,
api_key=...)``. Routes and shapes as openai-python 3.x gives them
(``types/image_generate_params.py``, ``image_edit_params.py``,
``images_response.py``):

* ``POST /v1/images/generations`` (``client.images.generate``): JSON with
  ``prompt`` (required), ``model``, ``n`` (1..10), ``size``, ``quality``,
  ``output_format`` (png, jpeg, webp), ``response_format`` (url or b64_json; GPT
  image models refuse it), ``background``, ``moderation`` ...;
* ``POST /v1/images/edits`` (``client.images.edit``): multipart/form-data with
  the same fields and one or more ``image`` files (the SDK names a list of them
  ``image[]``), PNG, JPEG or WebP;
* both answer, once the picture is made (``task_seconds`` later, the request
  held), the ImagesResponse: ``{"created", "data": [{"b64_json"} | {"url"}],
  "output_format", "size", "quality", "background", "usage": {"input_tokens",
  "input_tokens_details": {"image_tokens", "text_tokens"}, "output_tokens",
  "output_tokens_details", "total_tokens"}}`` (usage for GPT image models);
* ``GET /v1/models/{id}`` → ``{"id", "object": "model", "created", "owned_by"}``.

Sizes: the GPT image 2 models take any ``WIDTHxHEIGHT`` in multiples of 16, aspect
1:3 to 3:1, 655,360 to 8,294,400 pixels, edges up to 3840; other models take
1024x1024, 1536x1024, 1024x1536 (and ``auto``). Anything else is a 400
``invalid_value`` naming ``size``. The pictures served are small (160 px on the
long side) in the aspect asked for, as the other test servers' outputs are.

Quirks emulated: errors as OpenAIErrors gives them (401 ``invalid_api_key`` with
the key masked, 429 with ``Retry-After`` and ``retry-after-ms``, 5xx);
``fail_tasks_with="moderation"`` answers the next picture with 400
``moderation_blocked`` (type ``image_generation_user_error``), as the real API
refuses a prompt its safety system rejects; models in ``url_models`` answer a
signed ``url`` of this server instead of ``b64_json`` (as older models and some
gateways do), in the sizes ``url_model_sizes`` lists; ``truncate_outputs`` and ``non_video_outputs`` break the picture
itself, inline or at its URL.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from .cloud_base import CloudServer, fit_aspect, json_object
from .openai_errors import OpenAIErrors

# The SDK's ImageModel (openai-python 3.3.1, types/image_model.py) less the models OpenAI shut down since.
MODELS = ("gpt-image-2", "gpt-image-2-2026-04-21", "chatgpt-image-latest")
RETIRED = {"gpt-image-1": "2026-10-23", "gpt-image-1.5": "2026-12-01", "gpt-image-1-mini": "2026-12-01"}
STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
FREE_SIZE = re.compile(r"^gpt-image-2(\.5-(sunburst|flare))?(-\d{4}-\d{2}-\d{2})?$")
OUTPUT_FORMATS = ("png", "jpeg", "webp")
QUALITIES = ("low", "medium", "high", "auto")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
MODERATION_MESSAGE = ("Your request was rejected as a result of our safety system. Your request may contain content "
                      "that is not allowed by our safety system.")


def size_problem(model: str, size: str, sizes: Iterable[str] = STANDARD_SIZES) -> str | None:
    """Why `model` refuses `size` (None: it takes it); `sizes` are those of a model without free sizes."""
    if not FREE_SIZE.match(model):
        sizes = tuple(sizes)
        return None if size in sizes else f"Supported sizes are: {', '.join(sizes)}."
    if size == "auto":
        return None
    match = re.fullmatch(r"(\d+)x(\d+)", size)
    if match is None:
        return "Size must be WIDTHxHEIGHT or auto."
    width, height = int(match[1]), int(match[2])
    if width % 16 or height % 16:
        return "Width and height must both be divisible by 16."
    if max(width, height) > 3840 or not 655_360 <= width * height <= 8_294_400:
        return "Size must have edges up to 3840 and between 655360 and 8294400 pixels."
    if max(width / height, height / width) > 3:
        return "The aspect ratio must be between 1:3 and 3:1."
    return None


class OpenAIImagesServer(OpenAIErrors, CloudServer):
    """An OpenAI-compatible Images API on 127.0.0.1; see the module docstring."""

    def __init__(self, api_key: str = "test-key", *, task_seconds: float = 0.05, models: Iterable[str] = MODELS,
                 url_models: Iterable[str] = (), url_model_sizes: Iterable[str] = STANDARD_SIZES) -> None:
        super().__init__(api_key, task_seconds=task_seconds)
        self.url_models, self.url_model_sizes = tuple(url_models), tuple(url_model_sizes)
        self.models = (*models, *self.url_models)

    @property
    def base_url(self) -> str:
        """What to give the openai client as base_url."""
        return f"{self.url}/v1"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/images/generations", self._generate),
            web.post("/v1/images/edits", self._edit),
            web.get("/v1/models/{id}", self._model),
        ]

    def _invalid(self, message: str, param: str | None, code: str = "invalid_value") -> web.Response:
        return self.error_response(400, message, param=param, code=code)

    async def _generate(self, request: web.Request) -> web.Response:
        fields = await json_object(request)
        if fields is None:
            return self._invalid("We could not parse the JSON body of your request.", None, "invalid_json")
        return await self._make(fields, references=0)

    async def _edit(self, request: web.Request) -> web.Response:
        if not request.content_type.startswith("multipart/"):
            return self._invalid("Image edits take a multipart/form-data body.", None)
        form = await request.post()
        images = [value for name, value in form.items() if name in ("image", "image[]")]
        if not images:
            return self._invalid("Missing required parameter: 'image'.", "image", "missing_required_parameter")
        for image in images:
            if not isinstance(image, web.FileField) or image.content_type not in IMAGE_TYPES:
                return self._invalid(f"Invalid image file. Supported formats are: {', '.join(IMAGE_TYPES)}.", "image")
        fields = {name: value for name, value in form.items() if name not in ("image", "image[]")}
        return await self._make(fields, references=len(images))

    def _problem(self, fields: dict[str, Any], model: str) -> web.Response | None:
        prompt = fields.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            return self._invalid("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter")
        if model in RETIRED and model not in self.models:  # as OpenAI answers a model it has shut down
            return self.error_response(404, f"The model `{model}` has been deprecated, learn more here: "
                                       f"https://platform.openai.com/docs/deprecations", code="model_not_found")
        if model not in self.models:
            return self._invalid(f"Invalid value: '{model}'. Value must be one of {', '.join(self.models)}.", "model")
        n = int(fields.get("n", 1))
        if not 1 <= n <= 10:
            return self._invalid(f"Invalid 'n': integer below minimum value or above maximum. Given {n}.", "n")
        sizes = self.url_model_sizes if model in self.url_models else STANDARD_SIZES
        if (why := size_problem(model, str(fields.get("size", "auto")), sizes)) is not None:
            return self._invalid(f"Invalid size '{fields.get('size')}'. {why}", "size")
        if fields.get("quality", "auto") not in QUALITIES:
            return self._invalid(f"Invalid value: '{fields['quality']}'. Supported values are: "
                                 f"{', '.join(QUALITIES)}.", "quality")
        if fields.get("output_format", "png") not in OUTPUT_FORMATS:
            return self._invalid(f"Invalid value: '{fields['output_format']}'.", "output_format")
        if "response_format" in fields and model not in self.url_models:
            return self.error_response(400, "Unknown parameter: 'response_format'.", param="response_format",
                                       code="unknown_parameter")
        return None

    async def _make(self, fields: dict[str, Any], *, references: int) -> web.Response:
        model = str(fields.get("model") or MODELS[0])
        if (problem := self._problem(fields, model)) is not None:
            return problem
        size = str(fields.get("size", "auto"))
        width, height = fit_aspect(*(int(side) for side in (size if size != "auto" else "1024x1024").split("x")))
        fmt = str(fields.get("output_format", "png"))
        await asyncio.sleep(self.task_seconds)
        if self.take_failure() == "moderation":
            return self.error_response(400, MODERATION_MESSAGE, type="image_generation_user_error",
                                       code="moderation_blocked")
        n = int(fields.get("n", 1))
        if model in self.url_models:
            task = self.create_task(fmt=fmt, width=width, height=height, payload=dict(fields), outputs=n,
                                    filename="img")
            await self.wait_until_settled(task, self.task_seconds * 4 + 5)
            data = [{"url": url, "revised_prompt": fields["prompt"]} for url in self.output_urls(task)]
            return web.json_response({"created": int(time.time()), "data": data})
        self.count("submissions")
        data = []
        for _ in range(n):
            picture, _, _ = self.deliverable(fmt, width, height)
            self.count("downloads")
            data.append({"b64_json": base64.b64encode(picture).decode()})
        text_tokens = len(str(fields["prompt"]).split())
        usage = {"input_tokens": text_tokens + 323 * references,
                 "input_tokens_details": {"image_tokens": 323 * references, "text_tokens": text_tokens},
                 "output_tokens": 1056 * n, "output_tokens_details": {"image_tokens": 1056 * n, "text_tokens": 0},
                 "total_tokens": text_tokens + 323 * references + 1056 * n}
        return web.json_response({"created": int(time.time()), "data": data, "background": "opaque",
                                  "output_format": fmt, "quality": fields.get("quality", "high"),
                                  "size": size, "usage": usage})

    async def _model(self, request: web.Request) -> web.Response:
        model = request.match_info["id"]
        if model not in self.models:
            return self.error_response(404, f"The model '{model}' does not exist or you do not have access to it.",
                                       code="model_not_found")
        return web.json_response({"id": model, "object": "model", "created": 1776729600, "owned_by": "system"})
