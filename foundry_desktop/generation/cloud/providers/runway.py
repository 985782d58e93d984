"""The `runway` backend: Runway's image- and text-to-video API (api.dev.runwayml.com).

A shot with an input image goes to `POST /v1/image_to_video` with the picture
inline as a data URI; one without goes to `POST /v1/text_to_video`. Every call
carries `X-Runway-Version: 2024-11-06`, which Runway requires. Runway takes a
fixed set of ratios and durations per model, so the ratio is the allowed one
nearest the project's aspect and the duration the allowed one nearest the
shot's length. The task is then followed on `GET /v1/tasks/{id}` and cancelled
with `DELETE /v1/tasks/{id}`; the shared life cycle (task.py) does the rest.

Runway publishes no endpoint listing a model's ratios and durations, so what
is known of the current models is kept in `RUNWAY_MODELS`; any other model name
is still sent as it is, with the usual Gen-4 ratios, and the constructor's
`models` adds or corrects entries without a new release. The models a key may
use are listed by `models()` (from `GET /v1/organization`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.credentials import CloudCredentials, KeySource
from foundry_desktop.generation.cloud.errors import CloudOutputError, CloudReplyError
from foundry_desktop.generation.cloud.http import CloudApi
from foundry_desktop.generation.cloud.inputs import (
    image_data_uri,
    nearest_aspect,
    nearest_choice,
    shot_seconds,
)
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.media_download import DEFAULT_MAX_DOWNLOAD_BYTES, SavedMedia
from foundry_desktop.generation.cloud.replies import read_reply
from foundry_desktop.generation.cloud.replies.runway import RunwayOrganization, RunwayTask, RunwayTaskCreated
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import (
    CloudTaskBackend,
    PollPolicy,
    Submission,
    SubmittedHook,
    TaskStatus,
)

RUNWAY_URL = "https://api.dev.runwayml.com"
API_VERSION = "2024-11-06"
MAX_PROMPT_UNITS = 1000  # promptText, counted in UTF-16 code units as Runway counts it
MAX_DATA_URI_IMAGE_BYTES = 5 * 1024**2  # Runway's limit for an image sent inline
SEED_RANGE = 2**32  # Runway takes seeds 0..4294967295

GEN4_RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
VEO_RATIOS = ("1280:720", "720:1280", "1920:1080", "1080:1920")


@dataclass(frozen=True)
class RunwayModel:
    """What one Runway video model accepts, and what a second of it costs (None: not known here)."""

    endpoints: frozenset[str]  # "image_to_video", "text_to_video"
    ratios: tuple[str, ...] = GEN4_RATIOS
    durations: tuple[int, ...] = (5, 10)  # seconds; empty: let Runway use the model's default
    credits_per_second: float | None = None


BOTH = frozenset({"image_to_video", "text_to_video"})
RUNWAY_MODELS: Mapping[str, RunwayModel] = {
    "gen4_turbo": RunwayModel(frozenset({"image_to_video"}), GEN4_RATIOS, (5, 10), 5.0),
    "gen4.5": RunwayModel(BOTH, GEN4_RATIOS, tuple(range(2, 11)), 12.0),
    "veo3": RunwayModel(BOTH, VEO_RATIOS, (8,), 40.0),
    "veo3.1": RunwayModel(BOTH, VEO_RATIOS, (4, 6, 8)),
    "veo3.1_fast": RunwayModel(BOTH, VEO_RATIOS, (4, 6, 8)),
}
UNKNOWN_MODEL = RunwayModel(BOTH, GEN4_RATIOS, ())

_PHASES = {"PENDING": "queued", "THROTTLED": "queued", "RUNNING": "running", "SUCCEEDED": "succeeded",
           "FAILED": "failed", "CANCELLED": "cancelled"}
_MODERATED_WHAT = {"INPUT.TEXT": "the prompt", "INPUT.IMAGE": "the input image", "OUTPUT": "the video it made"}


def _explain(body: Any) -> tuple[str, bool]:
    """Runway's error body: {"error": str, "issues": [{"path": [field], "message"}]}."""
    if not isinstance(body, dict):
        return "", False
    detail = str(body.get("error") or "")
    issues = [f"{'.'.join(map(str, i.get('path') or []))}: {i.get('message')}"
              for i in body.get("issues") or [] if isinstance(i, dict)]
    missing = [issue for issue in issues if issue not in detail]
    return "; ".join([detail, *missing] if detail else missing), False


def _failure_words(failure: str, code: str) -> tuple[str, bool]:
    """A FAILED task's failure and failureCode as a creator reads them; True when moderated."""
    failure = failure.strip().rstrip(".")
    if code.startswith("SAFETY"):
        rest = code.removeprefix("SAFETY.")
        what = next((words for key, words in _MODERATED_WHAT.items() if rest.startswith(key)), "this shot")
        return (f"Runway's content moderation refused {what} ({code}). Change it and generate again.", True)
    if code.startswith("INTERNAL"):
        words = (f"Runway could not make this shot ({failure or 'an internal error'}; {code}). Generating it "
                 f"again often works.")
        return words, False
    if code.startswith("ASSET"):
        return (f"Runway could not use the input image ({failure or code}). Try another picture.", False)
    return (f"Runway could not make this shot: {failure or 'no reason given'}" + (f" ({code})." if code else "."),
            False)


class RunwayBackend(CloudTaskBackend):
    """Runway video generation; see the module docstring.

    `http` is the app's shared client; `api_key` the key or a callable returning
    it (read at each call); `default_model` serves shots that name none.
    """

    name = "runway"
    provider = "Runway"
    cost_unit = "runway-credits"

    def __init__(
        self, http: httpx.AsyncClient, api_key: KeySource, *, base_url: str = RUNWAY_URL,
        default_model: str = "gen4.5", models: Mapping[str, RunwayModel] | None = None,
        retry: RetryPolicy | None = None, poll: PollPolicy | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES, on_submitted: SubmittedHook | None = None,
        transfer_limits: TransferLimits | None = None,
    ) -> None:
        super().__init__(CloudCredentials(self.provider, api_key), poll=poll, on_submitted=on_submitted)
        self.default_model = default_model
        self.models = {**RUNWAY_MODELS, **(models or {})}
        self.api = CloudApi(  # the paths start with /v1: an address ending in it is taken as its root
            self.provider, http, self.credentials, base_url=base_url.rstrip("/").removesuffix("/v1"), explain=_explain,
            retry=retry or RetryPolicy(), headers={"X-Runway-Version": API_VERSION},
            max_download_bytes=max_download_bytes, limits=transfer_limits,
        )

    async def models_available(self) -> list[str]:
        """The models this key may use, as Runway lists them (its organization's tier)."""
        what = "listing the models"
        body = await self.api.call("GET", "/v1/organization", what=what, attempts=2)
        organization = read_reply(RunwayOrganization, body or {}, provider=self.provider, what=what)
        return sorted((organization.tier.models or {}) if organization.tier else {})

    # -- the life cycle's hooks ----------------------------------------------

    def _plan(self, request: GenerationRequest) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """(endpoint, JSON body but the image, provenance) for the shot; refused here when Runway
        would refuse it, so that nothing is sent in vain."""
        model_name = request.model or self.default_model
        model = self.models.get(model_name, UNKNOWN_MODEL)
        endpoint = "image_to_video" if request.input_image is not None else "text_to_video"
        if endpoint not in model.endpoints:
            takes_text = ", ".join(sorted(m for m, spec in self.models.items() if "text_to_video" in spec.endpoints))
            raise GenerationError(f"Runway's {model_name} makes video from a picture: give the shot an input image, "
                                  f"or choose a model that starts from text ({takes_text}).")
        prompt = request.prompt.strip()
        if endpoint == "text_to_video" and not prompt:
            raise GenerationError("A Runway shot without an input image needs a prompt.")
        if len(prompt.encode("utf-16-le")) // 2 > MAX_PROMPT_UNITS:
            raise GenerationError(f"Runway takes prompts of up to {MAX_PROMPT_UNITS} characters; this one has "
                                  f"{len(prompt)}. Shorten it.")
        body: dict[str, Any] = {"model": model_name, "ratio": nearest_aspect(request.width, request.height,
                                                                              model.ratios)}
        if prompt:
            body["promptText"] = prompt
        if model.durations:
            body["duration"] = nearest_choice(shot_seconds(request), model.durations)
        body["seed"] = request.seed % SEED_RANGE
        info = {"model": model_name, "endpoint": endpoint, "ratio": body["ratio"], "duration_s": body.get("duration"),
                "seed": body["seed"]}
        return endpoint, body, info

    def estimate_cost(self, request: GenerationRequest) -> float | None:
        """Runway reports no cost: it charges the model's credits per second of video asked
        for, so that is the estimate and the actual (None when the price is not known here)."""
        try:
            _, body, _ = self._plan(request)
        except GenerationError:
            return None  # generate() says what is wrong
        model = self.models.get(body["model"], UNKNOWN_MODEL)
        if model.credits_per_second is None or "duration" not in body:
            return None
        return body["duration"] * model.credits_per_second

    async def _submit(self, request: GenerationRequest) -> Submission:
        endpoint, body, info = self._plan(request)
        if request.input_image is not None:
            body["promptImage"] = image_data_uri(request.input_image, provider=self.provider,
                                                 max_bytes=MAX_DATA_URI_IMAGE_BYTES)
        answer = await self.api.call("POST", f"/v1/{endpoint}", json=body, what="submitting the shot", submits=True)
        # A create call's answer that cannot be read: the task may exist, so say where to look.
        created = read_reply(RunwayTaskCreated, answer, provider=self.provider,
                             what="submitting the shot (it may have started: check Runway's dashboard)")
        return Submission(created.id, info)

    async def _status(self, remote_id: str) -> TaskStatus:
        what = "checking on the task"
        body = await self.api.call("GET", f"/v1/tasks/{remote_id}", what=what)
        task = read_reply(RunwayTask, body, provider=self.provider, what=what, remote_id=remote_id)
        phase = _PHASES.get(task.status)
        if phase is None:
            raise CloudReplyError(f"Runway reported a task status Foundry does not know ({task.status[:40] or 'none'}).",
                                  provider=self.provider, remote_id=remote_id)
        if phase == "failed":
            words, moderated = _failure_words(task.failure or "", task.failureCode or "")
            return TaskStatus("failed", words=task.status, failure=words, moderated=moderated)
        return TaskStatus(phase, task.progress, task.status, outputs=tuple(task.output or ()))

    async def _fetch(self, remote_id: str, status: TaskStatus, stem: Path) -> SavedMedia:
        if not status.outputs:
            raise CloudOutputError(f"Runway finished task {remote_id} but listed no video.", provider=self.provider,
                                   remote_id=remote_id)
        return await self.api.save("GET", status.outputs[0], stem, what="downloading the video", want="video")

    async def _cancel_remote(self, remote_id: str) -> None:
        await self.api.call("DELETE", f"/v1/tasks/{remote_id}", what="cancelling the task", attempts=3)

    def _resume_info(self, request: GenerationRequest) -> dict[str, Any]:
        try:
            return self._plan(request)[2]
        except GenerationError:
            return {"model": request.model or self.default_model}

    async def _health_check(self) -> str:
        body = await self.api.call("GET", "/v1/organization", what="checking the account", attempts=2)
        balance = read_reply(RunwayOrganization, body or {}, provider=self.provider, what="checking the account"
                             ).creditBalance
        return "Runway: key accepted" + (f", {balance} credits left." if balance is not None else ".")
