"""The Gemini API test server refuses what Google refuses: for every rule it checks, a known-invalid
request it must refuse, in Google's error shape; and a valid one runs its operation to a video."""

from __future__ import annotations

import base64
import io

import httpx
import numpy as np
import pytest
from PIL import Image
from servers.gemini import GeminiServer

KEY = "AIza-test-key-0123456789"
MODEL = "veo-3.1-generate-preview"
PREDICT = f"/v1beta/models/{MODEL}:predictLongRunning"


def _png() -> str:
    buffer = io.BytesIO()
    Image.fromarray(np.full((90, 160, 3), (40, 120, 200), np.uint8)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


PICTURE = {"bytesBase64Encoded": _png(), "mimeType": "image/png"}


@pytest.fixture(scope="module")
def server():
    with GeminiServer(api_key=KEY, task_seconds=0.05) as running:
        yield running


def post(server: GeminiServer, body, *, path: str = PREDICT, headers=None) -> httpx.Response:
    return httpx.post(server.url + path, json=body, headers={"x-goog-api-key": KEY} if headers is None else headers)


def body(instance=None, **parameters):
    return {"instances": [instance if instance is not None else {"prompt": "waves"}], "parameters": parameters}


def test_a_valid_request_runs_to_a_video_fetched_with_the_key(server):
    answer = post(server, body(aspectRatio="9:16", durationSeconds=6, resolution="720p", negativePrompt="blur"))
    assert answer.status_code == 200, answer.text
    name = answer.json()["name"]
    assert name.startswith(f"models/{MODEL}/operations/")
    server.advance_tasks(1)
    operation = httpx.get(f"{server.url}/v1beta/{name}", headers={"x-goog-api-key": KEY}).json()
    assert operation["done"] is True
    uri = operation["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    assert httpx.get(uri).status_code == 403  # the file wants the key too
    video = httpx.get(uri, headers={"x-goog-api-key": KEY})
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"


def test_an_operation_still_running_has_no_done(server):
    server.task_seconds = 3600
    try:
        name = post(server, body()).json()["name"]
        assert httpx.get(f"{server.url}/v1beta/{name}", headers={"x-goog-api-key": KEY}).json() == {"name": name}
    finally:
        server.advance_tasks(3600)
        server.task_seconds = 0.05


INVALID = {
    "unknown top-level field": {"instances": [{"prompt": "x"}], "parameters": {}, "config": {}},
    "two instances": {"instances": [{"prompt": "x"}, {"prompt": "y"}], "parameters": {}},
    "no instances": {"parameters": {}},
    "seed (Enterprise only)": body(seed=7),
    "generateAudio (Enterprise only)": body(generateAudio=True),
    "fps (Enterprise only)": body(fps=24),
    "unknown parameter": body(style="noir"),
    "instance field among parameters": body(prompt="x"),
    "unknown instance field": body({"prompt": "x", "negative": "y"}),
    "empty prompt": body({"prompt": "  "}),
    "no prompt and no image": body({}),
    "1:1 aspect": body(aspectRatio="1:1"),
    "4:3 aspect": body(aspectRatio="4:3"),
    "5 seconds": body(durationSeconds=5),
    "duration as a string": body(durationSeconds="8"),
    "duration as a float": body(durationSeconds=8.0),
    "unknown resolution": body(resolution="480p"),
    "1080p at 4 seconds": body(resolution="1080p", durationSeconds=4),
    "4k at 6 seconds": body(resolution="4k", durationSeconds=6),
    "sampleCount 5": body(sampleCount=5),
    "negativePrompt not a string": body(negativePrompt=["blur"]),
    "enhancePrompt not a bool": body(enhancePrompt="yes"),
    "personGeneration allow_adult for text": body(personGeneration="allow_adult"),
    "personGeneration allow_all with a picture": body({"image": PICTURE}, personGeneration="allow_all"),
    "personGeneration dont_allow": body(personGeneration="dont_allow"),
    "image as a data URI": body({"prompt": "x", "image": "data:image/png;base64," + PICTURE["bytesBase64Encoded"]}),
    "image by gcsUri": body({"prompt": "x", "image": {"gcsUri": "gs://b/i.png", "mimeType": "image/png"}}),
    "image of the wrong type": body({"image": {**PICTURE, "mimeType": "image/gif"}}),
    "image bytes not base64": body({"image": {"bytesBase64Encoded": "not base64!", "mimeType": "image/png"}}),
    "image bytes not the type said": body({"image": {**PICTURE, "mimeType": "image/jpeg"}}),
    "image with an unknown field": body({"image": {**PICTURE, "uri": "x"}}),
    "lastFrame without image": body({"prompt": "x", "lastFrame": PICTURE}),
    "references with image": body({"prompt": "x", "image": PICTURE,
                                   "referenceImages": [{"image": PICTURE, "referenceType": "asset"}]},
                                  durationSeconds=8),
    "references without prompt": body({"referenceImages": [{"image": PICTURE, "referenceType": "asset"}]},
                                      durationSeconds=8),
    "four references": body({"prompt": "x", "referenceImages": [{"image": PICTURE, "referenceType": "asset"}] * 4},
                            durationSeconds=8),
    "style reference (Enterprise only)": body(
        {"prompt": "x", "referenceImages": [{"image": PICTURE, "referenceType": "style"}]}, durationSeconds=8),
    "references at 4 seconds": body({"prompt": "x", "referenceImages": [{"image": PICTURE, "referenceType": "asset"}]},
                                    durationSeconds=4),
    "video extension": body({"prompt": "x", "video": {"uri": "files/abc"}}),
}

# The words each refusal must carry: proof that the rule named by the case refused it, not another.
SAYS = {
    "unknown top-level field": 'Unknown name "config"', "two instances": "exactly one instance",
    "no instances": "exactly one instance", "seed (Enterprise only)": "`seed` isn't supported",
    "generateAudio (Enterprise only)": "`generateAudio` isn't supported", "fps (Enterprise only)": "`fps` isn't",
    "unknown parameter": "`style` isn't", "instance field among parameters": "belongs in the instance",
    "unknown instance field": "`negative` isn't", "empty prompt": "non-empty string",
    "no prompt and no image": "prompt is required", "1:1 aspect": "'1:1' is not supported",
    "4:3 aspect": "'4:3' is not supported", "5 seconds": "durationSeconds 5", "duration as a string": "'8'",
    "duration as a float": "8.0", "unknown resolution": "'480p'", "1080p at 4 seconds": "1080p is only",
    "4k at 6 seconds": "4k is only", "sampleCount 5": "sampleCount", "negativePrompt not a string": "negativePrompt",
    "enhancePrompt not a bool": "enhancePrompt", "personGeneration allow_adult for text": "use 'allow_all'",
    "personGeneration allow_all with a picture": "use 'allow_adult'",
    "personGeneration dont_allow": "'dont_allow'", "image as a data URI": "bytesBase64Encoded and mimeType",
    "image by gcsUri": "gcsUri", "image of the wrong type": "'image/gif'", "image bytes not base64": "base64",
    "image bytes not the type said": "not a image/jpeg", "image with an unknown field": "Unknown name in image",
    "lastFrame without image": "lastFrame is only", "references with image": "cannot be combined",
    "references without prompt": "prompt is required", "four references": "1 to 3",
    "style reference (Enterprise only)": "'style'", "references at 4 seconds": "referenceImages is only",
    "video extension": "`video`",
}


@pytest.mark.parametrize("case", list(INVALID))
def test_every_rule_has_a_request_it_refuses_in_googles_shape(server, case):
    before = server.submissions
    answer = post(server, INVALID[case])
    assert answer.status_code == 400, (case, answer.text)
    error = answer.json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT" and SAYS[case] in error["message"]
    assert server.submissions == before


def test_what_the_rules_allow_is_accepted(server):
    allowed = [
        body({"image": PICTURE}),  # no prompt: the picture says what is there
        body({"prompt": "x", "image": PICTURE, "lastFrame": PICTURE}, personGeneration="allow_adult"),
        body({"prompt": "x", "referenceImages": [{"image": PICTURE, "referenceType": "asset"}] * 3},
             durationSeconds=8),
        body(resolution="4k", durationSeconds=8, personGeneration="allow_all", sampleCount=2, enhancePrompt=True),
        body({"prompt": "x"}),  # every parameter left to its default
    ]
    for request in allowed:
        assert post(server, request).status_code == 200, request


def test_a_request_over_twenty_mib_is_refused_as_google_refuses_it(server):
    huge = {"bytesBase64Encoded": "A" * (21 * 1024**2), "mimeType": "image/png"}
    answer = post(server, body({"prompt": "x", "image": huge}))
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Request payload size exceeds the limit: 20971520 bytes."


def test_keys_models_and_methods(server):
    missing = post(server, body(), headers={})
    assert missing.status_code == 403 and missing.json()["error"]["status"] == "PERMISSION_DENIED"
    wrong = post(server, body(), headers={"x-goog-api-key": "AIza-wrong"})
    assert wrong.status_code == 400 and wrong.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    bearer = post(server, body(), headers={"Authorization": f"Bearer {KEY}"})
    assert bearer.status_code == 403  # Google takes the key in its own header, not as a bearer token
    unknown = post(server, body(), path="/v1beta/models/veo-9:predictLongRunning")
    assert unknown.status_code == 404 and unknown.json()["error"]["status"] == "NOT_FOUND"
    assert post(server, body(), path=f"/v1beta/models/{MODEL}:generateContent").status_code == 404
    described = httpx.get(f"{server.url}/v1beta/models/{MODEL}", headers={"x-goog-api-key": KEY})
    assert described.json()["supportedGenerationMethods"] == ["predictLongRunning"]
    gone = httpx.get(f"{server.url}/v1beta/models/{MODEL}/operations/nope", headers={"x-goog-api-key": KEY})
    assert gone.status_code == 404


def test_a_rate_limit_says_how_long_to_wait_in_retry_info(server):
    server.rate_limit_next(1, retry_after_s=37)
    answer = post(server, body())
    assert answer.status_code == 429
    error = answer.json()["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED" and error["details"][0]["retryDelay"] == "37s"


@pytest.mark.parametrize(("kind", "key"), [("moderation", "response"), ("error", "error")])
def test_failed_operations_end_as_google_ends_them(server, kind, key):
    server.fail_tasks_with = kind
    name = post(server, body()).json()["name"]
    server.advance_tasks(1)
    operation = httpx.get(f"{server.url}/v1beta/{name}", headers={"x-goog-api-key": KEY}).json()
    assert operation["done"] is True and key in operation
    if kind == "moderation":
        videos = operation["response"]["generateVideoResponse"]
        assert "generatedSamples" not in videos and videos["raiMediaFilteredReasons"]
