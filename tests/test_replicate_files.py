"""Replicate's files API for pictures over 256 KB, the 404 fallback of community models, and the
test server's rules, each with a request it must refuse (tests/servers/replicate.py)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from servers.replicate import ReplicateModel, ReplicateServer, default_models

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES
from foundry_desktop.generation.cloud.catalog.replicate_models import MAX_DATA_URL_BYTES
from foundry_desktop.generation.cloud.providers.replicate import ReplicateBackend
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import PollPolicy

KEY = "r8_test-key-SECRET"
WAIT_S = 60  # only so that a broken backend fails instead of hanging
FAST_RETRY = RetryPolicy(attempts=3, base_s=0.01, max_s=0.02, max_wait_s=1)
FAST_POLL = PollPolicy(interval_s=0.01, max_interval_s=0.03, growth=1.5, timeout_s=WAIT_S)
AUTH = {"Authorization": f"Bearer {KEY}"}


def picture(path: Path, side: int, *, noisy: bool = True) -> Path:
    """A square PNG: of noise (which PNG cannot shrink: 128 px is a few dozen KB, 400 px about 480 KB),
    or of one colour (a few hundred bytes at any size a model takes)."""
    pixels = (np.random.default_rng(side).integers(0, 256, (side, side, 3), dtype=np.uint8) if noisy
              else np.full((side, side, 3), (30, 90, 160), np.uint8))
    Image.fromarray(pixels).save(path)
    return path


def shot(folder: Path, model: str, *, image: Path | None = None, last: Path | None = None, prompt: str = "a harbour",
         **params: Any) -> GenerationRequest:
    return GenerationRequest(shot_id="s1", prompt=prompt, negative_prompt="", seed=5, width=1280, height=720,
                             frame_rate=Fraction(24), frames=144, output_dir=folder, model=model, input_image=image,
                             last_image=last, params=params)


def generate(server: ReplicateServer, request: GenerationRequest) -> Any:
    async def main() -> Any:
        async with httpx.AsyncClient(timeout=WAIT_S) as http:
            backend = ReplicateBackend(http, KEY, base_url=server.url, retry=FAST_RETRY, poll=FAST_POLL)
            return await backend.generate(request, lambda event: None)
    return asyncio.run(main())


def created_inputs(server: ReplicateServer) -> list[dict[str, Any]]:
    return [r.json["input"] for r in server.requests_to("POST", "/v1/") if r.json and "input" in r.json]


# --------------------------------------------------------------------------- the backend


def test_a_large_picture_is_uploaded_and_a_small_one_sent_inline(tmp_path: Path) -> None:
    large, small = picture(tmp_path / "large.png", 400), picture(tmp_path / "small.png", 320, noisy=False)
    assert large.stat().st_size > MAX_DATA_URL_BYTES >= small.stat().st_size
    with ReplicateServer(api_key=KEY, task_seconds=0.05) as server:
        uploaded = generate(server, shot(tmp_path, "minimax/hailuo-02", image=large, last=small))
        inline = generate(server, shot(tmp_path, "minimax/hailuo-02", image=small))
        first, second = created_inputs(server)
        upload = server.requests_to("POST", "/v1/files")
        (file,) = server.files.values()
    assert server.uploads == 1 and server.submissions == 2
    assert first["first_frame_image"] == file["urls"]["get"] and file["size"] == large.stat().st_size
    assert file["name"] == "input-image.png" and file["content_type"] == "image/png"  # not the creator's file name
    assert upload[0].form["content"]["filename"] == "input-image.png"  # the part replicate-python sends
    assert first["last_frame_image"].startswith("data:image/png;base64,")  # the small last frame inline
    assert base64.b64decode(second["first_frame_image"].partition(",")[2]) == small.read_bytes()
    assert uploaded.path.exists() and inline.path.exists()


def test_a_community_model_falls_back_to_its_version_after_the_404(tmp_path: Path) -> None:
    community = ReplicateModel("someone/their-video-model", {
        "prompt": {"type": "string"}, "image": {"type": "string", "format": "uri"},
        "num_frames": {"type": "integer", "minimum": 16, "maximum": 121, "default": 81},
    }, official=False)
    with ReplicateServer(api_key=KEY, task_seconds=0.05, models=[community]) as server:
        result = generate(server, shot(tmp_path, community.name))
        on_model_path = server.requests_to("POST", f"/v1/models/{community.name}/predictions")
        by_version = server.requests_to("POST", "/v1/predictions")
    assert len(on_model_path) == 1 and len(by_version) == 1 and server.submissions == 1
    assert by_version[0].json["version"] == f"{community.name}:{community.version}"
    assert by_version[0].json["input"]["num_frames"] == 121  # 6 s at 24 fps, clamped to its maximum
    assert result.path.exists()


def test_request_shape_is_the_table_for_listed_models_and_asks_nothing(tmp_path: Path) -> None:
    async def shapes() -> Any:
        async with httpx.AsyncClient() as http:
            backend = ReplicateBackend(http, KEY, base_url="http://127.0.0.1:9")  # nothing listens: nothing asked
            listed = backend.request_shape(shot(tmp_path, "minimax/hailuo-02", seed=9))
            other = backend.request_shape(shot(tmp_path, "someone/else"))
            with pytest.raises(GenerationError, match="takes no last frame"):
                backend.request_shape(shot(tmp_path, "kwaivgi/kling-v3-video", last=tmp_path / "last.png"))
            with pytest.raises(GenerationError, match="needs a prompt"):
                backend.request_shape(shot(tmp_path, "minimax/hailuo-02", prompt=" "))
            return listed, other
    listed, other = asyncio.run(shapes())
    assert (listed.model, listed.duration_s, listed.seed, listed.ratio) == ("minimax/hailuo-02", 6.0, None, None)
    assert not any("asked for" in note for note in listed.notes)  # a 6 s shot gets its 6 s
    assert other.duration_s is None and "when the shot runs" in other.words()
    assert set(VIDEO_MODEL_TABLES["replicate"]) == {"minimax/hailuo-02", "kwaivgi/kling-v3-video"}


# --------------------------------------------------------------------------- the server's rules


def _png(size: int) -> bytes:
    data = io.BytesIO()
    Image.fromarray(np.random.default_rng(size).integers(0, 256, (size, size, 3), dtype=np.uint8)).save(data, "PNG")
    return data.getvalue()


def _data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


@pytest.mark.parametrize(("request_kwargs", "status"), [
    ({"json": {"content": "x"}}, 400),  # multipart/form-data only
    ({"files": {"file": ("a.png", b"x", "image/png")}}, 400),  # the bytes go in the part named content
    ({"files": {"content": ("a" * 252 + ".png", b"x", "image/png")}}, 400),  # filename over 255 bytes
    ({"files": {"content": ("a.png", b"x", "image/png")}, "data": {"metadata": "{not json"}}, 400),
    ({"files": {"content": ("a.png", b"x" * 2048, "image/png")}}, 413),  # over the size limit (1 KiB here)
])
def test_the_files_api_refuses_what_replicate_refuses(request_kwargs: dict[str, Any], status: int) -> None:
    with ReplicateServer(api_key=KEY) as server, httpx.Client(base_url=server.url, headers=AUTH) as client:
        server.max_file_bytes = 1024
        refused = client.post("/v1/files", **request_kwargs)
        taken = client.post("/v1/files", files={"content": ("a.png", b"x" * 1024, "image/png")},
                            data={"metadata": json.dumps({"purpose": "test"})})
        listed = client.get("/v1/files").json()["results"]
        deleted = client.delete(f"/v1/files/{taken.json()['id']}")
    assert refused.status_code == status and {"title", "detail", "status"} <= set(refused.json())
    assert taken.status_code == 201 and taken.json()["urls"]["get"].endswith(f"/v1/files/{taken.json()['id']}")
    assert taken.json()["checksums"]["md5"] and taken.json()["metadata"] == {"purpose": "test"}
    assert [f["id"] for f in listed] == [taken.json()["id"]] and deleted.status_code == 204


def test_predictions_refuse_large_data_urls_unknown_files_and_community_models_by_name() -> None:
    community = ReplicateModel("someone/model", {"prompt": {"type": "string"}}, official=False)
    hailuo = "/v1/models/minimax/hailuo-02/predictions"
    with ReplicateServer(api_key=KEY, models=[*default_models(), community]) as server, \
            httpx.Client(base_url=server.url, headers=AUTH) as client:
        too_large = client.post(hailuo, json={"input": {"prompt": "x", "first_frame_image": _data_url(_png(400))}})
        unknown = client.post(hailuo, json={"input": {"prompt": "x",
                                                      "first_frame_image": f"{server.url}/v1/files/nothing"}})
        by_name = client.post("/v1/models/someone/model/predictions", json={"input": {"prompt": "x"}})
        file_url = client.post("/v1/files", files={"content": ("a.png", _png(400), "image/png")}).json()["urls"]["get"]
        small = client.post(hailuo, json={"input": {"prompt": "x", "first_frame_image": _data_url(_png(64))}})
        uploaded = client.post(hailuo, json={"input": {"prompt": "x", "first_frame_image": file_url}})
        by_version = client.post("/v1/predictions", json={"version": community.version, "input": {"prompt": "x"}})
    assert too_large.status_code == 422 and too_large.json()["invalid_fields"][0]["type"] == "data_url_too_large"
    assert unknown.status_code == 422 and unknown.json()["invalid_fields"][0]["type"] == "file_not_found"
    assert by_name.status_code == 404
    assert (small.status_code, uploaded.status_code, by_version.status_code) == (201, 201, 201)
    assert server.submissions == 3


def test_hailuo_fails_ten_seconds_outside_768p_as_the_model_does(tmp_path: Path) -> None:
    with ReplicateServer(api_key=KEY, task_seconds=0.05) as server:
        with pytest.raises(GenerationError, match="768p"):
            generate(server, shot(tmp_path, "minimax/hailuo-02", duration=10))
        result = generate(server, shot(tmp_path, "minimax/hailuo-02", duration=10, resolution="768p"))
        sent = created_inputs(server)[-1]
    assert (sent["duration"], sent["resolution"]) == (10, "768p") and result.path.exists()

