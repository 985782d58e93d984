"""A test server that speaks fal.ai's queue API (queue.fal.run) and its storage upload (rest.fal.ai).

Routes, as fal's clients use them (fal-ai/fal-js `queue.ts` and `storage.ts`, fal_client):

* ``POST /{model id}`` (the whole id, subpath included) → ``{"status": "IN_QUEUE", "request_id",
  "response_url", "status_url", "cancel_url", "queue_position"}``;
* ``GET /{owner}/{alias}/requests/{id}/status[?logs=1]`` → IN_QUEUE with ``queue_position``,
  IN_PROGRESS with ``logs``, COMPLETED with ``logs`` and ``metrics`` (and ``error`` /
  ``error_type`` when the model failed). Only the owner/alias form is served: a path with the
  model's subpath is a 404, as the clients never build one;
* ``GET /{owner}/{alias}/requests/{id}`` → the model's output, ``{"video": {"url", ...}, "seed"}``;
  400 while it is still going; a failed request answers its error (422 with ``detail``);
* ``PUT /{owner}/{alias}/requests/{id}/cancel`` → 202 ``{"status": "CANCELLATION_REQUESTED"}``;
  400 ``{"status": "ALREADY_COMPLETED"}`` once settled; 404 ``{"status": "NOT_FOUND"}``;
* ``POST /storage/upload/initiate`` → ``{"upload_url", "file_url"}``; ``PUT`` of the bytes to the
  signed ``upload_url`` (no key); the file is then served at ``file_url`` and may be named in a
  model's input.

Auth is ``Authorization: Key <key>`` (401 ``{"detail": ...}`` otherwise). Each model's input is
checked against its published schema, transcribed in tests/data/fal/model_schemas.json (never the
product's table): required fields, types, enums, ranges, "prompt or multi_prompt", pictures that
must be a URL or data URI fal can fetch and decode, their weight, and (image_rules) their type,
smallest and largest side and aspect range. A refusal is FastAPI's 422
``{"detail": [{"loc": ["body", field], "msg", "type"}]}`` — at submission by default, or, with
``validate_at="result"``, when the result is read (the queue took it and the model refused it).
Fields a schema does not have are ignored, as pydantic does, and kept in ``ignored_fields``.
``fail_tasks_with="moderation"`` ends the next request COMPLETED with a content-policy error.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
import secrets
from pathlib import Path
from typing import Any

from aiohttp import web
from PIL import Image

from .cloud_base import CANCELLED, FAILED, QUEUED, RUNNING, SUCCEEDED, CloudServer, Task, fit_aspect, json_object

SCHEMAS: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent.parent / "data" / "fal" / "model_schemas.json").read_text())["models"]
STORAGE_PUT = "/storage/put/"
STORAGE_FILES = "/storage/files/"
FAILURES = {  # fail_tasks_with kind -> (error, error_type)
    "moderation": ("The content could not be processed because it contained material flagged by a content "
                   "checker.", "content_policy_violation"),
    "error": ("Internal server error while generating the video.", None),
}


def _issue(field: str, msg: str, kind: str, **ctx: Any) -> dict[str, Any]:
    return {"loc": ["body", field], "msg": msg, "type": kind, **({"ctx": ctx} if ctx else {})}


class FalServer(CloudServer):
    """fal.ai's queue on 127.0.0.1; see the module docstring."""

    def __init__(self, api_key: str = "test-key", *, task_seconds: float = 0.4, validate_at: str = "submit",
                 outputs_expire_s: float | None = None) -> None:
        super().__init__(api_key, task_seconds=task_seconds, outputs_expire_s=outputs_expire_s)
        self.validate_at = validate_at
        self.ignored_fields: list[tuple[str, str]] = []  # (model id, field) sent but not in the schema
        self.uploads: dict[str, tuple[bytes, str]] = {}  # token -> (bytes, content type), once PUT
        self._pending_uploads: dict[str, str] = {}  # token -> file name, initiated and not yet PUT

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/storage/upload/initiate", self._initiate_upload),
            web.put(STORAGE_PUT + "{token}", self._put_upload),
            web.get(STORAGE_FILES + "{token}/{name}", self._get_upload),
            web.get("/{owner}/{alias}/requests/{id}/status", self._status),
            web.get("/{owner}/{alias}/requests/{id}", self._result),
            web.put("/{owner}/{alias}/requests/{id}/cancel", self._cancel),
            web.post("/{model_id:.+}", self._submit),
        ]

    def error_response(self, status: int, message: str, **details: Any) -> web.Response:
        return web.json_response({"detail": message, **details}, status=status)

    def authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Key {self.api_key}"

    def open_path(self, path: str) -> bool:
        return super().open_path(path) or path.startswith((STORAGE_PUT, STORAGE_FILES))

    def unauthorized(self, request: web.Request) -> web.Response:
        return self.error_response(401, "Invalid Key Authorization header format or the key is not valid.")

    # ----------------------------------------------------------------- storage

    async def _initiate_upload(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if body is None or not isinstance(body.get("content_type"), str) or not isinstance(body.get("file_name"), str):
            return web.json_response({"detail": [_issue("content_type", "Field required", "missing")]}, status=422)
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._pending_uploads[token] = body["file_name"].replace("/", "_") or "upload.bin"
        signature = secrets.token_hex(8)
        return web.json_response({"upload_url": f"{self.url}{STORAGE_PUT}{token}?X-Signature={signature}",
                                  "file_url": f"{self.url}{STORAGE_FILES}{token}/{self._pending_uploads[token]}"})

    async def _put_upload(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token not in self._pending_uploads or "X-Signature" not in request.query:
            return web.Response(status=403, text="<Error><Code>AccessDenied</Code></Error>",
                                content_type="application/xml")
        if "authorization" in {name.lower() for name in request.headers}:
            return web.Response(status=400, text="<Error><Code>InvalidArgument</Code><Message>Only one auth "
                                "mechanism allowed</Message></Error>", content_type="application/xml")
        data = await request.read()
        with self._lock:
            self.uploads[token] = (data, request.headers.get("Content-Type", "application/octet-stream"))
        return web.Response(status=200)

    async def _get_upload(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["token"])
        if upload is None:
            return web.Response(status=404)
        return web.Response(body=upload[0], content_type=upload[1])

    def _picture(self, value: str) -> bytes | None:
        """The bytes fal would fetch for an image field (a data URI, or a file of this storage)."""
        if value.startswith("data:image/"):
            try:
                return base64.b64decode(value.partition(",")[2], validate=True)
            except (binascii.Error, ValueError):
                return None
        prefix = f"{self.url}{STORAGE_FILES}"
        if value.startswith(prefix):
            upload = self.uploads.get(value.removeprefix(prefix).partition("/")[0])
            return upload[0] if upload else None
        return None

    # ----------------------------------------------------------------- validation

    def _validate(self, model_id: str, body: dict[str, Any]) -> tuple[list[dict[str, Any]], tuple[int, int] | None]:
        """The schema's complaints about `body` ([] when acceptable), and the input picture's size."""
        schema = SCHEMAS[model_id]
        properties: dict[str, Any] = schema["properties"]
        issues = [_issue(name, "Field required", "missing") for name in schema["required"] if name not in body]
        one_of = schema.get("one_of_required")
        if one_of and not any(body.get(name) for name in one_of):
            issues.append(_issue(one_of[0], f"Either {' or '.join(one_of)} must be provided", "value_error"))
        picture_size = None
        for name, value in body.items():
            rule = properties.get(name)
            if rule is None:
                self.ignored_fields.append((model_id, name))
                continue
            problem = _type_problem(name, value, rule)
            if problem is None and rule.get("format") == "image_url":
                problem, size = self._picture_problem(name, value, schema)
                picture_size = picture_size or size
            if problem is not None:
                issues.append(problem)
        return issues, picture_size

    def _picture_problem(self, name: str, value: str, schema: dict[str, Any]) -> tuple[dict | None, tuple[int, int] | None]:
        max_bytes, rules = schema["max_image_bytes"], schema.get("image_rules", {})
        data = self._picture(value)
        if data is None:
            return _issue(name, "Failed to download the file. Please check if the URL is accessible.",
                          "file_download_error"), None
        if len(data) > max_bytes:
            return _issue(name, f"File size exceeds the maximum allowed size of {max_bytes} bytes.",
                          "file_too_large"), None
        try:
            with Image.open(io.BytesIO(data)) as picture:
                picture.load()  # fal decodes what it fetched: a picture cut short fails here
                return self._shape_problem(name, picture, rules), picture.size
        except Exception:
            return _issue(name, "Unsupported image format or the file is not an image.", "image_load_error"), None

    @staticmethod
    def _shape_problem(name: str, picture: Image.Image, rules: dict[str, Any]) -> dict[str, Any] | None:
        """What the model refuses in a picture it could read: its type, a side too short or too long,
        a shape out of its range (the schema's image_rules)."""
        width, height = picture.size
        if rules.get("formats") and picture.format not in rules["formats"]:
            return _issue(name, f"Unsupported image format {picture.format}; supported: "
                          f"{', '.join(rules['formats'])}.", "image_format_error")
        if min(width, height) < rules.get("min_side", 0):
            return _issue(name, f"Image dimensions are too small. Minimum dimensions are {rules['min_side']}x"
                          f"{rules['min_side']} pixels.", "image_too_small")
        if max(width, height) > rules.get("max_side", math.inf):
            return _issue(name, f"Image dimensions are too large. Maximum dimensions are {rules['max_side']}x"
                          f"{rules['max_side']} pixels.", "image_too_large")
        low, high = rules.get("aspect_range", (0, math.inf))
        if not low <= width / height <= high:
            return _issue(name, f"Image aspect ratio must be between {low} and {high}.", "image_aspect_ratio_error")
        return None

    # ----------------------------------------------------------------- the queue

    def _app(self, model_id: str) -> str:
        return "/".join(model_id.split("/")[:2])

    async def _submit(self, request: web.Request) -> web.Response:
        model_id = request.match_info["model_id"].strip("/")
        if model_id not in SCHEMAS:
            return self.error_response(404, f"Application '{model_id}' not found")
        body = await json_object(request)
        if body is None:
            return web.json_response({"detail": [_issue("body", "Input should be a valid dictionary", "dict_type")]},
                                     status=422)
        issues, picture = self._validate(model_id, body)
        if issues and self.validate_at == "submit":
            return web.json_response({"detail": issues}, status=422)
        ratio = body.get("aspect_ratio") if body.get("aspect_ratio") not in (None, "auto") else "16:9"
        width, height = fit_aspect(*picture) if picture else fit_aspect(*(int(side) for side in ratio.split(":")))
        with self._lock:
            position = sum(1 for task in self._tasks.values() if task.phase == QUEUED)
        task = self.create_task(fmt="mp4", width=width, height=height, payload=body, model_id=model_id,
                                issues=issues, seed=body.get("seed", 42))
        root = f"{self.url}/{self._app(model_id)}/requests/{task.id}"
        return web.json_response({"status": "IN_QUEUE", "request_id": task.id, "response_url": root,
                                  "status_url": f"{root}/status", "cancel_url": f"{root}/cancel",
                                  "queue_position": position})

    def _task(self, request: web.Request) -> Task | None:
        task = self.find_task(request.match_info["id"])
        app = f"{request.match_info['owner']}/{request.match_info['alias']}"
        return task if task is not None and self._app(task.extra["model_id"]) == app else None

    def _status_json(self, task: Task, logs: bool) -> dict[str, Any]:
        root = f"{self.url}/{self._app(task.extra['model_id'])}/requests/{task.id}"
        body: dict[str, Any] = {"request_id": task.id, "response_url": root, "status_url": f"{root}/status",
                                "cancel_url": f"{root}/cancel"}
        phase = task.phase
        lines = [{"message": "Generating video...", "level": "INFO", "source": "USER", "timestamp": "2026-12-07T10:00:00Z"}]
        if phase == QUEUED:
            with self._lock:
                ahead = [t for t in self._tasks.values() if t.phase == QUEUED and t.created_mono < task.created_mono]
            return {**body, "status": "IN_QUEUE", "queue_position": len(ahead)}
        if phase == RUNNING:
            return {**body, "status": "IN_PROGRESS", "logs": lines if logs else None}
        body.update(status="COMPLETED", logs=lines if logs else None, metrics={"inference_time": round(task.run_s, 3)})
        if phase == FAILED:
            error, error_type = FAILURES.get(task.failure, (task.failure, None))
            body.update(error=error, **({"error_type": error_type} if error_type else {}))
        elif phase == CANCELLED:
            body.update(error="Request was cancelled.")
        elif task.extra["issues"]:
            body.update(error="Unprocessable Entity", error_type="validation_error")
        return body

    async def _status(self, request: web.Request) -> web.Response:
        task = self._task(request)
        if task is None:
            return self.error_response(404, "Request not found")
        self.count("polls")
        return web.json_response(self._status_json(task, request.query.get("logs") in ("1", "true")))

    async def _result(self, request: web.Request) -> web.Response:
        task = self._task(request)
        if task is None:
            return self.error_response(404, "Request not found")
        if not task.settled:
            return self.error_response(400, "Request is still in progress")
        if task.extra["issues"]:
            return web.json_response({"detail": task.extra["issues"]}, status=422)
        if task.phase != SUCCEEDED:
            error = self._status_json(task, False).get("error", "Request failed")
            return self.error_response(500 if task.phase == FAILED else 400, error)
        url = self.output_urls(task)[0]
        return web.json_response({"video": {"url": url, "content_type": "video/mp4", "file_name": "output.mp4"},
                                  "seed": task.extra["seed"]})

    async def _cancel(self, request: web.Request) -> web.Response:
        task = self._task(request)
        if task is None:
            return web.json_response({"status": "NOT_FOUND"}, status=404)
        if not task.cancel():
            return web.json_response({"status": "ALREADY_COMPLETED"}, status=400)
        self.count("cancels")
        return web.json_response({"status": "CANCELLATION_REQUESTED"}, status=202)


def _type_problem(name: str, value: Any, rule: dict[str, Any]) -> dict[str, Any] | None:
    """pydantic's complaint about one field's value against its rule, or None."""
    kind = rule["type"]
    checks = {"string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
              "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
              "array": lambda v: isinstance(v, list)}
    if not checks[kind](value):
        words = {"string": "a valid string", "boolean": "a valid boolean", "integer": "a valid integer",
                 "number": "a valid number", "array": "a valid list"}[kind]
        return _issue(name, f"Input should be {words}", {"string": "string_type", "boolean": "bool_type",
                      "integer": "int_type", "number": "float_type", "array": "list_type"}[kind])
    if "enum" in rule and value not in rule["enum"]:
        allowed = ", ".join(f"'{choice}'" for choice in rule["enum"])
        return _issue(name, f"Input should be {allowed}", "enum", expected=allowed)
    if "minimum" in rule and value < rule["minimum"]:
        return _issue(name, f"Input should be greater than or equal to {rule['minimum']}", "greater_than_equal")
    if "maximum" in rule and value > rule["maximum"]:
        return _issue(name, f"Input should be less than or equal to {rule['maximum']}", "less_than_equal")
    return None
