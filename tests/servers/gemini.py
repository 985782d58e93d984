"""A test server that speaks Google's Gemini API for Veo video (generativelanguage.googleapis.com),
and its Interactions API for Gemini Omni Flash (those routes and rules: gemini_interactions.py).

Routes, as googleapis/python-genai 2.19.0 calls them (google/genai/models.py, operations.py, files.py):

* ``POST /v1beta/models/{model}:predictLongRunning`` → an operation, ``{"name":
  "models/{model}/operations/{id}"}``;
* ``GET /v1beta/models/{model}/operations/{id}`` → ``{"name"}`` while it runs; once done
  ``{"name", "done": true, "response": {"@type", "generateVideoResponse": {"generatedSamples":
  [{"video": {"uri"}}]}}}``, or ``"raiMediaFilteredCount"``/``"raiMediaFilteredReasons"`` in place of
  the samples when the safety filters held the video back, or ``"error": {"code", "message"}``;
* ``GET /v1beta/files/{id}:download?alt=media`` → the MP4 (the key is needed here too);
* ``GET /v1beta/models/{model}`` → the model's description (a cheap read for health).

The rules each request is checked against are copied here from the SDK and Google's Veo page,
not taken from the product's table (see RULES and `_check_*`), and each has a known-invalid request
refused in tests/test_gemini_server.py:

* the key is the ``x-goog-api-key`` header: none is a 403 PERMISSION_DENIED, a wrong one a 400
  INVALID_ARGUMENT with reason API_KEY_INVALID (as Google answers);
* a model the server does not list is a 404 NOT_FOUND;
* ``instances`` is a list of one object with only prompt, image, lastFrame, referenceImages and video;
  ``parameters`` has only aspectRatio, durationSeconds, resolution, negativePrompt,
  personGeneration, sampleCount, enhancePrompt; ``seed``, ``generateAudio``, ``fps`` and the other
  Enterprise-only fields are refused ("isn't supported by this model"), as is a ``gcsUri`` picture;
* a picture is {bytesBase64Encoded: base64 of a PNG/JPEG/WebP, mimeType: image/png|jpeg|webp};
* a prompt is needed unless a first frame is given; lastFrame needs image; referenceImages (at most
  3, referenceType "asset") go without image and lastFrame, with a prompt, at 8 seconds;
* aspectRatio 16:9 or 9:16; durationSeconds 4, 6 or 8 (an integer); resolution 720p, 1080p or 4k,
  the latter two at 8 seconds only; personGeneration "allow_all" for text only and "allow_adult" with
  pictures; sampleCount 1 to 4;
* a request over 20 MiB is a 400 "Request payload size exceeds the limit";
* every error is ``{"error": {"code", "message", "status"}}``; a 429 is RESOURCE_EXHAUSTED with a
  RetryInfo ``retryDelay``.

The Gemini API has no call that cancels a Veo operation, and this server has none either; an
interaction has one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web

from .cloud_base import FAILED, SUCCEEDED, CloudServer, Task, fit_aspect, json_object
from .gemini_interactions import OMNI_MODELS, InteractionRoutes, Refused, check_picture_bytes

MAX_REQUEST_BYTES = 20 * 1024 * 1024  # "Request payload size exceeds the limit: 20971520 bytes."
RESPONSE_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 501: "UNIMPLEMENTED",
                502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


@dataclass(frozen=True)
class VeoRules:
    """What one Veo model takes on the Gemini API (the SDK's GenerateVideosConfig docs and Google's Veo page)."""

    display_name: str
    aspect_ratios: frozenset[str] = frozenset({"16:9", "9:16"})
    durations: frozenset[int] = frozenset({4, 6, 8})
    resolutions: frozenset[str] = frozenset({"720p", "1080p", "4k"})
    long_only_resolutions: frozenset[str] = frozenset({"1080p", "4k"})  # at 8 seconds only
    max_references: int = 3
    last_frame: bool = True


RULES: dict[str, VeoRules] = {
    "veo-3.1-generate-preview": VeoRules("Veo 3.1"),
    "veo-3.1-fast-generate-preview": VeoRules("Veo 3.1 Fast"),
}
INSTANCE_FIELDS = frozenset({"prompt", "image", "lastFrame", "referenceImages", "video"})
PARAMETER_FIELDS = frozenset({"aspectRatio", "durationSeconds", "resolution", "negativePrompt", "personGeneration",
                              "sampleCount", "enhancePrompt"})
# In the SDK's _GenerateVideosConfig_to_mldev these raise "only supported in ... Agent Platform mode".
ENTERPRISE_ONLY = frozenset({"seed", "generateAudio", "fps", "storageUri", "pubsubTopic", "mask",
                             "compressionQuality", "labels", "resizeMode"})
IMAGE_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/webp": b"RIFF"}
FAILURES = {  # fail_tasks_with kind -> what the finished operation holds
    "moderation": {"response": {"@type": RESPONSE_TYPE, "generateVideoResponse": {
        "raiMediaFilteredCount": 1,
        "raiMediaFilteredReasons": ["The video could not be made because it may go against our safety policies."]}}},
    "error": {"error": {"code": 13, "message": "Video generation failed due to an internal error. Try again."}},
}


class GeminiServer(InteractionRoutes, CloudServer):
    """The Gemini API's Veo and Omni routes on 127.0.0.1; see the module docstring."""

    max_body_bytes = 64 * 1024 * 1024  # above Google's own limit, so that its 400 can be answered
    max_request_bytes = MAX_REQUEST_BYTES

    def __init__(self, api_key: str = "test-key", *, task_seconds: float = 0.4, retry_delay_s: float = 1.0) -> None:
        super().__init__(api_key, task_seconds=task_seconds)
        self.models = dict(RULES)
        self.retry_delay_s = retry_delay_s

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1beta/models/{call}", self._predict),
            web.get("/v1beta/models/{model}/operations/{id}", self._operation),
            web.get("/v1beta/models/{model}", self._model),
            web.get("/v1beta/files/{call}", self._download),
            *self.interaction_routes(),
        ]

    # ----------------------------------------------------------------- Google's ways

    def error_response(self, status: int, message: str, **details: Any) -> web.Response:
        error = {"code": status, "message": message, "status": STATUS_NAMES.get(status, HTTPStatus(status).name)}
        return web.json_response({"error": {**error, **details}}, status=status)

    def authorized(self, request: web.Request) -> bool:
        return request.headers.get("x-goog-api-key") == self.api_key

    def unauthorized(self, request: web.Request) -> web.Response:
        if not request.headers.get("x-goog-api-key") and "key" not in request.query:
            return self.error_response(403, "Method doesn't allow unregistered callers (callers without established "
                                            "identity). Please use API Key or other form of API consumer identity "
                                            "to call this API.")
        info = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}
        return self.error_response(400, "API key not valid. Please pass a valid API key.", details=[info])

    def rate_limited(self, retry_after_s: float) -> web.Response:
        retry = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{retry_after_s:g}s"}
        return self.error_response(429, "You exceeded your current quota, please check your plan and billing "
                                        "details.", details=[retry])

    def new_task_id(self) -> str:
        return secrets.token_hex(6)

    # ----------------------------------------------------------------- predictLongRunning

    async def _predict(self, request: web.Request) -> web.Response:
        model_name, _, method = request.match_info["call"].partition(":")
        if method != "predictLongRunning":
            return self.error_response(404, f"Method {method or '(none)'} is not found.")
        rules = self.models.get(model_name)
        if rules is None:
            return self.error_response(404, f"models/{model_name} is not found for API version v1beta, or is not "
                                            f"supported for predictLongRunning. Call ListModels to see the list of "
                                            f"available models and their supported methods.")
        if (request.content_length or 0) > MAX_REQUEST_BYTES:
            return self.error_response(400, f"Request payload size exceeds the limit: {MAX_REQUEST_BYTES} bytes.")
        body = await json_object(request)
        if body is None:
            return self.error_response(400, "Invalid JSON payload received.")
        try:
            instance, parameters = check_request(body, rules)
        except Refused as refused:
            return self.error_response(refused.status, str(refused))
        width, height = fit_aspect(*(int(side) for side in parameters.get("aspectRatio", "16:9").split(":")))
        task = self.create_task(fmt="mp4", width=width, height=height, payload=body, model=model_name,
                                instance=instance)
        return web.json_response({"name": _operation_name(task)})

    # ----------------------------------------------------------------- operations and files

    async def _operation(self, request: web.Request) -> web.Response:
        task = self.find_task(request.match_info["id"])
        if task is None or task.extra["model"] != request.match_info["model"]:
            return self.error_response(404, "Operation not found.")
        self.count("polls")
        body: dict[str, Any] = {"name": _operation_name(task)}
        if task.phase == SUCCEEDED:
            files = [{"video": {"uri": f"{self.url}/v1beta/files/{token}:download?alt=media"}}
                     for token in task.outputs]
            body.update(done=True, response={"@type": RESPONSE_TYPE,
                                             "generateVideoResponse": {"generatedSamples": files}})
        elif task.phase == FAILED:
            body.update(done=True, **FAILURES.get(task.failure or "", {"error": {"code": 13,
                                                                                 "message": str(task.failure)}}))
        return web.json_response(body)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        token, _, method = request.match_info["call"].partition(":")
        task = next((task for task in self.tasks if token in task.outputs), None)
        if method != "download" or request.query.get("alt") != "media":
            return self.error_response(400, "Only media downloads (:download?alt=media) are served here.")
        if task is None or task.deleted or task.phase != SUCCEEDED:
            return self.error_response(404, f"File {token} does not exist.")
        return await self.send_output(request, task.fmt, task.width, task.height)

    async def _model(self, request: web.Request) -> web.Response:
        name = request.match_info["model"]
        rules = self.models.get(name)
        if name in OMNI_MODELS:  # as Google lists Omni, though it serves it through interactions only
            return web.json_response({"name": f"models/{name}", "displayName": OMNI_MODELS[name],
                                      "supportedGenerationMethods": ["generateContent", "countTokens"]})
        if rules is None:
            return self.error_response(404, f"models/{name} is not found for API version v1beta.")
        return web.json_response({"name": f"models/{name}", "displayName": rules.display_name, "version": "3.1",
                                  "supportedGenerationMethods": ["predictLongRunning"]})


def _operation_name(task: Task) -> str:
    return f"models/{task.extra['model']}/operations/{task.id}"


# --------------------------------------------------------------------------- the rules


def check_request(body: dict[str, Any], rules: VeoRules) -> tuple[dict[str, Any], dict[str, Any]]:
    """(instance, parameters) of an acceptable body, or Refused with Google's words."""
    instances, parameters = body.get("instances"), body.get("parameters", {})
    unknown = set(body) - {"instances", "parameters", "webhookConfig"}
    if unknown:
        raise Refused(f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}": Cannot find field.')
    if not isinstance(instances, list) or len(instances) != 1 or not isinstance(instances[0], dict):
        raise Refused("instances must hold exactly one instance.")
    if not isinstance(parameters, dict):
        raise Refused("parameters must be an object.")
    instance = instances[0]
    for name in [*instance, *parameters]:
        if name in ENTERPRISE_ONLY or name not in INSTANCE_FIELDS | PARAMETER_FIELDS:
            raise Refused(f"`{name}` isn't supported by this model. Please remove it or refer to the Gemini API "
                          f"documentation for supported usage.")
    for name in parameters:
        if name in INSTANCE_FIELDS:
            raise Refused(f"`{name}` belongs in the instance, not in parameters.")
    _check_instance(instance, rules)
    _check_parameters(parameters, instance, rules)
    return instance, parameters


def _check_picture(name: str, picture: Any) -> None:
    if not isinstance(picture, dict):
        raise Refused(f"{name} must be an object with bytesBase64Encoded and mimeType.")
    if "gcsUri" in picture:
        raise Refused(f"{name}.gcsUri isn't supported by the Gemini API: send bytesBase64Encoded.")
    if picture.get("mimeType") in IMAGE_TYPES and set(picture) - {"mimeType", "bytesBase64Encoded"}:
        raise Refused(f"Unknown name in {name}: {sorted(set(picture) - {'mimeType', 'bytesBase64Encoded'})[0]}.")
    check_picture_bytes(name, ("mimeType", picture.get("mimeType")),
                        ("bytesBase64Encoded", picture.get("bytesBase64Encoded")), IMAGE_TYPES)


def _check_instance(instance: dict[str, Any], rules: VeoRules) -> None:
    prompt = instance.get("prompt")
    if prompt is not None and (not isinstance(prompt, str) or not prompt.strip()):
        raise Refused("prompt must be a non-empty string.")
    if "video" in instance:
        raise Refused("`video` (extension) takes a video Veo made; Foundry's trials send none.")
    for name in ("image", "lastFrame"):
        if name in instance:
            _check_picture(name, instance[name])
    if "lastFrame" in instance and ("image" not in instance or not rules.last_frame):
        raise Refused("lastFrame is only supported together with image (image to video).")
    if prompt is None and "image" not in instance:
        raise Refused("A prompt is required unless an image is given.")
    references = instance.get("referenceImages")
    if references is None:
        return
    if not isinstance(references, list) or not 1 <= len(references) <= rules.max_references:
        raise Refused(f"referenceImages takes 1 to {rules.max_references} images.")
    if "image" in instance or "lastFrame" in instance:
        raise Refused("referenceImages cannot be combined with image or lastFrame.")
    for index, reference in enumerate(references):
        if not isinstance(reference, dict) or set(reference) - {"image", "referenceType"}:
            raise Refused(f"referenceImages[{index}] takes image and referenceType only.")
        if reference.get("referenceType") != "asset":
            raise Refused(f"referenceImages[{index}].referenceType {reference.get('referenceType')!r} isn't "
                          f"supported by this model: use \"asset\".")
        _check_picture(f"referenceImages[{index}].image", reference.get("image"))


def _check_parameters(parameters: dict[str, Any], instance: dict[str, Any], rules: VeoRules) -> None:
    ratio = parameters.get("aspectRatio", "16:9")
    if ratio not in rules.aspect_ratios:
        raise Refused(f"Aspect ratio {ratio!r} is not supported. Supported values: "
                      f"{', '.join(sorted(rules.aspect_ratios))}.")
    duration = parameters.get("durationSeconds", 8)
    if type(duration) is not int or duration not in rules.durations:
        raise Refused(f"durationSeconds {duration!r} is out of bounds: use one of "
                      f"{', '.join(map(str, sorted(rules.durations)))}.")
    resolution = parameters.get("resolution", "720p")
    if resolution not in rules.resolutions:
        raise Refused(f"Resolution {resolution!r} is not supported: use one of {', '.join(sorted(rules.resolutions))}.")
    if resolution in rules.long_only_resolutions and duration != 8:
        raise Refused(f"{resolution} is only supported with durationSeconds 8.")
    if "referenceImages" in instance and duration != 8:
        raise Refused("referenceImages is only supported with durationSeconds 8.")
    for name in ("negativePrompt",):
        if name in parameters and not isinstance(parameters[name], str):
            raise Refused(f"{name} must be a string.")
    if "enhancePrompt" in parameters and type(parameters["enhancePrompt"]) is not bool:
        raise Refused("enhancePrompt must be true or false.")
    count = parameters.get("sampleCount", 1)
    if type(count) is not int or not 1 <= count <= 4:
        raise Refused("sampleCount must be from 1 to 4.")
    person = parameters.get("personGeneration")
    with_pictures = "image" in instance or "referenceImages" in instance
    allowed = "allow_adult" if with_pictures else "allow_all"
    if person is not None and person != allowed:
        raise Refused(f"personGeneration {person!r} isn't supported here: use {allowed!r}.")
