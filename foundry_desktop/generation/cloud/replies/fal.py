"""fal.ai's answers (its queue API, as fal-ai/fal-js `types/common.ts` and fal_client read them):
a queued request, a request's status, a video model's result, and a storage upload's two URLs."""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictStr

from foundry_desktop.generation.cloud.replies import Lenient, Reply


class FalQueued(Reply):
    """`POST queue.fal.run/{model id}`: the request's id and where to follow it."""

    request_id: StrictStr = Field(min_length=1, max_length=200)
    status_url: Lenient[StrictStr] = None
    response_url: Lenient[StrictStr] = None
    cancel_url: Lenient[StrictStr] = None
    queue_position: Lenient[int] = Field(default=None, ge=0)


class FalLog(Reply):
    message: Lenient[StrictStr] = None


class FalStatus(Reply):
    """`GET …/requests/{id}/status`: IN_QUEUE (with queue_position), IN_PROGRESS (with logs) or
    COMPLETED (with logs, metrics, and error / error_type when the model failed)."""

    status: StrictStr = Field(max_length=40)
    queue_position: Lenient[int] = Field(default=None, ge=0)
    logs: Lenient[list[Lenient[FalLog]]] = None
    error: Lenient[StrictStr] = None
    error_type: Lenient[StrictStr] = None
    metrics: Lenient[dict[str, Any]] = None


class FalFile(Reply):
    url: StrictStr = Field(min_length=1, max_length=4000)
    content_type: Lenient[StrictStr] = None


class FalVideoResult(Reply):
    """`GET …/requests/{id}`: a video model's output ({"video": File, "seed"?})."""

    video: FalFile
    seed: Lenient[int] = None


class FalUploadStarted(Reply):
    """`POST rest.fal.ai/storage/upload/initiate`: where to PUT the file, and its URL afterwards."""

    upload_url: StrictStr = Field(min_length=1, max_length=4000)
    file_url: StrictStr = Field(min_length=1, max_length=4000)
