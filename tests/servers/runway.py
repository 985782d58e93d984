"""A test server that speaks Runway's API (https://api.dev.runwayml.com).

Routes, as docs/protocols/cloud-apis.md gives them:

* ``POST /v1/image_to_video``, ``POST /v1/text_to_video``, ``POST /v1/text_to_image``
  → ``{"id": TASK_ID}``;
* ``GET /v1/tasks/{id}`` → ``{"id", "status", "createdAt"}`` plus ``progress``
  (0..1, while RUNNING), ``output`` ([URL], once SUCCEEDED) or ``failure`` and
  ``failureCode`` (once FAILED);
* ``DELETE /v1/tasks/{id}`` → 204: cancels a PENDING/RUNNING task, deletes a
  settled one (404 from then on, and its output files are gone);
* ``GET /v1/organization`` → credit balance, the tier's per-model limits and the
  day's usage: where the API lists the models a key may use.

Quirks emulated:

* every request needs ``X-Runway-Version: 2024-11-06`` as well as the bearer key:
  400 without it (checked after the key: 401 first);
* errors are ``{"error": str}``; a rejected body adds
  ``"issues": [{"path": [field], "message"}]`` (400), never 422;
* ``promptText`` is non-empty and at most 1000 UTF-16 code units; ``ratio``,
  ``duration`` and the ``position`` of a ``promptImage`` list depend on the model
  (`RUNWAY_MODELS`); ``promptImage`` is an http(s) URL or a data URI;
  ``gen3a_turbo`` reached end of life and is refused (400);
* the status runs PENDING → RUNNING (with progress) → SUCCEEDED, or FAILED with a
  dot-separated ``failureCode`` (``fail_tasks_with="moderation"`` gives
  ``SAFETY.INPUT.TEXT``, ``"error"`` gives ``INTERNAL.BAD_OUTPUT.CODE01``, any other
  text is used as the code), or CANCELLED after a DELETE;
* output URLs say they expire after a day (Runway's "24-48 hours");
* a video's output is an MP4 in the ratio asked for; an image's a PNG.

Runway's SDK says a cancelled ("aborted") task cannot be fetched again, while
docs/protocols/cloud-apis.md lists CANCELLED among the statuses a poll returns: a
cancelled task is shown as CANCELLED by default, and answers 404 with
``cancelled_tasks_visible=False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

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
MAX_PROMPT_UNITS = 1000  # promptText, in UTF-16 code units
MAX_SEED = 4294967295

VIDEO_RATIOS = frozenset({"1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"})
VEO_RATIOS = frozenset({"1280:720", "720:1280", "1080:1920", "1920:1080"})


@dataclass(frozen=True)
class RunwayModel:
    """What one model accepts."""

    endpoints: frozenset[str]  # of "image_to_video", "text_to_video", "text_to_image"
    ratios: frozenset[str] | None  # None: any "W:H"
    durations: tuple[int, ...] = ()  # seconds; empty for stills
    positions: frozenset[str] = frozenset({"first"})  # allowed in a promptImage list


RUNWAY_MODELS: Mapping[str, RunwayModel] = {
    "gen4_turbo": RunwayModel(frozenset({"image_to_video"}), VIDEO_RATIOS, (5, 10)),
    "gen4.5": RunwayModel(frozenset({"image_to_video", "text_to_video"}), VIDEO_RATIOS, tuple(range(2, 11))),
    "veo3.1": RunwayModel(
        frozenset({"image_to_video", "text_to_video"}), VEO_RATIOS, (4, 6, 8), frozenset({"first", "last"})
    ),
    "gen4_image": RunwayModel(frozenset({"text_to_image"}), None),
    "gen4_image_turbo": RunwayModel(frozenset({"text_to_image"}), None),
}
RETIRED_MODELS = {"gen3a_turbo": "gen3a_turbo reached end of life in July 2026"}

# fail_tasks_with kind -> (failureCode, failure)
FAILURES = {
    "moderation": ("SAFETY.INPUT.TEXT", "The prompt text did not pass content moderation."),
    "error": ("INTERNAL.BAD_OUTPUT.CODE01", "The output did not pass internal quality checks. Please try again."),
}
STATUSES = {QUEUED: "PENDING", RUNNING: "RUNNING", SUCCEEDED: "SUCCEEDED", FAILED: "FAILED", CANCELLED: "CANCELLED"}


class RunwayServer(CloudServer):
    """Runway's API on 127.0.0.1; see the module docstring."""

    output_url_ttl_s = 24 * 3600.0

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        task_seconds: float = 0.4,
        models: Mapping[str, RunwayModel] | None = None,
        credit_balance: int = 10_000,
        cancelled_tasks_visible: bool = True,
        outputs_expire_s: float | None = None,
    ) -> None:
        super().__init__(api_key, task_seconds=task_seconds, outputs_expire_s=outputs_expire_s)
        self.models = dict(RUNWAY_MODELS if models is None else models)
        self.credit_balance = credit_balance
        self.cancelled_tasks_visible = cancelled_tasks_visible

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/image_to_video", self._image_to_video),
            web.post("/v1/text_to_video", self._text_to_video),
            web.post("/v1/text_to_image", self._text_to_image),
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

    # ----------------------------------------------------------------- create

    async def _image_to_video(self, request: web.Request) -> web.Response:
        return await self._create(request, "image_to_video")

    async def _text_to_video(self, request: web.Request) -> web.Response:
        return await self._create(request, "text_to_video")

    async def _text_to_image(self, request: web.Request) -> web.Response:
        return await self._create(request, "text_to_image")

    async def _create(self, request: web.Request, endpoint: str) -> web.Response:
        body = await json_object(request)
        if body is None:
            return self.error_response(400, "The request body must be a JSON object.")
        issues = self._validate(body, endpoint)
        if issues:
            message = "; ".join(f"{issue['path'][0]}: {issue['message']}" for issue in issues)
            return self.error_response(400, f"Validation of body failed: {message}", issues=issues)
        width, height = fit_aspect(*(int(side) for side in body["ratio"].split(":")))
        still = endpoint == "text_to_image"
        task = self.create_task(fmt="png" if still else "mp4", width=width, height=height, payload=body)
        return web.json_response({"id": task.id})

    def _validate(self, body: dict[str, Any], endpoint: str) -> list[dict[str, Any]]:
        """The body's issues, as Runway lists them ([] when it is acceptable)."""
        issues: list[dict[str, Any]] = []

        def issue(name: str, message: str) -> None:
            issues.append({"path": [name], "message": message})

        name = body.get("model")
        model = self.models.get(name) if isinstance(name, str) else None
        if name in RETIRED_MODELS:
            issue("model", RETIRED_MODELS[name])
        elif model is None:
            known = ", ".join(repr(m) for m in self.models if endpoint in self.models[m].endpoints)
            issue("model", f"Invalid model {name!r}. Expected one of {known}.")
        elif endpoint not in model.endpoints:
            issue("model", f"{name} does not support /v1/{endpoint}.")

        text = body.get("promptText")
        if text is None:
            if endpoint != "image_to_video":
                issue("promptText", "Required.")
        elif not isinstance(text, str) or not text:
            issue("promptText", "Expected a non-empty string.")
        elif len(text.encode("utf-16-le")) // 2 > MAX_PROMPT_UNITS:
            issue("promptText", f"String must contain at most {MAX_PROMPT_UNITS} character(s).")

        if endpoint == "image_to_video":
            self._check_prompt_image(body.get("promptImage"), model, issue)

        ratio = body.get("ratio")
        allowed = model.ratios if model is not None else None
        if not isinstance(ratio, str) or not _is_ratio(ratio):
            issue("ratio", "Required: a ratio such as '1280:720'.")
        elif allowed is not None and ratio not in allowed:
            issue("ratio", f"Invalid ratio {ratio!r}. Expected one of {', '.join(sorted(allowed))}.")

        duration = body.get("duration")
        if duration is not None and model is not None and endpoint != "text_to_image":
            if type(duration) is not int or duration not in model.durations:
                issue("duration", f"Invalid duration. Expected one of {', '.join(map(str, model.durations))}.")

        seed = body.get("seed")
        if seed is not None and (type(seed) is not int or not 0 <= seed <= MAX_SEED):
            issue("seed", f"Expected an integer from 0 to {MAX_SEED}.")
        return issues

    @staticmethod
    def _check_prompt_image(image: Any, model: RunwayModel | None, issue: Any) -> None:
        if isinstance(image, str):
            if not _is_uri(image):
                issue("promptImage", "Expected an HTTPS URL or a data URI.")
            return
        if not isinstance(image, list) or not image:
            issue("promptImage", "Required: a URL, a data URI, or a list of {uri, position}.")
            return
        positions = model.positions if model is not None else frozenset({"first", "last"})
        for item in image:
            if not isinstance(item, dict) or not _is_uri(item.get("uri")):
                issue("promptImage", "Each item needs a uri: an HTTPS URL or a data URI.")
            elif item.get("position") not in positions:
                issue("promptImage", f"position must be one of {', '.join(sorted(positions))}.")

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
        return web.json_response(
            {
                "creditBalance": self.credit_balance,
                "tier": {"maxMonthlyCreditSpend": 10_000, "models": {name: dict(limits) for name in self.models}},
                "usage": {"models": {name: {"dailyGenerations": count} for name, count in used.items()}},
            }
        )


def _is_ratio(text: str) -> bool:
    sides = text.split(":")
    return len(sides) == 2 and all(side.isdigit() and int(side) > 0 for side in sides)


def _is_uri(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://", "data:image/"))
