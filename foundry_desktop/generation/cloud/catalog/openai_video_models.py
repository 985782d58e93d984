"""What the OpenAI-compatible Videos API's models accept: sizes and clip lengths per model.

Source: openai-python 3.3.1 (2026-08), `types/video_create_params.py` with `VideoSize`
("720x1280", "1280x720", "1024x1792", "1792x1024"), `VideoSeconds` ("4", "8", "12") and
`VideoModelParam` (sora-2, sora-2-pro and their dated slugs). The SDK lists every size for
every model; OpenAI's model pages (platform.openai.com/docs/models/sora-2 and sora-2-pro)
said which model takes which: 1792x1024 and 1024x1792 were `sora-2-pro` only, so `sora-2` takes 1280x720 and 720x1280. Checked
2026-12-05. OpenAI shut its own /v1/videos down on 2026-09-24; gateways serving the same
shape answer for these names, and a gateway's own model keeps the sizes and lengths its
backend was configured with (providers/openai_videos.py).

The API has no seed and needs a prompt on both endpoints; a picture (`input_reference`)
is the first frame and must be the size asked for (the backend fits it). Prices are not
kept: a gateway bills as it likes, so the estimate is in seconds of video.
"""

from __future__ import annotations

from collections.abc import Mapping

from foundry_desktop.generation.cloud.catalog.video_models import EndpointShape, Price, VideoModel

SOURCE = "openai-python 3.3.1 types/video_size.py, video_seconds.py, video_model_param.py; sizes per model from OpenAI's model pages"
CHECKED = "2026-12-05"
SECONDS = (4.0, 8.0, 12.0)
LANDSCAPE_PORTRAIT = ("1280x720", "720x1280")
PRO_SIZES = (*LANDSCAPE_PORTRAIT, "1792x1024", "1024x1792")


def _sora(model_id: str, label: str, sizes: tuple[str, ...], notes: str) -> VideoModel:
    shape = EndpointShape(ratios=sizes, durations=SECONDS, prompt_required=True, seed_range=None)
    return VideoModel(
        id=model_id, provider="openai", label=label,
        endpoints={"text_to_video": shape, "image_to_video": shape},
        price=Price(1.0, "video-seconds"), source=SOURCE, checked=CHECKED, notes=notes,
    )


_SORA_2 = "720p only; the picture is fitted to the size asked for; sound included"
_SORA_2_PRO = "720p and 1792x1024 / 1024x1792; the picture is fitted to the size asked for; sound included"
OPENAI_VIDEO_MODELS: Mapping[str, VideoModel] = {
    "sora-2": _sora("sora-2", "Sora 2", LANDSCAPE_PORTRAIT, _SORA_2),
    "sora-2-2025-10-06": _sora("sora-2-2025-10-06", "Sora 2 (2025-10-06)", LANDSCAPE_PORTRAIT, _SORA_2),
    "sora-2-2025-12-08": _sora("sora-2-2025-12-08", "Sora 2 (2025-12-08)", LANDSCAPE_PORTRAIT, _SORA_2),
    "sora-2-pro": _sora("sora-2-pro", "Sora 2 Pro", PRO_SIZES, _SORA_2_PRO),
    "sora-2-pro-2025-10-06": _sora("sora-2-pro-2025-10-06", "Sora 2 Pro (2025-10-06)", PRO_SIZES, _SORA_2_PRO),
}


def gateway_model(model_id: str, sizes: tuple[str, ...], seconds: tuple[float, ...]) -> VideoModel:
    """A model the table does not know (a gateway's own): the sizes and lengths the backend was given."""
    shape = EndpointShape(ratios=sizes, durations=seconds, prompt_required=True, seed_range=None)
    return VideoModel(id=model_id, provider="openai", label=model_id,
                      endpoints={"text_to_video": shape, "image_to_video": shape},
                      price=Price(1.0, "video-seconds"), source="the gateway's settings")
