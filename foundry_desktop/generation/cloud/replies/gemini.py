"""Google's Gemini API answers for video (googleapis/python-genai 2.19.0, models.py:
_GenerateVideosOperation_from_mldev, _GenerateVideosResponse_from_mldev, _Video_from_mldev):
a long-running operation, its video response, and a model's description."""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictBool, StrictStr

from foundry_desktop.generation.cloud.replies import Lenient, Reply

# An operation's name comes back in a path (GET /v1beta/{name}): only the characters Google uses.
OPERATION_NAME = r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"


class OperationStarted(Reply):
    name: StrictStr = Field(min_length=1, max_length=300, pattern=OPERATION_NAME)


class Status(Reply):
    """google.rpc.Status: an operation's error."""

    code: Lenient[int] = None
    message: Lenient[StrictStr] = None


class VideoFile(Reply):
    uri: Lenient[StrictStr] = None
    encodedVideo: Lenient[StrictStr] = None  # noqa: N815 (Google's name)


class GeneratedSample(Reply):
    video: Lenient[VideoFile] = None


class GenerateVideoResponse(Reply):
    generatedSamples: list[GeneratedSample] | None = None  # noqa: N815
    raiMediaFilteredCount: Lenient[int] = None  # noqa: N815
    raiMediaFilteredReasons: Lenient[list[StrictStr]] = None  # noqa: N815


class OperationResponse(Reply):
    generateVideoResponse: GenerateVideoResponse | None = None  # noqa: N815


class Operation(Reply):
    name: Lenient[StrictStr] = None
    done: StrictBool = False
    error: Status | None = None
    response: OperationResponse | None = None
    metadata: Lenient[dict[str, Any]] = None


class ModelDescription(Reply):
    name: Lenient[StrictStr] = None
    displayName: Lenient[StrictStr] = None  # noqa: N815
