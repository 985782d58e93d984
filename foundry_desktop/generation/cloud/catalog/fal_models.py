"""fal.ai's video models that Foundry knows, as data: what each accepts, its model ids and its price.

On fal every model endpoint is its own id (`fal-ai/kling-video/v3/pro/text-to-video`), so one
entry here maps our two endpoints (text to video, image to video) to the two ids a model has,
and names the fields its schema gives the input pictures (Kling: `start_image_url` and
`end_image_url`; Seedance: `image_url` and `end_image_url`).

Source: each model's published schema, https://fal.ai/models/<model id>/llms.txt, and fal's API
reference pages (https://fal.ai/docs/model-api-reference/video-generation-api/...) where the
llms.txt lists no inputs (Seedance 2.0 image to video). Seedance 2.0 image to video is confirmed by
fal's model page (https://fal.ai/models/bytedance/seedance-2.0/image-to-video) and the llms.txt of
bytedance/seedance-2.0/enterprise/v2/image-to-video: prompt and image_url required, end_image_url
optional, resolution 480p | 720p | 1080p (the fast tier: no 1080p), duration auto or 4-15,
pictures up to 30 MB, $0.3024/s at 720p; tests/data/fal/model_schemas.json holds the same.
Checked 2026-12-07. Prices are fal's, in US dollars per second of video asked for, as those pages
state them:

* Kling 3.0 Pro: fal's two first-party pages disagree. The llms.txt of
  fal-ai/kling-video/v3/pro/image-to-video states $0.224/s with audio off ($0.336 with audio);
  its playground page (https://fal.ai/models/fal-ai/kling-video/v3/pro/image-to-video/playground)
  states $0.112/s audio off ($0.168 on, $0.196 with voice control), as resellers list it. The
  estimate takes the higher, $0.224: an estimate too high never lets a budget be overspent.
* Kling 3.0 Standard: $0.084/s with audio off ($0.126 with audio), llms.txt of
  fal-ai/kling-video/v3/standard/text-to-video.
* Seedance 2.0: $0.3034/s at 720p (text to video; image to video states $0.3024), audio included
  at no extra cost.
* Seedance 2.0 Fast: $0.2419/s at 720p, audio included.

Kling 3.0 (v3) is the current Kling on fal (v3 Pro/Standard, with the v3 Turbo and O3 variants
beside it). Luma, MiniMax, Wan and LTX are left out: their schemas were not read for this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from foundry_desktop.generation.cloud.catalog.video_models import Endpoint, EndpointShape, Price, VideoModel
from foundry_desktop.generation.cloud.inputs import JPEG, PNG, WEBP, PictureRules

CHECKED = "2026-12-07"
KLING_DURATIONS = tuple(float(seconds) for seconds in range(3, 16))  # "3" ... "15", sent as strings
SEEDANCE_DURATIONS = tuple(float(seconds) for seconds in range(4, 16))  # "4" ... "15" (and "auto", never sent)
KLING_RATIOS = ("16:9", "9:16", "1:1")
SEEDANCE_RATIOS = ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16")  # and "auto", never sent: Foundry picks
SEEDANCE_SEEDS = (0, 2**31 - 1)  # an integer; kept to 32-bit signed, as the ByteDance API behind it counts
# The largest picture sent inline as a data URI (fal takes data URIs in any URL field); a larger
# one goes to fal's storage first, so that the queued request stays small.
INLINE_IMAGE_BYTES = 1024**2
# Kling's pictures on fal: "Max file size: 10.0MB, Min width: 300px, Min height: 300px, Min aspect ratio:
# 0.40, Max aspect ratio: 2.50" (fal's schema of its Kling image-to-video endpoints, e.g. the API reference
# of fal-ai/kling-video/o1/standard/image-to-video; v3's own page states the 10 MB), in JPEG or PNG, the
# types Kling itself takes (jpg/jpeg/png, as Replicate's schema of Kling 3.0 states them).
KLING_PICTURES = PictureRules(formats=(PNG, JPEG), min_side=300, aspect_range=(0.4, 2.5), max_bytes=10 * 1024**2,
                              source="fal's Kling image-to-video schema (start_image_url)")
# Seedance's pictures, as ByteDance publishes them for its image inputs: jpeg, png, webp (bmp, tiff and
# gif too, sent here as PNG), sides 300 to 6000 px, aspect ratio 0.4 to 2.5, under 30 MB (fal: 30 MB).
SEEDANCE_PICTURES = PictureRules(formats=(PNG, JPEG, WEBP), min_side=300, max_side=6000, aspect_range=(0.4, 2.5),
                                 max_bytes=30 * 1024**2, source="ByteDance's Seedance image input rules; fal's "
                                 "bytedance/seedance-2.0 image-to-video schema (30 MB)")


@dataclass(frozen=True)
class FalModel:
    """One fal video model: the shared table's entry plus what only fal needs to build its input."""

    video: VideoModel
    ids: Mapping[Endpoint, str]  # our endpoint -> fal's model id
    first_frame_field: str  # the input picture's field on the image-to-video id
    last_frame_field: str | None = "end_image_url"
    generate_audio: bool | None = None  # the value sent (None: the field is left out)
    resolution: str | None = None  # the value sent (None: the field is left out)
    negative_prompt: bool = False  # the schema has a negative_prompt field


def _kling(name: str, tier: str, label: str, per_second: float, source: str, price_note: str = "") -> FalModel:
    text = EndpointShape(ratios=KLING_RATIOS, durations=KLING_DURATIONS)
    # Image to video has no aspect_ratio: "aspect ratio is determined by the start image".
    image = EndpointShape(durations=KLING_DURATIONS, last_frame=True, max_inline_image_bytes=INLINE_IMAGE_BYTES,
                          pictures=KLING_PICTURES)
    video = VideoModel(
        name, "fal", label, {"text_to_video": text, "image_to_video": image}, Price(per_second, "usd"),
        source=source, checked=CHECKED,
        notes="sent with generate_audio off (the price with audio is half as much again); no seed field"
              + (f"; {price_note}" if price_note else ""),
    )
    ids: dict[Endpoint, str] = {"text_to_video": f"fal-ai/kling-video/v3/{tier}/text-to-video",
                                "image_to_video": f"fal-ai/kling-video/v3/{tier}/image-to-video"}
    return FalModel(video, ids, "start_image_url", generate_audio=False, negative_prompt=True)


def _seedance(name: str, path: str, label: str, per_second: float) -> FalModel:
    text = EndpointShape(ratios=SEEDANCE_RATIOS, durations=SEEDANCE_DURATIONS, seed_range=SEEDANCE_SEEDS)
    image = EndpointShape(ratios=SEEDANCE_RATIOS, durations=SEEDANCE_DURATIONS, seed_range=SEEDANCE_SEEDS,
                          last_frame=True, max_inline_image_bytes=INLINE_IMAGE_BYTES, pictures=SEEDANCE_PICTURES)
    video = VideoModel(
        name, "fal", label, {"text_to_video": text, "image_to_video": image}, Price(per_second, "usd"),
        source=f"https://fal.ai/models/bytedance/{path}/text-to-video/llms.txt, fal's API reference of "
               f"bytedance/{path}/image-to-video and its model page https://fal.ai/models/bytedance/{path}/"
               f"image-to-video" + (", and the llms.txt of bytedance/seedance-2.0/enterprise/v2/image-to-video"
                                    if path == "seedance-2.0" else ""), checked=CHECKED,
        notes="720p with its own sound (at no extra cost)",
    )
    ids: dict[Endpoint, str] = {"text_to_video": f"bytedance/{path}/text-to-video",
                                "image_to_video": f"bytedance/{path}/image-to-video"}
    return FalModel(video, ids, "image_url", generate_audio=True, resolution="720p")


FAL_MODEL_ENTRIES: Mapping[str, FalModel] = {
    entry.video.id: entry for entry in (
        _kling("kling-v3-pro", "pro", "Kling 3.0 Pro", 0.224,
               "https://fal.ai/models/fal-ai/kling-video/v3/pro/image-to-video/llms.txt ($0.224/s), its playground "
               "page https://fal.ai/models/fal-ai/kling-video/v3/pro/image-to-video/playground ($0.112/s) and fal's "
               "API reference of fal-ai/kling-video/v3/pro/text-to-video",
               price_note="fal's pages state $0.112 and $0.224 a second; the estimate takes the higher"),
        _kling("kling-v3-standard", "standard", "Kling 3.0 Standard", 0.084,
               "https://fal.ai/models/fal-ai/kling-video/v3/standard/text-to-video/llms.txt and fal's API "
               "reference of fal-ai/kling-video/v3/standard/image-to-video"),
        _seedance("seedance-2.0", "seedance-2.0", "Seedance 2.0", 0.3034),
        _seedance("seedance-2.0-fast", "seedance-2.0/fast", "Seedance 2.0 Fast", 0.2419),
    )
}
DEFAULT_MODEL = "kling-v3-pro"

# The shared catalogue's view (generation/cloud/catalog/model_tables.py).
FAL_MODELS: Mapping[str, VideoModel] = {name: entry.video for name, entry in FAL_MODEL_ENTRIES.items()}


def fal_entry(name: str) -> FalModel | None:
    """The entry for `name`: ours ("kling-v3-pro") or one of fal's own ids for it."""
    if name in FAL_MODEL_ENTRIES:
        return FAL_MODEL_ENTRIES[name]
    return next((entry for entry in FAL_MODEL_ENTRIES.values() if name in entry.ids.values()), None)
