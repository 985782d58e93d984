"""Protocol conformance of the ComfyUI test server, checked with plain httpx and websockets clients.

The ComfyUI backend's tests trust this server to behave like ComfyUI 0.3.64
(docs/protocols/comfyui.md); these tests hold it to that.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import av
import httpx
import pytest
import websockets
from servers.comfyui import ComfyUIServer
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

WAN_T2V: dict[str, Any] = {
    "1": {"class_type": "UNETLoader", "inputs": {"unet_name": "wan2.1_t2v_1.3B_fp16.safetensors", "weight_dtype": "default"}},
    "2": {"class_type": "CLIPLoader", "inputs": {"clip_name": "umt5_xxl_fp8_e4m3fn_scaled.safetensors", "type": "wan"}},
    "3": {"class_type": "VAELoader", "inputs": {"vae_name": "wan_2.1_vae.safetensors"}},
    "4": {"class_type": "CLIPTextEncode", "inputs": {"text": "a slow push over a valley", "clip": ["2", 0]}},
    "5": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["2", 0]}},
    "6": {"class_type": "EmptyHunyuanLatentVideo", "inputs": {"width": 96, "height": 64, "length": 9, "batch_size": 1}},
    "7": {"class_type": "ModelSamplingSD3", "inputs": {"model": ["1", 0], "shift": 8.0}},
    "8": {"class_type": "KSampler", "inputs": {
        "model": ["7", 0], "seed": 42, "steps": 5, "cfg": 6.0, "sampler_name": "uni_pc", "scheduler": "simple",
        "positive": ["4", 0], "negative": ["5", 0], "latent_image": ["6", 0], "denoise": 1.0}},
    "9": {"class_type": "VAEDecode", "inputs": {"samples": ["8", 0], "vae": ["3", 0]}},
    "10": {"class_type": "CreateVideo", "inputs": {"images": ["9", 0], "fps": 16.0}},
    "11": {"class_type": "SaveVideo", "inputs": {"video": ["10", 0], "filename_prefix": "video/shot", "format": "auto", "codec": "auto"}},
}  # fmt: skip

# How long a test waits for something that must happen: only so that a broken server fails the
# test instead of hanging it; a slow machine never comes near it.
WAIT_S = 60

EXECUTION_EVENTS = {"execution_start", "execution_cached", "executing", "progress", "progress_state", "executed",
                    "execution_success", "execution_error", "execution_interrupted"}  # fmt: skip


def wan_graph(**changes: Any) -> dict[str, Any]:
    """The text-to-video graph, with {"node.input": value} changes."""
    graph = copy.deepcopy(WAN_T2V)
    for key, value in changes.items():
        node, name = key.split(".")
        graph[node]["inputs"][name] = value
    return graph


@pytest.fixture
def server():
    with ComfyUIServer(name="gpu-1", job_seconds=0.2) as running:
        yield running


@pytest.fixture
def http(server: ComfyUIServer):
    with httpx.Client(base_url=server.url, trust_env=False, timeout=WAIT_S) as client:
        yield client


@contextlib.contextmanager
def open_ws(server: ComfyUIServer, client_id: str) -> Iterator[ClientConnection]:
    """A socket of client_id on an idle server, past ComfyUI's greeting."""
    with connect(server.ws_url(client_id), proxy=None, open_timeout=WAIT_S) as ws:
        hello = json.loads(ws.recv(timeout=WAIT_S))
        assert hello == {"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": client_id}}
        yield ws


def submit(http: httpx.Client, graph: dict, client_id: str, **extra: Any) -> str:
    response = http.post("/prompt", json={"prompt": graph, "client_id": client_id, **extra})
    assert response.status_code == 200, response.text
    return response.json()["prompt_id"]


def events_until(ws: ClientConnection, done: Any, timeout: float = WAIT_S) -> list[dict]:
    """Text events until done(event) is true (that one included); binary previews are skipped."""
    events, deadline = [], time.monotonic() + timeout
    while True:
        message = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(message, bytes):
            assert message[:8] == b"\x00\x00\x00\x01\x00\x00\x00\x01"  # preview image, JPEG
            continue
        events.append(json.loads(message))
        if done(events[-1]):
            return events


def finished(prompt_id: str) -> Any:
    return lambda e: e["type"] == "executing" and e["data"] == {"node": None, "prompt_id": prompt_id}


def run_to_end(http: httpx.Client, ws: ClientConnection, graph: dict, client_id: str) -> tuple[str, list[dict]]:
    prompt_id = submit(http, graph, client_id)
    return prompt_id, events_until(ws, finished(prompt_id))


def drain(ws: ClientConnection, seconds: float) -> list[dict]:
    events, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = ws.recv(timeout=left)
        except TimeoutError:
            break
        if isinstance(message, str):
            events.append(json.loads(message))
    return events


def test_one_prompt_runs_in_comfyui_order_and_only_its_client_hears(server: ComfyUIServer, http: httpx.Client) -> None:
    with open_ws(server, "ours") as ws, open_ws(server, "theirs") as other:
        prompt_id, events = run_to_end(http, ws, WAN_T2V, "ours")
        kinds = [e["type"] for e in events if e["type"] != "progress_state"]
        # status (queued) and status (taken), then the run, then status and the legacy done marker.
        assert kinds[:4] == ["status", "status", "execution_start", "execution_cached"]
        assert kinds[-4:] == ["executed", "execution_success", "status", "executing"]
        executing = [e["data"]["node"] for e in events if e["type"] == "executing"][:-1]
        assert executing == ["1", "7", "2", "4", "5", "6", "8", "3", "9", "10", "11"]  # each node after its inputs
        progress = [e["data"] for e in events if e["type"] == "progress"]
        assert [p["value"] for p in progress] == [1, 2, 3, 4, 5]
        assert all(p["max"] == 5 and p["node"] == "8" and p["prompt_id"] == prompt_id for p in progress)
        assert kinds.index("progress") > kinds.index("executing") and kinds.index("executed") > kinds.index("progress")
        for event in events:
            if event["type"] in EXECUTION_EVENTS:
                assert event["data"]["prompt_id"] == prompt_id
        executed = next(e["data"] for e in events if e["type"] == "executed")
        assert executed["node"] == "11"
        assert executed["output"] == {
            "images": [{"filename": "shot_00001_.mp4", "subfolder": "video", "type": "output"}],
            "animated": [True],
        }
        heard = drain(other, 0.1)
        assert heard and {e["type"] for e in heard} == {"status"}  # the queue size, never another's execution

    history = http.get(f"/history/{prompt_id}").json()[prompt_id]
    assert history["status"]["status_str"] == "success" and history["status"]["completed"] is True
    assert [m[0] for m in history["status"]["messages"]] == ["execution_start", "execution_cached", "execution_success"]
    assert history["outputs"]["11"] == executed["output"]
    assert history["prompt"][1] == prompt_id and history["prompt"][4] == ["11"]

    video = http.get("/view", params={"filename": "shot_00001_.mp4", "subfolder": "video", "type": "output"})
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    path = server.output_dir / "video" / "shot_00001_.mp4"
    assert path.read_bytes() == video.content
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.width, stream.height) == ("h264", 96, 64)
        assert sum(1 for _ in container.decode(stream)) == 9


def test_history_appears_only_after_success(server: ComfyUIServer, http: httpx.Client) -> None:
    server.history_lag_s = 0.3  # wide enough that a fetch on execution_success always comes too early
    with open_ws(server, "c") as ws:
        prompt_id = submit(http, WAN_T2V, "c")
        events_until(ws, lambda e: e["type"] == "execution_start")
        assert http.get(f"/history/{prompt_id}").json() == {}
        events_until(ws, lambda e: e["type"] == "execution_success")
        assert http.get(f"/history/{prompt_id}").json() == {}
        events_until(ws, finished(prompt_id))
        assert prompt_id in http.get(f"/history/{prompt_id}").json()
        assert prompt_id in http.get("/api/history").json()


def test_view_supports_range_and_refuses_traversal(server: ComfyUIServer, http: httpx.Client) -> None:
    with open_ws(server, "c") as ws:
        run_to_end(http, ws, WAN_T2V, "c")
    whole = (server.output_dir / "video" / "shot_00001_.mp4").read_bytes()
    params = {"filename": "shot_00001_.mp4", "subfolder": "video", "type": "output"}
    part = http.get("/view", params=params, headers={"Range": "bytes=10-109"})
    assert part.status_code == 206 and part.content == whole[10:110]
    assert part.headers["content-range"] == f"bytes 10-109/{len(whole)}"
    assert http.get("/view", params={**params, "filename": "nope.mp4"}).status_code == 404
    assert http.get("/view", params={**params, "filename": "../../etc/passwd"}).status_code == 403
    assert http.get("/view", params={**params, "subfolder": "../.."}).status_code == 403
    assert http.get("/view", params={**params, "type": "elsewhere"}).status_code == 400


def test_upload_renames_other_bytes_under_the_same_name(server: ComfyUIServer, http: httpx.Client) -> None:
    def upload(data: bytes, **fields: str) -> httpx.Response:
        return http.post("/upload/image", files={"image": ("still.png", data, "image/png")}, data=fields)

    assert upload(b"first").json() == {"name": "still.png", "subfolder": "", "type": "input"}
    assert upload(b"first").json()["name"] == "still.png"  # same bytes: the file already there is reused
    assert upload(b"second").json()["name"] == "still (1).png"
    assert upload(b"third").json()["name"] == "still (2).png"
    assert upload(b"fourth", overwrite="true").json()["name"] == "still.png"
    assert (server.input_dir / "still.png").read_bytes() == b"fourth"
    assert upload(b"x", subfolder="shots").json() == {"name": "still.png", "subfolder": "shots", "type": "input"}
    assert http.post("/upload/image", data={"type": "input"}, files={"other": ("a", b"x")}).status_code == 400
    options = http.get("/object_info/LoadImage").json()["LoadImage"]["input"]["required"]["image"]
    assert options == [["still (1).png", "still (2).png", "still.png"], {"image_upload": True}]

    server.refuse_uploads = True
    assert upload(b"refused").status_code == 500
    assert server.uploads == ["still.png", "still.png", "still (1).png", "still (2).png", "still.png", "shots/still.png"]


def test_invalid_prompts_are_refused_with_comfyui_bodies(server: ComfyUIServer, http: httpx.Client) -> None:
    def refused(graph: Any) -> dict:
        response = http.post("/prompt", json={"prompt": graph, "client_id": "c"})
        assert response.status_code == 400
        body = response.json()
        assert set(body) == {"error", "node_errors"}
        assert set(body["error"]) == {"type", "message", "details", "extra_info"}
        return body

    unknown = refused({**WAN_T2V, "12": {"class_type": "VHS_VideoCombine", "inputs": {}}})
    assert unknown["error"]["type"] == "invalid_prompt" and unknown["node_errors"] == {}
    assert "VHS_VideoCombine" in unknown["error"]["message"]

    missing = refused(wan_graph(**{"8.steps": 0}) | {"9": {"class_type": "VAEDecode", "inputs": {"samples": ["8", 0]}}})
    assert missing["error"]["type"] == "prompt_outputs_failed_validation"
    assert set(missing["node_errors"]) == {"8", "9"}
    node = missing["node_errors"]["9"]
    assert node == {
        "errors": [{"type": "required_input_missing", "message": "Required input is missing", "details": "vae",
                    "extra_info": {"input_name": "vae"}}],
        "dependent_outputs": ["11"],
        "class_type": "VAEDecode",
    }  # fmt: skip
    assert missing["node_errors"]["8"]["errors"][0]["type"] == "value_smaller_than_min"
    for error in missing["node_errors"]["8"]["errors"]:
        assert set(error) == {"type", "message", "details", "extra_info"}

    wrong = refused(wan_graph(**{"8.sampler_name": "warp", "4.clip": ["99", 0]}))
    kinds = {e["type"] for n in wrong["node_errors"].values() for e in n["errors"]}
    assert kinds == {"value_not_in_list", "exception_during_inner_validation"}

    no_outputs = refused({k: v for k, v in WAN_T2V.items() if k != "11"})
    assert no_outputs["error"]["type"] == "prompt_no_outputs"

    ui_format = refused({"last_node_id": 11, "nodes": [{"id": 1, "type": "KSampler"}], "links": [], "version": 0.4})
    assert ui_format["error"]["type"] == "invalid_prompt"

    no_prompt = http.post("/prompt", json={"client_id": "c"})
    assert no_prompt.status_code == 400 and no_prompt.json()["error"]["type"] == "no_prompt"

    not_json = http.post("/prompt", content=b"{not json", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 500 and not_json.headers["content-type"].startswith("text/plain")

    server.missing_models = "wan_2.1_vae.safetensors"
    assert "wan_2.1_vae.safetensors" not in http.get("/models/vae").json()
    gone = refused(WAN_T2V)
    assert gone["node_errors"]["3"]["errors"][0]["type"] == "value_not_in_list"
    server.missing_models = None

    injected = {"8": {"errors": [{"type": "value_not_in_list", "message": "Value not in list", "details": "x",
                                  "extra_info": {}}], "dependent_outputs": ["11"], "class_type": "KSampler"}}  # fmt: skip
    server.reject_next_prompt_with = injected
    assert refused(WAN_T2V)["node_errors"] == injected
    submit(http, WAN_T2V, "c")  # the rejection was for the next prompt only
    assert server.submissions == 1


def test_newer_dropdowns_pass_submission_and_fail_while_running(server: ComfyUIServer, http: httpx.Client) -> None:
    with open_ws(server, "c") as ws:
        prompt_id, events = run_to_end(http, ws, wan_graph(**{"11.format": "mkv"}), "c")
    error = next(e["data"] for e in events if e["type"] == "execution_error")
    assert (error["node_id"], error["node_type"], error["exception_type"]) == ("11", "SaveVideo", "ValueError")
    assert http.get(f"/history/{prompt_id}").json()[prompt_id]["status"]["status_str"] == "error"


def test_failing_node_reports_execution_error(server: ComfyUIServer, http: httpx.Client) -> None:
    server.fail_node = "KSampler"
    with open_ws(server, "c") as ws:
        prompt_id, events = run_to_end(http, ws, WAN_T2V, "c")
    kinds = [e["type"] for e in events]
    assert "execution_success" not in kinds and "executed" not in kinds
    error = next(e["data"] for e in events if e["type"] == "execution_error")
    assert {"prompt_id", "node_id", "node_type", "exception_type", "exception_message", "traceback",
            "current_inputs"} <= set(error)  # fmt: skip
    assert (error["prompt_id"], error["node_id"], error["node_type"]) == (prompt_id, "8", "KSampler")
    assert error["current_inputs"]["seed"] == [42] and isinstance(error["traceback"], list)
    entry = http.get(f"/history/{prompt_id}").json()[prompt_id]
    assert entry["status"]["status_str"] == "error" and entry["status"]["completed"] is False
    assert entry["status"]["messages"][-1][0] == "execution_error"


def test_queue_delete_removes_a_pending_prompt(server: ComfyUIServer, http: httpx.Client) -> None:
    server.job_seconds = 0.4
    server.hold_samplers = True  # the first keeps running, the others waiting, until the queue is seen
    with open_ws(server, "c") as ws:
        first = submit(http, wan_graph(**{"8.seed": 1}), "c")
        second = submit(http, wan_graph(**{"8.seed": 2}), "c")
        third = submit(http, wan_graph(**{"8.seed": 3}), "c")
        queue = http.get("/queue").json()
        assert [item[1] for item in queue["queue_running"]] == [first]
        pending = sorted(queue["queue_pending"], key=lambda item: item[0])
        assert [item[1] for item in pending] == [second, third]
        assert pending[0][3] == {"client_id": "c"} and pending[0][4] == ["11"]
        assert http.get("/prompt").json() == {"exec_info": {"queue_remaining": 3}}
        assert http.post("/queue", json={"delete": [second, first]}).status_code == 200  # the running one stays
        server.hold_samplers = False
        events_until(ws, finished(third))
    assert server.executed == [first, third] and server.deleted == [second]
    assert http.get(f"/history/{second}").json() == {}


def test_interrupt_stops_only_the_running_prompt(server: ComfyUIServer, http: httpx.Client) -> None:
    server.job_seconds = 1.0
    server.hold_samplers = True  # the sampler waits after its first step: the interrupt surely finds it running
    with open_ws(server, "c") as ws:
        prompt_id = submit(http, wan_graph(**{"8.steps": 50}), "c")
        events = events_until(ws, lambda e: e["type"] == "progress")
        assert http.post("/interrupt", json={"prompt_id": "someone-else"}).status_code == 200  # a no-op
        assert http.post("/api/interrupt", json={"prompt_id": prompt_id}).status_code == 200
        events += events_until(ws, finished(prompt_id))
    stop = next(e["data"] for e in events if e["type"] == "execution_interrupted")
    assert (stop["prompt_id"], stop["node_id"], stop["node_type"]) == (prompt_id, "8", "KSampler")
    assert "8" not in stop["executed"] and "7" in stop["executed"]
    assert max(e["data"]["value"] for e in events if e["type"] == "progress") < 50
    assert http.get(f"/history/{prompt_id}").json()[prompt_id]["status"]["status_str"] == "error"
    assert server.interrupts == 2


@pytest.mark.parametrize("version", ["0.3.56", None])
def test_an_older_server_interrupts_whatever_runs_whichever_prompt_is_named(
        server: ComfyUIServer, http: httpx.Client, version: str | None) -> None:
    # ComfyUI before 0.3.57 read no body in /interrupt; /system_stats says which one it is (or nothing, before 2024-08).
    server.comfyui_version = version
    server.hold_samplers = True
    with open_ws(server, "c") as ws:
        prompt_id = submit(http, wan_graph(), "c")
        events_until(ws, lambda e: e["type"] == "progress")
        assert http.post("/interrupt", json={"prompt_id": "someone-else"}).status_code == 200
        events = events_until(ws, finished(prompt_id))
    assert any(e["type"] == "execution_interrupted" for e in events)
    assert http.get("/system_stats").json()["system"].get("comfyui_version") == version


def test_identical_graph_is_served_from_cache(server: ComfyUIServer, http: httpx.Client) -> None:
    server.history_lag_s = 0
    with open_ws(server, "c") as ws:
        _, first = run_to_end(http, ws, WAN_T2V, "c")
        written = server.files_written
        # Samplers held: a prompt that really ran would never finish, so one that finishes was
        # served from the cache, without running anything.
        server.hold_samplers = True
        _, again = run_to_end(http, ws, WAN_T2V, "c")
        server.hold_samplers = False
        assert server.files_written == written and len(written) == 1  # no new file
        _, reseeded = run_to_end(http, ws, wan_graph(**{"8.seed": 7}), "c")

    def output(events: list[dict]) -> str:
        return next(e["data"]["output"]["images"][0]["filename"] for e in events if e["type"] == "executed")

    assert output(again) == output(first) == "shot_00001_.mp4"
    cached = next(e["data"]["nodes"] for e in again if e["type"] == "execution_cached")
    assert sorted(cached, key=int) == [str(n) for n in range(1, 12)]
    assert not any(e["type"] in ("executing", "progress") and e["data"].get("node") for e in again)
    # A new seed runs the sampler and what follows it; the loaders stay cached.
    assert output(reseeded) == "shot_00002_.mp4"
    ran = [e["data"]["node"] for e in reseeded if e["type"] == "executing" and e["data"]["node"]]
    assert ran == ["8", "9", "10", "11"]


def test_output_files_follow_the_graph(server: ComfyUIServer, http: httpx.Client) -> None:
    server.job_seconds = 0
    image_graph = {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
        "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "a title card", "clip": ["1", 1]}},
        "3": {"class_type": "EmptyLatentImage", "inputs": {"width": 40, "height": 24, "batch_size": 2}},
        "4": {"class_type": "KSampler", "inputs": {
            "model": ["1", 0], "seed": 1, "steps": 2, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal",
            "positive": ["2", 0], "negative": ["2", 0], "latent_image": ["3", 0], "denoise": 1.0}},
        "5": {"class_type": "VAEDecode", "inputs": {"samples": ["4", 0], "vae": ["1", 2]}},
        "6": {"class_type": "SaveImage", "inputs": {"images": ["5", 0], "filename_prefix": "still"}},
        "7": {"class_type": "SaveAnimatedWEBP", "inputs": {"images": ["5", 0], "filename_prefix": "anim", "fps": 6.0,
                                                           "lossless": False, "quality": 80, "method": "default"}},
    }  # fmt: skip
    with open_ws(server, "c") as ws:
        prompt_id, _ = run_to_end(http, ws, image_graph, "c")
    outputs = http.get(f"/history/{prompt_id}").json()[prompt_id]["outputs"]
    assert [i["filename"] for i in outputs["6"]["images"]] == ["still_00001_.png", "still_00002_.png"]
    assert "animated" not in outputs["6"]
    assert outputs["7"] == {"images": [{"filename": "anim_00001_.mp4", "subfolder": "", "type": "output"}],
                            "animated": [True]}  # fmt: skip
    with av.open(str(server.output_dir / "anim_00001_.mp4")) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height, stream.average_rate) == (40, 24, 6)


def test_restart_forgets_history_on_the_same_port(server: ComfyUIServer, http: httpx.Client) -> None:
    with open_ws(server, "c") as ws:
        prompt_id, _ = run_to_end(http, ws, WAN_T2V, "c")
    url = server.url
    server.stop()
    with pytest.raises(httpx.TransportError):
        http.get("/system_stats")
    server.start()
    assert server.url == url
    assert http.get(f"/history/{prompt_id}").json() == {} and http.get("/history").json() == {}
    with open_ws(server, "c") as ws:
        _, events = run_to_end(http, ws, WAN_T2V, "c")  # the cache went too: a new file
    assert next(e for e in events if e["type"] == "executed")["data"]["output"]["images"][0]["filename"] == "shot_00002_.mp4"
    assert server.submissions == 2  # counters are the test's, kept across restarts


def test_stop_mid_job_drops_the_socket(server: ComfyUIServer, http: httpx.Client) -> None:
    server.job_seconds = 5.0
    server.hold_samplers = True  # the job cannot finish before the stop
    with open_ws(server, "c") as ws:
        submit(http, WAN_T2V, "c")
        events_until(ws, lambda e: e["type"] == "executing")
        server.stop()
        with pytest.raises(ConnectionClosed):
            drain_until_closed(ws)
    assert server.files_written == []


def drain_until_closed(ws: ClientConnection) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        ws.recv(timeout=WAIT_S)


def test_a_reconnecting_client_hears_the_running_node(server: ComfyUIServer, http: httpx.Client) -> None:
    server.job_seconds = 1.0
    server.hold_samplers = True  # the sampler still runs when the client comes back
    with open_ws(server, "c") as ws:
        prompt_id = submit(http, wan_graph(**{"8.steps": 40}), "c")
        events_until(ws, lambda e: e["type"] == "progress")
        server.drop_sockets()
        with pytest.raises(ConnectionClosed):
            drain_until_closed(ws)
    with connect(server.ws_url("c"), proxy=None) as ws:
        hello = [json.loads(ws.recv(timeout=WAIT_S)) for _ in range(2)]
        assert hello[0]["type"] == "status" and hello[0]["data"]["sid"] == "c"
        assert hello[1] == {"type": "executing", "data": {"node": "8"}}  # no prompt_id
        server.hold_samplers = False
        events = events_until(ws, finished(prompt_id))
        assert server.connected_clients() == ["c"]
    assert any(e["type"] == "execution_success" for e in events)


def test_faults_for_downloads(server: ComfyUIServer, http: httpx.Client) -> None:
    server.job_seconds = 0
    server.hostile_filename = "../../evil.mp4"
    with open_ws(server, "c") as ws:
        _, events = run_to_end(http, ws, WAN_T2V, "c")
    output = next(e for e in events if e["type"] == "executed")["data"]["output"]["images"][0]
    assert output["filename"] == "../../evil.mp4"
    whole = (server.output_dir / "video" / "shot_00001_.mp4").read_bytes()
    params = {"filename": output["filename"], "subfolder": output["subfolder"], "type": "output"}
    assert http.get("/view", params=params).content == whole

    server.truncate_downloads = True
    assert http.get("/view", params=params).content == whole[: len(whole) // 2]
    server.truncate_downloads = False
    server.abort_downloads = True
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/view", params=params)
    server.abort_downloads = False

    server.slow_responses_s = 0.3
    started = time.monotonic()
    assert http.get("/system_stats").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_capabilities(server: ComfyUIServer, http: httpx.Client) -> None:
    stats = http.get("/api/system_stats").json()
    assert stats["system"]["comfyui_version"] == "0.3.64"
    assert {"name", "type", "vram_total", "vram_free"} <= set(stats["devices"][0])
    info = http.get("/object_info").json()
    for name in ["CheckpointLoaderSimple", "CLIPTextEncode", "KSampler", "EmptyLatentImage", "VAEDecode", "VAEEncode",
                 "SaveImage", "LoadImage", "ImageOnlyCheckpointLoader", "SVD_img2vid_Conditioning",
                 "VideoLinearCFGGuidance", "SaveAnimatedWEBP", "CreateVideo", "SaveVideo", "UNETLoader", "CLIPLoader",
                 "VAELoader", "EmptyHunyuanLatentVideo", "WanImageToVideo", "ModelSamplingSD3", "CLIPVisionLoader",
                 "CLIPVisionEncode"]:  # fmt: skip
        assert {"input", "output", "output_node", "category"} <= set(info[name])
    assert info["SaveVideo"]["output_node"] is True and info["KSampler"]["output_node"] is False
    assert info["KSampler"]["input"]["required"]["sampler_name"][0][0] == "euler"  # [[options]]
    assert info["SaveVideo"]["input"]["required"]["format"][0] == "COMBO"  # the newer shape: ["COMBO", {"options"...}]
    assert info["SaveVideo"]["input"]["required"]["format"][1]["options"] == ["auto", "mp4"]
    assert info["UNETLoader"]["input"]["required"]["unet_name"][0] == http.get("/models/diffusion_models").json()
    assert http.get("/object_info/KSampler").json().keys() == {"KSampler"}
    assert http.get("/object_info/NoSuchNode").json() == {}
    assert http.get("/models/no_such_folder").status_code == 404
    assert "max_upload_size" in http.get("/features").json()

    server.missing_models = {"svd_xt.safetensors"}
    ckpts = http.get("/object_info/ImageOnlyCheckpointLoader").json()["ImageOnlyCheckpointLoader"]
    assert "svd_xt.safetensors" not in ckpts["input"]["required"]["ckpt_name"][0]
    assert "svd_xt.safetensors" not in http.get("/api/models/checkpoints").json()


def test_front_of_queue_and_a_client_without_id(server: ComfyUIServer, http: httpx.Client) -> None:
    server.job_seconds = 0.3
    server.hold_samplers = True  # the first prompt keeps running while the others queue behind it
    own_id = str(uuid.uuid4())
    with open_ws(server, "c") as ws:
        first = submit(http, wan_graph(**{"8.seed": 10}), "c")
        later = submit(http, wan_graph(**{"8.seed": 11}), "c")
        urgent = http.post("/prompt", json={"prompt": wan_graph(**{"8.seed": 12}), "client_id": "c", "front": True,
                                            "prompt_id": own_id}).json()  # fmt: skip
        assert urgent["prompt_id"] == own_id and urgent["number"] < 0 and urgent["node_errors"] == {}
        server.hold_samplers = False
        events_until(ws, finished(later))
        # Without a client_id nobody hears the run; it still runs and lands in history.
        silent = http.post("/prompt", json={"prompt": wan_graph(**{"8.seed": 13})}).json()["prompt_id"]
        server.wait_idle()
        assert not [e for e in drain(ws, 0.05) if e["type"] in EXECUTION_EVENTS]
    assert server.executed == [first, own_id, later, silent]
    assert silent in http.get(f"/history/{silent}").json()


def test_usable_from_another_event_loop(server: ComfyUIServer) -> None:
    async def run() -> tuple[str, list[dict]]:
        async with (
            httpx.AsyncClient(base_url=server.url, trust_env=False) as client,
            websockets.connect(server.ws_url("async"), proxy=None) as ws,
        ):
            await ws.recv()  # the greeting
            response = await client.post("/prompt", json={"prompt": WAN_T2V, "client_id": "async"})
            prompt_id = response.json()["prompt_id"]
            events = []
            while not (events and events[-1]["type"] == "executing" and events[-1]["data"]["node"] is None):
                message = await asyncio.wait_for(ws.recv(), WAIT_S)
                if isinstance(message, str):
                    events.append(json.loads(message))
            return prompt_id, events

    prompt_id, events = asyncio.run(run())
    assert events[-1]["data"]["prompt_id"] == prompt_id
    assert any(e["type"] == "execution_success" for e in events)
