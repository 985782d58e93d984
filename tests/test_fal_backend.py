"""The `fal` backend against a test server that speaks fal.ai's queue API (tests/servers/fal.py).

The server checks every input against the models' published schemas (tests/data/fal), never
against the product's table. Trials: a take that decodes, with the input fal's schema wants and
the status read by owner/alias with logs; the matrix of every listed model at 16:9, 9:16, 1:1
and 4:3, with and without a picture, small and large, and with an empty prompt (each either
sent and accepted, or refused here before anything is sent); large pictures through fal's
storage with the key kept off the signed upload; cancel; resume by request id without a second
submission; moderation and failures in words; the request shape told without sending anything.
"""

from __future__ import annotations

import asyncio
import base64
import io
from fractions import Fraction
from pathlib import Path

import httpx
import pytest
from PIL import Image
from cloud_video_trials import ENDLESS_TASK_S, FAST_POLL, FAST_RETRY, SIZES, TASK_S, generate_on, picture, run
from servers.fal import FalServer

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationEvent, GenerationRequest
from foundry_desktop.generation.cloud.catalog.fal_models import FAL_MODEL_ENTRIES, FAL_MODELS
from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES
from foundry_desktop.generation.cloud.errors import (
    CloudAuthError,
    CloudRefusedError,
    CloudTaskCancelledError,
    CloudTaskFailedError,
    ContentModeratedError,
)
from foundry_desktop.generation.cloud.providers.fal import FalBackend
from foundry_desktop.media.probe import probe_source

KEY = "fal-key-SECRET-0123456789"


@pytest.fixture
def fresh():
    """A server of the test's own: its log and counters start empty."""
    with FalServer(api_key=KEY, task_seconds=TASK_S) as running:
        yield running


def request(folder: Path, model: str | None, *, size=(1280, 720), prompt="waves at dusk", image: Path | None = None,
            last: Path | None = None, seconds: int = 5, seed: int = 7) -> GenerationRequest:
    return GenerationRequest(
        shot_id="shot-1", prompt=prompt, negative_prompt="blurry", seed=seed, width=size[0], height=size[1],
        frame_rate=Fraction(24), frames=24 * seconds, output_dir=folder, model=model, input_image=image,
        last_image=last,
    )


def backend(http: httpx.AsyncClient, server: FalServer, key: str = KEY) -> FalBackend:
    return FalBackend(http, key, base_url=server.url, retry=FAST_RETRY, poll=FAST_POLL)


async def generate(server: FalServer, shot: GenerationRequest, events: list | None = None):
    return await generate_on(backend, server, shot, events)


def test_the_table_is_in_the_shared_catalogue_with_dollar_prices():
    assert VIDEO_MODEL_TABLES["fal"] is FAL_MODELS
    assert {"kling-v3-pro", "kling-v3-standard", "seedance-2.0", "seedance-2.0-fast"} <= set(FAL_MODELS)
    for model in FAL_MODELS.values():
        assert model.price is not None and model.price.unit == "usd" and model.source and model.checked
        assert set(model.endpoints) == {"text_to_video", "image_to_video"}


def test_a_take_is_made_with_the_input_fal_wants(fresh, tmp_path):
    events: list[GenerationEvent] = []
    result = run(generate(fresh, request(tmp_path, "seedance-2.0", seed=2**40 + 5), events))
    assert not probe_source(result.path).still and result.path.parent == tmp_path
    assert result.cost is not None and result.cost.unit == "usd" and result.cost.amount == pytest.approx(5 * 0.3034)
    (create,) = fresh.requests_to("POST", "/bytedance/seedance-2.0/text-to-video")
    assert create.headers.get("Content-Type", "").startswith("application/json")
    assert create.json == {"prompt": "waves at dusk", "duration": "5", "aspect_ratio": "16:9", "resolution": "720p",
                           "generate_audio": True, "seed": (2**40 + 5) % (2**31)}
    polls = fresh.requests_to("GET", "/bytedance/seedance-2.0/requests/")
    assert polls and all(r.path.endswith("/status") and r.query == {"logs": "1"} for r in polls[:-1])
    assert result.backend_info["fal_model"] == "bytedance/seedance-2.0/text-to-video"
    assert result.backend_info["remote_id"] == fresh.tasks[-1].id
    assert any(event.kind == "submitted" and event.remote_id == fresh.tasks[-1].id for event in events)
    assert not fresh.ignored_fields


def test_kling_image_to_video_sends_start_and_end_frames_and_no_ratio(fresh, tmp_path):
    first = picture(tmp_path / "first.png", (640, 360))
    last = picture(tmp_path / "last.png", (640, 360))
    out = tmp_path / "out"
    out.mkdir()
    run(generate(fresh, request(out, "kling-v3-pro", size=(1024, 768), image=first, last=last, seconds=4)))
    (create,) = fresh.requests_to("POST", "/fal-ai/kling-video/v3/pro/image-to-video")
    body = create.json
    assert body["start_image_url"].startswith("data:image/png;base64,") and body["end_image_url"].startswith("data:")
    assert body["duration"] == "4" and body["generate_audio"] is False and body["negative_prompt"] == "blurry"
    assert "aspect_ratio" not in body and "seed" not in body
    assert fresh.tasks[-1].width / fresh.tasks[-1].height == pytest.approx(16 / 9, rel=0.02)  # the picture's shape


def _matrix():
    for model in FAL_MODEL_ENTRIES:
        for ratio in SIZES:
            for image in (None, "small", "large"):
                for prompt in ("a lighthouse in fog", ""):
                    yield model, ratio, image, prompt


def test_every_listed_model_at_every_aspect_is_sent_as_its_schema_allows_or_refused_here(fresh, tmp_path):
    """The Done-when matrix for fal: nothing is sent that the schema refuses, and what is refused
    is refused in words before anything is sent or spent."""
    small = picture(tmp_path / "small.png", (640, 360))
    large = picture(tmp_path / "large.png", (900, 700), noisy=True)
    assert large.stat().st_size > 1024**2  # over the inline size: it goes through fal's storage
    sent = refused = 0
    for index, (model, ratio, image, prompt) in enumerate(_matrix()):
        folder = tmp_path / f"case-{index}"
        folder.mkdir()
        shot = request(folder, model, size=SIZES[ratio], prompt=prompt,
                       image={"small": small, "large": large}.get(image))
        before = len(fresh.requests)
        try:
            result = run(generate(fresh, shot))
        except GenerationError as exc:
            assert prompt == "" and "needs a prompt" in str(exc) and "\n" not in str(exc)
            assert len(fresh.requests) == before  # nothing sent, nothing spent
            refused += 1
            continue
        sent += 1
        assert not probe_source(result.path).still
        shape = result.backend_info
        if image is None and shape["ratio"] != ratio:
            assert shape["notes"] and "nearest shape" in shape["notes"][0]
        assert not fresh.tasks[-1].extra["issues"], (model, ratio, image, fresh.tasks[-1].extra["issues"])
    assert sent == refused == len(FAL_MODEL_ENTRIES) * len(SIZES) * 3
    assert not fresh.ignored_fields  # no field the schema lacks was sent either


def test_a_large_picture_goes_through_storage_and_the_key_stays_off_the_signed_upload(fresh, tmp_path):
    large = picture(tmp_path / "large.png", (900, 700), noisy=True)
    out = tmp_path / "out"
    out.mkdir()
    run(generate(fresh, request(out, "seedance-2.0-fast", image=large)))
    (initiate,) = fresh.requests_to("POST", "/storage/upload/initiate")
    assert initiate.query == {"storage_type": "fal-cdn-v3"} and initiate.json["content_type"] == "image/png"
    (put,) = fresh.requests_to("PUT", "/storage/put/")
    assert put.status == 200 and put.headers["Content-Type"] == "image/png"
    assert KEY not in str(put.headers)  # the log never holds Authorization: the server refuses one with 400
    (create,) = fresh.requests_to("POST", "/bytedance/seedance-2.0/fast/image-to-video")
    assert create.json["image_url"].startswith(f"{fresh.url}/storage/files/")
    assert list(fresh.uploads.values())[0][0] == large.read_bytes()


def test_a_picture_over_the_models_weight_limit_is_sent_as_a_lighter_copy_of_the_same_picture(fresh, tmp_path):
    """Kling on fal takes pictures up to 10 MiB: one over it (a PNG with 11 MiB of trailing bytes
    after the picture) is said to be lightened, and what reaches fal is the same pixels, under it."""
    heavy = tmp_path / "heavy.png"
    heavy.write_bytes(picture(tmp_path / "seed.png", (640, 360), noisy=True).read_bytes() + bytes(11 * 1024**2))
    out = tmp_path / "out"
    out.mkdir()

    async def shape():
        async with httpx.AsyncClient() as http:
            return backend(http, fresh).request_shape(request(out, "kling-v3-standard", image=heavy))
    assert any("heavy.png weighs 12." in note and "lighter copy" in note for note in run(shape()).notes)
    run(generate(fresh, request(out, "kling-v3-standard", image=heavy)))
    (create,) = fresh.requests_to("POST", "/fal-ai/kling-video/v3/standard/image-to-video")
    head, _, payload = create.json["start_image_url"].partition(",")
    sent_bytes = base64.b64decode(payload)
    assert head == "data:image/png;base64" and len(sent_bytes) < 1024**2  # light enough to go inline
    with Image.open(io.BytesIO(sent_bytes)) as sent, Image.open(tmp_path / "seed.png") as own:
        assert sent.size == own.size and sent.tobytes() == own.convert(sent.mode).tobytes()


def test_an_unknown_model_is_refused_in_words_and_fals_own_ids_are_understood(fresh, tmp_path):
    with pytest.raises(GenerationError, match="kling-v3-pro, kling-v3-standard"):
        run(generate(fresh, request(tmp_path, "luma-ray-3")))
    assert not fresh.requests
    run(generate(fresh, request(tmp_path, "fal-ai/kling-video/v3/standard/text-to-video")))
    assert fresh.requests_to("POST", "/fal-ai/kling-video/v3/standard/text-to-video")


def test_the_request_shape_says_what_will_be_sent_and_sends_nothing(fresh, tmp_path):
    async def shape():
        async with httpx.AsyncClient() as http:
            return backend(http, fresh).request_shape(request(tmp_path, "kling-v3-pro", size=(1024, 768), seconds=20))
    told = asyncio.run(shape())
    assert (told.model, told.endpoint, told.ratio, told.duration_s, told.seed) == (
        "kling-v3-pro", "text_to_video", "16:9", 15.0, None)
    assert told.estimate.amount == pytest.approx(15 * 0.224) and told.estimate.unit == "usd"
    assert any("nearest shape" in note for note in told.notes) and any("15 s asked" in note for note in told.notes)
    assert not fresh.requests


def test_a_wrong_key_is_refused_once_in_words_without_the_key(fresh, tmp_path):
    async def attempt():
        async with httpx.AsyncClient() as http:
            return await backend(http, fresh, key="fal-wrong-HIDDEN-999").generate(
                request(tmp_path, "seedance-2.0"), lambda event: None)
    with pytest.raises(CloudAuthError) as caught:
        run(attempt())
    assert "HIDDEN" not in str(caught.value) and "fal.ai" in str(caught.value)
    assert len(fresh.requests) == 1 and fresh.requests[0].status == 401


@pytest.mark.parametrize(("kind", "error"), [("moderation", ContentModeratedError), ("error", CloudTaskFailedError)])
def test_a_failed_request_is_reported_in_words(fresh, tmp_path, kind, error):
    fresh.fail_tasks_with = kind
    with pytest.raises(error) as caught:
        run(generate(fresh, request(tmp_path, "kling-v3-pro")))
    assert "\n" not in str(caught.value) and "fal.ai" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_refusal_found_when_the_result_is_read_is_reported_in_words(tmp_path):
    """The queue takes any input; the model may refuse it only when it runs (422 on the result)."""
    whole = picture(tmp_path / "whole.png", (640, 360), noisy=True).read_bytes()
    broken = tmp_path / "broken.png"  # its header is whole (640x360), its pixels cut short: only decoding finds it
    broken.write_bytes(whole[:len(whole) // 2])
    out = tmp_path / "out"
    out.mkdir()
    with FalServer(api_key=KEY, task_seconds=TASK_S, validate_at="result") as server:
        with pytest.raises(GenerationError, match="image_url") as caught:
            run(generate(server, request(out, "seedance-2.0", image=broken)))
        assert server.submissions == 1
    assert "\n" not in str(caught.value) and list(out.iterdir()) == []


def test_cancel_stops_the_request_at_fal_by_owner_and_alias(fresh, tmp_path):
    fresh.task_seconds = ENDLESS_TASK_S

    async def cancel_once_queued():
        async with httpx.AsyncClient() as http:
            fal = backend(http, fresh)
            submitted = asyncio.Event()
            job = asyncio.ensure_future(fal.generate(
                request(tmp_path, "seedance-2.0-fast"),
                lambda event: submitted.set() if event.kind == "submitted" else None))
            await submitted.wait()
            await fal.cancel("shot-1")
            return await job
    with pytest.raises(CloudTaskCancelledError):
        run(cancel_once_queued())
    (cancel,) = fresh.requests_to("PUT", "/bytedance/seedance-2.0/requests/")
    assert cancel.path.endswith("/cancel") and cancel.status == 202 and fresh.cancels == 1


def test_resume_follows_a_request_by_its_id_without_submitting_again(fresh, tmp_path):
    fresh.task_seconds = ENDLESS_TASK_S
    shot = request(tmp_path, "kling-v3-standard")

    async def submit_and_forget():
        async with httpx.AsyncClient() as http:
            fal = backend(http, fresh)
            job = asyncio.ensure_future(fal.generate(shot, lambda event: None))
            while not fresh.submissions:
                await asyncio.sleep(0.01)
            job.cancel()  # the app closing: the request stays at fal
            with pytest.raises(asyncio.CancelledError):
                await job
    run(submit_and_forget())
    request_id = fresh.tasks[-1].id
    fresh.advance_tasks(ENDLESS_TASK_S)

    async def resume():
        async with httpx.AsyncClient() as http:  # a new backend: nothing of the first run is known
            return await backend(http, fresh).resume("fal", request_id, shot, lambda event: None)
    result = run(resume())
    assert fresh.submissions == 1 and result.backend_info["remote_id"] == request_id
    assert not probe_source(result.path).still
    assert fresh.requests_to("GET", f"/fal-ai/kling-video/requests/{request_id}/status")


def test_health_is_a_cheap_authenticated_read(fresh):
    async def health(key):
        async with httpx.AsyncClient() as http:
            return await backend(http, fresh, key=key).health()
    assert run(health(KEY)).ok
    assert not run(health("wrong")).ok
    assert fresh.submissions == 0


def test_a_refusal_at_submission_is_not_retried(fresh, tmp_path):
    fresh.fail_next(1, 422, only="POST /bytedance")
    with pytest.raises(CloudRefusedError, match="422"):
        run(generate(fresh, request(tmp_path, "seedance-2.0")))
    assert len(fresh.requests_to("POST", "/bytedance/seedance-2.0/text-to-video")) == 1


def test_an_earlier_runs_request_is_cancelled_by_its_id_alone(fresh, tmp_path):
    fresh.task_seconds = ENDLESS_TASK_S
    queued = httpx.post(f"{fresh.url}/fal-ai/kling-video/v3/pro/text-to-video", json={"prompt": "a fox"},
                        headers={"Authorization": f"Key {KEY}"}).json()

    async def cancel():
        async with httpx.AsyncClient() as http:  # a backend that never saw the request
            await backend(http, fresh).cancel_remote("fal", queued["request_id"])
    run(cancel())
    assert fresh.cancels == 1 and fresh.tasks[-1].phase == "cancelled"
