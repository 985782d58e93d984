"""The `stability` backend: still pictures from Stability AI, for keyframes.

Stability closed its video API in July 2025; its image API remains. A picture
is made while the request waits: `POST /v2beta/stable-image/generate/{core,
ultra,sd3}` with a multipart form (prompt, negative_prompt, aspect_ratio
nearest the project's, seed, output_format, and for sd3 the model) and
`Accept: image/*`, which answers the picture's bytes with its `finish-reason`
and `seed` in the headers. So the life cycle is submit = download: there is no
task to poll, cancel or resume, and the create call's answer is streamed to
disk and checked like any download. The take is a still PNG, held for the
shot's whole length (frames = the shot's frames).

A 403 is Stability's content moderation and a `CONTENT_FILTERED` finish reason
its filter blurring the result; both are refused in words, and a filtered
picture is not kept. With an input image, sd3 runs image-to-image (`strength`
from the shot's params, 0.6 by default); core and ultra take text only here.
A keyframe's reference picture (a character's) goes in the same way on sd3;
core and ultra leave it out, and the take's provenance says so.

It makes pictures only (`outputs`): asked for a video it refuses before sending
anything, so a keyframe made here is animated by a video backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import (
    EventSink,
    GenerationRequest,
    GenerationResult,
)
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.credentials import CloudCredentials, KeySource
from foundry_desktop.generation.cloud.errors import (
    CloudRefusedError,
    ContentModeratedError,
)
from foundry_desktop.generation.cloud.http import CloudApi
from foundry_desktop.generation.cloud.inputs import (
    nearest_aspect,
    read_input_image,
)
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import (
    CloudTaskBackend,
    Submission,
)

STABILITY_URL = "https://api.stability.ai"
ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
SEED_RANGE = 4294967295  # Stability takes seeds 0..4294967294
MAX_INPUT_IMAGE_BYTES = 9 * 1024**2  # the whole request may be 10 MiB
MAX_PICTURE_BYTES = 64 * 1024**2
DEFAULT_STRENGTH = 0.6
# Stability's published price of one picture, in credits, by service or sd3 model (its sd3
# endpoint without a model runs sd3.5-large). A model not listed: the price is not known here.
CREDITS_PER_PICTURE = {"ultra": 8.0, "core": 3.0, "sd3": 6.5, "sd3.5-large": 6.5, "sd3.5-large-turbo": 4.0,
                       "sd3.5-medium": 3.5, "sd3.5-flash": 2.5}


def _explain(body: Any) -> tuple[str, bool]:
    """Stability's error body: {"id", "name", "errors": [...]}; `content_moderation` is a moderation refusal."""
    if not isinstance(body, dict):
        return "", False
    errors = body.get("errors") or []
    detail = "; ".join(str(error) for error in errors) if isinstance(errors, list) else str(errors)
    return detail or str(body.get("name") or ""), body.get("name") == "content_moderation"


def _start_picture(request: GenerationRequest, service: str) -> Path | None:
    """The picture sd3 starts from: the input image, else a keyframe's reference picture (core and
    ultra take none: an input image is refused in words, a reference left out)."""
    if request.input_image is not None and service != "sd3":
        raise GenerationError(f"Stability AI's {service} makes pictures from text only here; choose an sd3 "
                              f"model to start from the input image, or remove it.")
    if request.input_image is not None:
        return request.input_image
    return request.reference_images[0] if request.reference_images and service == "sd3" else None


class StabilityBackend(CloudTaskBackend):
    """Stability AI stills; see the module docstring.

    `http` is the app's shared client; `api_key` the key or a callable returning
    it (read at each call); `default_model` ("core", "ultra", "sd3" or an sd3
    model such as "sd3.5-large") serves shots naming none.
    """

    name = "stability"
    provider = "Stability AI"
    cost_unit = "stability-credits"
    outputs = frozenset({"still"})

    def __init__(
        self, http: httpx.AsyncClient, api_key: KeySource, *, base_url: str = STABILITY_URL,
        default_model: str = "core", output_format: str = "png", retry: RetryPolicy | None = None,
        max_download_bytes: int = MAX_PICTURE_BYTES, transfer_limits: TransferLimits | None = None,
    ) -> None:
        super().__init__(CloudCredentials(self.provider, api_key))
        self.default_model, self.output_format = default_model, output_format
        self.api = CloudApi(self.provider, http, self.credentials, base_url=base_url, explain=_explain,
                            retry=retry or RetryPolicy(), max_download_bytes=max_download_bytes,
                            limits=transfer_limits)

    @staticmethod
    def _service(model: str) -> tuple[str, str | None]:
        """(endpoint, sd3 model field) for a shot's model."""
        model = model.strip().lower()
        if model in ("core", "ultra", "sd3"):
            return model, None
        if model.startswith("sd3"):
            return "sd3", model
        raise GenerationError(f"{model!r} is not a Stability AI image service: use core, ultra, sd3 or an sd3 "
                              f"model such as sd3.5-large.")

    def estimate_cost(self, request: GenerationRequest) -> float | None:
        try:
            service, sd3_model = self._service(request.model or self.default_model)
        except GenerationError:
            return None  # generate() says what is wrong
        return CREDITS_PER_PICTURE.get(sd3_model or service)

    def _form(self, request: GenerationRequest, service: str, sd3_model: str | None) -> dict[str, Any]:
        """The multipart form, as httpx `files` (a plain field is (None, value))."""
        if not request.prompt.strip():
            raise GenerationError("A Stability AI shot needs a prompt.")
        fields: dict[str, str] = {"prompt": request.prompt.strip(), "output_format": self.output_format,
                                  "seed": str(request.seed % SEED_RANGE)}
        if request.negative_prompt.strip():
            fields["negative_prompt"] = request.negative_prompt.strip()
        if sd3_model is not None:
            fields["model"] = sd3_model
        form: dict[str, Any] = {}
        start = _start_picture(request, service)
        if start is not None:
            data, mime = read_input_image(start, provider=self.provider, max_bytes=MAX_INPUT_IMAGE_BYTES)
            fields["mode"] = "image-to-image"
            fields["strength"] = str(request.params.get("strength", DEFAULT_STRENGTH))
            form["image"] = (start.name, data, mime)
        else:  # image-to-image takes the picture's own aspect
            fields["aspect_ratio"] = nearest_aspect(request.width, request.height, ASPECT_RATIOS)
        return {**{name: (None, value) for name, value in fields.items()}, **form}

    # -- the life cycle's hooks ----------------------------------------------

    async def _submit(self, request: GenerationRequest) -> Submission:
        service, sd3_model = self._service(request.model or self.default_model)
        form = self._form(request, service, sd3_model)
        verdict: dict[str, Any] = {}

        def inspect(headers: httpx.Headers) -> None:
            reason = headers.get("finish-reason", "SUCCESS").strip().upper()
            if reason == "CONTENT_FILTERED":
                raise ContentModeratedError(
                    "Stability AI's content filter blurred the picture it made (CONTENT_FILTERED), so Foundry did "
                    "not keep it. Change the prompt and generate again.", provider=self.provider,
                )
            if reason not in ("SUCCESS", ""):
                raise CloudRefusedError(f"Stability AI did not finish the picture ({reason}).", provider=self.provider)
            verdict["seed"] = headers.get("seed")

        saved = await self.api.save(
            "POST", f"/v2beta/stable-image/generate/{service}", self._stem(request, None), what="making the picture",
            want="still", submits=True, authorized=True, inspect=inspect, files=form, headers={"Accept": "image/*"},
        )
        seed = verdict.get("seed")
        info = {"model": sd3_model or service, "service": service,
                "seed": int(seed) if seed and seed.isdigit() else None,
                "aspect_ratio": form.get("aspect_ratio", (None, None))[1]}
        if request.reference_images:
            info["reference_images"] = (f"used: {form['image'][0]}" if "image" in form else
                                        f"left out: Stability AI's {service} takes no picture (sd3 does)")
        return Submission(None, info, saved=saved)

    async def resume(
        self, server: str | None, remote_id: str, request: GenerationRequest, on_event: EventSink
    ) -> GenerationResult:
        """Stability makes a picture while Foundry waits: nothing is left at Stability to follow."""
        raise GenerationError("Stability AI makes pictures while Foundry waits, so there is no job there to pick up "
                              "again; generate the shot again.")

    async def _health_check(self) -> str:
        self.credentials.key()  # raises, in words, when there is none
        return "Stability AI: key set (not checked: Stability has no free call to check it with)."
