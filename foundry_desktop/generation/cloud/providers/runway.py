"""The `runway` backend: Runway's image- and text-to-video API (api.dev.runwayml.com).

A shot with an input image goes to `POST /v1/image_to_video`, one without to
`POST /v1/text_to_video`. Every call carries `X-Runway-Version: 2024-11-06`, which Runway
requires. What each model takes on each endpoint (ratios, lengths, seed or not, prompt
required or not, last frame, references) is data, read from Runway's SDK
(catalog/runway_models.py); the request is built from the shape `shape_request` chooses
there, so the estimate, the inspector and the request say the same, and a shot a model
cannot take is refused in words before anything is sent. Pictures go inline as data URIs
when they fit Runway's 5 MB limit on the data URI, else by ephemeral upload
(runway_uploads.py). The task is then followed on `GET /v1/tasks/{id}` and cancelled with
`DELETE /v1/tasks/{id}`; the shared life cycle (task.py) does the rest. The models a key may
use are listed by `models_available()` (`GET /v1/organization`, its tier's models).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.catalog.runway_models import (
    DEFAULT_RUNWAY_MODEL,
    NEGATIVE_PROMPT_MODELS,
    RETIRED_MODELS,
    RUNWAY_VIDEO_MODELS,
)
from foundry_desktop.generation.cloud.catalog.video_models import (
    RequestShape,
    VideoModel,
    estimated_amount,
    sent_pictures,
    shape_request,
)
from foundry_desktop.generation.cloud.credentials import CloudCredentials, KeySource
from foundry_desktop.generation.cloud.errors import CloudOutputError
from foundry_desktop.generation.cloud.http import CloudApi
from foundry_desktop.generation.cloud.inputs import PictureRules
from foundry_desktop.generation.cloud.media_download import DEFAULT_MAX_DOWNLOAD_BYTES, SavedMedia
from foundry_desktop.generation.cloud.providers.runway_uploads import goes_by_upload, picture_uri
from foundry_desktop.generation.cloud.replies import read_reply
from foundry_desktop.generation.cloud.replies.runway import RunwayOrganization, RunwayTask, RunwayTaskCreated
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import (
    CloudTaskBackend,
    PollPolicy,
    Submission,
    SubmittedHook,
    TaskStatus,
    known_phase,
)

RUNWAY_URL = "https://api.dev.runwayml.com"
API_VERSION = "2024-11-06"

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
    it (read at each call); `default_model` serves shots that name none; `models`
    adds or corrects table entries without a new release.
    """

    name = "runway"
    provider = "Runway"
    cost_unit = "runway-credits"

    def __init__(
        self, http: httpx.AsyncClient, api_key: KeySource, *, base_url: str = RUNWAY_URL,
        default_model: str = DEFAULT_RUNWAY_MODEL, models: Mapping[str, VideoModel] | None = None,
        retry: RetryPolicy | None = None, poll: PollPolicy | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES, on_submitted: SubmittedHook | None = None,
        transfer_limits: TransferLimits | None = None,
    ) -> None:
        super().__init__(CloudCredentials(self.provider, api_key), poll=poll, on_submitted=on_submitted)
        self.default_model = default_model
        self.models = {**RUNWAY_VIDEO_MODELS, **(models or {})}
        self.api = CloudApi(  # the paths start with /v1: an address ending in it is taken as its root
            self.provider, http, self.credentials, base_url=base_url.rstrip("/").removesuffix("/v1"), explain=_explain,
            retry=retry or RetryPolicy(), headers={"X-Runway-Version": API_VERSION},
            max_download_bytes=max_download_bytes, limits=transfer_limits,
        )

    async def models_available(self) -> list[str]:
        """The models this key may use, as Runway lists them: the keys of its tier's `models`
        (GET /v1/organization; the SDK's OrganizationRetrieveResponse.tier.models)."""
        what = "listing the models"
        body = await self.api.call("GET", "/v1/organization", what=what, attempts=2)
        organization = read_reply(RunwayOrganization, body or {}, provider=self.provider, what=what)
        return sorted((organization.tier.models or {}) if organization.tier else {})

    def video_model(self, name: str | None) -> VideoModel:
        """The table's entry for `name` (the default when None), or why Runway cannot make it."""
        name = name or self.default_model
        choices = ", ".join(sorted(self.models))
        if name in RETIRED_MODELS and name not in self.models:
            raise GenerationError(f"{RETIRED_MODELS[name]}: choose another Runway model ({choices}).")
        model = self.models.get(name)
        if model is None:
            shown = name if len(name) <= 60 else name[:60] + "…"
            raise GenerationError(f"Runway has no video model called {shown!r} that Foundry knows: choose one of "
                                  f"{choices}.")
        return model

    def request_shape(self, request: GenerationRequest) -> RequestShape:
        """What will be sent for `request` (endpoint, ratio, length, seed, notes), or a
        GenerationError saying why it cannot be; nothing is sent."""
        shape = shape_request(self.video_model(request.model), request, provider_words="Runway")
        model = self.video_model(request.model)
        pictures = [path for path, _ in sent_pictures(request, shape.endpoint, model.endpoints[shape.endpoint])]
        large = [p for p in pictures if goes_by_upload(p)]
        if large:
            note = "over 3.7 MB, so it goes by Runway's upload" if len(large) == 1 else "go by Runway's upload"
            names = ", ".join(p.name for p in large)
            shape = dataclasses.replace(shape, notes=(*shape.notes, f"{names} {note}"))
        return shape

    # -- the life cycle's hooks ----------------------------------------------

    def _body(self, request: GenerationRequest, shape: RequestShape) -> dict[str, Any]:
        """The JSON body but its pictures: only the fields this model has (Runway refuses others)."""
        body: dict[str, Any] = {"model": shape.model}
        prompt = request.prompt.strip()
        if prompt:  # where optional, an empty promptText is refused: it is left out instead
            body["promptText"] = prompt
        if shape.ratio is not None:
            body["ratio"] = shape.ratio
        if shape.duration_s is not None:
            body["duration"] = int(shape.duration_s)
        if shape.seed is not None:
            body["seed"] = shape.seed
        if shape.model in NEGATIVE_PROMPT_MODELS and request.negative_prompt.strip():
            body["negativePrompt"] = request.negative_prompt.strip()
        return body

    def estimate_cost(self, request: GenerationRequest) -> float | None:
        """Runway reports no cost: it charges the model's credits per second of video asked
        for, so that is the estimate and the actual (None when the price is not known here)."""
        return estimated_amount(self.request_shape, request)

    async def _submit(self, request: GenerationRequest) -> Submission:
        shape = self.request_shape(request)
        body = self._body(request, shape)
        model = self.models[shape.model]
        rules = model.endpoints[shape.endpoint].pictures or PictureRules()
        who = f"Runway's {model.label}"
        uris = [await picture_uri(self.api, path, rules, role=role, who=who)
                for path, role in sent_pictures(request, shape.endpoint, model.endpoints[shape.endpoint])]
        if shape.endpoint == "text_to_video":
            if uris:
                body["references"] = [{"uri": uri} for uri in uris]
        elif len(uris) == 1:
            body["promptImage"] = uris[0]
        else:  # first and last frames (the shape refused a last frame where the model takes none)
            places = ("first", "last")
            body["promptImage"] = [{"uri": uri, "position": place} for uri, place in zip(uris, places, strict=True)]
        answer = await self.api.call("POST", f"/v1/{shape.endpoint}", json=body, what="submitting the shot",
                                     submits=True)
        # A create call's answer that cannot be read: the task may exist, so say where to look.
        created = read_reply(RunwayTaskCreated, answer, provider=self.provider,
                             what="submitting the shot (it may have started: check Runway's dashboard)")
        return Submission(created.id, _info(shape))

    async def _status(self, remote_id: str) -> TaskStatus:
        what = "checking on the task"
        body = await self.api.call("GET", f"/v1/tasks/{remote_id}", what=what)
        task = read_reply(RunwayTask, body, provider=self.provider, what=what, remote_id=remote_id)
        phase = known_phase(_PHASES, task.status, provider="Runway", kind="task", remote_id=remote_id)
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
            return _info(self.request_shape(request))
        except GenerationError:
            return {"model": request.model or self.default_model}

    async def _health_check(self) -> str:
        body = await self.api.call("GET", "/v1/organization", what="checking the account", attempts=2)
        balance = read_reply(RunwayOrganization, body or {}, provider=self.provider, what="checking the account"
                             ).creditBalance
        return "Runway: key accepted" + (f", {balance} credits left." if balance is not None else ".")


def _info(shape: RequestShape) -> dict[str, Any]:
    """What the take's provenance keeps of the request."""
    return {"model": shape.model, "endpoint": shape.endpoint, "ratio": shape.ratio,
            "duration_s": int(shape.duration_s) if shape.duration_s is not None else None, "seed": shape.seed}
