"""The `replicate` backend: any model on Replicate (api.replicate.com), named by the shot.

A shot's model is `owner/name` (the model's current version), `owner/name:VERSION`
or a bare 64-character version id. Models take different inputs, so Foundry
asks Replicate for the model's input schema (`GET /v1/models/{owner}/{name}`,
its `latest_version.openapi_schema`; cached) and fills only the inputs the
model has: prompt, negative_prompt, seed, the input image in the model's image
input (and a last frame in its last-frame input), duration / num_frames / fps /
aspect_ratio fitted to what the schema allows (replicate_schema.py), and any of
the shot's params the schema names. Any model on Replicate works so; the models
whose published schema was read beforehand (catalog/replicate_models.py) also say
what will be sent before anything is asked (`request_shape`), refuse a shot they
cannot take before any call, and take their length and aspect ratio from that table
(none where it sends none: Kling 3.0 ignores aspect_ratio given a start image).

Pictures go as data URLs up to 256 KB (Replicate's advice) and through
Replicate's files API when larger (replicate_files.py).

Keyframes (`output="still"`) run an image model, black-forest-labs/flux-schnell
unless the shot names one: one PNG picture (`num_outputs` 1), in the aspect ratio
nearest the project's, with a character's reference picture in the model's
image input where it has one (left out otherwise, and the provenance says so).
A model with video inputs (duration, frames, fps) is refused a still before
anything is sent.

`owner/name` runs on `POST /v1/models/{owner}/{name}/predictions` (official
models); a model that has no such endpoint answers 404 (nothing was created)
and runs on `POST /v1/predictions` with its latest version instead. The
prediction is followed on `GET /v1/predictions/{id}` and cancelled with
`POST /v1/predictions/{id}/cancel`; its output is a URL or a list of URLs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest, OutputKind
from foundry_desktop.generation.cloud.credentials import CloudCredentials, KeySource
from foundry_desktop.generation.cloud.errors import (
    CloudOutputError,
    CloudRefusedError,
)
from foundry_desktop.generation.cloud.http import CloudApi
from foundry_desktop.generation.cloud.catalog.replicate_models import REPLICATE_MODELS
from foundry_desktop.generation.cloud.catalog.video_models import Endpoint, RequestShape, VideoModel, shape_request
from foundry_desktop.generation.cloud.inputs import shot_seconds
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.media_download import DEFAULT_MAX_DOWNLOAD_BYTES, SavedMedia
from foundry_desktop.generation.cloud.providers.replicate_files import picture_input
from foundry_desktop.generation.cloud.providers.replicate_schema import (
    LAST_FRAME_INPUTS,
    fit_aspect,
    fit_value,
    image_input,
    resolve_property,
)
from foundry_desktop.generation.cloud.replies import read_reply
from foundry_desktop.generation.cloud.replies.replicate import (
    Account,
    ModelVersion,
    Prediction,
    PredictionState,
    ReplicateModel,
    clean_property,
)
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import (
    CloudTaskBackend,
    PollPolicy,
    Submission,
    SubmittedHook,
    TaskStatus,
    known_phase,
)

REPLICATE_URL = "https://api.replicate.com"
_VERSION_ID = re.compile(r"^[0-9a-f]{64}$")
_MODEL_NAME = re.compile(r"^[\w.-]+/[\w.-]+$")
# Inputs only a video model has: such a model cannot make a keyframe.
_VIDEO_INPUTS = ("duration", "num_frames", "fps", "frames", "seconds", "video_length")
DEFAULT_STILL_MODEL = "black-forest-labs/flux-schnell"
_PHASES = {"starting": "queued", "processing": "running", "succeeded": "succeeded", "failed": "failed",
           "canceled": "cancelled", "aborted": "failed"}
_PERCENT = re.compile(r"(\d{1,3})%\|")  # tqdm's progress lines, which most models' logs carry
_VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".gif")


@dataclass(frozen=True)
class _ModelRef:
    name: str | None  # "owner/name"
    version: str | None


@dataclass(frozen=True)
class _PictureSlot:
    """A picture and the model's input that takes it (a list of pictures when `array`)."""

    input: str
    path: Path
    array: bool
    role: str  # "input image", "last frame", "reference picture": said when it is uploaded


@dataclass(frozen=True)
class ModelInputs:
    """A model's input schema (None: not known, for a bare version id) and its latest version."""

    properties: Mapping[str, dict[str, Any]] | None
    required: tuple[str, ...]
    latest_version: str | None


def _parse_model(text: str) -> _ModelRef:
    name, _, version = text.strip().partition(":")
    if not version and _VERSION_ID.match(name):
        return _ModelRef(None, name)
    if _MODEL_NAME.match(name) and (not version or _VERSION_ID.match(version)):
        return _ModelRef(name, version or None)
    raise GenerationError(f"{text!r} is not a Replicate model: give it as owner/name (for example "
                          f"minimax/hailuo-02), owner/name:version, or a 64-character version id.")


def _explain(body: Any) -> tuple[str, bool]:
    """Replicate's problem details: {"title", "detail", "status", "invalid_fields"?}."""
    if not isinstance(body, dict):
        return "", False
    detail = str(body.get("detail") or body.get("title") or "")
    return "; ".join(line.strip(" -") for line in detail.splitlines() if line.strip(" -")), False


def _failure_words(error: str) -> tuple[str, bool]:
    """A failed prediction's error as a creator reads it; True when the model refused the content."""
    error = error.strip() or "no reason given"
    if "E005" in error or "sensitive" in error.lower() or "nsfw" in error.lower():
        words = (f"The model on Replicate refused this shot as sensitive content ({error}). Change the prompt "
                 f"or the input image and generate again.")
        return words, True
    return f"The model on Replicate failed: {error}", False


def _check_makes_stills(model: str, schema: ModelInputs) -> None:
    """Refuse a keyframe of a model whose inputs say it makes videos (before anything is sent)."""
    video_inputs = [name for name in _VIDEO_INPUTS if name in (schema.properties or {})]
    if video_inputs:
        raise GenerationError(f"{model} on Replicate makes videos (it takes {', '.join(video_inputs)}), not still "
                              f"pictures: choose an image model for keyframes, such as {DEFAULT_STILL_MODEL}.")


def _reference_note(request: GenerationRequest, model: str, schema: ModelInputs) -> str:
    """The provenance of a keyframe's reference picture: whether it went into the model (see _picture)."""
    if request.input_image is not None:
        return "left out: the input image takes the model's picture input"
    if schema.properties is None or image_input(schema.properties, still=True) is None:
        return f"left out: {model} on Replicate takes no picture"
    return f"used: {request.reference_images[0].name}"


def _follow_table(shape: RequestShape, inputs: dict[str, Any], params: Mapping[str, Any]) -> None:
    """A listed model is sent the length and ratio its table chose (what the estimate and the
    inspector said), and no ratio where the table sends none (Kling 3.0 from a picture: the
    model ignores it there). A shot's own params keep the last word."""
    if shape.duration_s is not None and "duration" in inputs and "duration" not in params:
        inputs["duration"] = int(shape.duration_s) if shape.duration_s.is_integer() else shape.duration_s
    if "aspect_ratio" in inputs and "aspect_ratio" not in params:
        if shape.ratio is None:
            del inputs["aspect_ratio"]
        else:
            inputs["aspect_ratio"] = shape.ratio


def _progress(logs: Any) -> float | None:
    found = _PERCENT.findall(logs) if isinstance(logs, str) else []
    return min(100, int(found[-1])) / 100 if found else None


def _output_urls(output: Any) -> tuple[str, ...]:
    items = output if isinstance(output, list) else [output]
    return tuple(item for item in items if isinstance(item, str) and item.startswith(("https://", "http://")))


class ReplicateBackend(CloudTaskBackend):
    """Replicate predictions; see the module docstring.

    `http` is the app's shared client; `api_key` the token or a callable
    returning it (read at each call); `default_model` serves shots naming none,
    `default_still_model` their keyframes.
    """

    name = "replicate"
    provider = "Replicate"
    cost_unit = "replicate-seconds"  # its predict time: what a model billed by hardware time is charged for
    outputs: frozenset[OutputKind] = frozenset({"video", "still", "sound"})

    def __init__(
        self, http: httpx.AsyncClient, api_key: KeySource, *, base_url: str = REPLICATE_URL,
        default_model: str | None = None, default_still_model: str = DEFAULT_STILL_MODEL,
        retry: RetryPolicy | None = None, poll: PollPolicy | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES, on_submitted: SubmittedHook | None = None,
        transfer_limits: TransferLimits | None = None,
    ) -> None:
        super().__init__(CloudCredentials(self.provider, api_key), poll=poll, on_submitted=on_submitted)
        self.default_model, self.default_still_model = default_model, default_still_model
        # The documented base ends in /v1 while the paths start with it: take either.
        root = base_url.rstrip("/").removesuffix("/v1")
        self.api = CloudApi(self.provider, http, self.credentials, base_url=root, explain=_explain,
                            retry=retry or RetryPolicy(), max_download_bytes=max_download_bytes,
                            limits=transfer_limits)
        self._schemas: dict[str, ModelInputs] = {}

    async def model_inputs(self, model: str) -> ModelInputs:
        """The model's input schema, asked of Replicate once per model and kept."""
        ref = _parse_model(model)
        key = f"{ref.name}:{ref.version}"
        if key not in self._schemas:
            self._schemas[key] = await self._fetch_inputs(ref)
        return self._schemas[key]

    async def _fetch_inputs(self, ref: _ModelRef) -> ModelInputs:
        if ref.name is None:  # a bare version id: Replicate only describes versions under their model
            return ModelInputs(None, (), ref.version)
        what = f"looking up the model {ref.name}"
        if ref.version is None:
            body = await self.api.call("GET", f"/v1/models/{ref.name}", what=what)
            version = read_reply(ReplicateModel, body or {}, provider=self.provider, what=what).latest_version
        else:
            body = await self.api.call("GET", f"/v1/models/{ref.name}/versions/{ref.version}", what=what)
            version = read_reply(ModelVersion, body or {}, provider=self.provider, what=what)
        version = version or ModelVersion()
        schema = version.inputs()
        if schema is None:
            return ModelInputs(None, (), version.id)
        components = version.components()
        properties = {name: clean_property(resolve_property(spec, components))
                      for name, spec in (schema.properties or {}).items()}
        return ModelInputs(properties, tuple(schema.required or ()), version.id)

    def _inputs(self, request: GenerationRequest, schema: ModelInputs) -> dict[str, Any]:
        """The prediction's input but its pictures (see _pictures): what the shot says, in the inputs
        this model has."""
        props = schema.properties
        has = (lambda name: True) if props is None else (lambda name: name in props)
        spec = (lambda name: {}) if props is None else (lambda name: props[name])
        inputs: dict[str, Any] = {}
        if request.prompt.strip() and has("prompt"):
            inputs["prompt"] = request.prompt.strip()
        if request.negative_prompt.strip() and has("negative_prompt"):
            inputs["negative_prompt"] = request.negative_prompt.strip()
        if has("seed"):
            maximum = spec("seed").get("maximum")
            inputs["seed"] = request.seed % (int(maximum) + 1) if isinstance(maximum, (int, float)) and maximum >= 0 else request.seed
        if props is not None and request.output == "still":
            fit_aspect(request, props, inputs)
            if "num_outputs" in props:
                inputs["num_outputs"] = 1  # one take; variants are takes of their own, each with its seed
            if "png" in (props.get("output_format") or {}).get("enum", ()):
                inputs["output_format"] = "png"  # a keyframe becomes an input image: the format all take
        elif props is not None:
            self._fit_timing(request, props, inputs)
        inputs.update({key: value for key, value in request.params.items() if has(key)})
        return {key: value for key, value in inputs.items() if value is not None}

    def _pictures(self, request: GenerationRequest, model: str,
                  props: Mapping[str, dict[str, Any]] | None) -> list[_PictureSlot]:
        """Where the pictures go: the shot's input image (or a keyframe's reference picture) in the
        model's image input, and its last frame in the model's last-frame input. A reference the
        model has no input for is left out; an input image it has no input for is refused."""
        reference = request.reference_images[0] if request.output == "still" and request.reference_images else None
        picture = request.input_image or reference
        if picture is None:
            return []
        first_input = image_input(props, still=request.output == "still") if props is not None else None
        if first_input is None:
            if request.input_image is None:
                return []  # _submit says so in the provenance
            why = (f"{model} on Replicate has no input for a picture" if props is not None else
                   "Foundry cannot tell which input of a model given by version id alone takes a picture "
                   "(give it as owner/name:version)")
            raise GenerationError(f"{why}. Remove the shot's input image or choose another model.")
        slots = [_PictureSlot(first_input, picture, bool(props and props[first_input].get("type") == "array"),
                              "input image" if request.input_image is not None else "reference picture")]
        last_input = next((name for name in LAST_FRAME_INPUTS if name in (props or {})), None)
        if request.last_image is not None and request.output == "video" and last_input is not None:
            slots.append(_PictureSlot(last_input, request.last_image, False, "last frame"))
        return slots

    @staticmethod
    def _fit_timing(request: GenerationRequest, props: Mapping[str, dict[str, Any]], inputs: dict[str, Any]) -> None:
        """Duration, frames, rate and aspect, only where the model has them, as its schema allows."""
        seconds = shot_seconds(request)
        rate = float(Fraction(request.frame_rate))
        if "fps" in props:
            inputs["fps"] = fit_value(props["fps"], rate)
            rate = float(inputs["fps"] or rate)
        if "duration" in props:
            inputs["duration"] = fit_value(props["duration"], seconds)
        if "num_frames" in props:
            inputs["num_frames"] = fit_value(props["num_frames"], seconds * rate)
        fit_aspect(request, props, inputs)

    @staticmethod
    def _check_required(model: str, schema: ModelInputs, inputs: Collection[str]) -> None:
        """Refuse before submitting when the model needs an input the shot does not give."""
        props = schema.properties or {}
        missing = [name for name in schema.required if name not in inputs and "default" not in props.get(name, {})]
        if not missing:
            return
        if image_input(props) in missing:
            raise GenerationError(f"{model} on Replicate starts from a picture: give the shot an input image.")
        raise GenerationError(f"{model} on Replicate needs inputs the shot does not give: {', '.join(missing)}. "
                              f"Set them in the shot's parameters.")

    # -- the life cycle's hooks ----------------------------------------------

    def _model_for(self, request: GenerationRequest) -> str:
        default = self.default_still_model if request.output == "still" else self.default_model
        return (request.model or default or "").strip()

    def _listed(self, request: GenerationRequest) -> VideoModel | None:
        """The table's entry for the shot's video model, if it has one."""
        return REPLICATE_MODELS.get(self._model_for(request).partition(":")[0]) if request.output == "video" else None

    def request_shape(self, request: GenerationRequest) -> RequestShape:
        """What will be sent for the shot, from the table where the model has an entry (refused here,
        in words, when the model cannot take it); for any other model, only what is known before
        Replicate is asked for its inputs. Nothing is sent."""
        model = self._model_for(request)
        known = self._listed(request)
        if known is not None:
            return shape_request(known, request, provider_words=self.provider)
        endpoint: Endpoint = "image_to_video" if request.input_image is not None else "text_to_video"
        return RequestShape(model or "(no model)", endpoint, None, None, None, None, notes=(
            "Replicate is asked for this model's inputs when the shot runs: its length, shape and seed are "
            "fitted to them then",))

    async def _submit(self, request: GenerationRequest) -> Submission:
        model = self._model_for(request)
        if not model:
            raise GenerationError("A Replicate shot needs a model, as owner/name (for example minimax/hailuo-02).")
        ref = _parse_model(model)
        shape = self.request_shape(request)  # a model with an entry refuses what it cannot take, before any call
        schema = await self.model_inputs(model)
        if request.output == "still":
            _check_makes_stills(model, schema)
        inputs = self._inputs(request, schema)
        if self._listed(request) is not None:
            _follow_table(shape, inputs, request.params)
        pictures = self._pictures(request, model, schema.properties)
        self._check_required(model, schema, {*inputs, *(slot.input for slot in pictures)})
        listed = self._listed(request)
        rules = listed.endpoints[shape.endpoint].pictures if listed is not None else None
        who = f"{self.provider}'s {listed.label}" if listed is not None else ""
        for slot in pictures:  # uploaded (when large) only once the shot is known to be sendable
            value = await picture_input(self.api, slot.path, role=slot.role, rules=rules, who=who)
            inputs[slot.input] = [value] if slot.array else value
        answer = await self._create(ref, schema, inputs)
        prediction = read_reply(Prediction, answer, provider=self.provider,
                                what="submitting the shot (it may have started: check Replicate's dashboard)")
        info = {"model": model, "version": prediction.version}
        if request.output == "still" and request.reference_images:
            info["reference_images"] = _reference_note(request, model, schema)
        return Submission(prediction.id, info, self._parse(prediction, prediction.id))

    async def _create(self, ref: _ModelRef, schema: ModelInputs, inputs: dict[str, Any]) -> Any:
        """The create call: by version when one is named; by model name (official models), and by its
        latest version when the model path answers 404 (community models; nothing was created)."""
        what = "submitting the shot"
        if ref.version is not None:
            version = f"{ref.name}:{ref.version}" if ref.name else ref.version
            return await self.api.call("POST", "/v1/predictions", json={"version": version, "input": inputs},
                                       what=what, submits=True)
        try:
            return await self.api.call("POST", f"/v1/models/{ref.name}/predictions", json={"input": inputs},
                                       what=what, submits=True)
        except CloudRefusedError as exc:
            if exc.status != 404 or not schema.latest_version:
                raise
        return await self.api.call(
            "POST", "/v1/predictions", json={"version": f"{ref.name}:{schema.latest_version}", "input": inputs},
            what=what, submits=True,
        )

    def _parse(self, prediction: Prediction, remote_id: str) -> TaskStatus:
        word = prediction.status
        phase = known_phase(_PHASES, word, provider="Replicate", kind="prediction", remote_id=remote_id)
        predict_time = (prediction.metrics or {}).get("predict_time")
        info = ({"cost_actual": predict_time} if isinstance(predict_time, (int, float)) and not isinstance(predict_time, bool)
                and math.isfinite(predict_time) and predict_time >= 0 else {})
        if phase == "failed":
            error = prediction.error
            if isinstance(error, dict):
                error = error.get("detail") or error.get("message") or ""
            words, moderated = _failure_words(str(error or word))
            return TaskStatus("failed", words=word, failure=words, moderated=moderated, info=info)
        return TaskStatus(phase, _progress(prediction.logs), word, outputs=_output_urls(prediction.output), info=info)

    async def _status(self, remote_id: str) -> TaskStatus:
        what = "checking on the prediction"
        body = await self.api.call("GET", f"/v1/predictions/{remote_id}", what=what)
        return self._parse(read_reply(PredictionState, body, provider=self.provider, what=what, remote_id=remote_id),
                           remote_id)

    async def _fetch(self, remote_id: str, status: TaskStatus, stem: Path) -> SavedMedia:
        if not status.outputs:
            raise CloudOutputError(f"The model on Replicate finished ({remote_id}) but returned no file (it may "
                                   f"make text, not pictures).", provider=self.provider, remote_id=remote_id)
        videos = [url for url in status.outputs if url.split("?")[0].lower().endswith(_VIDEO_SUFFIXES)]
        url = (videos or list(status.outputs))[0]
        return await self.api.save("GET", url, stem, what="downloading the output", want="any")

    async def _cancel_remote(self, remote_id: str) -> None:
        await self.api.call("POST", f"/v1/predictions/{remote_id}/cancel", what="cancelling the prediction",
                            attempts=3)

    def _resume_info(self, request: GenerationRequest) -> dict[str, Any]:
        return {"model": self._model_for(request) or None}

    async def _health_check(self) -> str:
        body = await self.api.call("GET", "/v1/account", what="checking the account", attempts=2)
        user = read_reply(Account, body or {}, provider=self.provider, what="checking the account").username
        return f"Replicate: signed in as {user}." if user else "Replicate: key accepted."
