"""The `fal` backend: fal.ai's queue API (queue.fal.run), one adapter for every model behind it.

The protocol, as fal's own clients speak it (fal-ai/fal-js `queue.ts`, fal_client `client.py`):

* submit: `POST {queue}/{model id}` with the model's input as JSON → `request_id` with the
  `status_url`, `response_url` and `cancel_url` to follow it by (used as given, as the clients do,
  when they are on fal's queue address; a restart rebuilds them the way the clients do);
* status: `GET {queue}/{owner}/{alias}/requests/{id}/status?logs=1` → IN_QUEUE (queue_position),
  IN_PROGRESS (logs), COMPLETED (error and error_type when the model failed). The status, result
  and cancel paths use the model id's owner and alias only, never its subpath;
* result: `GET {queue}/{owner}/{alias}/requests/{id}` → the model's output ({"video": {"url"}});
* cancel: `PUT …/requests/{id}/cancel` → 202 CANCELLATION_REQUESTED (400 ALREADY_COMPLETED);
* auth: `Authorization: Key <FAL_KEY>`; refusals are FastAPI's `{"detail": [{loc, msg, type}]}`.

Input pictures go inline as data URIs up to the model's inline size, larger ones through fal's
storage (`POST {rest}/storage/upload/initiate` → upload_url and file_url, then a PUT of the bytes
to upload_url, which is signed and gets no key). Each model's fields and allowed values come from
its table entry (catalog/fal_models.py); the request id is the remote id the life cycle (task.py)
records, so a restart follows the request instead of paying for another.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import EventSink, GenerationRequest, GenerationResult
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.catalog.fal_models import DEFAULT_MODEL, FAL_MODEL_ENTRIES, FalModel, fal_entry
from foundry_desktop.generation.cloud.catalog.video_models import RequestShape, estimated_amount, shape_request
from foundry_desktop.generation.cloud.credentials import CloudCredentials, KeySource
from foundry_desktop.generation.cloud.errors import CloudError, CloudRefusedError, CloudReplyError
from foundry_desktop.generation.cloud.http import CloudApi
from foundry_desktop.generation.cloud.inputs import SUFFIXES, PictureRules, picture_for
from foundry_desktop.generation.cloud.media_download import DEFAULT_MAX_DOWNLOAD_BYTES, SavedMedia
from foundry_desktop.generation.cloud.replies import read_reply
from foundry_desktop.generation.cloud.replies.fal import FalQueued, FalStatus, FalUploadStarted, FalVideoResult
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import CloudTaskBackend, PollPolicy, Submission, SubmittedHook, TaskStatus

QUEUE_URL = "https://queue.fal.run"
REST_URL = "https://rest.fal.ai"  # fal's storage
PROVIDER_WORDS = "fal.ai"
NAMESPACES = ("workflows", "comfy")  # ids whose first part is a namespace, not the owner (fal's clients)
MODERATION_TYPES = frozenset({"content_policy_violation"})
HEALTH_REQUEST_ID = "00000000-0000-0000-0000-000000000000"  # a status read of no request: 404 with a good key


class _KeyedApi(CloudApi):
    """fal's API: the key goes as `Authorization: Key …`, not as a bearer token."""

    def _request_headers(self, authorized: bool, extra: Mapping[str, str] | None) -> dict[str, str]:
        if not authorized:
            return dict(extra or {})
        return {"Authorization": f"Key {self.credentials.key()}", **(extra or {})}


class _SignedUploadApi(CloudApi):
    """The PUT of a file to the signed URL fal's storage gave: the key never goes there."""

    def _request_headers(self, authorized: bool, extra: Mapping[str, str] | None) -> dict[str, str]:
        return dict(extra or {})


@dataclass(frozen=True)
class _Followed:
    """Where one request is followed: fal's URLs for it."""

    status_url: str
    response_url: str
    cancel_url: str


def _explain(body: Any) -> tuple[str, bool]:
    """fal's error bodies: {"detail": [{"loc", "msg", "type"}]} (FastAPI's), {"detail": str}, or a
    cancel's {"status": "ALREADY_COMPLETED"}."""
    if not isinstance(body, dict):
        return "", False
    detail = body.get("detail")
    if isinstance(detail, list):
        items = [item for item in detail if isinstance(item, dict)]
        words = []
        for item in items[:5]:
            where = ".".join(str(part) for part in item.get("loc") or [] if part != "body")
            words.append(f"{where}: {item.get('msg')}" if where else str(item.get("msg")))
        return "; ".join(words), any(item.get("type") in MODERATION_TYPES for item in items)
    if isinstance(detail, str):
        return detail, False
    if body.get("status") == "ALREADY_COMPLETED":
        return "the request had already finished", False
    return str(body.get("message") or body.get("error") or ""), False


def _app_root(model_id: str) -> str:
    """`fal-ai/kling-video/v3/pro/text-to-video` -> `fal-ai/kling-video` (owner/alias, as the clients
    build the status, result and cancel paths)."""
    parts = [part for part in model_id.split("/") if part]
    if parts and parts[0] in NAMESPACES:
        return "/".join(parts[:3])
    return "/".join(parts[:2])


class FalBackend(CloudTaskBackend):
    """fal.ai's queue; see the module docstring. `base_url` is the queue's address; `storage_url`
    its storage's (by default fal's own, or the queue's address when that was changed: a proxy
    or a test server answers both)."""

    name = "fal"
    provider = PROVIDER_WORDS
    cost_unit = "usd"

    def __init__(
        self, http: httpx.AsyncClient, api_key: KeySource, *, base_url: str = QUEUE_URL,
        storage_url: str | None = None, default_model: str = DEFAULT_MODEL, retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None, max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        on_submitted: SubmittedHook | None = None, transfer_limits: TransferLimits | None = None,
    ) -> None:
        super().__init__(CloudCredentials(self.provider, api_key), poll=poll, on_submitted=on_submitted)
        self.default_model = default_model
        self.base_url = base_url.rstrip("/")
        self.storage_url = (storage_url or (REST_URL if self.base_url == QUEUE_URL else self.base_url)).rstrip("/")
        options: dict[str, Any] = {"explain": _explain, "retry": retry or RetryPolicy(),
                                   "max_download_bytes": max_download_bytes, "limits": transfer_limits}
        self.api = _KeyedApi(self.provider, http, self.credentials, base_url=self.base_url, **options)
        self.uploads = _SignedUploadApi(self.provider, http, self.credentials, base_url=self.storage_url, **options)
        self._followed: dict[str, _Followed] = {}

    # -- what will be sent -----------------------------------------------------

    def _entry(self, request: GenerationRequest) -> FalModel:
        name = request.model or self.default_model
        entry = fal_entry(name)
        if entry is None:
            raise GenerationError(f"Foundry does not know fal.ai's model {name!r}; choose one of "
                                  f"{', '.join(FAL_MODEL_ENTRIES)}.")
        return entry

    def request_shape(self, request: GenerationRequest) -> RequestShape:
        """What will be sent for the shot (model, endpoint, ratio, length, seed, price); sends nothing."""
        return shape_request(self._entry(request).video, request, provider_words=PROVIDER_WORDS)

    def _plan(self, request: GenerationRequest) -> tuple[FalModel, RequestShape, str, dict[str, Any]]:
        """(entry, shape, fal's model id, the input but its pictures); refused here when fal would refuse it."""
        entry = self._entry(request)
        shape = shape_request(entry.video, request, provider_words=PROVIDER_WORDS)
        body: dict[str, Any] = {}
        if request.prompt.strip():
            body["prompt"] = request.prompt.strip()
        if entry.negative_prompt and request.negative_prompt.strip():
            body["negative_prompt"] = request.negative_prompt.strip()
        if shape.duration_s is not None:
            body["duration"] = f"{shape.duration_s:g}"  # an enum of strings ("5"), not a number
        if shape.ratio is not None:
            body["aspect_ratio"] = shape.ratio
        if entry.resolution is not None:
            body["resolution"] = entry.resolution
        if entry.generate_audio is not None:
            body["generate_audio"] = entry.generate_audio
        if shape.seed is not None:
            body["seed"] = shape.seed
        return entry, shape, entry.ids[shape.endpoint], body

    def estimate_cost(self, request: GenerationRequest) -> float | None:
        return estimated_amount(self.request_shape, request)

    def _info(self, entry: FalModel, shape: RequestShape, model_id: str) -> dict[str, Any]:
        return {"model": entry.video.id, "fal_model": model_id, "endpoint": shape.endpoint, "ratio": shape.ratio,
                "duration_s": shape.duration_s, "seed": shape.seed, "notes": list(shape.notes)}

    # -- pictures ---------------------------------------------------------------

    async def _picture(self, path: Path, role: str, entry: FalModel, inline_bytes: int | None,
                       rules: PictureRules) -> str:
        """The picture as fal takes it (fitted to the model's rules): a data URI when small, else the URL
        of its upload to fal's storage."""
        data, mime = await asyncio.to_thread(picture_for, path, rules, role=role,
                                             who=f"{PROVIDER_WORDS}'s {entry.video.label}")
        if inline_bytes is not None and len(data) <= inline_bytes:
            return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        what = "uploading the input image"
        answer = await self.api.call(
            "POST", f"{self.storage_url}/storage/upload/initiate?storage_type=fal-cdn-v3", what=what,
            json={"content_type": mime, "file_name": f"input{SUFFIXES[mime]}"},
        )
        started = read_reply(FalUploadStarted, answer, provider=self.provider, what=what)
        # The PUT may be tried again: the same bytes to the same signed URL make the same file.
        await self.uploads.call("PUT", started.upload_url, what=what, content=data, headers={"Content-Type": mime})
        return started.file_url

    # -- the life cycle's hooks ---------------------------------------------------

    async def _submit(self, request: GenerationRequest) -> Submission:
        entry, shape, model_id, body = self._plan(request)
        endpoint_shape = entry.video.endpoints[shape.endpoint]
        inline, rules = endpoint_shape.max_inline_image_bytes, endpoint_shape.pictures or PictureRules()
        if request.input_image is not None:
            body[entry.first_frame_field] = await self._picture(request.input_image, "input image", entry, inline,
                                                                rules)
        if request.last_image is not None and entry.last_frame_field:
            body[entry.last_frame_field] = await self._picture(request.last_image, "last frame", entry, inline, rules)
        answer = await self.api.call("POST", f"/{model_id}", json=body, what="submitting the shot", submits=True)
        queued = read_reply(FalQueued, answer, provider=self.provider,
                            what="submitting the shot (it may have started: check fal.ai's dashboard)")
        self._followed[queued.request_id] = self._urls(model_id, queued)
        status = TaskStatus("queued", words=self._position_words(queued.queue_position))
        return Submission(queued.request_id, self._info(entry, shape, model_id), status)

    def _urls(self, model_id: str, queued: FalQueued | None, request_id: str | None = None) -> _Followed:
        """fal's URLs for a request: those it gave, when they are on the queue's own address (the key
        goes there), else built as its clients build them."""
        request_id = queued.request_id if queued is not None else request_id
        root = f"{self.base_url}/{_app_root(model_id)}/requests/{request_id}"
        built = _Followed(f"{root}/status", root, f"{root}/cancel")
        if queued is None:
            return built
        given = (queued.status_url, queued.response_url, queued.cancel_url)
        origin = urlsplit(self.base_url)[:2]
        if all(isinstance(url, str) and urlsplit(url)[:2] == origin for url in given):
            return _Followed(*given)  # type: ignore[arg-type]
        return built

    async def resume(self, server: str | None, remote_id: str, request: GenerationRequest,
                     on_event: EventSink) -> GenerationResult:
        """Follow a request sent before a restart: its URLs are built from the shot's model id."""
        if remote_id not in self._followed:
            endpoint = "image_to_video" if request.input_image is not None else "text_to_video"
            model_id = self._entry(request).ids[endpoint]
            self._followed[remote_id] = self._urls(model_id, None, remote_id)
        return await super().resume(server, remote_id, request, on_event)

    def _urls_of(self, remote_id: str) -> _Followed:
        followed = self._followed.get(remote_id)
        if followed is None:
            raise CloudReplyError(f"Foundry does not know which fal.ai model request {remote_id} was sent to.",
                                  provider=self.provider, remote_id=remote_id)
        return followed

    @staticmethod
    def _position_words(position: int | None) -> str:
        return f"number {position + 1} in line" if position is not None else "in line"

    async def _status(self, remote_id: str) -> TaskStatus:
        what = "checking on the request"
        body = await self.api.call("GET", self._urls_of(remote_id).status_url, params={"logs": "1"}, what=what)
        status = read_reply(FalStatus, body, provider=self.provider, what=what, remote_id=remote_id)
        if status.status == "IN_QUEUE":
            return TaskStatus("queued", words=self._position_words(status.queue_position))
        if status.status == "IN_PROGRESS":
            messages = [log.message for log in status.logs or () if log is not None and log.message]
            return TaskStatus("running", words=messages[-1][:120] if messages else "running")
        if status.status == "COMPLETED":
            if status.error:
                moderated = status.error_type in MODERATION_TYPES
                words = (f"fal.ai's content moderation refused this shot ({status.error}). Change the prompt or the "
                         f"picture and generate again." if moderated else
                         await self._failure_words(remote_id, status.error))
                return TaskStatus("failed", words=status.status, failure=words, moderated=moderated)
            return TaskStatus("succeeded", 1.0, status.status, info=self._metrics(status))
        raise CloudReplyError(f"fal.ai reported a request status Foundry does not know ({status.status[:40] or 'none'}).",
                              provider=self.provider, remote_id=remote_id)

    async def _failure_words(self, remote_id: str, error: str) -> str:
        """Why the request failed: the result's own refusal says which input was wrong (a 422's
        detail) where the status has only a summary."""
        try:
            await self.api.call("GET", self._urls_of(remote_id).response_url, what="reading why it failed",
                                attempts=1)
        except CloudRefusedError as exc:
            return str(exc)
        except CloudError:
            pass
        return f"fal.ai could not make this shot: {error}"

    @staticmethod
    def _metrics(status: FalStatus) -> dict[str, Any]:
        seconds = (status.metrics or {}).get("inference_time")
        return {"inference_s": round(seconds, 3)} if isinstance(seconds, (int, float)) else {}

    async def _fetch(self, remote_id: str, status: TaskStatus, stem: Path) -> SavedMedia:
        what = "reading the result"
        body = await self.api.call("GET", self._urls_of(remote_id).response_url, what=what)
        result = read_reply(FalVideoResult, body, provider=self.provider, what=what, remote_id=remote_id)
        saved = await self.api.save("GET", result.video.url, stem, what="downloading the video", want="video")
        self._followed.pop(remote_id, None)
        return saved

    async def _cancel_remote(self, remote_id: str) -> None:
        followed = self._followed.get(remote_id)
        if followed is not None:
            await self.api.call("PUT", followed.cancel_url, what="cancelling the request", attempts=3)
            return
        # An earlier run's request, its model unknown here: fal answers 404 under any other
        # app, so each app of the table is asked in turn (two or three calls at most).
        apps = sorted({_app_root(model_id) for entry in FAL_MODEL_ENTRIES.values() for model_id in entry.ids.values()})
        for app in apps:
            try:
                await self.api.call("PUT", f"{self.base_url}/{app}/requests/{remote_id}/cancel",
                                    what="cancelling the request", attempts=3)
                return
            except CloudRefusedError as exc:
                if exc.status != 404:
                    raise
        raise CloudRefusedError(f"fal.ai knows no request {remote_id} under the models Foundry lists; cancel it on "
                                f"fal.ai's dashboard.", provider=self.provider, remote_id=remote_id)

    def _resume_info(self, request: GenerationRequest) -> dict[str, Any]:
        try:
            entry, shape, model_id, _ = self._plan(request)
        except GenerationError:
            return {"model": request.model or self.default_model}
        return self._info(entry, shape, model_id)

    async def _health_check(self) -> str:
        model_id = FAL_MODEL_ENTRIES[DEFAULT_MODEL].ids["text_to_video"]
        url = f"{self.base_url}/{_app_root(model_id)}/requests/{HEALTH_REQUEST_ID}/status"
        try:
            await self.api.call("GET", url, what="checking the key", attempts=2)
        except CloudRefusedError as exc:
            if exc.status != 404:
                raise
        return "fal.ai: key accepted."
