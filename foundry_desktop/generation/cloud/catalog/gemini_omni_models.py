"""What Gemini Omni Flash accepts through the Gemini API's Interactions API, as data.

Omni is not a Veo model: it is asked for with `POST /v1beta/interactions`, not predictLongRunning,
so its facts and its request (providers/gemini_interactions_request.py) are its own. Read, checked
2026-12-07, from:

* googleapis/python-genai 2.19.0, google/genai/_gaos (the Interactions API's generated client):
  types/interactions/createmodelinteraction.py (model, input, background, store, stream,
  generation_config, response_format, ...; snake_case on the wire: no field has an alias),
  videoresponseformat.py (type "video"; aspect_ratio "16:9" | "9:16"; duration, a string; resolution
  "360p" | "720p" | "1080p" | "4k", 720p by default; delivery "inline" | "uri"), videoconfig.py
  (generation_config.video_config.task: text_to_video, image_to_video, reference_to_video, edit,
  extend), imagecontent.py ({type "image", data (base64), mime_type}), interaction.py (status
  in_progress, requires_action, completed, failed, cancelled, incomplete, budget_exceeded, queued;
  the video in a "model_output" step's content as {type "video", data | uri, mime_type}) and
  interactions.py (GET /v1beta/interactions/{id}; POST /v1beta/interactions/{id}/cancel);
* Google's Omni page (ai.google.dev/gemini-api/docs/omni): pictures go in `input` beside the text;
  negative prompts and system instructions are not supported (write negatives into the prompt);
  clips of 3 to 10 seconds; `delivery: "uri"` for videos over 4 MB; `background: true` answers an
  interaction id at once, to be polled until "completed";
* the model id: gemini-omni-flash-preview shut down on 2026-09-30 for gemini-omni-1.1-flash (Google's
  deprecations page); googleapis/java-genai 2.1.0 (2026-11-10) added gemini-omni-1.2-flash and made
  it the Gemini API's video default.

Not pinned down by a first-party page readable here, and so chosen on the safe side: the price (the
pricing page's Omni row could not be read: $0.07 a second at 720p is what two resellers' published
1.2 rates work back to: one sells a 10 s 720p clip for $0.30 as "about 43 % of Google's list price",
another lists $0.023 / $0.07 / $0.105 / $0.21 a second at 360p / 720p / 1080p / 4k), the seed (the SDK's generation_config.seed is for decoding text; Google's page
does not say Omni follows it, so none is sent), a last frame (Google's page: "the end frame is not
fully supported yet"; the SDK has no way to mark a picture as the last), and reference pictures
(Google Cloud's page for the preview model allows 10 pictures a prompt; Foundry sends at most 3).
"""

from __future__ import annotations

from collections.abc import Mapping

from foundry_desktop.generation.cloud.catalog.video_models import EndpointShape, Price, VideoModel
from foundry_desktop.generation.cloud.inputs import JPEG, PNG, WEBP, PictureRules

SOURCE = ("googleapis/python-genai 2.19.0 (_gaos: createmodelinteraction.py, videoresponseformat.py, "
          "videoconfig.py, interaction.py); ai.google.dev/gemini-api/docs/omni")
CHECKED = "2026-12-07"

ASPECT_RATIOS = ("16:9", "9:16")
DURATIONS = tuple(float(seconds) for seconds in range(3, 11))  # whole seconds, sent as "8s"
RESOLUTION = "720p"  # the priced one; 1080p and 4k cost more and come back as larger inline answers
MAX_REFERENCES = 3
# The Gemini API takes a request of up to 20 MiB; pictures travel inline (base64) in `input`.
MAX_REQUEST_BYTES = 20 * 1024**2

# The picture types the Gemini API reads (ai.google.dev/gemini-api/docs/image-understanding: PNG, JPEG,
# WebP, HEIC, HEIF): others are sent as a PNG copy. Their weight is bounded by the request's 20 MiB.
PICTURES = PictureRules(formats=(PNG, JPEG, WEBP), source="ai.google.dev/gemini-api/docs/image-understanding")

_TEXT = EndpointShape(ratios=ASPECT_RATIOS, durations=DURATIONS, prompt_required=True, seed_range=None,
                      max_references=MAX_REFERENCES, pictures=PICTURES)
# Google's examples always say what the picture should do: the model chooses how to use a picture
# from the words, so a picture alone is refused here rather than guessed at by the service.
_IMAGE = EndpointShape(ratios=ASPECT_RATIOS, durations=DURATIONS, prompt_required=True, seed_range=None,
                       pictures=PICTURES)

OMNI_MODELS: Mapping[str, VideoModel] = {
    "gemini-omni-1.2-flash": VideoModel(
        id="gemini-omni-1.2-flash", provider="gemini", label="Gemini Omni Flash 1.2",
        endpoints={"text_to_video": _TEXT, "image_to_video": _IMAGE},
        price=Price(0.07, "usd"), source=SOURCE, checked=CHECKED,
        notes="Interactions API; with sound; 720p; 16:9 or 9:16 only; no seed, no negative prompt, no last frame; "
              "price from resellers' rates (Google's pricing row not read)",
    ),
}
