"""The `openai` backend: an OpenAI-compatible Videos API (`/v1/videos`) at a base URL you choose.

OpenAI shut its own /v1/videos down in September 2026; gateways keep serving
the same shape, so this backend talks to whichever one the settings name,
through the `openai` package: `videos.create(prompt, model, seconds, size,
input_reference)`, `videos.retrieve(id)` while it runs, then
`videos.download_content(id, variant="video")` (streamed to disk), and
`videos.delete(id)` to cancel (the API has no other cancel).

The SDK is called as openai_sdk.py says (its own retries off, the shared
rule of retries.py instead, so that a create call is never sent twice). The API takes a few fixed clip lengths and
sizes per model (catalog/openai_video_models.py: `sora-2` 1280x720 and 720x1280 only,
`sora-2-pro` 1792x1024 and 1024x1792 too); a gateway's own model takes the constructor's
`seconds` and `sizes`. The request is built from that table (`request_shape`): the nearest
length and size are asked for, with a note where they differ from the shot, and an input
image is fitted to that size, as the API wants the reference to match the video's size.
It has no seed.
"""

from __future__ import annotations

import asyncio
import io
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import openai
from PIL import Image, ImageOps, UnidentifiedImageError

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.catalog.openai_video_models import OPENAI_VIDEO_MODELS, gateway_model
from foundry_desktop.generation.cloud.catalog.video_models import RequestShape, VideoModel, estimated_amount, shape_request
from foundry_desktop.generation.cloud.credentials import CloudCredentials, KeySource
from foundry_desktop.generation.cloud.inputs import read_input_image
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.media_download import DEFAULT_MAX_DOWNLOAD_BYTES, SavedMedia, save_media
from foundry_desktop.generation.cloud.providers.openai_sdk import OpenAISdk, json_answer
from foundry_desktop.generation.cloud.replies import read_reply
from foundry_desktop.generation.cloud.replies.openai import VideoJob, VideoJobState
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import (
    CloudTaskBackend,
    PollPolicy,
    Submission,
    SubmittedHook,
    TaskStatus,
    known_phase,
)

T = TypeVar("T")
# A gateway's own model (not in the table): the SDK's VideoSeconds and VideoSize unless the settings say.
SORA_SECONDS = ("4", "8", "12")
SORA_SIZES = ("1280x720", "720x1280", "1792x1024", "1024x1792")
MAX_REFERENCE_BYTES = 20 * 1024**2
_PHASES = {"queued": "queued", "in_progress": "running", "completed": "succeeded", "failed": "failed",
           "cancelled": "cancelled", "canceled": "cancelled"}


def _quietly(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call an SDK videos method without its DeprecationWarning (it announces OpenAI's own shutdown,
    which says nothing about the gateway this talks to). The warning is raised when the method is
    called, before anything is awaited, so nothing else runs while the filter is changed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return call(*args, **kwargs)


def _raw(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """An SDK videos call that answers its raw response (as `with_raw_response` does, which would
    call the method only when awaited, outside _quietly): its JSON is read by replies/, not the SDK."""
    from openai._constants import RAW_RESPONSE_HEADER

    return _quietly(call, *args, extra_headers={RAW_RESPONSE_HEADER: "true"}, **kwargs)


def _fitted_reference(path: Path, size: str | None, provider: str) -> tuple[str, bytes, str]:
    """The input image as the upload the API takes: PNG/JPEG/WebP of exactly `size`
    (scaled to cover it and centred, as the video is framed; as it is when no size is sent)."""
    data, mime = read_input_image(path, provider=provider, max_bytes=MAX_REFERENCE_BYTES)
    if size is None:
        return path.name, data, mime
    width, height = (int(side) for side in size.split("x"))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.size == (width, height):
                return path.name, data, mime
            fitted = ImageOps.fit(ImageOps.exif_transpose(image).convert("RGB"), (width, height),
                                  Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise GenerationError(f"The input image {path.name} cannot be read: {exc}.") from None
    buffer = io.BytesIO()
    fitted.save(buffer, format="PNG")
    return f"{path.stem}.png", buffer.getvalue(), "image/png"


class OpenAIVideoBackend(CloudTaskBackend):
    """An OpenAI-compatible /v1/videos service; see the module docstring.

    `api_key` is the key or a callable returning it (read at each call; a local
    gateway without keys still wants some text); `base_url` ends in /v1 as the
    openai package expects; `label` names the service in messages (its host by
    default). The SDK client is made on first use and kept; `aclose()` closes it.
    """

    name = "openai"
    cost_unit = "video-seconds"

    def __init__(
        self, api_key: KeySource, *, base_url: str, default_model: str = "sora-2",
        seconds: Sequence[str | int] = SORA_SECONDS, sizes: Sequence[str] = SORA_SIZES, label: str | None = None,
        name: str | None = None, retry: RetryPolicy | None = None, poll: PollPolicy | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        on_submitted: SubmittedHook | None = None, transfer_limits: TransferLimits | None = None,
    ) -> None:
        self.provider = label or urlsplit(base_url).netloc or base_url
        self.name = name or type(self).name
        super().__init__(CloudCredentials(self.provider, api_key), poll=poll, on_submitted=on_submitted)
        self.base_url, self.default_model = base_url.rstrip("/"), default_model
        self.seconds, self.sizes = tuple(str(s) for s in seconds), tuple(sizes)
        self.retry = retry or RetryPolicy()
        self.max_download_bytes = max_download_bytes
        self.transfer_limits = transfer_limits or TransferLimits()
        self.sdk = OpenAISdk(self.provider, self.credentials, base_url=base_url, retry=self.retry,
                             limits=self.transfer_limits)

    async def aclose(self) -> None:
        await self.sdk.aclose()

    # -- the life cycle's hooks ----------------------------------------------

    def video_model(self, model_id: str) -> VideoModel:
        """What `model_id` accepts: the table's entry, or a gateway's own model with this backend's lists."""
        return OPENAI_VIDEO_MODELS.get(model_id) or gateway_model(
            model_id, self.sizes, tuple(float(s) for s in self.seconds))

    def request_shape(self, request: GenerationRequest) -> RequestShape:
        """What will be sent for the shot (size, seconds; never a seed), or a GenerationError saying
        why it cannot be; nothing is sent."""
        return shape_request(self.video_model(request.model or self.default_model), request,
                             provider_words=self.provider)

    def _plan(self, request: GenerationRequest) -> dict[str, str]:
        shape = self.request_shape(request)
        plan = {"prompt": request.prompt.strip(), "model": shape.model}
        if shape.duration_s is not None:  # a gateway configured without lengths: its default
            plan["seconds"] = f"{shape.duration_s:g}"
        if shape.ratio is not None:
            plan["size"] = shape.ratio
        return plan

    async def _submit(self, request: GenerationRequest) -> Submission:
        arguments: dict[str, Any] = self._plan(request)
        if request.input_image is not None:
            arguments["input_reference"] = await asyncio.to_thread(
                _fitted_reference, request.input_image, arguments.get("size"), self.provider)
        what = "submitting the shot"
        raw = await self.sdk.call(what, lambda client: _raw(client.videos.create, **arguments),
                                  submits=True)
        what += f" (it may have started: check {self.provider})"
        video = read_reply(VideoJob, json_answer(raw, provider=self.provider, what=what), provider=self.provider,
                           what=what)
        info = {"model": arguments["model"], "seconds": arguments.get("seconds"), "size": arguments.get("size"),
                "seed": None}  # the Videos API takes no seed
        return Submission(video.id, info, self._parse(video, video.id))

    def _parse(self, video: VideoJobState, remote_id: str) -> TaskStatus:
        word = video.status
        phase = known_phase(_PHASES, word, provider=self.provider, kind="video", remote_id=remote_id)
        if phase == "failed":
            error = video.error or {}
            code = str(error.get("code") or "") if isinstance(error, dict) else ""
            message = (str(error.get("message") or "") if isinstance(error, dict) else str(error)).strip().rstrip(".")
            if "moderation" in code:
                return TaskStatus("failed", words=word, moderated=True, failure=(
                    f"{self.provider}'s moderation refused this shot ({message or code}). Change the prompt or the "
                    f"input image and generate again."))
            return TaskStatus("failed", words=word, failure=f"{self.provider} could not make this shot: "
                              f"{message or 'no reason given'}" + (f" ({code})." if code else "."))
        return TaskStatus(phase, video.progress / 100 if video.progress is not None else None, word)

    async def _status(self, remote_id: str) -> TaskStatus:
        what = "checking on the video"
        raw = await self.sdk.call(what, lambda client: _raw(client.videos.retrieve, remote_id))
        body = json_answer(raw, provider=self.provider, what=what)
        return self._parse(read_reply(VideoJobState, body, provider=self.provider, what=what, remote_id=remote_id),
                           remote_id)

    async def _fetch(self, remote_id: str, status: TaskStatus, stem: Path) -> SavedMedia:
        async def download(client: openai.AsyncOpenAI) -> SavedMedia:
            streaming = client.videos.with_streaming_response
            async with _quietly(streaming.download_content, remote_id, variant="video") as response:
                length = response.headers.get("content-length", "")
                return await save_media(
                    response.iter_bytes(), stem, provider=self.provider, want="video",
                    content_type=response.headers.get("content-type", ""),
                    expected_bytes=int(length) if length.isdigit() else None, max_bytes=self.max_download_bytes,
                    limits=self.transfer_limits,
                )

        return await self.sdk.call("downloading the video", download, deadline=False)

    async def _cancel_remote(self, remote_id: str) -> None:
        await self.sdk.call("cancelling the video", lambda client: _raw(client.videos.delete, remote_id),
                            attempts=3)

    def estimate_cost(self, request: GenerationRequest) -> float | None:
        """Videos are priced per second made: the seconds asked for."""
        return estimated_amount(self.request_shape, request)

    def _resume_info(self, request: GenerationRequest) -> dict[str, Any]:
        try:
            plan = self._plan(request)
        except GenerationError:
            return {"model": request.model or self.default_model}
        return {"model": plan["model"], "seconds": plan.get("seconds"), "size": plan.get("size"), "seed": None}

    async def _health_check(self) -> str:
        # The raw answer: only that it was answered matters (the SDK would parse the page, unchecked).
        await self.sdk.call("checking the service", lambda client: _raw(client.videos.list, limit=1), attempts=2)
        return f"{self.provider}: reachable, key accepted."
