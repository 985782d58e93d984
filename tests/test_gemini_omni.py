"""The `gemini` backend's Gemini Omni Flash, through the Interactions API, against the Gemini test
server (tests/servers/gemini_interactions.py checks each create against python-genai's own types).

Trials: a take made from the body the SDK would send, with the key in x-goog-api-key and the
interaction's id recorded as `interactions/{id}`; the video by link or inline; a first frame and
reference pictures as content blocks with the task named; refusals here before anything is sent;
failures and safety filters in words; a cancel that Google is told of; resume by id without a
second submission.
"""

from __future__ import annotations

import base64

import httpx
import pytest
from servers.gemini import GeminiServer
from cloud_video_trials import WAIT_S
from test_gemini_backend import (
    KEY,
    backend,
    cancel_once_submitted,
    generate,
    picture,
    request,
    run,
    submit_and_forget,
)

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationEvent
from foundry_desktop.generation.cloud.catalog.gemini_omni_models import OMNI_MODELS
from foundry_desktop.generation.cloud.errors import (
    CloudReplyError,
    CloudTaskCancelledError,
    CloudTaskFailedError,
    ContentModeratedError,
)
from foundry_desktop.generation.cloud.providers.gemini import GeminiBackend
from foundry_desktop.media.probe import probe_source

OMNI = "gemini-omni-1.2-flash"
PRICE = 0.07  # US dollars a second at 720p
TASK_S = 0.1
ENDLESS_TASK_S = 3600


@pytest.fixture
def fresh():
    with GeminiServer(api_key=KEY, task_seconds=TASK_S) as running:
        yield running


def test_omni_is_listed_with_its_interactions_facts():
    model = OMNI_MODELS[OMNI]
    assert model.provider == "gemini" and model.price.unit == "usd" and model.source and model.checked
    assert all(shape.ratios == ("16:9", "9:16") and shape.seed_range is None and not shape.last_frame
               for shape in model.endpoints.values())


def test_a_take_is_made_from_the_body_the_sdk_sends_with_the_id_recorded_first(fresh, tmp_path):
    events: list[GenerationEvent] = []
    result = run(generate(fresh, request(tmp_path, OMNI, seconds=6), events))
    assert not probe_source(result.path).still and result.path.parent == tmp_path
    assert result.cost.unit == "usd" and result.cost.amount == pytest.approx(6 * PRICE)
    (create,) = fresh.requests_to("POST", "/v1beta/interactions")
    assert create.headers["x-goog-api-key"] == KEY and "Authorization" not in create.headers
    assert create.json == {
        "model": OMNI, "input": "waves at dusk", "background": True, "store": True,
        "response_format": {"type": "video", "aspect_ratio": "16:9", "resolution": "720p", "delivery": "uri",
                            "duration": "6s"},
        "generation_config": {"video_config": {"task": "text_to_video"}}}
    remote = f"interactions/v1_{fresh.tasks[-1].id}"
    assert fresh.requests_to("GET", f"/v1beta/{remote}")
    (download,) = fresh.requests_to("GET", "/v1beta/files/")
    assert download.headers["x-goog-api-key"] == KEY
    assert result.backend_info["remote_id"] == remote and result.backend_info["task"] == "text_to_video"
    assert [event.remote_id for event in events if event.kind == "submitted"] == [remote]
    # No negative-prompt field exists: the shot's is left out, and a note says so.
    assert any("no negative prompt" in note for note in result.backend_info["notes"])


def test_a_video_sent_inline_is_saved_whole_without_a_download(fresh, tmp_path):
    fresh.inline_video = True
    result = run(generate(fresh, request(tmp_path, OMNI, size=(720, 1280))))
    assert not probe_source(result.path).still and result.path.suffix == ".mp4"
    assert fresh.requests_to("POST", "/v1beta/interactions")[0].json["response_format"]["aspect_ratio"] == "9:16"
    assert not fresh.requests_to("GET", "/v1beta/files/") and list(tmp_path.iterdir()) == [result.path]


def test_a_first_frame_goes_before_the_words_as_image_to_video(fresh, tmp_path):
    first = picture(tmp_path / "first.png", (320, 180))
    out = tmp_path / "out"
    out.mkdir()
    run(generate(fresh, request(out, OMNI, image=first, seconds=12)))
    body = fresh.requests[0].json
    image, words = body["input"]
    assert image["type"] == "image" and image["mime_type"] == "image/png"
    assert base64.b64decode(image["data"]) == first.read_bytes()
    assert words == {"type": "text", "text": "waves at dusk"}
    assert body["generation_config"]["video_config"]["task"] == "image_to_video"
    assert body["response_format"]["duration"] == "10s"  # the longest Omni makes, for a 12 s shot


def test_reference_pictures_go_as_reference_to_video_three_at_most(fresh, tmp_path):
    refs = tuple(picture(tmp_path / f"ref{n}.png", (64, 64)) for n in range(4))
    out = tmp_path / "out"
    out.mkdir()
    result = run(generate(fresh, request(out, OMNI, references=refs)))
    body = fresh.requests[0].json
    assert [block["type"] for block in body["input"]] == ["image"] * 3 + ["text"]
    assert body["generation_config"]["video_config"]["task"] == "reference_to_video"
    assert any("first 3 reference pictures" in note for note in result.backend_info["notes"])


@pytest.mark.parametrize("with_picture", [False, True])
def test_an_empty_prompt_is_refused_here_and_nothing_is_sent(fresh, tmp_path, with_picture):
    image = picture(tmp_path / "first.png", (320, 180)) if with_picture else None
    with pytest.raises(GenerationError, match="needs a prompt") as caught:
        run(generate(fresh, request(tmp_path, OMNI, prompt=" ", image=image)))
    assert "\n" not in str(caught.value) and not fresh.requests


def test_a_last_frame_is_refused_in_words_before_sending(fresh, tmp_path):
    first = picture(tmp_path / "first.png", (320, 180))
    with pytest.raises(GenerationError, match="takes no last frame"):
        run(generate(fresh, request(tmp_path, OMNI, image=first, last=first)))
    assert not fresh.requests


@pytest.mark.parametrize(("kind", "error", "words"), [
    ("moderation", ContentModeratedError, "safety filters"),
    ("error", CloudTaskFailedError, "Video generation failed"),
    ("step_error", CloudTaskFailedError, "could not finish the video")])
def test_a_failed_interaction_is_reported_in_words(fresh, tmp_path, kind, error, words):
    fresh.fail_tasks_with = kind
    with pytest.raises(error, match=words) as caught:
        run(generate(fresh, request(tmp_path, OMNI)))
    assert "\n" not in str(caught.value) and "Google Gemini" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_an_interaction_status_the_sdk_does_not_list_is_one_line(fresh, tmp_path):
    fresh.mutate_next(lambda body: body.replace(b'"completed"', b'"levitating"'), 1000,
                      only="GET /v1beta/interactions/")
    with pytest.raises(CloudReplyError, match="status Foundry does not know") as caught:
        run(generate(fresh, request(tmp_path, OMNI)))
    assert "\n" not in str(caught.value)


def test_cancel_tells_google_and_the_interaction_stops_there(fresh, tmp_path):
    fresh.task_seconds = ENDLESS_TASK_S
    with pytest.raises(CloudTaskCancelledError) as caught:
        run(cancel_once_submitted(fresh, request(tmp_path, OMNI)))
    assert "may still" not in str(caught.value)  # Google was told, and confirmed
    (cancel,) = fresh.requests_to("POST", "/v1beta/interactions/")
    assert cancel.path.endswith("/cancel") and fresh.cancels == 1
    assert fresh.tasks[-1].phase == "cancelled" and list(tmp_path.iterdir()) == []


def test_resume_follows_an_interaction_by_its_id_without_submitting_again(fresh, tmp_path):
    fresh.task_seconds = ENDLESS_TASK_S
    shot = request(tmp_path, OMNI, seconds=8)

    run(submit_and_forget(fresh, shot))
    remote = f"interactions/v1_{fresh.tasks[-1].id}"
    fresh.advance_tasks(ENDLESS_TASK_S)

    async def resume():
        async with httpx.AsyncClient(timeout=WAIT_S) as http:  # a new backend: nothing of the first run is known
            return await backend(http, fresh).resume("gemini", remote, shot, lambda event: None)
    result = run(resume())
    assert fresh.submissions == 1 and result.backend_info["remote_id"] == remote
    assert result.cost.amount == pytest.approx(8 * PRICE) and not probe_source(result.path).still


def test_health_reads_the_omni_model_when_it_is_the_default(fresh):
    async def health():
        async with httpx.AsyncClient() as http:
            return await GeminiBackend(http, KEY, base_url=fresh.url, default_model=OMNI).health()
    told = run(health())
    assert told.ok and "Gemini Omni Flash 1.2" in told.message and fresh.submissions == 0
