"""A provider's table of video models for the tests of what creators see (`cloud list`, the
settings' models, the estimate's and the inspector's request line), on a branch where a
provider's own table may not be merged yet.

`runway_listed(monkeypatch)` leaves Runway's real table and `request_shape` alone when they are
there; otherwise it registers the table below, which follows what issue 21 says of gen4.5 (text
to video only at 1280:720 and 720:1280, a prompt always required), and gives the real Runway
backend a `request_shape` built by the shared `shape_request` from it. The tests assert only what
holds for both.
"""

from __future__ import annotations

from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES
from foundry_desktop.generation.cloud.catalog.video_models import EndpointShape, Price, VideoModel, shape_request
from foundry_desktop.generation.cloud.providers.runway import RunwayBackend

SECONDS = tuple(float(s) for s in range(2, 11))
RUNWAY_TEST_TABLE = {
    "gen4.5": VideoModel(
        id="gen4.5", provider="runway", label="Gen-4.5",
        endpoints={
            "text_to_video": EndpointShape(ratios=("1280:720", "720:1280"), durations=SECONDS,
                                           max_prompt_units=1000, seed_range=(0, 4294967295)),
            "image_to_video": EndpointShape(ratios=("1280:720", "720:1280", "1104:832", "832:1104", "960:960"),
                                            durations=SECONDS, max_prompt_units=1000, seed_range=(0, 4294967295)),
        },
        price=Price(12, "runway-credits"), source="tests/listed_models.py (a stand-in)", checked="2026-12-01"),
    "veo3.1_fast": VideoModel(
        id="veo3.1_fast", provider="runway", label="Veo 3.1 Fast",
        endpoints={"text_to_video": EndpointShape(ratios=("1280:720", "720:1280"), durations=(4.0, 6.0, 8.0))},
        price=Price(10, "runway-credits"), source="tests/listed_models.py (a stand-in)", checked="2026-12-01"),
}


def runway_listed(monkeypatch) -> None:
    if "runway" in VIDEO_MODEL_TABLES and hasattr(RunwayBackend, "request_shape"):
        return  # the real table and shapes (issue 21's Runway part) are merged
    monkeypatch.setitem(VIDEO_MODEL_TABLES, "runway", RUNWAY_TEST_TABLE)

    def request_shape(self, request):
        return shape_request(RUNWAY_TEST_TABLE[request.model or self.default_model], request,
                             provider_words="Runway")

    monkeypatch.setattr(RunwayBackend, "request_shape", request_shape, raising=False)
