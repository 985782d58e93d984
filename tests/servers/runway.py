"""A test server that speaks Runway's API (https://api.dev.runwayml.com).

Routes:

* ``POST /v1/image_to_video``, ``POST /v1/text_to_video`` → ``{"id": TASK_ID}``, each body
  checked against the rules of runwayml/sdk-python 5.13's request types, per model
  (tests/data/cloud/runway_sdk_video_params.json: transcribed from the SDK, never read from
  Foundry's tables); ``POST /v1/text_to_image`` (gen4_image, gen4_image_turbo; loosely checked:
  Foundry does not call it);
* ``POST /v1/uploads`` ``{"filename", "type": "ephemeral"}`` → ``{"uploadUrl", "fields",
  "runwayUri"}``, then ``POST uploadUrl``: a signed storage form (``/upload-bucket/``, S3's
  rules: no key, every field as given, the file last), 201 with S3's PostResponse; a request may
  then name the picture by its ``runway://`` URI (unknown or never-sent uploads are refused);
* ``GET /v1/tasks/{id}`` → ``{"id", "status", "createdAt"}`` plus ``progress`` (0..1, while
  RUNNING), ``output`` ([URL], once SUCCEEDED) or ``failure`` and ``failureCode`` (FAILED);
* ``DELETE /v1/tasks/{id}`` → 204: cancels a PENDING/RUNNING task, deletes a settled one;
* ``GET /v1/organization`` → ``creditBalance``, the tier's per-model limits and the day's usage
  (the SDK's OrganizationRetrieveResponse): where the API lists the models a key may use.

What a create call must be, as Runway enforces it: every field of the model's TypedDict
that is Required; Literal values (ratios, Veo durations) and stated ranges (gen4.5 2-10 s,
gemini_omni_flash 3-10 s); promptText non-empty where the SDK says so and within its length
in UTF-16 code units; no field the model does not have (a `seed` to a Veo model is refused,
as the API's strict validation does); `promptImage` a URI or a list of ``{uri, position}``
with the positions the model takes (Veo 3.1: not a last frame alone; Seedance: keyframes
and references not mixed); URIs HTTPS, ``runway://`` (an upload made here) or base64 data
URIs of at most 5 MB *as a data URI*. A refusal is Runway's 400:
``{"error": "Validation of body failed: ...", "issues": [{"path", "message"}]}``.

Other quirks: every request needs ``X-Runway-Version: 2024-11-06`` as well as the bearer key
(400 without it, checked after the key); failed tasks carry a dot-separated ``failureCode``
(``fail_tasks_with="moderation"`` gives ``SAFETY.INPUT.TEXT``, ``"error"``
``INTERNAL.BAD_OUTPUT.CODE01``, any other text is the code); output URLs say they expire after
a day. A cancelled task shows CANCELLED, or 404 with ``cancelled_tasks_visible=False`` (the SDK
says an aborted task cannot be fetched again).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import secrets
from pathlib import Path
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

API_VERSION = "2024-11-06"
SDK_RULES: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "data" / "cloud" / "runway_sdk_video_params.json").read_text("utf-8"))
DATA_URI_MAX_BYTES: int = SDK_RULES["data_uri_max_bytes"]
UPLOAD_MAX_BYTES: int = SDK_RULES["upload_max_bytes"]
MAX_URL_CHARS = 2048  # Runway's limit for an https URL
BUCKET = "/upload-bucket/"
STILL_MODELS = ("gen4_image", "gen4_image_turbo")

FAILURES = {  # fail_tasks_with kind -> (failureCode, failure)
    "moderation": ("SAFETY.INPUT.TEXT", "The prompt text did not pass content moderation."),
    "error": ("INTERNAL.BAD_OUTPUT.CODE01", "The output did not pass internal quality checks. Please try again."),
}
STATUSES = {QUEUED: "PENDING", RUNNING: "RUNNING", SUCCEEDED: "SUCCEEDED", FAILED: "FAILED", CANCELLED: "CANCELLED"}
Issues = list[dict[str, Any]]


class RunwayServer(CloudServer):
    """Runway's API on 127.0.0.1; see the module docstring."""

    output_url_ttl_s = 24 * 3600.0
    keyless_prefixes = (BUCKET,)

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        task_seconds: float = 0.4,
        credit_balance: int = 10_000,
        cancelled_tasks_visible: bool = True,
        outputs_expire_s: float | None = None,
    ) -> None:
        super().__init__(api_key, task_seconds=task_seconds, outputs_expire_s=outputs_expire_s)
        self.credit_balance = credit_balance
        self.cancelled_tasks_visible = cancelled_tasks_visible
        self.uploads: dict[str, dict[str, Any]] = {}  # upload id -> filename, fields, data (once sent)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/image_to_video", self._image_to_video),
            web.post("/v1/text_to_video", self._text_to_video),
            web.post("/v1/text_to_image", self._text_to_image),
            web.post("/v1/uploads", self._create_upload),
            web.post(BUCKET, self._receive_upload),
            web.get("/v1/tasks/{id}", self._get_task),
            web.delete("/v1/tasks/{id}", self._delete_task),
            web.get("/v1/organization", self._organization),
        ]

    def error_response(self, status: int, message: str, **details: Any) -> web.Response:
        return web.json_response({"error": message, **details}, status=status)

    def unauthorized(self, request: web.Request) -> web.Response:
        return self.error_response(401, "Incorrect API key provided. Check the key and try again.")

    def check_headers(self, request: web.Request) -> web.Response | None:
        version = request.headers.get("X-Runway-Version")
        if version != API_VERSION:
            found = "missing" if version is None else f"{version!r} is not a valid version"
            return self.error_response(
                400, f"The X-Runway-Version header is required and must be set to {API_VERSION} ({found})."
            )
        return None

    def refused(self, issues: Issues) -> web.Response:
        message = "; ".join(f"{'.'.join(map(str, i['path'])) or 'body'}: {i['message']}" for i in issues)
        return self.error_response(400, f"Validation of body failed: {message}", issues=issues)

    # ----------------------------------------------------------------- create

    async def _image_to_video(self, request: web.Request) -> web.Response:
        return await self._create(request, "image_to_video")

    async def _text_to_video(self, request: web.Request) -> web.Response:
        return await self._create(request, "text_to_video")

    async def _create(self, request: web.Request, endpoint: str) -> web.Response:
        body = await json_object(request)
        if body is None:
            return self.error_response(400, "The request body must be a JSON object.")
        issues = self.video_issues(body, endpoint)
        if issues:
            return self.refused(issues)
        width, height = self._output_size(body)
        task = self.create_task(fmt="mp4", width=width, height=height, payload=body)
        return web.json_response({"id": task.id})

    async def _text_to_image(self, request: web.Request) -> web.Response:
        body = await json_object(request) or {}
        issues: Issues = []
        if body.get("model") not in STILL_MODELS:
            issues.append(_issue("model", f"Invalid enum value. Expected {_choices(STILL_MODELS)}"))
        if not isinstance(body.get("promptText"), str) or not body["promptText"]:
            issues.append(_issue("promptText", "Required"))
        if _sides(body.get("ratio")) is None:
            issues.append(_issue("ratio", "Required: a ratio such as '1920:1080'."))
        if issues:
            return self.refused(issues)
        width, height = fit_aspect(*_sides(body["ratio"]))  # type: ignore[misc]
        task = self.create_task(fmt="png", width=width, height=height, payload=body)
        return web.json_response({"id": task.id})

    def video_issues(self, body: dict[str, Any], endpoint: str) -> Issues:
        """The body's issues as Runway lists them ([] when the SDK's types allow it)."""
        models = SDK_RULES[endpoint]
        name = body.get("model")
        if not isinstance(name, str) or name not in models:
            return [_issue("model", f"Invalid discriminator value. Expected {_choices(models)}")]
        rules: dict[str, Any] = models[name]
        issues: Issues = []
        for field, rule in rules.items():
            if field not in body:
                if rule["required"]:
                    issues.append(_issue(field, "Required"))
            elif (problem := self._field_problem(rule, body[field])) is not None:
                issues.append(_issue(field, problem))
        unknown = sorted(set(body) - set(rules) - {"model"})
        if unknown:
            keys = ", ".join(repr(key) for key in unknown)
            issues.append({"code": "unrecognized_keys", "keys": unknown, "path": [],
                           "message": f"Unrecognized key(s) in object: {keys}"})
        return issues

    def _field_problem(self, rule: dict[str, Any], value: Any) -> str | None:
        kind = rule["kind"]
        if kind == "string":
            return _string_problem(rule, value)
        if kind in ("literal", "int_enum"):
            ok = value in rule["values"] and (kind == "literal" or type(value) is int)
            return None if ok else f"Invalid enum value. Expected {_choices(rule['values'])}, received {value!r}"
        if kind == "int":
            if type(value) is not int:
                return "Expected integer, received " + type(value).__name__
            if value < rule.get("min", value) or value > rule.get("max", value):
                return f"Number must be from {rule.get('min')} to {rule.get('max')}"
            return None
        if kind == "bool":
            return None if type(value) is bool else "Expected boolean"
        if kind == "object":
            ok = isinstance(value, dict) and all(value.get(k) in allowed for k, allowed in rule["keys"].items()
                                                 if k in value) and set(value) <= set(rule["keys"])
            return None if ok else f"Expected an object with {', '.join(rule['keys'])}"
        if kind == "prompt_image":
            return self._prompt_image_problem(rule, value)
        if kind == "references":
            if not isinstance(value, list) or len(value) > rule["max_items"]:
                return f"Expected an array of at most {rule['max_items']} items"
            return next((p for item in value if (p := self._item_problem(item, {"uri"}, "image/")) is not None), None)
        if kind == "media_refs":
            if not isinstance(value, list):
                return "Expected an array"
            wanted = rule["type"]
            for item in value:
                if not isinstance(item, dict) or item.get("type") != wanted:
                    return f"Each item needs type {wanted!r}"
                if (problem := self._item_problem(item, {"type", "uri"}, f"{wanted}/")) is not None:
                    return problem
            return None
        raise AssertionError(f"unknown rule kind {kind}")

    def _prompt_image_problem(self, rule: dict[str, Any], value: Any) -> str | None:
        if isinstance(value, str):
            return self.uri_problem(value, "image/")
        if not isinstance(value, list) or not value:
            return "Expected a URI or a non-empty array of {uri, position}"
        positions = [item.get("position") for item in value if isinstance(item, dict)]
        for item in value:
            if (problem := self._item_problem(item, {"uri", "position"}, "image/")) is not None:
                return problem
        placed = [p for p in positions if p is not None]
        if rule["position_required"] and len(placed) < len(value):
            return "position: Required"
        if any(p not in rule["positions"] for p in placed):
            return f"position: Invalid enum value. Expected {_choices(rule['positions'])}"
        if len(set(placed)) < len(placed):
            return "Each position may be given once"
        if placed and len(placed) < len(value):
            return "Keyframes (first/last) and reference images cannot be mixed"
        if placed == ["last"]:
            return "This model does not support generating with only a last frame"
        return None

    def _item_problem(self, item: Any, keys: set[str], media: str) -> str | None:
        if not isinstance(item, dict) or "uri" not in item:
            return "uri: Required"
        if set(item) - keys:
            return f"Unrecognized key(s) in object: {', '.join(sorted(set(item) - keys))}"
        return self.uri_problem(item["uri"], media)

    def uri_problem(self, uri: Any, media: str) -> str | None:
        """Why Runway would not take `uri` for a `media` ("image/") input; None when it would."""
        if not isinstance(uri, str):
            return "Expected string"
        if uri.startswith("data:"):
            if len(uri) > DATA_URI_MAX_BYTES:
                return "The data URI is larger than 5MB. Use an upload or an HTTPS URL for larger files."
            head, _, payload = uri.partition(",")
            if not head.startswith(f"data:{media}") or not head.endswith(";base64"):
                return f"Invalid data URI: expected a base64 {media.rstrip('/')}"
            try:
                base64.b64decode(payload, validate=True)
            except (binascii.Error, ValueError):
                return "Invalid data URI: the base64 does not decode"
            return None
        if uri.startswith("runway://"):
            upload = self._upload_of(uri)
            return None if upload and "data" in upload else "The Runway upload URI was not found or has expired."
        if uri.startswith("https://") and len(uri) <= MAX_URL_CHARS:
            return None
        return "Invalid URI: expected an HTTPS URL, a Runway upload URI or a data URI"

    def _upload_of(self, uri: str) -> dict[str, Any] | None:
        return self.uploads.get(uri.removeprefix("runway://ephemeral/"))

    def _output_size(self, body: dict[str, Any]) -> tuple[int, int]:
        """The output's size: the ratio's shape, else (HappyHorse from a picture) the picture's."""
        if (sides := _sides(body.get("ratio"))) is not None:
            return fit_aspect(*sides)
        image = body.get("promptImage")
        uri = image if isinstance(image, str) else (image[0]["uri"] if isinstance(image, list) else "")
        data = None
        if uri.startswith("data:"):
            data = base64.b64decode(uri.partition(",")[2])
        elif uri.startswith("runway://"):
            data = (self._upload_of(uri) or {}).get("data")
        try:
            return fit_aspect(*Image.open(io.BytesIO(data)).size) if data else fit_aspect(1280, 720)
        except OSError:
            return fit_aspect(1280, 720)

    # ----------------------------------------------------------------- uploads

    async def _create_upload(self, request: web.Request) -> web.Response:
        body = await json_object(request) or {}
        issues: Issues = []
        if not isinstance(body.get("filename"), str) or not body["filename"]:
            issues.append(_issue("filename", "Required"))
        if body.get("type") != "ephemeral":
            issues.append(_issue("type", "Invalid literal value, expected 'ephemeral'"))
        if set(body) - {"filename", "type"}:
            issues.append({"path": [], "message": "Unrecognized key(s) in object"})
        if issues:
            return self.refused(issues)
        upload_id = secrets.token_hex(12)
        policy = base64.b64encode(json.dumps({"key": upload_id, "max": UPLOAD_MAX_BYTES}).encode()).decode()
        fields = {"key": f"ephemeral/{upload_id}/{body['filename']}", "x-amz-algorithm": "AWS4-HMAC-SHA256",
                  "success_action_status": "201", "policy": policy,
                  "x-amz-signature": hmac.new(self.api_key.encode(), policy.encode(), hashlib.sha256).hexdigest()}
        self.uploads[upload_id] = {"filename": body["filename"], "fields": fields}
        self.count("upload_starts")
        return web.json_response({"uploadUrl": f"{self.url}{BUCKET}", "fields": fields,
                                  "runwayUri": f"runway://ephemeral/{upload_id}"})

    async def _receive_upload(self, request: web.Request) -> web.Response:
        """The storage host's signed POST form, as S3 checks it; 204 when stored."""
        if "Authorization" in request.headers:
            return _storage_error(400, "InvalidArgument", "Only one auth mechanism allowed; the Authorization "
                                                          "header should not be sent with a POST policy.")
        try:
            form = await request.post()
        except ValueError:
            return _storage_error(400, "MalformedPOSTRequest", "The body of your POST request is not "
                                                              "well-formed multipart/form-data.")
        names = list(form.keys())
        upload_id = str(form.get("key", "")).split("/")[1] if str(form.get("key", "")).count("/") == 2 else ""
        upload = self.uploads.get(upload_id)
        if upload is None or any(form.get(k) != v for k, v in upload["fields"].items()):
            return _storage_error(403, "AccessDenied", "Invalid according to Policy: Policy Condition failed.")
        file = form.get("file")
        if not isinstance(file, web.FileField) or names[-1] != "file":
            return _storage_error(400, "InvalidArgument", "POST requires exactly one file upload per request, "
                                                          "as the last field.")
        data = file.file.read()
        if len(data) > UPLOAD_MAX_BYTES:
            return _storage_error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
        if not (file.content_type or "").startswith(("image/", "video/", "audio/")):
            return _storage_error(400, "InvalidArgument", "The file must be an image, a video or a sound.")
        upload["data"] = data
        self.count("uploads")
        # success_action_status 201: S3's PostResponse document (with 204, an empty answer).
        key, etag = upload["fields"]["key"], hashlib.md5(data).hexdigest()  # noqa: S324 (S3's ETag)
        document = (f'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>{self.url}{BUCKET}{key}'
                    f'</Location><Bucket>runway-uploads</Bucket><Key>{key}</Key><ETag>"{etag}"</ETag></PostResponse>')
        return web.Response(status=201, text=document, content_type="application/xml")

    # ----------------------------------------------------------------- tasks

    def _task_json(self, task: Task) -> dict[str, Any]:
        phase = task.phase
        body: dict[str, Any] = {"id": task.id, "status": STATUSES[phase], "createdAt": iso_time(task.created_wall)}
        if phase == RUNNING:
            body["progress"] = round(task.progress, 3)
        elif phase == SUCCEEDED:
            body["output"] = self.output_urls(task)
        elif phase == FAILED:
            code, message = FAILURES.get(task.failure, (task.failure, "The task failed."))
            body["failure"], body["failureCode"] = message, code
        return body

    def _visible_task(self, request: web.Request) -> Task | None:
        task = self.find_task(request.match_info["id"])
        if task is not None and task.phase == CANCELLED and not self.cancelled_tasks_visible:
            return None
        return task

    async def _get_task(self, request: web.Request) -> web.Response:
        task = self._visible_task(request)
        if task is None:
            return self.error_response(404, "Task not found.")
        self.count("polls")
        return web.json_response(self._task_json(task))

    async def _delete_task(self, request: web.Request) -> web.Response:
        task = self._visible_task(request)
        if task is None:
            return self.error_response(404, "Task not found.")
        if task.cancel():
            self.count("cancels")
        else:
            task.deleted = True  # a settled task is deleted, and its outputs with it
        return web.Response(status=204)

    async def _organization(self, request: web.Request) -> web.Response:
        used: dict[str, int] = {}
        for task in self.tasks:
            used[task.payload["model"]] = used.get(task.payload["model"], 0) + 1
        limits = {"maxConcurrentGenerations": 2, "maxDailyGenerations": 200}
        models = sorted({*SDK_RULES["text_to_video"], *SDK_RULES["image_to_video"], *STILL_MODELS})
        return web.json_response(
            {
                "creditBalance": self.credit_balance,
                "tier": {"maxMonthlyCreditSpend": 10_000, "models": {name: dict(limits) for name in models}},
                "usage": {"models": {name: {"dailyGenerations": count} for name, count in used.items()}},
            }
        )


def _issue(field: str, message: str) -> dict[str, Any]:
    return {"path": [field], "message": message}


def _choices(values: Any) -> str:
    return " | ".join(repr(value) for value in values)


def _sides(ratio: Any) -> tuple[int, int] | None:
    sides = ratio.split(":") if isinstance(ratio, str) else []
    if len(sides) == 2 and all(side.isdigit() and int(side) > 0 for side in sides):
        return int(sides[0]), int(sides[1])
    return None


def _string_problem(rule: dict[str, Any], value: Any) -> str | None:
    if not isinstance(value, str):
        return "Expected string, received " + type(value).__name__
    if rule["non_empty"] and not value:
        return "String must contain at least 1 character(s)"
    limit = rule.get("max_units")
    if limit is not None and len(value.encode("utf-16-le")) // 2 > limit:
        return f"String must contain at most {limit} character(s)"
    return None


def _storage_error(status: int, code: str, message: str) -> web.Response:
    """The storage host's error, as S3 answers (XML)."""
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return web.Response(status=status, text=body, content_type="application/xml")
