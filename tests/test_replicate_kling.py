"""Kling 3.0 on Replicate (kwaivgi/kling-v3-video): what its table entry says is what the
backend sends (a ratio from text only, the nearest one with a note, an integer length in
3..15, both frames from pictures), and what the test server refuses as the real service does."""

from __future__ import annotations

import asyncio
import base64
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from servers.replicate import ReplicateServer
from test_replicate_files import KEY, created_inputs, generate, picture

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.catalog.replicate_models import REPLICATE_MODELS
from foundry_desktop.generation.cloud.catalog.video_models import RequestShape
from foundry_desktop.generation.cloud.providers.replicate import ReplicateBackend

KLING = "kwaivgi/kling-v3-video"


def request(folder: Path, *, size: tuple[int, int] = (1280, 720), seconds: int = 5, prompt: str = "a harbour at dawn",
            image: Path | None = None, last: Path | None = None, **params: Any) -> GenerationRequest:
    return GenerationRequest(shot_id="s1", prompt=prompt, negative_prompt="", seed=5, width=size[0], height=size[1],
                             frame_rate=Fraction(24), frames=24 * seconds, output_dir=folder, model=KLING,
                             input_image=image, last_image=last, params=params)


def shape(folder: Path, **kwargs: Any) -> RequestShape:
    async def main() -> RequestShape:
        async with httpx.AsyncClient() as http:
            backend = ReplicateBackend(http, KEY, base_url="http://127.0.0.1:9")  # nothing listens: nothing asked
            return backend.request_shape(request(folder, **kwargs))
    return asyncio.run(main())


def test_the_entry_is_read_from_replicates_page(tmp_path: Path) -> None:
    entry = REPLICATE_MODELS[KLING]
    assert entry.accepts_words() == ("text to video (16:9/9:16/1:1, 3-15 s, no seed); "
                                     "image to video (3-15 s, last frame, no seed)")
    assert entry.price is None and "4a8ba274" in entry.source and "cinemasetfree.com" in entry.source
    assert "kling-v2.1" not in REPLICATE_MODELS


def test_from_text_a_4_3_project_gets_the_nearest_ratio_with_a_note_and_a_whole_length(tmp_path: Path) -> None:
    wide = shape(tmp_path, size=(1024, 768), seconds=20)
    assert (wide.endpoint, wide.ratio, wide.duration_s, wide.seed) == ("text_to_video", "16:9", 15.0, None)
    assert any("16:9 is the nearest shape Kling 3.0 makes to the project's 1024x768" in note for note in wide.notes)
    assert any("15 s asked for a 20 s shot" in note for note in wide.notes)
    tall = shape(tmp_path, size=(720, 1280), seconds=2)
    assert (tall.ratio, tall.duration_s) == ("9:16", 3.0)

    with ReplicateServer(api_key=KEY, task_seconds=0.05) as server:
        result = generate(server, request(tmp_path, size=(1024, 768), seconds=20))
        (sent,) = created_inputs(server)
    assert sent["aspect_ratio"] == "16:9" and sent["duration"] == 15 and type(sent["duration"]) is int
    assert "seed" not in sent and "start_image" not in sent and result.path.exists()


def test_from_pictures_no_ratio_is_sent_and_both_frames_are(tmp_path: Path) -> None:
    first, last = picture(tmp_path / "first.png", 320, noisy=False), picture(tmp_path / "last.png", 330, noisy=False)
    from_picture = shape(tmp_path, size=(1024, 768), seconds=7, image=first, last=last)
    assert (from_picture.endpoint, from_picture.ratio, from_picture.duration_s) == ("image_to_video", None, 7.0)
    assert not any("nearest shape" in note for note in from_picture.notes)

    with ReplicateServer(api_key=KEY, task_seconds=0.05) as server:
        generate(server, request(tmp_path, size=(1024, 768), seconds=7, image=first, last=last,
                                 mode="standard", generate_audio=True))
        (sent,) = created_inputs(server)
    # The schema has aspect_ratio, but the model ignores it given a start image: none is sent.
    assert "aspect_ratio" not in sent and sent["duration"] == 7
    assert sent["start_image"].startswith("data:image/png") and sent["end_image"].startswith("data:image/png")
    assert sent["mode"] == "standard" and sent["generate_audio"] is True  # the shot's params, as named


def test_what_the_table_refuses_is_never_sent(tmp_path: Path) -> None:
    last = picture(tmp_path / "last.png", 128)
    with ReplicateServer(api_key=KEY, task_seconds=0.05) as server:
        for bad, why in ((request(tmp_path, last=last), "takes no last frame"),
                         (request(tmp_path, prompt=" "), "needs a prompt"),
                         (request(tmp_path, prompt="x" * 2501), "up to 2500 characters")):
            with pytest.raises(GenerationError, match=why):
                generate(server, bad)
        assert server.requests == []


def data_uri(path: Path, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


def test_the_server_fails_what_the_schema_states_only_in_words(tmp_path: Path) -> None:
    """end_image "Requires start_image", and prompts of at most 2500 characters: Cog's validation
    cannot check either, so the request is taken (201) and the model fails the prediction."""
    with ReplicateServer(api_key=KEY, task_seconds=0.05) as server, httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {KEY}"}) as client:
        url = f"/v1/models/{KLING}/predictions"
        frame = data_uri(picture(tmp_path / "frame.png", 320, noisy=False))
        for inputs, error in (({"prompt": "a fox", "end_image": frame}, "end_image requires start_image."),
                              ({"prompt": "x" * 2501}, "prompt must be at most 2500 characters.")):
            created = client.post(url, json={"input": inputs}, headers={"Prefer": "wait"})
            assert created.status_code == 201
            assert (created.json()["status"], created.json()["error"]) == ("failed", error)
        both = client.post(url, json={"input": {"prompt": "a fox", "start_image": frame, "end_image": frame}},
                           headers={"Prefer": "wait"})
        assert both.json()["status"] == "succeeded"


def test_the_server_fails_a_start_image_kling_refuses_in_words(tmp_path: Path) -> None:
    """start_image: "Supports .jpg/.jpeg/.png, max 10MB, min 300px, aspect ratio 1:2.5 to 2.5:1". Each
    broken picture is taken (201) and the prediction fails, as the model fails it (billed)."""
    def saved(name: str, size: tuple[int, int], kind: str = "PNG") -> Path:
        Image.new("RGB", size, (90, 40, 20)).save(tmp_path / name, format=kind)
        return tmp_path / name
    heavy = saved("heavy.png", (640, 360))
    heavy.write_bytes(heavy.read_bytes() + bytes(11 * 1000**2))  # a whole picture, then 11 MB more
    with ReplicateServer(api_key=KEY, task_seconds=0.05) as server, httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {KEY}"}) as client:
        stored = client.post("/v1/files", files={"content": ("heavy.png", heavy.read_bytes(), "image/png")}).json()
        for start, error in (
                (data_uri(saved("key.webp", (640, 360), "WEBP"), "image/webp"), "unsupported image format WEBP"),
                (data_uri(saved("tiny.png", (200, 120))), "must be at least 300px"),
                (data_uri(saved("tall.png", (320, 1000))), "aspect ratio 0.32 is outside 0.4 to 2.5"),
                (stored["urls"]["get"], "larger than 10 MB")):
            created = client.post(f"/v1/models/{KLING}/predictions", headers={"Prefer": "wait"},
                                  json={"input": {"prompt": "a fox", "start_image": start}})
            assert created.status_code == 201
            assert created.json()["status"] == "failed" and error in created.json()["error"], created.json()
