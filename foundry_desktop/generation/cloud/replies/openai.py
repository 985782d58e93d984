"""What OpenAI-compatible services answer: a video job, a picture, a chat completion, a
transcription. Gateways and local servers answer loosely, so only what Foundry acts on is
required; the openai package's own parsing is not relied on (it does not validate)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictStr

from foundry_desktop.generation.cloud.replies import Lenient, Reply


class VideoJob(Reply):
    id: StrictStr = Field(min_length=1, max_length=200)
    status: StrictStr = Field(max_length=40)
    progress: Lenient[float] = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    error: Lenient[StrictStr | dict[str, Any]] = None


class VideoJobState(VideoJob):
    id: Lenient[StrictStr] = None


class Picture(Reply):
    b64_json: Lenient[StrictStr] = None
    url: Lenient[StrictStr] = None


class InputTokenDetails(Reply):
    text_tokens: int = Field(ge=0)
    image_tokens: int = Field(ge=0)


class ImageUsage(Reply):
    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)
    input_tokens_details: Lenient[InputTokenDetails] = None


class ImagesAnswer(Reply):
    data: list[Picture] = Field(min_length=1)
    output_format: Lenient[StrictStr] = None
    usage: Lenient[ImageUsage] = None


class ChatMessage(Reply):
    content: StrictStr | None = None
    refusal: Lenient[StrictStr] = None


class ChatChoice(Reply):
    message: ChatMessage
    finish_reason: Lenient[StrictStr] = None


class ChatAnswer(Reply):
    choices: list[ChatChoice] = Field(min_length=1)


class HeardWordReply(Reply):
    word: StrictStr = ""
    start: float = Field(ge=0, allow_inf_nan=False)
    end: float = Field(ge=0, allow_inf_nan=False)


class TranscriptionAnswer(Reply):
    text: StrictStr = ""
    words: list[HeardWordReply] | None = None
    language: Lenient[StrictStr] = None
