"""The fal test server refuses what fal refuses: for every rule it checks, a known-invalid request.

A server that accepted everything would prove nothing about the backend's requests; each case
here is one broken input (or route, or key) and the answer fal gives it: FastAPI's 422
`{"detail": [{"loc": ["body", field], "msg", "type"}]}`, a 401, a 404 or a 400.
"""

from __future__ import annotations

import base64
import io

import httpx
import pytest
from PIL import Image
from servers.fal import SCHEMAS, FalServer

KEY = "fal-test-key"
KLING_T2V = "fal-ai/kling-video/v3/pro/text-to-video"
KLING_I2V = "fal-ai/kling-video/v3/standard/image-to-video"
SEEDANCE_T2V = "bytedance/seedance-2.0/text-to-video"
SEEDANCE_FAST_T2V = "bytedance/seedance-2.0/fast/text-to-video"
SEEDANCE_I2V = "bytedance/seedance-2.0/image-to-video"


def data_uri(size=(640, 360), kind="PNG") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(buffer, format=kind)
    return f"data:image/{kind.lower()};base64," + base64.b64encode(buffer.getvalue()).decode()


VALID = {
    KLING_T2V: {"prompt": "a fox", "duration": "5", "aspect_ratio": "16:9"},
    KLING_I2V: {"prompt": "a fox", "start_image_url": data_uri()},
    SEEDANCE_T2V: {"prompt": "a fox", "duration": "5", "aspect_ratio": "4:3", "resolution": "1080p", "seed": 3},
    SEEDANCE_FAST_T2V: {"prompt": "a fox", "resolution": "480p"},
    SEEDANCE_I2V: {"prompt": "a fox", "image_url": data_uri(), "end_image_url": data_uri()},
}
# (model id, the change to its valid input, the field refused, pydantic's error type)
INVALID = [
    (KLING_T2V, {"prompt": None}, "prompt", "value_error"),  # neither prompt nor multi_prompt
    (KLING_T2V, {"duration": 5}, "duration", "string_type"),  # an enum of strings, not a number
    (KLING_T2V, {"duration": "2"}, "duration", "enum"),
    (KLING_T2V, {"aspect_ratio": "4:3"}, "aspect_ratio", "enum"),
    (KLING_T2V, {"cfg_scale": 1.5}, "cfg_scale", "less_than_equal"),
    (KLING_T2V, {"cfg_scale": -0.1}, "cfg_scale", "greater_than_equal"),
    (KLING_T2V, {"generate_audio": "yes"}, "generate_audio", "bool_type"),
    (KLING_T2V, {"shot_type": "random"}, "shot_type", "enum"),
    (KLING_I2V, {"start_image_url": None}, "start_image_url", "missing"),
    (KLING_I2V, {"start_image_url": "https://elsewhere.invalid/a.png"}, "start_image_url", "file_download_error"),
    (KLING_I2V, {"start_image_url": "data:image/png;base64,bm90IGFuIGltYWdl"}, "start_image_url", "image_load_error"),
    (KLING_I2V, {"end_image_url": 42}, "end_image_url", "string_type"),
    # Kling's picture rules: jpg/png, at least 300 px a side, aspect 0.4 to 2.5
    (KLING_I2V, {"start_image_url": data_uri(kind="WEBP")}, "start_image_url", "image_format_error"),
    (KLING_I2V, {"start_image_url": data_uri((400, 200))}, "start_image_url", "image_too_small"),
    (KLING_I2V, {"start_image_url": data_uri((300, 1000))}, "start_image_url", "image_aspect_ratio_error"),
    (SEEDANCE_I2V, {"image_url": data_uri((1300, 500))}, "image_url", "image_aspect_ratio_error"),
    (SEEDANCE_I2V, {"end_image_url": data_uri((6400, 3200))}, "end_image_url", "image_too_large"),
    (KLING_I2V, {"duration": "16"}, "duration", "enum"),
    (SEEDANCE_T2V, {"prompt": None}, "prompt", "missing"),
    (SEEDANCE_T2V, {"duration": "3"}, "duration", "enum"),
    (SEEDANCE_T2V, {"aspect_ratio": "2:1"}, "aspect_ratio", "enum"),
    (SEEDANCE_T2V, {"resolution": "4k"}, "resolution", "enum"),
    (SEEDANCE_T2V, {"seed": "3"}, "seed", "int_type"),
    (SEEDANCE_T2V, {"seed": 2.5}, "seed", "int_type"),
    (SEEDANCE_FAST_T2V, {"resolution": "1080p"}, "resolution", "enum"),  # the fast tier stops at 720p
    (SEEDANCE_I2V, {"image_url": None}, "image_url", "missing"),
    (SEEDANCE_I2V, {"prompt": None}, "prompt", "missing"),
    (SEEDANCE_I2V, {"end_image_url": "ftp://x/y.png"}, "end_image_url", "file_download_error"),
]


@pytest.fixture(scope="module")
def server():
    with FalServer(api_key=KEY, task_seconds=3600) as running:
        yield running


def submit(server: FalServer, model: str, body, key: str = KEY, scheme: str = "Key") -> httpx.Response:
    return httpx.post(f"{server.url}/{model}", json=body, headers={"Authorization": f"{scheme} {key}"})


def test_every_model_the_schemas_name_has_a_valid_input_that_is_queued(server):
    assert set(VALID) == set(SCHEMAS) - {"fal-ai/kling-video/v3/standard/text-to-video",
                                         "fal-ai/kling-video/v3/pro/image-to-video",
                                         "bytedance/seedance-2.0/fast/image-to-video"}
    for model, body in VALID.items():
        answer = submit(server, model, body)
        assert answer.status_code == 200, answer.text
        queued = answer.json()
        assert queued["status"] == "IN_QUEUE" and isinstance(queued["queue_position"], int)
        app = "/".join(model.split("/")[:2])
        assert queued["status_url"] == f"{server.url}/{app}/requests/{queued['request_id']}/status"


@pytest.mark.parametrize(("model", "change", "field", "kind"), INVALID,
                         ids=[f"{m.split('/')[-2]}-{f}-{k}" for m, _, f, k in INVALID])
def test_a_known_invalid_input_is_refused_with_fals_422(server, model, change, field, kind):
    body = {name: value for name, value in {**VALID[model], **change}.items() if value is not None}
    before = server.submissions
    answer = submit(server, model, body)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert any(item["loc"] == ["body", field] and item["type"] == kind and item["msg"] for item in detail), detail
    assert server.submissions == before


def test_a_picture_over_the_models_limit_is_refused(server):
    big = "data:image/png;base64," + base64.b64encode(bytes(10 * 1024**2 + 1)).decode()
    answer = submit(server, KLING_I2V, {**VALID[KLING_I2V], "start_image_url": big})
    assert answer.status_code == 422 and answer.json()["detail"][0]["type"] == "file_too_large"


def test_the_key_goes_as_key_not_as_a_bearer_token(server):
    assert submit(server, SEEDANCE_T2V, VALID[SEEDANCE_T2V], scheme="Bearer").status_code == 401
    assert submit(server, SEEDANCE_T2V, VALID[SEEDANCE_T2V], key="wrong").status_code == 401
    assert "detail" in submit(server, SEEDANCE_T2V, VALID[SEEDANCE_T2V], key="wrong").json()


def test_an_unknown_model_and_a_status_path_with_the_subpath_are_not_served(server):
    assert submit(server, "fal-ai/no-such-model", {"prompt": "x"}).status_code == 404
    queued = submit(server, KLING_T2V, VALID[KLING_T2V]).json()
    keyed = {"Authorization": f"Key {KEY}"}
    wrong = f"{server.url}/{KLING_T2V}/requests/{queued['request_id']}/status"
    assert httpx.get(wrong, headers=keyed).status_code in (404, 405)  # no such route for a GET
    other_app = f"{server.url}/bytedance/seedance-2.0/requests/{queued['request_id']}/status"
    assert httpx.get(other_app, headers=keyed).status_code == 404
    status = httpx.get(queued["status_url"], headers=keyed, params={"logs": "1"})
    assert status.status_code == 200 and status.json()["status"] in ("IN_QUEUE", "IN_PROGRESS")


def test_the_queue_answers_positions_logs_a_result_and_cancels(server):
    keyed = {"Authorization": f"Key {KEY}"}
    first = submit(server, SEEDANCE_T2V, VALID[SEEDANCE_T2V]).json()
    second = submit(server, SEEDANCE_T2V, VALID[SEEDANCE_T2V]).json()
    assert httpx.get(second["status_url"], headers=keyed).json()["queue_position"] >= 1
    assert httpx.get(second["response_url"], headers=keyed).status_code == 400  # still going
    cancelled = httpx.put(second["cancel_url"], headers=keyed)
    assert cancelled.status_code == 202 and cancelled.json() == {"status": "CANCELLATION_REQUESTED"}
    server.advance_tasks(server.task_seconds * 0.5)
    running = httpx.get(first["status_url"], headers=keyed, params={"logs": "1"}).json()
    assert running["status"] == "IN_PROGRESS" and running["logs"][0]["message"]
    server.advance_tasks(3600)
    done = httpx.get(first["status_url"], headers=keyed, params={"logs": "1"}).json()
    assert done["status"] == "COMPLETED" and "error" not in done and "inference_time" in done["metrics"]
    result = httpx.get(first["response_url"], headers=keyed).json()
    assert httpx.get(result["video"]["url"]).headers["content-type"] == "video/mp4"
    again = httpx.put(first["cancel_url"], headers=keyed)
    assert again.status_code == 400 and again.json() == {"status": "ALREADY_COMPLETED"}


def test_storage_uploads_need_the_key_to_start_and_refuse_it_on_the_signed_put(server):
    started = httpx.post(f"{server.url}/storage/upload/initiate", params={"storage_type": "fal-cdn-v3"},
                         json={"content_type": "image/png", "file_name": "a.png"},
                         headers={"Authorization": f"Key {KEY}"}).json()
    assert httpx.post(f"{server.url}/storage/upload/initiate", json={}).status_code == 401
    png = base64.b64decode(data_uri().partition(",")[2])
    assert httpx.put(started["upload_url"], content=png, headers={"Authorization": f"Key {KEY}"}).status_code == 400
    assert httpx.put(started["upload_url"], content=png, headers={"Content-Type": "image/png"}).status_code == 200
    answer = submit(server, SEEDANCE_I2V, {**VALID[SEEDANCE_I2V], "image_url": started["file_url"]})
    assert answer.status_code == 200, answer.text
