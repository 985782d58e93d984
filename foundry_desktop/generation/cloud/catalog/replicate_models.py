"""What the Replicate video models Foundry names (in its examples and messages) accept.

Replicate describes every model's inputs itself (`GET /v1/models/{owner}/{name}`, its
`latest_version.openapi_schema`), and the backend reads that schema when a shot runs, so
any model on Replicate works without an entry here. These entries are for the models whose
published schema was read beforehand, so that `foundry cloud list`, the inspector and
`generate --estimate` can say what will be sent before anything is asked of Replicate, and
so that a shot the model cannot take is refused before any call.

Pictures: a data URL only up to 256 KB (Replicate's advice); a larger picture goes through
Replicate's files API first (`POST /v1/files`), and the prediction gets the file's URL.
Neither model takes a seed. Hailuo 02 takes no aspect ratio (16:9 from text, the picture's
shape from a picture); Kling 3.0 takes one from text only ("Ignored when start_image is
provided"), so none is sent with a picture. Replicate bills both per prediction by its own
rule (resolution, length, sound), and no first-party page read states a price per second
(a reseller's listing, lumenfall.ai, gives $0.168 for kling-v3-video: not Replicate's word),
so no estimate is kept: the actual cost is the prediction's predict time.
"""

from __future__ import annotations

from collections.abc import Mapping

from foundry_desktop.generation.cloud.catalog.video_models import EndpointShape, VideoModel
from foundry_desktop.generation.cloud.inputs import JPEG, PNG, WEBP, PictureRules

MAX_DATA_URL_BYTES = 256 * 1024  # Replicate: data URLs for files up to 256 KB; larger ones are uploaded
CHECKED = "2026-12-05"

# MiniMax's own rule for Hailuo's first and last frames (its API reference, platform.minimax.io,
# video generation: first_frame_image): JPG, JPEG, PNG or WebP, under 20 MB, the shorter side over
# 300 px, an aspect ratio between 2:5 and 5:2. Replicate's schema says nothing of it; the model fails
# a picture outside it once it runs (billed).
HAILUO_02_PICTURES = PictureRules(formats=(PNG, JPEG, WEBP), min_side=300, aspect_range=(0.4, 2.5),
                                  max_bytes=20 * 1000**2, source="MiniMax API reference, first_frame_image")

HAILUO_02 = VideoModel(
    id="minimax/hailuo-02", provider="replicate", label="Hailuo 02 (MiniMax)",
    endpoints={
        # duration's enum is 6 and 10, but "10 seconds is only available for 768p resolution" and the
        # resolution defaults to 1080p: 6 s unless the shot's params ask for resolution 768p and duration 10.
        "text_to_video": EndpointShape(durations=(6.0,), max_inline_image_bytes=MAX_DATA_URL_BYTES),
        "image_to_video": EndpointShape(durations=(6.0,), last_frame=True, max_inline_image_bytes=MAX_DATA_URL_BYTES,
                                        pictures=HAILUO_02_PICTURES),
    },
    source="replicate.com/minimax/hailuo-02/versions/c43b610e…/api (input schema: prompt, first_frame_image, "
           "last_frame_image, duration 6|10, resolution 512p|768p|1080p, prompt_optimizer)",
    checked=CHECKED,
    notes="16:9 from text, the picture's shape from a picture; 1080p; 10 s only at 768p (shot params "
          "resolution=768p, duration=10)",
)

KLING_V3_RATIOS = ("16:9", "9:16", "1:1")
KLING_V3_SECONDS = tuple(float(seconds) for seconds in range(3, 16))  # an integer input, minimum 3, maximum 15
KLING_V3_PROMPT_CHARACTERS = 2500  # prompt and negative_prompt: "Max 2500 characters"

# start_image: "Supports .jpg/.jpeg/.png, max 10MB, min 300px, aspect ratio 1:2.5 to 2.5:1"; end_image the
# same but for the aspect, held to it too (it follows the start image). Megabytes read as decimal, the stricter.
KLING_V3_PICTURES = PictureRules(formats=(PNG, JPEG), min_side=300, aspect_range=(0.4, 2.5), max_bytes=10 * 1000**2,
                                 source="Replicate's input schema of kwaivgi/kling-v3-video: start_image, end_image")

KLING_V3 = VideoModel(
    id="kwaivgi/kling-v3-video", provider="replicate", label="Kling 3.0",
    endpoints={
        "text_to_video": EndpointShape(ratios=KLING_V3_RATIOS, durations=KLING_V3_SECONDS,
                                       max_prompt_units=KLING_V3_PROMPT_CHARACTERS,
                                       max_inline_image_bytes=MAX_DATA_URL_BYTES),
        # aspect_ratio is "Ignored when start_image is provided": the take has the picture's shape.
        "image_to_video": EndpointShape(durations=KLING_V3_SECONDS, max_prompt_units=KLING_V3_PROMPT_CHARACTERS,
                                        last_frame=True, max_inline_image_bytes=MAX_DATA_URL_BYTES,
                                        pictures=KLING_V3_PICTURES),
    },
    source="replicate.com/kwaivgi/kling-v3-video/versions/4a8ba274…/api, Replicate's input schema: prompt "
           "(required, max 2500 characters), negative_prompt (max 2500), start_image (first frame; jpg/png, "
           "max 10MB, min 300px, aspect 1:2.5 to 2.5:1), end_image (\"Requires start_image\"), mode standard "
           "720p | pro 1080p (default pro), aspect_ratio (default 16:9, \"Ignored when start_image is "
           "provided\"), duration integer 3-15 (default 5), generate_audio (default false), multi_prompt; no "
           "seed. aspect_ratio's values 16:9 | 9:16 | 1:1 are the ones a mirror of that schema lists "
           "(cinemasetfree.com/guides/generators/kwaivgi/kling-v3-video): Replicate's page shows no enum",
    checked="2026-12-07",
    notes="1080p (mode pro, the model's default; shot param mode=standard for 720p); silent unless shot param "
          "generate_audio=true; from a picture, the picture's shape (jpg or png, at least 300 px, up to "
          "10 MB); Replicate states no price per second beforehand",
)

REPLICATE_MODELS: Mapping[str, VideoModel] = {model.id: model for model in (HAILUO_02, KLING_V3)}
