"""Runway's video models, as data: what each takes on /v1/text_to_video and /v1/image_to_video.

Source: runwayml/sdk-python 5.13.0 (2026-07), src/runwayml/types/text_to_video_create_params.py
and image_to_video_create_params.py, one TypedDict per model; checked 2026-12-07. From there:
the ratios (the `ratio` Literals), which fields are Required, prompt lengths, the Literal
durations (Veo) and the stated ranges (gen4.5 2-10 s, gemini_omni_flash 3-10 s), which
models have a `seed` (gen4.5 and gen4_turbo only), which take a last frame (a `promptImage`
item with position "last": the Veo 3.1 pair and the Seedance 2 family) and references
(Seedance 2's `references`, up to 9 pictures, on text to video; on image to video they
cannot be mixed with first/last frames, so none are sent there).

Where the SDK only says `duration: int`, the range is the one published elsewhere, and
says so: gen4_turbo 2-10 s (Runway's own API reference, runwayml/skills rw-api-reference),
the Seedance 2 family 4-15 s (ByteDance's published range; Runway's reference: "up to 15s"),
HappyHorse 3-15 s (Alibaba's published range). The seed range 0..4294967295 is the API
reference's (the SDK says int).

Prices are Runway's published credits per second, from runwayml/skills (rw-api-reference,
rw-integrate-video, README and scripts/runway_helpers.py) at the latest commit of its main that
could be fetched, 2026-04-21 (c5674fd), which lists only seedance2 36, gen4.5 12, gen4_turbo 5,
veo3 40, veo3.1 20-40 and veo3.1_fast 10-15 (the estimate takes the upper: audio costs more).
Runway still publishes no API credit price for seedance2_fast, seedance2_mini, happyhorse_1_0
and gemini_omni_flash in any first-party source that could be read (rechecked 2026-12-07; the
repository's later runway-dev skills list no prices, sending readers to the API's list_models):
their price is None, not known beforehand. A budget cannot guard such a shot, and a creator with
a budget set is told so before anything is sent (app/generation/cost.py, unguarded_words).

Left out on purpose: `aleph2` (video to video: it changes a video a shot does not send),
and `gen3a_turbo` and `gen4_aleph`, which Runway removed on 2026-06-10 (`RETIRED_MODELS`).
Optional fields the shot has no use for (audio, resolution, contentModeration, referenceAudio,
referenceVideos) are not sent, so each model's own default holds.
"""

from __future__ import annotations

from collections.abc import Mapping

from foundry_desktop.generation.cloud.catalog.video_models import EndpointShape, Price, VideoModel
from foundry_desktop.generation.cloud.inputs import JPEG, PNG, WEBP, PictureRules

SOURCE = "runwayml/sdk-python 5.13.0: types/text_to_video_create_params.py, image_to_video_create_params.py"
CHECKED = "2026-12-07"
# "up to 5MB" for a base64 data URI (the SDK's promptImage docs): the data URI itself, which base64
# makes 4/3 the picture's size. Counted in decimal megabytes, the stricter reading.
MAX_DATA_URI_BYTES = 5_000_000
# The largest picture whose data URI fits, with room for the longest "data:image/...;base64," head.
MAX_INLINE_PICTURE_BYTES = (MAX_DATA_URI_BYTES - 32) // 4 * 3
SEED_RANGE = (0, 4_294_967_295)
MAX_UPLOAD_BYTES = 200 * 1000**2  # Runway's limit for a picture sent by upload (its API reference)
# "Images: JPEG, PNG, WebP (no GIF)", up to 200 MB by upload (runwayml/skills, rw-api-reference, Input
# Requirements); Runway publishes no smallest size or aspect range for a picture, so none is checked.
PICTURES = PictureRules(formats=(PNG, JPEG, WEBP), max_bytes=MAX_UPLOAD_BYTES,
                        source="runwayml/skills rw-api-reference: Input Requirements")

GEN4_RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
WIDE_TALL = ("1280:720", "720:1280")
VEO_RATIOS = ("1280:720", "720:1280", "1080:1920", "1920:1080")
HAPPYHORSE_RATIOS = ("1280:720", "720:1280", "960:960", "1108:832", "832:1108", "1920:1080", "1080:1920",
                     "1440:1440", "1662:1248", "1248:1662")
SEEDANCE_720P_RATIOS = ("992:432", "864:496", "752:560", "640:640", "560:752", "496:864", "1470:630", "1280:720",
                        "1112:834", "960:960", "834:1112", "720:1280")
SEEDANCE_RATIOS = SEEDANCE_720P_RATIOS + ("2206:946", "1920:1080", "1664:1248", "1440:1440", "1248:1664",
                                          "1080:1920", "3840:1646", "3840:2160", "3840:2880", "3840:3840",
                                          "2880:3840", "2160:3840")


def _seconds(first: int, last: int) -> tuple[float, ...]:
    return tuple(float(s) for s in range(first, last + 1))


def _shape(ratios: tuple[str, ...], durations: tuple[float, ...], *, prompt: bool, prompt_units: int | None,
           seed: bool = False, last_frame: bool = False, references: int = 0) -> EndpointShape:
    return EndpointShape(ratios=ratios, durations=durations, prompt_required=prompt, max_prompt_units=prompt_units,
                         seed_range=SEED_RANGE if seed else None, last_frame=last_frame, max_references=references,
                         max_inline_image_bytes=MAX_INLINE_PICTURE_BYTES, pictures=PICTURES)


def _model(model_id: str, label: str, text: EndpointShape | None, image: EndpointShape | None,
           credits_per_second: float | None, notes: str = "") -> VideoModel:
    endpoints = {name: shape for name, shape in (("text_to_video", text), ("image_to_video", image)) if shape}
    price = Price(credits_per_second, "runway-credits") if credits_per_second is not None else None
    return VideoModel(model_id, "runway", label, endpoints, price, SOURCE, CHECKED, notes)  # type: ignore[arg-type]


def _veo(model_id: str, label: str, durations: tuple[float, ...], credits: float, *, last_frame: bool,
         notes: str) -> VideoModel:
    return _model(model_id, label,
                  _shape(VEO_RATIOS, durations, prompt=True, prompt_units=1000),
                  _shape(VEO_RATIOS, durations, prompt=False, prompt_units=1000, last_frame=last_frame),
                  credits, notes)


def _seedance(model_id: str, label: str, ratios: tuple[str, ...], credits: float | None, notes: str) -> VideoModel:
    return _model(model_id, label,
                  _shape(ratios, _seconds(4, 15), prompt=True, prompt_units=3500, references=9),
                  _shape(ratios, _seconds(4, 15), prompt=False, prompt_units=3500, last_frame=True),
                  credits, notes)


_MODELS = (
    _model("gen4.5", "Gen-4.5",
           _shape(WIDE_TALL, _seconds(2, 10), prompt=True, prompt_units=1000, seed=True),
           _shape(GEN4_RATIOS, _seconds(2, 10), prompt=True, prompt_units=1000, seed=True), 12.0,
           "Runway's default; from text only 16:9 or 9:16"),
    _model("gen4_turbo", "Gen-4 Turbo", None,
           _shape(GEN4_RATIOS, _seconds(2, 10), prompt=False, prompt_units=1000, seed=True), 5.0,
           "from a picture only; 2-10 s from Runway's API reference"),
    _veo("veo3.1", "Veo 3.1", (4.0, 6.0, 8.0), 40.0, last_frame=True,
         notes="first and last frames; 20-40 credits a second, the estimate takes 40"),
    _veo("veo3.1_fast", "Veo 3.1 Fast", (4.0, 6.0, 8.0), 15.0, last_frame=True,
         notes="first and last frames; 10-15 credits a second, the estimate takes 15"),
    _veo("veo3", "Veo 3", (8.0,), 40.0, last_frame=False, notes="8 s clips only"),
    _model("happyhorse_1_0", "HappyHorse 1.0",
           _shape(HAPPYHORSE_RATIOS, _seconds(3, 15), prompt=True, prompt_units=2500),
           _shape((), _seconds(3, 15), prompt=False, prompt_units=2500), None,
           "from a picture, the video keeps the picture's shape; 3-15 s is Alibaba's published range"),
    _seedance("seedance2", "Seedance 2", SEEDANCE_RATIOS, 36.0, "480p to 4K; 4-15 s is ByteDance's published range"),
    _seedance("seedance2_fast", "Seedance 2 Fast", SEEDANCE_720P_RATIOS, None,
              "480p and 720p only; 4-15 s is ByteDance's published range"),
    _seedance("seedance2_mini", "Seedance 2 Mini", SEEDANCE_720P_RATIOS, None,
              "480p and 720p only; 4-15 s is ByteDance's published range"),
    _model("gemini_omni_flash", "Gemini Omni Flash",
           _shape(WIDE_TALL, _seconds(3, 10), prompt=True, prompt_units=None),
           _shape(WIDE_TALL, _seconds(3, 10), prompt=False, prompt_units=None), None, "16:9 or 9:16 only"),
)
RUNWAY_VIDEO_MODELS: Mapping[str, VideoModel] = {model.id: model for model in _MODELS}
DEFAULT_RUNWAY_MODEL = "gen4.5"

# Models that take a negativePrompt (the Veo TypedDicts'; no other model has the field).
NEGATIVE_PROMPT_MODELS = frozenset({"veo3", "veo3.1", "veo3.1_fast"})

# Names a saved project or setting may still hold, and what to say about them.
RETIRED_MODELS: Mapping[str, str] = {
    "gen3a_turbo": "Runway removed gen3a_turbo on 2026-06-10",
    "gen4_aleph": "Runway removed gen4_aleph on 2026-06-10",
    "aleph2": "Runway's aleph2 changes an existing video (video to video), which a shot does not send",
}
