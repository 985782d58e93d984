"""Conformance of the cloud-API test servers (tests/servers) to the providers' contracts.

Each server is driven with plain httpx as a backend would drive the real service,
and the OpenAI videos server with the real `openai` package pointed at it: the
happy path, auth, validation, 429 with Retry-After, failed (moderated) tasks,
cancel, broken outputs and the counters the backends' tests will rely on.
"""

from __future__ import annotations

import base64
import io
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import av
import httpx
import openai
import pytest
from PIL import Image
from servers.cloud_base import fit_aspect, sample_mp4
from servers.openai_videos import SDK_MODELS as OPENAI_SDK_MODELS
from servers.openai_videos import OpenAIVideosServer
from servers.replicate import ReplicateServer
from servers.runway import RunwayServer
from servers.stability import StabilityServer

KEY = "test-key-123"
TASK_S = 0.4
# How long a test waits for something that must happen: only so that a broken server fails the
# test instead of hanging it; a slow machine never comes near it.
WAIT_S = 60
# A task long enough that the clock never moves it on during a test: the test steps it through
# its phases with advance_tasks (a quarter of it queued, then running, then done).
LONG_TASK_S = 100


def mp4_facts(data: bytes) -> tuple[str, int, int, int]:
    """(codec, width, height, decoded frames) of an MP4, or an av error when it is not one."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return stream.codec_context.name, stream.width, stream.height, frames


def poll(get: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """Every state read until `done`, as a backend polls (fast, for tests)."""
    states = [get()]
    deadline = time.monotonic() + WAIT_S
    while not done(states[-1]):
        assert time.monotonic() < deadline, states[-1]
        time.sleep(0.03)
        states.append(get())
    return states


def stepped(server: Any, get: Callable[[], dict[str, Any]]) -> list[dict[str, Any]]:
    """The states of a LONG_TASK_S task read as it is moved on: queued, running twice, then done."""
    states = [get()]
    for seconds in (LONG_TASK_S * 0.4, LONG_TASK_S * 0.2, LONG_TASK_S):
        server.advance_tasks(seconds)
        states.append(get())
    return states


# --------------------------------------------------------------------------- shared machinery


def test_sample_outputs_are_real_small_h264_mp4s() -> None:
    codec, width, height, frames = mp4_facts(sample_mp4(*fit_aspect(1584, 672)))
    assert codec == "h264" and width % 2 == 0 and height % 2 == 0 and frames == 12
    assert (width, height) == (160, 68)


@pytest.fixture
def runway() -> Iterator[tuple[RunwayServer, httpx.Client]]:
    with RunwayServer(api_key=KEY, task_seconds=TASK_S) as server:
        headers = {"Authorization": f"Bearer {KEY}", "X-Runway-Version": "2024-11-06"}
        with httpx.Client(base_url=server.url, headers=headers) as client:
            yield server, client


I2V = {"model": "gen4_turbo", "promptImage": "https://example.com/a.png", "promptText": "a valley", "ratio": "1280:720"}


def test_faults_are_one_shot_and_narrowable(runway: tuple[RunwayServer, httpx.Client]) -> None:
    server, client = runway
    server.drop_next(1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/v1/image_to_video", json=I2V)
    server.fail_next(1, status=503)
    failed = client.post("/v1/image_to_video", json=I2V)
    assert failed.status_code == 503 and "error" in failed.json()
    task_id = client.post("/v1/image_to_video", json=I2V).json()["id"]
    assert server.submissions == 1  # the dropped and the failed create were not accepted

    server.fail_next(2, status=502, only="GET /v1/tasks/")
    assert client.post("/v1/image_to_video", json=I2V).status_code == 200  # not a task read: untouched
    assert [client.get(f"/v1/tasks/{task_id}").status_code for _ in range(3)] == [502, 502, 200]
    assert server.polls == 1

    server.slow_responses_s = 0.2
    started = time.monotonic()
    client.get(f"/v1/tasks/{task_id}")
    assert time.monotonic() - started >= 0.2
    server.clear_faults()
    assert server.slow_responses_s == 0

    log = server.requests
    assert [r.fault for r in log[:2]] == ["drop", "fail"] and log[0].status is None and log[1].status == 503
    assert all("authorization" not in {k.lower() for k in r.headers} for r in log)
    assert log[2].json == I2V


def test_stop_and_start_keep_the_url_and_the_tasks(runway: tuple[RunwayServer, httpx.Client]) -> None:
    server, client = runway
    url, task_id = server.url, client.post("/v1/image_to_video", json=I2V).json()["id"]
    server.stop()
    with pytest.raises(httpx.ConnectError):
        client.get(f"/v1/tasks/{task_id}")
    server.start()
    assert server.url == url and client.get(f"/v1/tasks/{task_id}").json()["id"] == task_id


# --------------------------------------------------------------------------- Runway


def test_runway_happy_path(runway: tuple[RunwayServer, httpx.Client]) -> None:
    server, client = runway
    server.task_seconds = LONG_TASK_S  # moved on by the test, so that every phase is seen on any machine
    created = client.post("/v1/image_to_video", json={**I2V, "ratio": "720:1280", "duration": 10, "seed": 7})
    assert created.status_code == 200 and set(created.json()) == {"id"}
    task_id = created.json()["id"]
    states = stepped(server, lambda: client.get(f"/v1/tasks/{task_id}").json())
    statuses = [s["status"] for s in states]
    assert statuses == ["PENDING", "RUNNING", "RUNNING", "SUCCEEDED"]
    progress = [s["progress"] for s in states if s["status"] == "RUNNING"]
    assert progress == sorted(progress) and all(0 <= p < 1 for p in progress)
    assert states[-1]["createdAt"].endswith("Z") and "progress" not in states[-1]

    (url,) = states[-1]["output"]
    assert "/outputs/" in url and "expires=" in url and "signature=" in url
    download = httpx.get(url)  # a signed URL: no key
    assert download.headers["content-type"] == "video/mp4"
    assert int(download.headers["content-length"]) == len(download.content)
    assert mp4_facts(download.content) == ("h264", 90, 160, 12)  # 720:1280
    assert httpx.get(url.replace("signature=", "signature=0")).status_code == 403
    assert (server.submissions, server.polls, server.downloads) == (1, len(states), 1)


def test_runway_stills_and_organization(runway: tuple[RunwayServer, httpx.Client]) -> None:
    server, client = runway
    still = {"model": "gen4_image", "promptText": "a lighthouse", "ratio": "1920:1080"}
    task_id = client.post("/v1/text_to_image", json=still).json()["id"]
    done = poll(lambda: client.get(f"/v1/tasks/{task_id}").json(), lambda s: s["status"] == "SUCCEEDED")[-1]
    image = Image.open(io.BytesIO(httpx.get(done["output"][0]).content))
    assert image.format == "PNG" and image.size == (160, 90)
    org = client.get("/v1/organization").json()
    assert "gen4_turbo" in org["tier"]["models"] and org["usage"]["models"] == {"gen4_image": {"dailyGenerations": 1}}


def test_runway_auth_and_version_header(runway: tuple[RunwayServer, httpx.Client]) -> None:
    server, client = runway
    wrong_key = client.post("/v1/image_to_video", json=I2V, headers={"Authorization": "Bearer nope"})
    assert wrong_key.status_code == 401 and isinstance(wrong_key.json()["error"], str)
    no_version = httpx.post(f"{server.url}/v1/image_to_video", json=I2V, headers={"Authorization": f"Bearer {KEY}"})
    assert no_version.status_code == 400 and "X-Runway-Version" in no_version.json()["error"]
    old_version = client.get("/v1/organization", headers={"X-Runway-Version": "2023-09-06"})
    assert old_version.status_code == 400
    assert client.get("/v1/no_such_thing").json() == {"error": "Not Found"}
    assert server.submissions == 0


# Runway's request rules (from its SDK's types), its uploads: tests/test_runway_server.py


def test_runway_rate_limit_then_success(runway: tuple[RunwayServer, httpx.Client]) -> None:
    server, client = runway
    server.rate_limit_next(2, retry_after_s=3)
    for _ in range(2):
        limited = client.post("/v1/image_to_video", json=I2V)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "3" and "error" in limited.json()
    assert client.post("/v1/image_to_video", json=I2V).status_code == 200
    assert server.submissions == 1 and len(server.requests_to("POST", "/v1/image_to_video")) == 3


def test_runway_moderated_task_fails_with_a_code(runway: tuple[RunwayServer, httpx.Client]) -> None:
    server, client = runway
    server.fail_tasks_with = "moderation"
    moderated = client.post("/v1/image_to_video", json=I2V).json()["id"]
    fine = client.post("/v1/image_to_video", json=I2V).json()["id"]  # the failure is one-shot
    assert server.fail_tasks_with is None
    done = poll(lambda: client.get(f"/v1/tasks/{moderated}").json(), lambda s: s["status"] == "FAILED")[-1]
    assert done["failureCode"].startswith("SAFETY.") and done["failure"] and "output" not in done
    settled = poll(lambda: client.get(f"/v1/tasks/{fine}").json(), lambda s: s["status"] not in ("PENDING", "RUNNING"))
    assert settled[-1]["status"] == "SUCCEEDED"


def test_runway_cancel_and_delete(runway: tuple[RunwayServer, httpx.Client]) -> None:
    server, client = runway
    task_id = client.post("/v1/image_to_video", json=I2V).json()["id"]
    assert client.delete(f"/v1/tasks/{task_id}").status_code == 204
    time.sleep(TASK_S)
    assert client.get(f"/v1/tasks/{task_id}").json()["status"] == "CANCELLED"
    assert server.cancels == 1

    finished = client.post("/v1/image_to_video", json=I2V).json()["id"]
    done = poll(lambda: client.get(f"/v1/tasks/{finished}").json(), lambda s: s["status"] == "SUCCEEDED")[-1]
    assert client.delete(f"/v1/tasks/{finished}").status_code == 204  # deletes a settled task
    assert client.get(f"/v1/tasks/{finished}").status_code == 404
    assert httpx.get(done["output"][0]).status_code == 404  # its output went with it
    assert server.cancels == 1

    server.cancelled_tasks_visible = False  # as Runway's SDK documents it
    hidden = client.post("/v1/image_to_video", json=I2V).json()["id"]
    client.delete(f"/v1/tasks/{hidden}")
    assert client.get(f"/v1/tasks/{hidden}").status_code == 404


def test_runway_broken_outputs(runway: tuple[RunwayServer, httpx.Client]) -> None:
    server, client = runway
    task_id = client.post("/v1/image_to_video", json=I2V).json()["id"]
    url = poll(lambda: client.get(f"/v1/tasks/{task_id}").json(), lambda s: s["status"] == "SUCCEEDED")[-1]["output"][0]
    whole = httpx.get(url).content

    server.truncate_outputs = "cut"  # the connection drops half-way
    with httpx.stream("GET", url) as response:
        assert int(response.headers["content-length"]) == len(whole)
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()

    server.truncate_outputs = "short"  # a complete response of half a file
    short = httpx.get(url)
    assert int(short.headers["content-length"]) == len(short.content) == len(whole) // 2
    with pytest.raises(av.error.FFmpegError):
        mp4_facts(short.content)

    server.truncate_outputs = False
    server.non_video_outputs = True
    page = httpx.get(url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")

    server.non_video_outputs = False
    server.drop_next(1, only="/outputs/")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(url)
    server.outputs_expire_s = 0
    assert httpx.get(url).status_code == 403
    assert server.downloads == 4  # whole, cut, short, HTML; not the dropped or expired ones


# --------------------------------------------------------------------------- Replicate


@pytest.fixture
def replicate() -> Iterator[tuple[ReplicateServer, httpx.Client]]:
    with ReplicateServer(api_key=KEY, task_seconds=TASK_S) as server:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {KEY}"}) as client:
            yield server, client


def _png_data_url(size: tuple[int, int]) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


# A start image Kling takes (a PNG at least 300 px a side): the model fails one it cannot take.
KLING = {"prompt": "a valley at dawn", "start_image": _png_data_url((640, 360)), "duration": 10}


def test_replicate_model_schema_and_happy_path(replicate: tuple[ReplicateServer, httpx.Client]) -> None:
    server, client = replicate
    model = client.get("/v1/models/kwaivgi/kling-v3-video").json()
    schema = model["latest_version"]["openapi_schema"]["components"]["schemas"]["Input"]
    duration = schema["properties"]["duration"]
    assert schema["required"] == ["prompt"] and (duration["type"], duration["minimum"], duration["maximum"]) == (
        "integer", 3, 15)
    assert schema["properties"]["aspect_ratio"]["enum"] == ["16:9", "9:16", "1:1"]
    assert any(m["name"] == "kling-v3-video" for m in client.get("/v1/models").json()["results"])

    server.task_seconds = LONG_TASK_S  # moved on by the test, so that every phase is seen on any machine
    created = client.post("/v1/models/kwaivgi/kling-v3-video/predictions", json={"input": KLING, "webhook": "https://h/x"})
    assert created.status_code == 201
    prediction = created.json()
    assert prediction["status"] == "starting" and prediction["output"] is None and prediction["input"] == KLING
    assert prediction["model"] == "kwaivgi/kling-v3-video" and prediction["version"] == model["latest_version"]["id"]
    states = stepped(server, lambda: client.get(prediction["urls"]["get"]).json())
    assert [p["status"] for p in states] == ["starting", "processing", "processing", "succeeded"]
    done = states[-1]
    assert isinstance(done["output"], str) and done["error"] is None and done["metrics"]["predict_time"] > 0
    assert done["created_at"] <= done["started_at"] <= done["completed_at"]
    assert "100%" in done["logs"]
    assert mp4_facts(httpx.get(done["output"]).content) == ("h264", 160, 90, 12)
    assert (server.submissions, server.downloads) == (1, 1)
    assert server.requests_to("POST", "/v1/models/")[0].json["webhook"] == "https://h/x"


def test_replicate_versions_and_image_outputs(replicate: tuple[ReplicateServer, httpx.Client]) -> None:
    server, client = replicate
    version = client.get("/v1/models/black-forest-labs/flux-schnell").json()["latest_version"]["id"]
    inputs = {"prompt": "a fox", "num_outputs": 2, "aspect_ratio": "9:16", "output_format": "webp"}
    created = client.post(
        "/v1/predictions", json={"version": f"black-forest-labs/flux-schnell:{version}", "input": inputs}
    )
    assert created.status_code == 201
    done = poll(lambda: client.get(created.json()["urls"]["get"]).json(), lambda p: p["status"] == "succeeded")[-1]
    assert len(done["output"]) == 2
    assert [Image.open(io.BytesIO(httpx.get(u).content)).format for u in done["output"]] == ["WEBP", "WEBP"]
    unknown = client.post("/v1/predictions", json={"version": "0" * 64, "input": inputs})
    assert unknown.status_code == 422 and unknown.json()["detail"]


def test_replicate_prefer_wait(replicate: tuple[ReplicateServer, httpx.Client]) -> None:
    server, client = replicate
    url = "/v1/models/kwaivgi/kling-v3-video/predictions"
    held = client.post(url, json={"input": KLING}, headers={"Prefer": "wait"})
    assert held.status_code == 201 and held.json()["status"] == "succeeded" and held.json()["output"]
    server.task_seconds = LONG_TASK_S
    started = time.monotonic()
    partial = client.post(url, json={"input": KLING}, headers={"Prefer": "wait=1"})
    # Held its second, and answered long before the prediction settled.
    assert time.monotonic() - started >= 1 and partial.json()["status"] in ("starting", "processing")
    assert client.post(url, json={"input": KLING}, headers={"Prefer": "wait=61"}).status_code == 400
    assert server.submissions == 2


def test_replicate_errors(replicate: tuple[ReplicateServer, httpx.Client]) -> None:
    server, client = replicate
    unauthorized = client.get("/v1/models/kwaivgi/kling-v3-video", headers={"Authorization": "Bearer nope"})
    assert unauthorized.status_code == 401 and unauthorized.json()["detail"] and unauthorized.json()["status"] == 401
    missing = client.post("/v1/models/nobody/nothing/predictions", json={"input": {"prompt": "x"}})
    assert missing.status_code == 404 and missing.json()["title"] == "Not found"
    invalid = client.post(
        "/v1/models/kwaivgi/kling-v3-video/predictions",
        json={"input": {"prompt": 3, "duration": 16, "start_image": "not a uri", "aspect_ratio": "4:3"}},
    )
    assert invalid.status_code == 422
    body = invalid.json()
    assert {f["field"] for f in body["invalid_fields"]} == {"prompt", "duration", "start_image", "aspect_ratio"}
    assert "duration must be less than or equal to 15" in body["detail"]
    assert "aspect_ratio must be one of the following: '16:9', '9:16', '1:1'" in body["detail"]
    too_short = client.post("/v1/models/kwaivgi/kling-v3-video/predictions", json={"input": {**KLING, "duration": 2}})
    assert too_short.status_code == 422 and "greater than or equal to 3" in too_short.json()["detail"]
    assert client.post("/v1/models/kwaivgi/kling-v3-video/predictions", json={"inputs": KLING}).status_code == 422

    server.rate_limit_next(1, retry_after_s=2)
    limited = client.post("/v1/models/kwaivgi/kling-v3-video/predictions", json={"input": KLING})
    assert (
        limited.status_code == 429 and limited.headers["Retry-After"] == "2" and "throttled" in limited.json()["detail"]
    )
    assert client.get("/v1/predictions/nope").status_code == 404
    assert server.submissions == 0


def test_replicate_failed_and_canceled(replicate: tuple[ReplicateServer, httpx.Client]) -> None:
    server, client = replicate
    server.fail_tasks_with = "moderation"
    failed = client.post("/v1/models/kwaivgi/kling-v3-video/predictions", json={"input": KLING}).json()
    done = poll(lambda: client.get(failed["urls"]["get"]).json(), lambda p: p["status"] == "failed")[-1]
    assert "E005" in done["error"] and done["output"] is None

    running = client.post("/v1/models/kwaivgi/kling-v3-video/predictions", json={"input": KLING}).json()
    canceled = client.post(running["urls"]["cancel"])
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    time.sleep(TASK_S)
    assert client.get(running["urls"]["get"]).json()["status"] == "canceled"
    client.post(running["urls"]["cancel"])  # again: nothing left to cancel
    assert (server.submissions, server.cancels) == (2, 1)


# --------------------------------------------------------------------------- Stability


@pytest.fixture
def stability() -> Iterator[tuple[StabilityServer, httpx.Client]]:
    with StabilityServer(api_key=KEY) as server:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {KEY}"}) as client:
            yield server, client


CORE = "/v2beta/stable-image/generate/core"


def multipart(**fields: str) -> dict[str, Any]:
    """httpx arguments that send `fields` as multipart/form-data, as Stability requires."""
    return {"files": {name: (None, value) for name, value in fields.items()}}


def test_stability_raw_and_json_answers(stability: tuple[StabilityServer, httpx.Client]) -> None:
    server, client = stability
    raw = client.post(CORE, headers={"Accept": "image/*"}, **multipart(prompt="a fox", aspect_ratio="16:9", seed="42"))
    assert raw.status_code == 200 and raw.headers["content-type"] == "image/png"
    assert raw.headers["finish-reason"] == "SUCCESS" and raw.headers["seed"] == "42"
    assert Image.open(io.BytesIO(raw.content)).size == (160, 90)

    for fmt, pil_name in [("jpeg", "JPEG"), ("webp", "WEBP")]:
        answer = client.post(
            "/v2beta/stable-image/generate/sd3",
            headers={"Accept": "application/json"},
            **multipart(prompt="a fox", output_format=fmt, model="sd3.5-large"),
        ).json()
        assert answer["finish_reason"] == "SUCCESS" and isinstance(answer["seed"], int)
        assert Image.open(io.BytesIO(base64.b64decode(answer["image"]))).format == pil_name
    assert server.submissions == server.downloads == 3
    assert server.requests[0].form == {"prompt": "a fox", "aspect_ratio": "16:9", "seed": "42"}


def test_stability_errors(stability: tuple[StabilityServer, httpx.Client]) -> None:
    server, client = stability
    no_prompt = client.post(CORE, **multipart(aspect_ratio="16:9"))
    assert no_prompt.status_code == 400 and set(no_prompt.json()) == {"id", "name", "errors"}
    assert any("prompt" in e for e in no_prompt.json()["errors"])
    assert client.post(CORE, json={"prompt": "a fox"}).status_code == 400  # not multipart
    assert client.post(CORE, **multipart(prompt="x", aspect_ratio="7:3")).status_code == 400
    assert client.post(CORE, headers={"Authorization": "Bearer no"}, **multipart(prompt="x")).status_code == 401
    assert client.post(CORE, files={"image": ("big.png", b"0" * (11 << 20))}).status_code == 413

    server.fail_tasks_with = "moderation"
    moderated = client.post(CORE, **multipart(prompt="x"))
    assert moderated.status_code == 403 and moderated.json()["name"] == "content_moderation"
    server.fail_tasks_with = "filtered"
    filtered = client.post(CORE, headers={"Accept": "application/json"}, **multipart(prompt="x")).json()
    assert filtered["finish_reason"] == "CONTENT_FILTERED"
    server.rate_limit_next(1, retry_after_s=60)
    limited = client.post(CORE, **multipart(prompt="x"))
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "60" and limited.json()["errors"]
    assert server.submissions == 1  # the filtered one


def test_stability_broken_images(stability: tuple[StabilityServer, httpx.Client]) -> None:
    server, client = stability
    server.truncate_outputs = True
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(CORE, **multipart(prompt="x"))
    server.truncate_outputs = False
    server.non_video_outputs = True
    page = client.post(CORE, **multipart(prompt="x"))
    assert page.headers["content-type"].startswith("text/html")


# --------------------------------------------------------------------------- OpenAI videos


@pytest.fixture
def videos() -> Iterator[tuple[OpenAIVideosServer, openai.OpenAI]]:
    with OpenAIVideosServer(api_key=KEY, task_seconds=TASK_S) as server:
        with openai.OpenAI(api_key=KEY, base_url=server.base_url, max_retries=0) as client:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # the SDK marks Sora's API as shutting down
                yield server, client


def test_openai_videos_with_the_sdk(videos: tuple[OpenAIVideosServer, openai.OpenAI]) -> None:
    server, client = videos
    server.task_seconds = LONG_TASK_S  # moved on by the test, so that every phase is seen on any machine
    video = client.videos.create(prompt="a valley at dawn", model="sora-2", seconds="8", size="1280x720")
    assert video.status == "queued" and video.progress == 0 and video.object == "video"
    states = stepped(server, lambda: client.videos.retrieve(video.id).model_dump())
    progress = [v["progress"] for v in states]
    assert [v["status"] for v in states] == ["queued", "in_progress", "in_progress", "completed"]
    assert progress == sorted(progress) and progress[-1] == 100
    assert states[-1]["completed_at"] >= states[-1]["created_at"] and states[-1]["seconds"] == "8"
    content = client.videos.download_content(video.id, variant="video")
    assert mp4_facts(content.content) == ("h264", 160, 90, 12)
    assert client.videos.delete(video.id).deleted
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve(video.id)
    assert (server.submissions, server.downloads, server.cancels) == (1, 1, 0)
    # openai 3.x sends multipart; 2.2 (the lowest Foundry allows) JSON when there is no file
    assert (server.requests[0].form or server.requests[0].json)["prompt"] == "a valley at dawn"


def test_openai_videos_input_reference_and_json(videos: tuple[OpenAIVideosServer, openai.OpenAI]) -> None:
    server, client = videos
    png = io.BytesIO()
    Image.new("RGB", (720, 1280)).save(png, format="PNG")  # the size asked for, as the API wants
    video = client.videos.create(
        prompt="move", size="720x1280", input_reference=("first.png", png.getvalue(), "image/png")
    )
    assert server.requests[-1].form["input_reference"] == {
        "filename": "first.png",
        "content_type": "image/png",
        "size": len(png.getvalue()),
    }
    assert video.size == "720x1280"
    plain = httpx.post(
        f"{server.base_url}/videos",
        json={"prompt": "x", "model": "sora-2-pro"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert plain.status_code == 200 and plain.json()["model"] == "sora-2-pro"
    assert [v.id for v in client.videos.list()] == [plain.json()["id"], video.id]


def test_openai_videos_errors(videos: tuple[OpenAIVideosServer, openai.OpenAI]) -> None:
    server, client = videos
    with openai.OpenAI(api_key="wrong", base_url=server.base_url, max_retries=0) as stranger:
        with pytest.raises(openai.AuthenticationError) as auth:
            stranger.videos.retrieve("video_x")
    assert auth.value.body["code"] == "invalid_api_key"
    with pytest.raises(openai.BadRequestError) as bad:
        client.videos.create(prompt="x", model="sora-9")
    assert bad.value.body["param"] == "model"
    with pytest.raises(openai.BadRequestError):
        client.videos.create(prompt="x", seconds="5")

    server.rate_limit_next(1, retry_after_s=0.2)
    with pytest.raises(openai.RateLimitError) as limited:
        client.videos.create(prompt="x")
    assert limited.value.response.headers["retry-after"] == "0.2"
    server.rate_limit_next(1, retry_after_s=0.2)
    server.fail_next(1, status=500)
    started = time.monotonic()
    video = client.with_options(max_retries=2).videos.create(prompt="x")  # the SDK retries 429 and 500 itself
    assert video.status == "queued" and time.monotonic() - started >= 0.2
    assert server.submissions == 1  # nothing was submitted twice


def _picture(width: int, height: int, fmt: str = "PNG") -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (width, height)).save(data, format=fmt)
    return data.getvalue()


@pytest.mark.parametrize(("arguments", "param"), [
    ({"prompt": ""}, "prompt"),  # prompt: Required[str]
    ({"model": "sora-9"}, "model"),  # VideoModelParam (a gateway's own models aside)
    ({"seconds": "5"}, "seconds"),  # VideoSeconds: 4, 8, 12
    ({"size": "1920x1080", "model": "sora-2-pro"}, "size"),  # VideoSize: four sizes
    ({"size": "1792x1024", "model": "sora-2"}, "size"),  # 1792x1024 and 1024x1792: sora-2-pro's only
    ({"size": "1024x1792", "model": "sora-2-2025-12-08"}, "size"),
    ({"input_reference": ("first.gif", _picture(720, 1280, "GIF"), "image/gif")}, "input_reference"),
    ({"input_reference": ("first.png", _picture(1280, 720), "image/png")}, "input_reference"),  # not 720x1280
])
def test_openai_videos_refuse_what_the_sdk_types_do_not_allow(videos: tuple[OpenAIVideosServer, openai.OpenAI],
                                                               arguments: dict[str, Any], param: str) -> None:
    server, client = videos
    with pytest.raises(openai.BadRequestError) as refused:
        client.videos.create(**{"prompt": "a valley", **arguments})
    assert refused.value.body["param"] == param and server.submissions == 0
    allowed = client.videos.create(prompt="a valley", model="sora-2-pro", size="1792x1024", seconds="12",
                                   input_reference=("first.webp", _picture(1792, 1024, "WEBP"), "image/webp"))
    assert allowed.size == "1792x1024" and server.submissions == 1


def test_openai_videos_gateway_models_take_the_gateways_sizes() -> None:
    with OpenAIVideosServer(api_key=KEY, task_seconds=TASK_S, models=(*OPENAI_SDK_MODELS, "wan-2.5"),
                            seconds=("5", "10"), sizes=("1920x1080", "1080x1920")) as server:
        headers = {"Authorization": f"Bearer {KEY}"}
        own = httpx.post(f"{server.base_url}/videos", json={"prompt": "x", "model": "wan-2.5", "seconds": "10",
                                                             "size": "1080x1920"}, headers=headers)
        sora = httpx.post(f"{server.base_url}/videos", json={"prompt": "x", "model": "sora-2", "size": "1920x1080"},
                          headers=headers)
    assert own.status_code == 200 and own.json()["size"] == "1080x1920"
    assert sora.status_code == 400 and sora.json()["error"]["param"] == "size"


def test_openai_videos_failure_cancel_and_early_download(videos: tuple[OpenAIVideosServer, openai.OpenAI]) -> None:
    server, client = videos
    server.fail_tasks_with = "moderation"
    failed = client.videos.create(prompt="x")
    done = poll(lambda: client.videos.retrieve(failed.id).model_dump(), lambda v: v["status"] == "failed")[-1]
    assert done["error"]["code"] == "moderation_blocked" and done["error"]["message"]

    running = client.videos.create(prompt="y")
    with pytest.raises(openai.BadRequestError) as early:
        client.videos.download_content(running.id)
    assert early.value.body["code"] == "video_not_ready"
    client.videos.delete(running.id)  # the only way to cancel
    assert server.cancels == 1 and server.submissions == 2


def test_openai_videos_redirected_and_truncated_content() -> None:
    with OpenAIVideosServer(api_key=KEY, task_seconds=0, content_redirect=True) as server:
        headers = {"Authorization": f"Bearer {KEY}"}
        video_id = httpx.post(f"{server.base_url}/videos", json={"prompt": "x"}, headers=headers).json()["id"]
        redirect = httpx.get(f"{server.base_url}/videos/{video_id}/content", headers=headers)
        assert redirect.status_code == 302 and "/outputs/" in redirect.headers["location"]
        thumbnail = httpx.get(f"{server.base_url}/videos/{video_id}/content?variant=thumbnail", headers=headers)
        assert Image.open(io.BytesIO(thumbnail.content)).format == "WEBP"
        remix = httpx.post(f"{server.base_url}/videos/{video_id}/remix", json={"prompt": "at dusk"}, headers=headers)
        assert remix.json()["remixed_from_video_id"] == video_id and remix.json()["size"] == "720x1280"

        server.truncate_outputs = "short"
        body = httpx.get(f"{server.base_url}/videos/{video_id}/content", headers=headers, follow_redirects=True)
        with pytest.raises(av.error.FFmpegError):
            mp4_facts(body.content)
        assert (server.submissions, server.downloads) == (2, 2)
