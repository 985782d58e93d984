"""The `gemini` backend: Google's Veo 3.1, Veo 3.1 Fast and Gemini Omni Flash through the Gemini API
(generativelanguage.googleapis.com), as googleapis/python-genai 2.19.0 calls it. Veo is asked for
with predictLongRunning; Omni with the Interactions API (gemini_interactions*.py); the model says which.

`POST /v1beta/models/{model}:predictLongRunning` (body: gemini_request.py) answers a long-running
operation, `{"name": "models/{model}/operations/{id}"}`. That name is the task's remote id: it is
recorded before anything else happens, so a restart follows the operation with
`GET /v1beta/{name}` instead of paying for another. Once `done`, the operation holds either an
`error` (google.rpc.Status) or `response.generateVideoResponse`, whose `generatedSamples[].video.uri`
is downloaded with the key (the SDK's files.download), or whose `raiMediaFilteredReasons` say why
Google's safety filters held the video back.

Auth is the `x-goog-api-key` header. Errors are `{"error": {"code", "message", "status"}}`; a 429
(RESOURCE_EXHAUSTED) is tried again after the `retryDelay` its RetryInfo asks for; a key Google does
not know is a 400 with reason API_KEY_INVALID, reported as a key problem. The Gemini API has no call
that stops a video once it is started: a cancel stops following it, and says that it may still be
billed.

Omni: `POST /v1beta/interactions` (body: gemini_interactions_request.py) answers the interaction's
`id` at once (background); the remote id is `interactions/{id}`, recorded first like an operation's
name, and followed with `GET /v1beta/{remote id}`. The Interactions API does have a cancel,
`POST /v1beta/interactions/{id}/cancel`, which a cancel sends.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.catalog.gemini_models import DEFAULT_MODEL, GEMINI_MODELS
from foundry_desktop.generation.cloud.catalog.video_models import RequestShape, VideoModel, estimated_amount
from foundry_desktop.generation.cloud.credentials import CloudCredentials, KeySource
from foundry_desktop.generation.cloud.catalog.gemini_omni_models import OMNI_MODELS
from foundry_desktop.generation.cloud.errors import (
    CloudAuthError,
    CloudOutputError,
    CloudReplyError,
    CloudTaskCancelledError,
)
from foundry_desktop.generation.cloud.http import CloudApi
from foundry_desktop.generation.cloud.media_download import DEFAULT_MAX_DOWNLOAD_BYTES, SavedMedia
from foundry_desktop.generation.cloud.providers.gemini_interactions import (
    INLINE_PREFIX,
    INTERACTIONS,
    failure_words,
    interaction_status,
    save_inline,
)
from foundry_desktop.generation.cloud.providers.gemini_interactions_request import (
    OmniPlan,
    interaction_body,
    plan_interaction,
)
from foundry_desktop.generation.cloud.providers.gemini_request import VeoPlan, plan_request, request_body
from foundry_desktop.generation.cloud.replies import read_reply
from foundry_desktop.generation.cloud.replies.gemini import ModelDescription, Operation, OperationStarted
from foundry_desktop.generation.cloud.replies.gemini_interactions import Interaction, InteractionStarted
from foundry_desktop.generation.cloud.retries import RetryPolicy, TransientFailure, retry_after_seconds
from foundry_desktop.generation.cloud.task import CloudTaskBackend, PollPolicy, Submission, SubmittedHook, TaskStatus

GEMINI_URL = "https://generativelanguage.googleapis.com"
_DELAY = re.compile(r"^(\d+(?:\.\d+)?)s$")  # a google.protobuf.Duration in JSON: "37s", "1.5s"


def _error_of(body: Any) -> dict[str, Any]:
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _explain(body: Any) -> tuple[str, bool]:
    """Google's error body: {"error": {"code", "message", "status", "details"}}."""
    error = _error_of(body)
    message, status = str(error.get("message") or "").strip(), str(error.get("status") or "")
    return (f"{status}: {message}" if status and message else message or status), False


def _reasons(error: dict[str, Any]) -> list[str]:
    return [str(detail.get("reason")) for detail in error.get("details") or [] if isinstance(detail, dict)]


def _retry_delay(error: dict[str, Any]) -> float | None:
    """The wait a RetryInfo detail asks for ("37s"), if any."""
    for detail in error.get("details") or []:
        match = _DELAY.match(str(detail.get("retryDelay", ""))) if isinstance(detail, dict) else None
        if match:
            return float(match.group(1))
    return None


class _GoogleApi(CloudApi):
    """The Gemini API: the key in `x-goog-api-key`, and Google's ways of saying 'wait' and 'wrong key'."""

    def _request_headers(self, authorized: bool, extra: Mapping[str, str] | None) -> dict[str, str]:
        if not authorized:  # a download elsewhere than Google's API: the key stays home
            return dict(extra or {})
        return {"x-goog-api-key": self.credentials.key(), **self._headers, **(extra or {})}

    def _check(self, response: httpx.Response, content: bytes, what: str) -> None:
        status = response.status_code
        if status in (400, 429):
            try:
                error = _error_of(json.loads(content))
            except (ValueError, RecursionError):
                error = {}
            if status == 429:
                delay = _retry_delay(error)
                raise TransientFailure(
                    "HTTP 429 RESOURCE_EXHAUSTED", status=status,
                    retry_after_s=delay if delay is not None else retry_after_seconds(response.headers))
            if "API_KEY_INVALID" in _reasons(error):
                raise CloudAuthError(f"{self.provider} did not accept the API key (API_KEY_INVALID). Check the "
                                     f"{self.provider} key in Foundry's settings.", provider=self.provider,
                                     status=status)
        super()._check(response, content, what)


class GeminiBackend(CloudTaskBackend):
    """Veo through the Gemini API; see the module docstring.

    `http` is the app's shared client; `api_key` the key or a callable returning it (read at each
    call); `default_model` serves shots that name none."""

    name = "gemini"
    provider = "Google Gemini"
    cost_unit = "usd"

    def __init__(
        self, http: httpx.AsyncClient, api_key: KeySource, *, base_url: str = GEMINI_URL,
        default_model: str = DEFAULT_MODEL, models: Mapping[str, VideoModel] | None = None,
        retry: RetryPolicy | None = None, poll: PollPolicy | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES, on_submitted: SubmittedHook | None = None,
        transfer_limits: TransferLimits | None = None,
    ) -> None:
        super().__init__(CloudCredentials(self.provider, api_key), poll=poll, on_submitted=on_submitted)
        self.default_model = default_model.removeprefix("models/")
        self.models = dict(models if models is not None else GEMINI_MODELS)
        self.api = _GoogleApi(  # the paths start with /v1beta: an address ending in it is taken as its root
            self.provider, http, self.credentials, base_url=base_url.rstrip("/").removesuffix("/v1beta"),
            explain=_explain, retry=retry or RetryPolicy(), max_download_bytes=max_download_bytes,
            limits=transfer_limits,
        )

    # -- what will be sent ----------------------------------------------------

    def _model(self, request: GenerationRequest) -> VideoModel:
        wanted = (request.model or self.default_model).removeprefix("models/")
        model = self.models.get(wanted)
        if model is None:
            raise GenerationError(f"{self.provider} has no video model Foundry knows as {wanted!r}; choose one of "
                                  f"{', '.join(sorted(self.models))}.")
        return model

    def _plan(self, request: GenerationRequest) -> tuple[VideoModel, VeoPlan | OmniPlan]:
        model = self._model(request)
        if model.id in OMNI_MODELS:
            return model, plan_interaction(model, request, provider_words=self.provider)
        return model, plan_request(model, request, provider_words=self.provider)

    def request_shape(self, request: GenerationRequest) -> RequestShape:
        """What would be sent for the shot (model, ratio, length, cost), or a GenerationError saying why
        it cannot be; nothing is sent."""
        return self._plan(request)[1].shape

    def estimate_cost(self, request: GenerationRequest) -> float | None:
        """Google charges per second of video asked for: that is the estimate and the actual."""
        return estimated_amount(self.request_shape, request)

    @staticmethod
    def _info(model: VideoModel, plan: VeoPlan | OmniPlan) -> dict[str, Any]:
        shape = plan.shape
        info: dict[str, Any] = {"model": model.id, "endpoint": shape.endpoint, "ratio": shape.ratio,
                                "duration_s": shape.duration_s, "resolution": plan.resolution}
        if isinstance(plan, OmniPlan):
            info["task"] = plan.task
        if plan.references:
            info["reference_images"] = [path.name for path in plan.references]
        if shape.notes:
            info["notes"] = list(shape.notes)
        return info

    # -- the life cycle's hooks ----------------------------------------------

    async def _submit(self, request: GenerationRequest) -> Submission:
        model, plan = self._plan(request)
        if isinstance(plan, OmniPlan):
            return await self._interact(model, plan, request)
        body = await asyncio.to_thread(request_body, plan, request, provider_words=self.provider)
        answer = await self.api.call("POST", f"/v1beta/models/{model.id}:predictLongRunning", json=body,
                                     what="submitting the shot", submits=True)
        # A create call's answer that cannot be read: the operation may exist, so say where to look.
        started = read_reply(OperationStarted, answer, provider=self.provider,
                             what="submitting the shot (it may have started: check Google AI Studio)")
        return Submission(started.name, self._info(model, plan))

    async def _interact(self, model: VideoModel, plan: OmniPlan, request: GenerationRequest) -> Submission:
        body = await asyncio.to_thread(interaction_body, plan, request, provider_words=self.provider)
        answer = await self.api.call("POST", "/v1beta/interactions", json=body, what="submitting the shot",
                                     submits=True)
        started = read_reply(InteractionStarted, answer, provider=self.provider,
                             what="submitting the shot (it may have started: check Google AI Studio)")
        return Submission(f"{INTERACTIONS}{started.id}", self._info(model, plan))

    async def _status(self, remote_id: str) -> TaskStatus:
        what = "checking on the video"
        body = await self.api.call("GET", f"/v1beta/{remote_id}", what=what)
        if remote_id.startswith(INTERACTIONS):
            interaction = read_reply(Interaction, body, provider=self.provider, what=what, remote_id=remote_id)
            status = interaction_status(self.provider, interaction)
            if status is None:
                raise CloudReplyError(f"{self.provider} reported an interaction status Foundry does not know "
                                      f"({interaction.status or 'none'}).", provider=self.provider,
                                      remote_id=remote_id)
            return status
        operation = read_reply(Operation, body, provider=self.provider, what=what, remote_id=remote_id)
        if not operation.done:
            return TaskStatus("running", None, "generating")
        if operation.error is not None:
            words, moderated = failure_words(self.provider, operation.error.code, operation.error.message or "")
            return TaskStatus("failed", words="failed", failure=words, moderated=moderated)
        videos = operation.response.generateVideoResponse if operation.response else None
        uris = tuple(sample.video.uri for sample in (videos.generatedSamples or []) if sample.video
                     and sample.video.uri) if videos else ()
        if uris:
            return TaskStatus("succeeded", 1.0, "done", outputs=uris)
        if videos is not None and (videos.raiMediaFilteredCount or videos.raiMediaFilteredReasons):
            reasons = "; ".join(videos.raiMediaFilteredReasons or []) or "no reason given"
            return TaskStatus("failed", words="filtered", moderated=True, failure=(
                f"{self.provider}'s safety filters held back the video it made ({reasons}). Change the prompt or "
                f"the picture and generate again."))
        return TaskStatus("failed", words="done", failure=f"{self.provider} finished the video but sent none back.")

    async def _fetch(self, remote_id: str, status: TaskStatus, stem: Path) -> SavedMedia:
        if not status.outputs:
            raise CloudOutputError(f"{self.provider} finished {remote_id} but listed no video.",
                                   provider=self.provider, remote_id=remote_id)
        uri = status.outputs[0]
        if uri.startswith(INLINE_PREFIX):  # Omni's video came inline in the interaction
            return await save_inline(uri, stem, provider=self.provider, remote_id=remote_id,
                                     max_bytes=self.api.max_download_bytes)
        # The file is Google's (files/{id}:download): the key goes with it, but only to Google's own address.
        ours = urlsplit(uri)[:2] == urlsplit(self.api.base_url)[:2]
        return await self.api.save("GET", uri, stem, what="downloading the video", want="video", authorized=ours)

    async def _cancel_remote(self, remote_id: str) -> None:
        """An interaction is cancelled at Google; a Veo operation has no cancel, so it is no longer
        followed (see _cancelled)."""
        if remote_id.startswith(INTERACTIONS):
            await self.api.call("POST", f"/v1beta/{remote_id}/cancel", what="cancelling the video")

    def _cancelled(self, run: Any) -> CloudTaskCancelledError:
        if run.remote_id is None or run.remote_id.startswith(INTERACTIONS):
            return super()._cancelled(run)
        return CloudTaskCancelledError(
            f"Cancelled. {self.provider} offers no way to stop a video it has started, so {run.remote_id} may "
            f"still finish there and be billed; Foundry no longer follows it.", provider=self.provider,
            remote_id=run.remote_id)

    def _resume_info(self, request: GenerationRequest) -> dict[str, Any]:
        try:
            return self._info(*self._plan(request))
        except GenerationError:
            return {"model": request.model or self.default_model}

    async def _health_check(self) -> str:
        what = "checking the key"
        body = await self.api.call("GET", f"/v1beta/models/{self.default_model}", what=what, attempts=2)
        model = read_reply(ModelDescription, body or {}, provider=self.provider, what=what)
        return f"{self.provider}: key accepted ({model.displayName or self.default_model})."
