"""What the Replicate video models Foundry names (in its examples and messages) accept.

Replicate describes every model's inputs itself (`GET /v1/models/{owner}/{name}`, its
`latest_version.openapi_schema`), and the backend reads that schema when a shot runs, so
any model on Replicate works without an entry here. These entries are for the models whose
published schema was read beforehand, so that `foundry cloud list`, the inspector and
`generate --estimate` can say what will be sent before anything is asked of Replicate, and
so that a shot the model cannot take is refused before any call.

Pictures: a data URL only up to 256 KB (Replicate's advice); a larger picture goes through
Replicate's files API first (`POST /v1/files`), and the prediction gets the file's URL.
Neither model takes a seed or an aspect ratio: from text they make 16:9, from a picture
the picture's shape. Prices are per prediction and depend on resolution and length, so no
estimate is kept (the actual cost is the prediction's predict time).
"""

from __future__ import annotations

from collections.abc import Mapping

from foundry_desktop.generation.cloud.catalog.video_models import EndpointShape, VideoModel

MAX_DATA_URL_BYTES = 256 * 1024  # Replicate: data URLs for files up to 256 KB; larger ones are uploaded
CHECKED = "2026-12-05"

HAILUO_02 = VideoModel(
    id="minimax/hailuo-02", provider="replicate", label="Hailuo 02 (MiniMax)",
    endpoints={
        # duration's enum is 6 and 10, but "10 seconds is only available for 768p resolution" and the
        # resolution defaults to 1080p: 6 s unless the shot's params ask for resolution 768p and duration 10.
        "text_to_video": EndpointShape(durations=(6.0,), max_inline_image_bytes=MAX_DATA_URL_BYTES),
        "image_to_video": EndpointShape(durations=(6.0,), last_frame=True, max_inline_image_bytes=MAX_DATA_URL_BYTES),
    },
    source="replicate.com/minimax/hailuo-02/versions/c43b610e…/api (input schema: prompt, first_frame_image, "
           "last_frame_image, duration 6|10, resolution 512p|768p|1080p, prompt_optimizer)",
    checked=CHECKED,
    notes="16:9 from text, the picture's shape from a picture; 1080p; 10 s only at 768p (shot params "
          "resolution=768p, duration=10)",
)

KLING_V2_1 = VideoModel(
    id="kwaivgi/kling-v2.1", provider="replicate", label="Kling 2.1",
    endpoints={
        # end_image is taken in pro mode only; the mode defaults to standard.
        "image_to_video": EndpointShape(durations=(5.0, 10.0), max_inline_image_bytes=MAX_DATA_URL_BYTES),
    },
    source="Replicate's input schema of kwaivgi/kling-v2.1 (prompt and start_image required, negative_prompt, "
           "duration 5|10, mode standard|pro, end_image in pro mode), as listed at "
           "api.core.today/v1/models/kwaivgi/kling-v2.1/llms.txt",
    checked=CHECKED,
    notes="from a picture only, in its shape; 720p (standard) or 1080p (shot param mode=pro)",
)

REPLICATE_MODELS: Mapping[str, VideoModel] = {model.id: model for model in (HAILUO_02, KLING_V2_1)}
