"""The `gemini` backend against a test server that speaks the Gemini API's Veo routes (tests/servers/gemini.py).

The server checks every request against rules copied from python-genai and Google's Veo page, never
against the product's table. Trials: a take that decodes, with the body the SDK would send and the
key in x-goog-api-key; first and last frames; reference pictures; the Done-when matrix of every
listed model at 16:9, 9:16, 1:1 and 4:3, with and without a picture, small and large, and with an
empty prompt; refusals before anything is sent; Google's errors, rate limits and safety filters in
words; cancel; resume by operation name without a second submission; the request shape told
without sending anything.
"""

from __future__ import annotations

import asyncio
import base64
from fractions import Fraction
from pathlib import Path

import httpx
import pytest
from cloud_video_trials import ENDLESS_TASK_S, FAST_POLL, FAST_RETRY, SIZES, TASK_S, generate_on, picture, run
from servers.gemini import GeminiServer

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationEvent, GenerationRequest
from foundry_desktop.generation.cloud.catalog.gemini_models import GEMINI_MODELS
from foundry_desktop.generation.cloud.catalog.gemini_omni_models import OMNI_MODELS
from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES
from foundry_desktop.generation.cloud.errors import (
    CloudAuthError,
    CloudRefusedError,
    CloudTaskCancelledError,
    CloudTaskFailedError,
    ContentModeratedError,
)
from foundry_desktop.generation.cloud.providers.gemini import GeminiBackend
from foundry_desktop.media.probe import probe_source

KEY = "AIza-SECRET-0123456789"
FAST = "veo-3.1-fast-generate-preview"
# Veo's models (predictLongRunning); Omni's interactions are tried in test_gemini_omni.py.
VEO_MODELS = [model for model in GEMINI_MODELS if model not in OMNI_MODELS]


@pytest.fixture
def fresh():
    """A server of the test's own: its log and counters start empty."""
    with GeminiServer(api_key=KEY, task_seconds=TASK_S) as running:
        yield running


def request(folder: Path, model: str | None = FAST, *, size=(1280, 720), prompt="waves at dusk",
            image: Path | None = None, last: Path | None = None, references: tuple[Path, ...] = (),
            seconds: int = 6, negative: str = "blurry") -> GenerationRequest:
    return GenerationRequest(
        shot_id="shot-1", prompt=prompt, negative_prompt=negative, seed=7, width=size[0], height=size[1],
        frame_rate=Fraction(24), frames=24 * seconds, output_dir=folder, model=model, input_image=image,
        last_image=last, reference_images=references,
    )


def backend(http: httpx.AsyncClient, server: GeminiServer, key: str = KEY) -> GeminiBackend:
    return GeminiBackend(http, key, base_url=server.url + "/v1beta", retry=FAST_RETRY, poll=FAST_POLL)


async def generate(server: GeminiServer, shot: GenerationRequest, events: list | None = None):
    return await generate_on(backend, server, shot, events)


async def cancel_once_submitted(server: GeminiServer, shot: GenerationRequest):
    """Generate the shot and cancel it as soon as Google holds it: what the generate then ends with."""
    async with httpx.AsyncClient() as http:
        gemini = backend(http, server)
        submitted = asyncio.Event()
        job = asyncio.ensure_future(gemini.generate(
            shot, lambda event: submitted.set() if event.kind == "submitted" else None))
        await submitted.wait()
        await gemini.cancel(shot.shot_id)
        return await job


async def submit_and_forget(server: GeminiServer, shot: GenerationRequest) -> None:
    """Start the shot, and stop once Google holds it, as the app closing would: the task stays there."""
    async with httpx.AsyncClient() as http:
        job = asyncio.ensure_future(backend(http, server).generate(shot, lambda event: None))
        while not server.submissions:
            await asyncio.sleep(0.01)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job


def test_the_table_is_in_the_shared_catalogue_with_dollar_prices_and_no_seed():
    assert VIDEO_MODEL_TABLES["gemini"] is GEMINI_MODELS
    assert set(GEMINI_MODELS) == {"veo-3.1-generate-preview", "veo-3.1-fast-generate-preview", *OMNI_MODELS}
    for model in GEMINI_MODELS.values():
        assert model.price is not None and model.price.unit == "usd" and model.source and model.checked
        assert all(shape.seed_range is None for shape in model.endpoints.values())


def test_a_take_is_made_with_the_body_the_sdk_sends_and_the_key_in_googles_header(fresh, tmp_path):
    events: list[GenerationEvent] = []
    result = run(generate(fresh, request(tmp_path), events))
    assert not probe_source(result.path).still and result.path.parent == tmp_path
    assert result.cost is not None and result.cost.unit == "usd" and result.cost.amount == pytest.approx(6 * 0.10)
    (create,) = fresh.requests_to("POST", f"/v1beta/models/{FAST}:predictLongRunning")
    assert create.headers["x-goog-api-key"] == KEY and "Authorization" not in create.headers
    assert create.json == {"instances": [{"prompt": "waves at dusk"}], "parameters": {
        "aspectRatio": "16:9", "durationSeconds": 6, "resolution": "720p", "negativePrompt": "blurry"}}
    operation = f"models/{FAST}/operations/{fresh.tasks[-1].id}"
    assert fresh.requests_to("GET", f"/v1beta/{operation}")
    (download,) = fresh.requests_to("GET", "/v1beta/files/")
    assert download.headers["x-goog-api-key"] == KEY and download.query == {"alt": "media"}
    assert result.backend_info["remote_id"] == operation
    assert any(event.kind == "submitted" and event.remote_id == operation for event in events)


def test_first_and_last_frames_go_inline_as_the_sdk_sends_them(fresh, tmp_path):
    first = picture(tmp_path / "first.png", (320, 180))
    last = picture(tmp_path / "last.png", (320, 180))
    out = tmp_path / "out"
    out.mkdir()
    run(generate(fresh, request(out, "veo-3.1-generate-preview", size=(1920, 1080), image=first, last=last,
                                prompt="", seconds=8)))
    body = fresh.requests[0].json
    instance = body["instances"][0]
    assert "prompt" not in instance  # a picture needs no prompt
    assert base64.b64decode(instance["image"]["bytesBase64Encoded"]) == first.read_bytes()
    assert instance["image"]["mimeType"] == instance["lastFrame"]["mimeType"] == "image/png"
    assert body["parameters"]["resolution"] == "1080p" and body["parameters"]["durationSeconds"] == 8


def test_veo_fast_at_1080p_is_estimated_and_charged_at_its_1080p_price(fresh, tmp_path):
    wide = request(tmp_path, size=(1920, 1080), seconds=8)

    async def estimates() -> tuple[float, float]:
        async with httpx.AsyncClient() as http:
            gemini = backend(http, fresh)
            return (gemini.request_shape(wide).estimate.amount,
                    gemini.request_shape(request(tmp_path, seconds=8)).estimate.amount)

    assert run(estimates()) == (pytest.approx(8 * 0.12), pytest.approx(8 * 0.10))
    assert not fresh.requests  # an estimate sends nothing
    result = run(generate(fresh, wide))
    assert fresh.requests[0].json["parameters"]["resolution"] == "1080p"
    assert result.cost.amount == pytest.approx(8 * 0.12)


def test_reference_pictures_are_sent_as_assets_at_eight_seconds(fresh, tmp_path):
    refs = tuple(picture(tmp_path / f"ref{n}.png", (64, 64)) for n in range(4))
    out = tmp_path / "out"
    out.mkdir()
    result = run(generate(fresh, request(out, references=refs, seconds=4)))
    instance = fresh.requests[0].json["instances"][0]
    assert [ref["referenceType"] for ref in instance["referenceImages"]] == ["asset"] * 3
    assert fresh.requests[0].json["parameters"]["durationSeconds"] == 8
    notes = " ".join(result.backend_info["notes"])
    assert "up to 3 reference pictures" in notes and "8 s" in notes
    assert result.cost.amount == pytest.approx(8 * 0.10)


def _matrix():
    for model in VEO_MODELS:
        for ratio in SIZES:
            for image in (None, "small", "large"):
                for prompt in ("a lighthouse in fog", ""):
                    yield model, ratio, image, prompt


def test_every_listed_model_at_every_aspect_is_sent_as_google_allows_or_refused_here(fresh, tmp_path):
    """The Done-when matrix for Gemini: each case is sent and accepted (the server refuses what
    Google refuses), or refused in words here before anything is sent or spent."""
    small = picture(tmp_path / "small.png", (640, 360))
    large = picture(tmp_path / "large.png", (1200, 900), noisy=True)
    assert large.stat().st_size > 3 * 1024**2
    sent = refused = 0
    for index, (model, ratio, image, prompt) in enumerate(_matrix()):
        folder = tmp_path / f"case-{index}"
        folder.mkdir()
        shot = request(folder, model, size=SIZES[ratio], prompt=prompt, image={"small": small, "large": large}.get(image))
        before = len(fresh.requests)
        try:
            result = run(generate(fresh, shot))
        except GenerationError as exc:
            assert prompt == "" and image is None and "needs a prompt" in str(exc) and "\n" not in str(exc)
            assert len(fresh.requests) == before  # nothing sent, nothing spent
            refused += 1
            continue
        sent += 1
        assert not probe_source(result.path).still
        create = fresh.requests[before]
        assert create.status == 200, (model, ratio, image, prompt)
        chosen = create.json["parameters"]["aspectRatio"]
        assert chosen == ("9:16" if ratio == "9:16" else "16:9")
        if ratio in ("1:1", "4:3"):
            assert any("nearest shape" in note for note in result.backend_info["notes"])
    assert refused == len(VEO_MODELS) * len(SIZES)
    assert sent == len(VEO_MODELS) * len(SIZES) * 5


def test_pictures_too_large_for_one_request_are_refused_before_anything_is_sent(fresh, tmp_path):
    big = picture(tmp_path / "big.png", (2600, 1500), noisy=True)  # ~11 MiB: two of them pass 20 MiB as base64
    with pytest.raises(GenerationError, match="takes up to 20 MiB in all") as caught:
        run(generate(fresh, request(tmp_path, image=big, last=big)))
    assert "\n" not in str(caught.value) and not fresh.requests


def test_an_unknown_model_and_a_seedless_model_are_said_in_words(fresh, tmp_path):
    with pytest.raises(GenerationError, match="veo-3.1-fast-generate-preview, veo-3.1-generate-preview"):
        run(generate(fresh, request(tmp_path, "veo-2")))
    assert not fresh.requests
    run(generate(fresh, request(tmp_path, f"models/{FAST}")))  # Google's own spelling of the name
    assert "seed" not in fresh.requests[0].json["parameters"]


def test_the_request_shape_says_what_will_be_sent_and_sends_nothing(fresh, tmp_path):
    async def shape():
        async with httpx.AsyncClient() as http:
            return backend(http, fresh).request_shape(request(tmp_path, "veo-3.1-generate-preview",
                                                              size=(1024, 768), seconds=12))
    told = asyncio.run(shape())
    assert (told.model, told.endpoint, told.ratio, told.duration_s, told.seed) == (
        "veo-3.1-generate-preview", "text_to_video", "16:9", 8.0, None)
    assert told.estimate.amount == pytest.approx(8 * 0.40) and told.estimate.unit == "usd"
    assert any("nearest shape" in note for note in told.notes) and any("8 s asked" in note for note in told.notes)
    assert "no seed" in told.words()
    assert not fresh.requests


def test_a_wrong_key_is_refused_once_in_words_without_the_key(fresh, tmp_path):
    async def attempt():
        async with httpx.AsyncClient() as http:
            return await backend(http, fresh, key="AIza-wrong-HIDDEN-999").generate(request(tmp_path),
                                                                                  lambda event: None)
    with pytest.raises(CloudAuthError) as caught:
        run(attempt())
    assert "HIDDEN" not in str(caught.value) and "API_KEY_INVALID" in str(caught.value)
    assert len(fresh.requests) == 1 and fresh.requests[0].status == 400


def test_a_rate_limit_is_waited_out_as_retry_info_asks_and_sent_once(fresh, tmp_path):
    fresh.rate_limit_next(2, retry_after_s=0.01, only="POST /v1beta/models/")
    result = run(generate(fresh, request(tmp_path)))
    assert not probe_source(result.path).still
    statuses = [r.status for r in fresh.requests_to("POST", "/v1beta/models/")]
    assert statuses == [429, 429, 200] and fresh.submissions == 1


def test_a_refusal_at_submission_is_said_in_googles_words_and_not_retried(fresh, tmp_path):
    fresh.models.pop(FAST)  # a model the key may not use: Google answers 404 NOT_FOUND
    with pytest.raises(CloudRefusedError, match="NOT_FOUND") as caught:
        run(generate(fresh, request(tmp_path)))
    assert "\n" not in str(caught.value) and len(fresh.requests) == 1


@pytest.mark.parametrize(("kind", "error", "words"), [("moderation", ContentModeratedError, "safety filters"),
                                                      ("error", CloudTaskFailedError, "internal error")])
def test_a_failed_operation_is_reported_in_words(fresh, tmp_path, kind, error, words):
    fresh.fail_tasks_with = kind
    with pytest.raises(error, match=words) as caught:
        run(generate(fresh, request(tmp_path)))
    assert "\n" not in str(caught.value) and "Google Gemini" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_cancel_stops_following_and_says_google_may_still_bill_it(fresh, tmp_path):
    fresh.task_seconds = ENDLESS_TASK_S
    with pytest.raises(CloudTaskCancelledError, match="may still finish there and be billed"):
        run(cancel_once_submitted(fresh, request(tmp_path)))
    assert fresh.submissions == 1 and list(tmp_path.iterdir()) == []


def test_resume_follows_an_operation_by_its_name_without_submitting_again(fresh, tmp_path):
    fresh.task_seconds = ENDLESS_TASK_S
    shot = request(tmp_path, "veo-3.1-generate-preview")

    run(submit_and_forget(fresh, shot))
    operation = f"models/veo-3.1-generate-preview/operations/{fresh.tasks[-1].id}"
    fresh.advance_tasks(ENDLESS_TASK_S)

    async def resume():
        async with httpx.AsyncClient() as http:  # a new backend: nothing of the first run is known
            return await backend(http, fresh).resume("gemini", operation, shot, lambda event: None)
    result = run(resume())
    assert fresh.submissions == 1 and result.backend_info["remote_id"] == operation
    assert result.backend_info["duration_s"] == 6 and result.cost.amount == pytest.approx(6 * 0.40)
    assert not probe_source(result.path).still


def test_health_is_a_cheap_read_with_the_key(fresh):
    async def health(key):
        async with httpx.AsyncClient() as http:
            return await backend(http, fresh, key=key).health()
    told = run(health(KEY))
    assert told.ok and "Veo 3.1 Fast" in told.message
    assert not run(health("wrong")).ok
    assert fresh.submissions == 0
