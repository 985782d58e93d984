"""What Google's Veo models accept through the Gemini API (generativelanguage.googleapis.com), as data.

Read from googleapis/python-genai 2.19.0 (google/genai/models.py: _GenerateVideosParameters_to_mldev,
_GenerateVideosConfig_to_mldev, _Image_to_mldev, _VideoGenerationReferenceImage_to_mldev; types.py:
GenerateVideosConfig) and the Gemini API's video page (ai.google.dev/gemini-api/docs/video), checked
2026-12-07:

* `POST /v1beta/models/{model}:predictLongRunning` with `instances[0]` {prompt, image, lastFrame,
  referenceImages} and `parameters` {aspectRatio, durationSeconds, resolution, negativePrompt,
  personGeneration, sampleCount}; pictures inline as {bytesBase64Encoded, mimeType} (the Gemini API
  takes no gcsUri);
* the SDK refuses `seed` in Gemini API mode ("only supported in Gemini Enterprise Agent Platform
  mode"), so these models have no seed here;
* aspect ratios 16:9 and 9:16; 4, 6 or 8 seconds; 720p, or 1080p / 4k at 8 seconds only; a last
  frame only with a first frame; up to 3 reference pictures ("asset"), only without a first or last
  frame, with a prompt, at 8 seconds;
* prices, USD per second of video (with its sound): Veo 3.1 $0.40 at 720p and 1080p; Veo 3.1 Fast
  $0.10 at 720p and $0.12 at 1080p since Google's price cut of 2026-04-07 (it was $0.15). Google's
  pricing page (ai.google.dev/gemini-api/docs/pricing) could not be read here on 2026-12-07; these are
  its figures as two independent pages that cite it give them (reapi.ai's price comparison of May 2026,
  ddsboston.com's routing notes citing the page as updated 2026-04-09). Recheck them there.

Gemini Omni Flash is served through the Interactions API (`POST /v1beta/interactions`), not through
predictLongRunning, with another request and answer: its facts are in gemini_omni_models.py, and
GEMINI_MODELS lists it beside Veo (the `gemini` backend chooses the API by model).
"""

from __future__ import annotations

from collections.abc import Mapping

from foundry_desktop.generation.cloud.catalog.gemini_omni_models import OMNI_MODELS
from foundry_desktop.generation.cloud.catalog.video_models import EndpointShape, Price, VideoModel
from foundry_desktop.generation.cloud.inputs import JPEG, PNG, PictureRules

SOURCE = ("googleapis/python-genai 2.19.0 (models.py, types.py); ai.google.dev/gemini-api/docs/video; "
          "prices as pages citing ai.google.dev/gemini-api/docs/pricing give them")
CHECKED = "2026-12-07"

ASPECT_RATIOS = ("16:9", "9:16")
DURATIONS = (4.0, 6.0, 8.0)
REFERENCE_SECONDS = 8.0  # with reference pictures, as with 1080p and 4k, Veo makes 8 seconds only
HIGH_RESOLUTION_SECONDS = 8.0
MAX_REFERENCES = 3
# The Gemini API takes a request of up to 20 MiB; pictures go inline (base64), so this bounds them all.
MAX_REQUEST_BYTES = 20 * 1024**2

# Veo's pictures are PNG or JPEG (the mimeType Vertex AI's Veo reference lists for image, lastFrame and
# referenceImages; Google's Veo pages show no other): anything else is sent as a PNG copy. Their weight
# is bounded by the request's 20 MiB (gemini_request.py), not per picture.
PICTURES = PictureRules(formats=(PNG, JPEG), source="Vertex AI's Veo API reference (image.mimeType)")

_TEXT = EndpointShape(ratios=ASPECT_RATIOS, durations=DURATIONS, prompt_required=True, seed_range=None,
                      max_references=MAX_REFERENCES, pictures=PICTURES)
# Image to video: the picture says what is there, so the prompt may be left out; a last frame may follow it.
_IMAGE = EndpointShape(ratios=ASPECT_RATIOS, durations=DURATIONS, prompt_required=False, seed_range=None,
                       last_frame=True, pictures=PICTURES)


def _veo(model_id: str, label: str, usd_per_second: float, usd_per_second_1080p: float) -> VideoModel:
    at_1080p = "" if usd_per_second_1080p == usd_per_second else f" (1080p: ${usd_per_second_1080p:g} a second)"
    return VideoModel(
        id=model_id, provider="gemini", label=label,
        endpoints={"text_to_video": _TEXT, "image_to_video": _IMAGE},
        price=Price(usd_per_second, "usd"), source=SOURCE, checked=CHECKED,
        notes=f"with sound; 720p, or 1080p at 8 s{at_1080p}; 16:9 or 9:16 only; no seed",
    )


# What a second costs at 1080p, where it differs from the table's (720p) price.
PRICE_AT_1080P: Mapping[str, Price] = {"veo-3.1-fast-generate-preview": Price(0.12, "usd")}

GEMINI_MODELS: Mapping[str, VideoModel] = {
    "veo-3.1-generate-preview": _veo("veo-3.1-generate-preview", "Veo 3.1", 0.40, 0.40),
    "veo-3.1-fast-generate-preview": _veo("veo-3.1-fast-generate-preview", "Veo 3.1 Fast", 0.10,
                                          PRICE_AT_1080P["veo-3.1-fast-generate-preview"].amount),
    **OMNI_MODELS,
}
DEFAULT_MODEL = "veo-3.1-fast-generate-preview"
