"""The `openai-images` backend: keyframes from an OpenAI-compatible Images API.

Through the `openai` package (openai_sdk.py): `images.generate(model, prompt,
size, n=1)`, or with a character's reference picture `images.edit(image=[it],
...)`, which the GPT image models take as a picture to follow. The picture is
made while the call waits, so as with Stability the create call is the
download: nothing to poll, cancel or resume. The answer holds the picture as
`b64_json` (GPT image models) or as a `url` (older models, some gateways),
fetched without the key; either is saved whole and checked to be a picture.

Sizes: gpt-image-2 (and the 2.5 models) take any WIDTHxHEIGHT in multiples of
16, aspect 1:3 to 3:1, 655,360 to 8,294,400 pixels, edges up to 3840; the
project's size is fitted to that. Other models take 1024x1024, 1536x1024 and
1024x1536, and a gateway may name its own list (`sizes`): the one nearest the
project's aspect is asked for. The API takes no seed and no negative prompt.

GPT image models are asked for `quality` "medium" unless the shot's params
name another (low, medium, high, auto): a keyframe is a draft to review before
paying for video. The price is per token: where the model's published token
prices are known, the answer's `usage` gives the take's cost in US dollars, and
beforehand OpenAI's published per-picture examples give an estimate, scaled by
the pixels asked for (square and oblong pictures are priced apart).
"""

from __future__ import annotations

import base64
import math
import re
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import EventSink, GenerationRequest, GenerationResult, OutputKind
from foundry_desktop.generation.cloud.credentials import CloudCredentials, KeySource
from foundry_desktop.generation.cloud.errors import CloudOutputError
from foundry_desktop.generation.cloud.http import CloudApi
from foundry_desktop.generation.cloud.inputs import nearest_aspect, read_input_image
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.media_download import DEFAULT_MAX_DOWNLOAD_BYTES, SavedMedia, save_media
from foundry_desktop.generation.cloud.providers.openai_sdk import OpenAISdk, explain_openai_error, json_answer
from foundry_desktop.generation.cloud.replies import read_reply
from foundry_desktop.generation.cloud.replies.openai import ImagesAnswer, ImageUsage
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import CloudTaskBackend, Submission

OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-image-2"
STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536")
MAX_REFERENCE_BYTES = 50 * 1024**2
MAX_PICTURE_BYTES = 64 * 1024**2
# The models that take any size within these limits (the SDK's ImageGenerateParams.size).
_FREE_SIZE_MODEL = re.compile(r"^gpt-image-2(\.5-(sunburst|flare))?(-\d{4}-\d{2}-\d{2})?$")
SIZE_STEP, MAX_EDGE, MIN_PIXELS, MAX_PIXELS, MAX_ASPECT = 16, 3840, 655_360, 8_294_400, 3.0
# Models that follow a reference picture (images.edit takes their pictures); others leave it out.
_TAKES_REFERENCES = re.compile(r"^(gpt-image|chatgpt-image)")
# Published prices, US dollars per million (text input, image input, output) tokens.
USD_PER_MILLION_TOKENS = {"gpt-image-2": (5.0, 8.0, 30.0)}
# OpenAI's published examples of a picture's price by quality: 1024x1024, and 1536x1024 or 1024x1536.
USD_PER_PICTURE = {"gpt-image-2": {"square": {"low": 0.006, "medium": 0.053, "high": 0.211},
                                   "oblong": {"low": 0.005, "medium": 0.041, "high": 0.165}}}
DEFAULT_QUALITY = "medium"
# OpenAI's image models that were shut down, and when: asked of OpenAI itself, they are refused here
# in words (a gateway may still serve its own copy, so only OpenAI's address is checked).
RETIRED_MODELS = {"gpt-image-1": "2026-10-23", "gpt-image-1.5": "2026-12-01", "gpt-image-1-mini": "2026-12-01"}
_MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def _free_size(width: int, height: int) -> str:
    """The project's size as a free-size model takes it: aspect and pixels within the limits,
    edges in multiples of 16 (rounded the way that keeps them within)."""
    aspect = min(MAX_ASPECT, max(1 / MAX_ASPECT, width / height))
    pixels = min(MAX_PIXELS, max(MIN_PIXELS, width * height))
    scale = min(1.0, MAX_EDGE / max(math.sqrt(pixels * aspect), math.sqrt(pixels / aspect)))
    exact = (math.sqrt(pixels * aspect) * scale, math.sqrt(pixels / aspect) * scale)
    wide, tall = (round(side / SIZE_STEP) * SIZE_STEP for side in exact)
    if wide * tall < MIN_PIXELS:
        wide, tall = (math.ceil(side / SIZE_STEP) * SIZE_STEP for side in exact)
    elif wide * tall > MAX_PIXELS or max(wide, tall) > MAX_EDGE:
        wide, tall = (math.floor(side / SIZE_STEP) * SIZE_STEP for side in exact)
    # Rounding may tip an extreme aspect just past 3:1: the long side gives way.
    wide = min(wide, math.floor(tall * MAX_ASPECT / SIZE_STEP) * SIZE_STEP)
    tall = min(tall, math.floor(wide * MAX_ASPECT / SIZE_STEP) * SIZE_STEP)
    return f"{wide}x{tall}"


def choose_size(model: str, width: int, height: int, sizes: Sequence[str] | None = None) -> str:
    """The size to ask `model` for a width x height picture: from `sizes` when given (a gateway's own
    list), else as the model allows (see the module docstring)."""
    if sizes:
        return nearest_aspect(width, height, sizes)
    if _FREE_SIZE_MODEL.match(model):
        return _free_size(width, height)
    return nearest_aspect(width, height, STANDARD_SIZES)


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


# The picture is answered when it is made: the answer may take this long to begin (a large one at high
# quality takes a minute or two); every other silence is bounded by the stall time.
PICTURE_WAIT_S = 180.0


class OpenAIImagesBackend(CloudTaskBackend):
    """An OpenAI-compatible Images API; see the module docstring.

    `http` is the app's shared client (for pictures answered as URLs); `api_key`
    the key or a callable returning it (read at each call); `base_url` ends in
    /v1 as the openai package expects; `label` names the service in messages.
    """

    name = "openai-images"
    cost_unit = "usd"
    outputs: frozenset[OutputKind] = frozenset({"still"})

    def __init__(
        self, http: httpx.AsyncClient, api_key: KeySource, *, base_url: str = OPENAI_URL,
        default_model: str = DEFAULT_MODEL, sizes: Sequence[str] | None = None, label: str | None = None,
        retry: RetryPolicy | None = None, answer_wait_s: float = PICTURE_WAIT_S,
        max_download_bytes: int = MAX_PICTURE_BYTES, transfer_limits: TransferLimits | None = None,
    ) -> None:
        host = urlsplit(base_url).netloc or base_url
        self.provider = label or ("OpenAI" if host == "api.openai.com" else host)
        super().__init__(CloudCredentials(self.provider, api_key))
        self.default_model, self.sizes = default_model, tuple(sizes or ())
        self.max_download_bytes = max_download_bytes
        self.transfer_limits = transfer_limits or TransferLimits()
        retry = retry or RetryPolicy()
        self.sdk = OpenAISdk(self.provider, self.credentials, base_url=base_url, retry=retry,
                             limits=self.transfer_limits, answer_wait_s=answer_wait_s)
        # Only for pictures answered as URLs: signed links, fetched without the key.
        self.downloads = CloudApi(self.provider, http, self.credentials, base_url=base_url,
                                  explain=explain_openai_error, retry=retry, max_download_bytes=max_download_bytes,
                                  limits=self.transfer_limits)

    async def aclose(self) -> None:
        await self.sdk.aclose()

    def _plan(self, request: GenerationRequest) -> dict[str, Any]:
        if not request.prompt.strip():
            raise GenerationError(f"A keyframe from {self.provider} needs a prompt.")
        model = request.model or self.default_model
        if model in RETIRED_MODELS and self.provider == "OpenAI":
            raise GenerationError(f"OpenAI shut {model} down on {RETIRED_MODELS[model]}: choose {DEFAULT_MODEL}, "
                                  f"its current picture model.")
        plan = {"model": model, "prompt": request.prompt.strip(), "n": 1,
                "size": choose_size(model, request.width, request.height, self.sizes)}
        if _TAKES_REFERENCES.match(model):  # the GPT image models; a gateway's others may not know it
            plan["quality"] = str(request.params.get("quality", DEFAULT_QUALITY))
        return plan

    def estimate_cost(self, request: GenerationRequest) -> float | None:
        """The published example price of such a picture, scaled by its pixels (output only: the
        prompt's few tokens cost a hundredth of a cent)."""
        try:
            plan = self._plan(request)
        except GenerationError:
            return None
        prices = USD_PER_PICTURE.get(plan["model"])
        width, height = (int(side) for side in plan["size"].split("x"))
        shape = "square" if width == height else "oblong"
        quality = "high" if plan.get("quality") == "auto" else plan.get("quality")
        if prices is None or quality not in prices[shape]:
            return None
        return round(prices[shape][quality] * width * height / (1024 * (1024 if shape == "square" else 1536)), 4)

    def _reference(self, request: GenerationRequest, model: str) -> tuple[Path | None, str | None]:
        """The reference picture to send, and what the provenance says about it."""
        if not request.reference_images:
            return None, None
        picture = request.reference_images[0]
        if _TAKES_REFERENCES.match(model):
            return picture, f"used: {picture.name}"
        return None, f"left out: {model} takes no picture here"

    async def _submit(self, request: GenerationRequest) -> Submission:
        arguments = self._plan(request)
        picture, note = self._reference(request, arguments["model"])
        if picture is not None:
            data, mime = read_input_image(picture, provider=self.provider, max_bytes=MAX_REFERENCE_BYTES)
            arguments["image"] = [(picture.name, data, mime)]
            raw = await self.sdk.call("making the picture",
                                      lambda client: client.images.with_raw_response.edit(**arguments), submits=True)
        else:
            raw = await self.sdk.call("making the picture",
                                      lambda client: client.images.with_raw_response.generate(**arguments), submits=True)
        answer = read_reply(ImagesAnswer, json_answer(raw, provider=self.provider, what="making the picture"),
                            provider=self.provider, what="making the picture")
        saved = await self._save(answer, self._stem(request, None))
        info: dict[str, Any] = {"model": arguments["model"], "size": arguments["size"], "seed": None,
                                "quality": arguments.get("quality")}
        if note is not None:
            info["reference_images"] = note
        cost = self._cost(arguments["model"], answer.usage)
        if cost is not None:
            info["cost_actual"] = cost
        return Submission(None, info, saved=saved)

    async def _save(self, answer: ImagesAnswer, stem: Path) -> SavedMedia:
        """The answer's first picture, saved whole and checked, whether inline or at a URL."""
        picture = answer.data[0]
        if picture.b64_json:
            try:
                data = base64.b64decode(picture.b64_json, validate=True)
            except ValueError:  # binascii.Error among them
                raise CloudOutputError(f"{self.provider} sent a picture Foundry cannot read (bad base64).",
                                       provider=self.provider) from None
            return await save_media(_one_chunk(data), stem, provider=self.provider, want="still",
                                    content_type=_MEDIA_TYPES.get(answer.output_format or "png", ""),
                                    expected_bytes=len(data), max_bytes=self.max_download_bytes,
                                    limits=self.transfer_limits)
        if picture.url:
            return await self.downloads.save("GET", picture.url, stem, what="downloading the picture", want="still")
        raise CloudOutputError(f"{self.provider} answered without a picture; generate the keyframe again.",
                               provider=self.provider)

    @staticmethod
    def _cost(model: str, usage: ImageUsage | None) -> float | None:
        """What the answer's usage costs at the model's published token prices."""
        prices = USD_PER_MILLION_TOKENS.get(model)
        if prices is None or usage is None:
            return None
        details = usage.input_tokens_details
        text, images = (details.text_tokens, details.image_tokens) if details else (usage.input_tokens, 0)
        return round((text * prices[0] + images * prices[1] + usage.output_tokens * prices[2]) / 1e6, 6)

    async def resume(
        self, server: str | None, remote_id: str, request: GenerationRequest, on_event: EventSink
    ) -> GenerationResult:
        """The picture is made while Foundry waits: nothing is left at the service to follow."""
        raise GenerationError(f"{self.provider} makes pictures while Foundry waits, so there is no job there to pick "
                              f"up again; make the keyframe again.")

    def _resume_info(self, request: GenerationRequest) -> dict[str, Any]:
        return {"model": request.model or self.default_model}

    async def _health_check(self) -> str:
        # The raw answer: only that it was answered matters (the SDK would parse it, unchecked).
        await self.sdk.call("checking the service",
                            lambda client: client.models.with_raw_response.retrieve(self.default_model), attempts=2)
        return f"{self.provider}: reachable, key accepted, {self.default_model} available."
