"""The Gemini test server's Interactions API refuses what Google refuses: for every rule it checks
(tests/servers/gemini_interactions.py, from python-genai's own types), a known-invalid request it must
refuse in Google's error shape; a valid one runs to a video, read back by id or cancelled."""

from __future__ import annotations

import base64
import io

import httpx
import numpy as np
import pytest
from PIL import Image
from servers.gemini import GeminiServer

KEY = "AIza-test-key-0123456789"
MODEL = "gemini-omni-1.2-flash"
CREATE = "/v1beta/interactions"
HEADERS = {"x-goog-api-key": KEY}


def _png() -> str:
    buffer = io.BytesIO()
    Image.fromarray(np.full((90, 160, 3), (40, 120, 200), np.uint8)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


PICTURE = {"type": "image", "data": _png(), "mime_type": "image/png"}
WORDS = {"type": "text", "text": "the lighthouse beam sweeps the fog"}


@pytest.fixture(scope="module")
def server():
    with GeminiServer(api_key=KEY, task_seconds=0.05) as running:
        yield running


def body(**fields):
    return {"model": MODEL, "input": "waves at dusk", "background": True, "store": True,
            "response_format": {"type": "video", "aspect_ratio": "16:9", "duration": "8s", "resolution": "720p",
                                "delivery": "uri"},
            "generation_config": {"video_config": {"task": "text_to_video"}}, **fields}


def post(server: GeminiServer, payload, *, path: str = CREATE, headers=None) -> httpx.Response:
    return httpx.post(server.url + path, json=payload, headers=HEADERS if headers is None else headers)


def get(server: GeminiServer, interaction_id: str) -> dict:
    return httpx.get(f"{server.url}/v1beta/interactions/{interaction_id}", headers=HEADERS).json()


def test_a_background_interaction_answers_its_id_and_is_read_back_to_a_video_link(server):
    server.task_seconds = 3600
    try:
        started = post(server, body())
        assert started.status_code == 200, started.text
        created = started.json()
        assert created["id"].startswith("v1_") and created["status"] in ("queued", "in_progress")
        assert get(server, created["id"])["status"] in ("queued", "in_progress")
    finally:
        server.advance_tasks(3600)
        server.task_seconds = 0.05
    done = get(server, created["id"])
    assert done["status"] == "completed"
    (video,) = [block for step in done["steps"] if step["type"] == "model_output" for block in step["content"]]
    assert video["type"] == "video" and video["mime_type"] == "video/mp4"
    assert httpx.get(video["uri"]).status_code == 403  # Google's file wants the key too
    assert httpx.get(video["uri"], headers=HEADERS).headers["content-type"] == "video/mp4"


def test_a_video_comes_inline_when_the_server_answers_so(server):
    server.inline_video = True
    try:
        done = post(server, body(background=False, store=False)).json()  # a call that waits for its video
    finally:
        server.inline_video = False
    (video,) = done["steps"][-1]["content"]
    assert done["status"] == "completed" and base64.b64decode(video["data"])[4:8] == b"ftyp"


def test_a_running_interaction_is_cancelled_and_a_settled_one_is_not(server):
    server.task_seconds = 3600
    try:
        interaction = post(server, body()).json()["id"]
        cancelled = httpx.post(f"{server.url}/v1beta/interactions/{interaction}/cancel", headers=HEADERS)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        again = httpx.post(f"{server.url}/v1beta/interactions/{interaction}/cancel", headers=HEADERS)
        assert again.status_code == 400 and again.json()["error"]["status"] == "FAILED_PRECONDITION"
    finally:
        server.advance_tasks(3600)
        server.task_seconds = 0.05
    missing = httpx.post(f"{server.url}/v1beta/interactions/v1_nothing/cancel", headers=HEADERS)
    assert missing.status_code == 404


INVALID = {
    "camelCase field (the SDK sends snake_case)": {**body(), "responseFormat": {"type": "video"}},
    "unknown top-level field": body(parameters={}),
    "no model": {key: value for key, value in body().items() if key != "model"},
    "a Veo model": body(model="veo-3.1-generate-preview"),
    "the shut-down preview model": body(model="gemini-omni-flash-preview"),
    "no input": {key: value for key, value in body().items() if key != "input"},
    "empty input": body(input="  "),
    "input of pictures without words": body(input=[PICTURE], generation_config={"video_config": {
        "task": "image_to_video"}}),
    "an audio block": body(input=[{"type": "audio", "data": "AAAA", "mime_type": "audio/wav"}, WORDS]),
    "a text block without text": body(input=[{"type": "text"}]),
    "an unknown image field": body(input=[{**PICTURE, "bytesBase64Encoded": "x"}, WORDS], generation_config={
        "video_config": {"task": "image_to_video"}}),
    "an image mime type not listed": body(input=[{**PICTURE, "mime_type": "image/svg+xml"}, WORDS]),
    "image data not base64": body(input=[{**PICTURE, "data": "not base64!"}, WORDS]),
    "image data not the type it says": body(input=[{**PICTURE, "mime_type": "image/jpeg"}, WORDS]),
    "eleven pictures": body(input=[PICTURE] * 11 + [WORDS], generation_config={"video_config": {
        "task": "reference_to_video"}}),
    "system instruction": body(system_instruction="be cinematic"),
    "background not a boolean": body(background="yes"),
    "background without store": body(store=False),
    "a text response format": body(response_format={"type": "text"}),
    "unknown response format field": body(response_format={"type": "video", "fps": 24}),
    "1:1 aspect": body(response_format={"type": "video", "aspect_ratio": "1:1"}),
    "4:3 aspect": body(response_format={"type": "video", "aspect_ratio": "4:3"}),
    "480p": body(response_format={"type": "video", "resolution": "480p"}),
    "unknown delivery": body(response_format={"type": "video", "delivery": "email"}),
    "duration as a number": body(response_format={"type": "video", "duration": 8}),
    "duration without its unit": body(response_format={"type": "video", "duration": "8"}),
    "two seconds": body(response_format={"type": "video", "duration": "2s"}),
    "eleven seconds": body(response_format={"type": "video", "duration": "11s"}),
    "gcs_uri (Vertex only)": body(response_format={"type": "video", "gcs_uri": "gs://bucket/out"}),
    "camelCase generation config field": body(generation_config={"videoConfig": {"task": "text_to_video"}}),
    "stop sequences": body(generation_config={"stop_sequences": ["END"]}),
    "seed not an integer": body(generation_config={"seed": "7"}),
    "unknown video config field": body(generation_config={"video_config": {"task": "text_to_video", "fps": 24}}),
    "unknown task": body(generation_config={"video_config": {"task": "slow_motion"}}),
    "edit without a video": body(generation_config={"video_config": {"task": "edit"}}),
    "text to video with a picture": body(input=[PICTURE, WORDS]),
    "image to video without a picture": body(generation_config={"video_config": {"task": "image_to_video"}}),
    "image to video with two pictures": body(input=[PICTURE, PICTURE, WORDS], generation_config={
        "video_config": {"task": "image_to_video"}}),
    "references without a picture": body(generation_config={"video_config": {"task": "reference_to_video"}}),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_every_rule_has_a_request_it_refuses_in_googles_shape(server, case):
    before = server.submissions
    answer = post(server, INVALID[case])
    assert answer.status_code in (400, 404), (case, answer.status_code)
    error = answer.json()["error"]
    assert error["code"] == answer.status_code and error["message"] and error["status"]
    assert server.submissions == before


ALLOWED = [
    body(),
    body(response_format={"type": "video", "aspect_ratio": "9:16", "duration": "3s"}),
    body(response_format={"type": "video", "duration": "10s", "resolution": "4k", "delivery": "inline"}),
    body(input=[PICTURE, WORDS], generation_config={"video_config": {"task": "image_to_video"}}),
    body(input=[PICTURE, PICTURE, PICTURE, WORDS], generation_config={"video_config": {"task": "reference_to_video"}}),
    body(input=[PICTURE, WORDS], generation_config={}),  # the task left to the model
    body(generation_config={"seed": 7}),
    {"model": "gemini-omni-1.1-flash", "input": "waves"},  # the least the SDK sends: model and input
]


@pytest.mark.parametrize("index", range(len(ALLOWED)))
def test_what_the_rules_allow_is_accepted(server, index):
    answer = post(server, ALLOWED[index])
    assert answer.status_code == 200, answer.text


def test_a_request_over_twenty_mib_is_refused_as_google_refuses_it(server):
    answer = post(server, body(input=[{**PICTURE, "data": "A" * (21 * 1024**2)}, WORDS]))
    assert answer.status_code == 400 and "payload size exceeds the limit" in answer.json()["error"]["message"]


def test_keys_and_unknown_interactions(server):
    assert post(server, body(), headers={}).status_code == 403
    wrong = post(server, body(), headers={"x-goog-api-key": "AIza-wrong"})
    assert wrong.status_code == 400 and wrong.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    assert httpx.get(f"{server.url}/v1beta/interactions/v1_nothing", headers=HEADERS).status_code == 404


@pytest.mark.parametrize(("kind", "status"), [("moderation", "failed"), ("error", "failed"),
                                              ("step_error", "completed")])
def test_failed_interactions_end_as_the_sdk_reads_them(server, kind, status):
    server.fail_tasks_with = kind
    interaction = post(server, body()).json()["id"]
    server.advance_tasks(1)
    done = get(server, interaction)
    assert done["status"] == status
    assert done.get("errors") or done["steps"][-1]["error"]["message"]
