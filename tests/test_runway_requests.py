"""Runway's requests as the real API takes them: every model of the table (read from
runwayml/sdk-python 5.13) at 16:9, 9:16, 1:1 and 4:3, with and without an input picture,
small and large pictures (over 3.7 MB: an ephemeral upload), first and last frames,
references and an empty prompt — each either a request the test server (which checks the
SDK's own rules, tests/data/cloud/runway_sdk_video_params.json) accepts and a take, or a
refusal in words before anything is sent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from servers.runway import RunwayServer

from foundry_desktop.domain.cost import Cost
from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest, GenerationResult
from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES
from foundry_desktop.generation.cloud.catalog.runway_models import MAX_INLINE_PICTURE_BYTES, RUNWAY_VIDEO_MODELS
from foundry_desktop.generation.cloud.providers.runway import RunwayBackend
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import PollPolicy

KEY = "rk-requests-key"
WAIT_S = 120  # only so that a broken backend fails instead of hanging: never reached otherwise
FAST_RETRY = RetryPolicy(attempts=3, base_s=0.01, max_s=0.02, max_wait_s=1)
FAST_POLL = PollPolicy(interval_s=0.02, max_interval_s=0.05, growth=1.5, timeout_s=WAIT_S)
ASPECTS = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080), "4:3": (1440, 1080)}
RULES = json.loads((Path(__file__).parent / "data" / "cloud" / "runway_sdk_video_params.json").read_text())


def picture(path: Path, size: int | None = None, shape: tuple[int, int] = (128, 72)) -> Path:
    """A PNG; with `size`, padded after its end to exactly that many bytes (noise does not compress)."""
    Image.fromarray(np.full((shape[1], shape[0], 3), (40, 120, 200), np.uint8)).save(path)
    if size is not None:
        data = path.read_bytes()
        path.write_bytes(data + np.random.default_rng(1).bytes(size - len(data)))
    return path


def shot(folder: Path, model: str | None, *, aspect: str = "16:9", image: Path | None = None, prompt: str = "a fox",
         last: Path | None = None, references: tuple[Path, ...] = (), seconds: float = 5, shot_id: str = "s1",
         negative: str = "") -> GenerationRequest:
    width, height = ASPECTS[aspect]
    (folder / "scratch").mkdir(exist_ok=True)
    return GenerationRequest(shot_id=shot_id, prompt=prompt, negative_prompt=negative, seed=1234, width=width,
                             height=height, frame_rate=Fraction(24), frames=int(seconds * 24),
                             output_dir=folder / "scratch", model=model, input_image=image, last_image=last,
                             reference_images=references)


def run(server: RunwayServer, work: Callable[[RunwayBackend], Any]) -> Any:
    async def main() -> Any:
        async with httpx.AsyncClient(timeout=WAIT_S) as http:
            backend = RunwayBackend(http, KEY, base_url=server.url, retry=FAST_RETRY, poll=FAST_POLL)
            return await asyncio.wait_for(work(backend), WAIT_S)
    return asyncio.run(main())


def generate_all(server: RunwayServer, requests: list[GenerationRequest]) -> list[GenerationResult | Exception]:
    async def work(backend: RunwayBackend) -> list[Any]:
        return await asyncio.gather(*(backend.generate(r, lambda e: None) for r in requests), return_exceptions=True)
    return run(server, work)


def created(server: RunwayServer) -> list[Any]:
    return [r for r in server.requests if r.path in ("/v1/text_to_video", "/v1/image_to_video")]


# --------------------------------------------------------------------------- the table


def test_the_table_is_every_video_model_the_sdk_lists_with_its_endpoints_and_ratios() -> None:
    assert VIDEO_MODEL_TABLES["runway"] is RUNWAY_VIDEO_MODELS
    sdk_models = set(RULES["text_to_video"]) | set(RULES["image_to_video"])
    assert set(RUNWAY_VIDEO_MODELS) == sdk_models
    for name, model in RUNWAY_VIDEO_MODELS.items():
        assert {e for e in ("text_to_video", "image_to_video") if name in RULES[e]} == set(model.endpoints), name
        assert model.source and model.checked == "2026-12-07"
        for endpoint, shape in model.endpoints.items():
            rules = RULES[endpoint][name]
            assert set(shape.ratios) == set(rules.get("ratio", {}).get("values", ())), (name, endpoint)
            assert (shape.seed_range is not None) == ("seed" in rules), (name, endpoint)
            assert shape.prompt_required == rules["promptText"]["required"], (name, endpoint)
            assert shape.max_references == (9 if "references" in rules else 0), (name, endpoint)
            assert shape.last_frame == ("last" in rules.get("promptImage", {}).get("positions", ())), (name, endpoint)
            if rules["duration"]["kind"] == "int_enum":
                assert set(shape.durations) == set(rules["duration"]["values"]), (name, endpoint)
            elif "min" in rules["duration"]:
                assert (min(shape.durations), max(shape.durations)) == (rules["duration"]["min"],
                                                                        rules["duration"]["max"]), (name, endpoint)
    assert "gen3a_turbo" not in RUNWAY_VIDEO_MODELS and "gen4_aleph" not in RUNWAY_VIDEO_MODELS
    assert "aleph2" not in RUNWAY_VIDEO_MODELS  # video to video: not a shot's generation


# --------------------------------------------------------------------------- every model, every shape


def test_every_model_at_every_aspect_with_and_without_a_picture(tmp_path: Path) -> None:
    small = picture(tmp_path / "small.png")
    cases = [(name, aspect, image) for name in RUNWAY_VIDEO_MODELS for aspect in ASPECTS for image in (None, small)]
    requests = [shot(tmp_path, name, aspect=aspect, image=image, shot_id=f"s{i}", negative="blurry")
                for i, (name, aspect, image) in enumerate(cases)]
    with RunwayServer(api_key=KEY, task_seconds=0.05) as server:
        results = generate_all(server, requests)
        sent = created(server)
    assert sent and all(r.status == 200 for r in sent)  # nothing the server refused
    for (name, aspect, image), result in zip(cases, results, strict=True):
        endpoint = "image_to_video" if image else "text_to_video"
        if endpoint not in RUNWAY_VIDEO_MODELS[name].endpoints:
            assert isinstance(result, GenerationError) and "picture" in str(result), (name, aspect)
            continue
        assert isinstance(result, GenerationResult), (name, aspect, image, result)
        assert result.path.exists() and result.backend_info["endpoint"] == endpoint
    assert len(sent) == sum(isinstance(r, GenerationResult) for r in results)  # refused ones sent nothing
    for request in sent:
        body, name = request.json, request.json["model"]
        shape = RUNWAY_VIDEO_MODELS[name].endpoints[request.path.removeprefix("/v1/")]  # type: ignore[index]
        assert body.get("ratio") in (shape.ratios or (None,)) and ("seed" in body) == (shape.seed_range is not None)
        assert ("negativePrompt" in body) == name.startswith("veo")


def shapes_of(server: RunwayServer, requests: list[GenerationRequest]) -> list[Any]:
    """Each request's shape (or the GenerationError saying why it cannot be sent)."""
    async def work(backend: RunwayBackend) -> list[Any]:
        found: list[Any] = []
        for request in requests:
            try:
                found.append(backend.request_shape(request))
            except GenerationError as exc:
                found.append(exc)
        return found
    return run(server, work)


def test_gen45_from_text_takes_only_wide_or_tall_and_says_so(tmp_path: Path) -> None:
    still = picture(tmp_path / "k.png")
    asked = [shot(tmp_path, "gen4.5", aspect=a, image=i) for a in ("4:3", "1:1") for i in (None, still)]
    with RunwayServer(api_key=KEY) as server:
        four_three_text, four_three_picture, square_text, square_picture = shapes_of(server, asked)
        assert server.requests == []  # a request's shape sends nothing
    assert (four_three_text.ratio, square_text.ratio) == ("1280:720", "1280:720")
    assert (four_three_picture.ratio, square_picture.ratio) == ("1104:832", "960:960")
    assert any("1280:720 is the nearest shape" in note for note in four_three_text.notes)
    assert four_three_picture.notes == ()  # 1104:832 is within 1 % of 4:3
    assert square_text.seed == 1234 and square_text.estimate == Cost(60.0, "runway-credits")


# --------------------------------------------------------------------------- pictures: inline or uploaded


def test_a_picture_too_large_for_a_data_uri_goes_by_ephemeral_upload(tmp_path: Path) -> None:
    fits = picture(tmp_path / "fits.png", MAX_INLINE_PICTURE_BYTES)
    large = picture(tmp_path / "large.png", MAX_INLINE_PICTURE_BYTES + 1)  # ~3.75 MB: its data URI is over 5 MB
    last = picture(tmp_path / "last.png", 4_200_000)
    asked = [shot(tmp_path, "gen4.5", image=fits, shot_id="a"), shot(tmp_path, "gen4.5", image=large, shot_id="b"),
             shot(tmp_path, "veo3.1", image=large, last=last, prompt="", shot_id="c", seconds=8)]
    with RunwayServer(api_key=KEY, task_seconds=0.05) as server:
        shapes = shapes_of(server, asked)
        results = generate_all(server, asked)
        bodies = [r.json for r in created(server)]
        bucket = server.requests_to("POST", "/upload-bucket/")
        starts = server.requests_to("POST", "/v1/uploads")
        stored = sorted(len(u["data"]) for u in server.uploads.values())
    assert all(isinstance(r, GenerationResult) for r in results), results
    assert stored == sorted([large.stat().st_size] * 2 + [last.stat().st_size])
    (inline,) = [b["promptImage"] for b in bodies if str(b["promptImage"]).startswith("data:image/png;base64,")]
    (uploaded,) = [b["promptImage"] for b in bodies if str(b["promptImage"]).startswith("runway://")]
    (pair,) = [b for b in bodies if isinstance(b["promptImage"], list)]
    assert len(inline) <= 5_000_000 and uploaded in {f"runway://ephemeral/{i}" for i in server.uploads}
    first, second = pair["promptImage"]
    assert (first["position"], second["position"]) == ("first", "last")
    assert first["uri"].startswith("runway://") and second["uri"].startswith("runway://")
    assert pair["model"] == "veo3.1" and "promptText" not in pair and "seed" not in pair
    assert len(starts) == len(bucket) == 3
    assert all(r.json == {"filename": "input.png", "type": "ephemeral"} for r in starts)  # no name of ours
    assert all("X-Runway-Version" not in r.headers for r in bucket)  # the key never goes there (the bucket refuses it)
    assert all(list(r.form)[-1] == "file" for r in bucket)
    assert shapes[0].notes == () and any("Runway's upload" in n for n in shapes[1].notes)


def test_a_refused_upload_fails_the_shot_in_words_and_submits_nothing(tmp_path: Path) -> None:
    large = picture(tmp_path / "large.png", 4_000_000)
    with RunwayServer(api_key=KEY, task_seconds=0.05) as server:
        server.fail_next(1, status=403, only="POST /upload-bucket/")
        (result,) = generate_all(server, [shot(tmp_path, "gen4_turbo", image=large)])
        assert server.submissions == 0 and created(server) == []
    assert isinstance(result, GenerationError) and "\n" not in str(result) and "403" in str(result)
    assert list((tmp_path / "scratch").iterdir()) == []


def test_references_go_to_seedance_from_text_and_are_noted_elsewhere(tmp_path: Path) -> None:
    refs = tuple(picture(tmp_path / f"ref{i}.png") for i in range(11))
    asked = [shot(tmp_path, "seedance2", references=refs, shot_id="a"),
             shot(tmp_path, "gen4.5", references=refs[:1], shot_id="b")]
    with RunwayServer(api_key=KEY, task_seconds=0.05) as server:
        shapes = shapes_of(server, asked)
        results = generate_all(server, asked)
        bodies = {r.json["model"]: r.json for r in created(server)}
    assert all(isinstance(r, GenerationResult) for r in results), results
    assert len(bodies["seedance2"]["references"]) == 9 and "references" not in bodies["gen4.5"]
    assert any("no reference pictures" in note for note in shapes[1].notes)


# --------------------------------------------------------------------------- prompts, frames, seeds


def test_an_empty_prompt_is_left_out_where_optional_and_refused_where_required(tmp_path: Path) -> None:
    small = picture(tmp_path / "k.png")
    cases = [(name, image) for name in RUNWAY_VIDEO_MODELS for image in (None, small)
             if ("image_to_video" if image else "text_to_video") in RUNWAY_VIDEO_MODELS[name].endpoints]
    asked = [shot(tmp_path, name, image=image, prompt="  ", shot_id=f"e{i}") for i, (name, image) in enumerate(cases)]
    with RunwayServer(api_key=KEY, task_seconds=0.05) as server:
        results = generate_all(server, asked)
        sent = created(server)
    for (name, image), result in zip(cases, results, strict=True):
        required = RUNWAY_VIDEO_MODELS[name].endpoints["image_to_video" if image else "text_to_video"].prompt_required
        if required:
            assert isinstance(result, GenerationError) and "needs a prompt" in str(result), name
        else:
            assert isinstance(result, GenerationResult), (name, result)
    assert all("promptText" not in r.json and r.status == 200 for r in sent)
    assert {r.json["model"] for r in sent} == {n for n, i in cases if i and n != "gen4.5"}


def test_a_last_frame_only_where_the_model_takes_one(tmp_path: Path) -> None:
    first, last = picture(tmp_path / "first.png"), picture(tmp_path / "last.png")
    asked = [shot(tmp_path, name, image=first, last=last, shot_id=f"l{i}")
             for i, name in enumerate(("gen4.5", "seedance2_mini", "veo3.1_fast", "gemini_omni_flash"))]
    with RunwayServer(api_key=KEY, task_seconds=0.05) as server:
        gen45, seedance, veo, gemini = generate_all(server, asked)
        bodies = {r.json["model"]: r.json for r in created(server)}
    assert isinstance(gen45, GenerationError) and "takes no last frame" in str(gen45)
    assert isinstance(gemini, GenerationError) and "last frame" in str(gemini)
    assert isinstance(seedance, GenerationResult) and isinstance(veo, GenerationResult)
    assert set(bodies) == {"seedance2_mini", "veo3.1_fast"}
    assert [p["position"] for p in bodies["veo3.1_fast"]["promptImage"]] == ["first", "last"]


def test_lengths_seeds_and_prices_per_model(tmp_path: Path) -> None:
    asked = [shot(tmp_path, "veo3", seconds=5, shot_id="v"), shot(tmp_path, "gemini_omni_flash", seconds=12,
                                                                 shot_id="g"),
             shot(tmp_path, "seedance2", seconds=2, shot_id="s"), shot(tmp_path, None, seconds=7.1, shot_id="d")]
    with RunwayServer(api_key=KEY, task_seconds=0.05) as server:
        veo, gemini, seedance, default = shapes_of(server, asked)
        results = generate_all(server, asked)
        bodies = {r.json["model"]: r.json for r in created(server)}
    assert all(isinstance(r, GenerationResult) for r in results), results
    assert (bodies["veo3"]["duration"], bodies["gemini_omni_flash"]["duration"], bodies["seedance2"]["duration"],
            bodies["gen4.5"]["duration"]) == (8, 10, 4, 7)
    assert veo.seed is None and "seed" not in bodies["veo3"] and any("takes no seed" in n for n in veo.notes)
    assert bodies["gen4.5"]["seed"] == 1234 and default.model == "gen4.5"
    assert veo.estimate == Cost(320.0, "runway-credits") and seedance.estimate == Cost(144.0, "runway-credits")
    assert gemini.estimate is None and results[1].cost is None


def test_unknown_and_removed_models_are_refused_before_anything_is_sent(tmp_path: Path) -> None:
    still = picture(tmp_path / "k.png")
    asked = [shot(tmp_path, name, image=still, shot_id=name) for name in ("gen3a_turbo", "gen4_aleph", "aleph2",
                                                                          "gen9")]
    with RunwayServer(api_key=KEY) as server:
        results = generate_all(server, asked)
        assert server.requests == []
    words = [str(r) for r in results]
    assert "removed gen3a_turbo" in words[0] and "removed gen4_aleph" in words[1]
    assert "video to video" in words[2] and "no video model called 'gen9'" in words[3]
    assert all("gen4.5" in w and "\n" not in w for w in words)


def test_the_models_a_key_may_use_come_from_the_organization(tmp_path: Path) -> None:
    with RunwayServer(api_key=KEY) as server:
        models = run(server, lambda backend: backend.models_available())
        assert [r.path for r in server.requests] == ["/v1/organization"]
    assert set(RUNWAY_VIDEO_MODELS) <= set(models) and models == sorted(models)
