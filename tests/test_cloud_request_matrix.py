"""Issue 21's Done-when matrix: every model every provider lists, at 16:9, 9:16, 1:1 and 4:3,
with no input picture, a small one, a large one (over what the model takes inline), a WebP one and
a tiny one (200 px, under what Kling and Seedance take), and with an empty prompt. Each case either is refused by `request_shape` with a GenerationError in words
before anything is sent (the test server sees no request at all), or is generated end to end by
the backend as the app builds it (its settings pointing at the provider's test server, which
checks each request against the official schema and refuses what the real service refuses) and
gives a video.

Cases come from VIDEO_MODEL_TABLES, so a provider's new model is covered without a change here;
a provider whose test server is not on this branch is skipped, naming it. A listed provider
without a line in SERVERS fails, so none is left out unnoticed.
"""

from __future__ import annotations

import asyncio
import importlib
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.settings import CloudServiceSettings, GenerationSettings
from foundry_desktop.errors import FoundryError, GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES
from foundry_desktop.media.probe import probe_source

KEY = "matrix-key-0123456789"
TASK_S = 0.2
# Only so that a broken backend fails the test instead of hanging it; never reached otherwise.
WAIT_S = 300
SIZES = {"16:9": (1280, 720), "9:16": (720, 1280), "1:1": (960, 960), "4:3": (1024, 768)}
PROMPTS = ("a lighthouse in fog, slow push in", "")
SMALL_PICTURE = 640  # pixels on the long side (360 on the short, over every model's smallest): a few kilobytes
TINY_PICTURE = 200  # pixels on the long side: under the 300 px a side Kling and Seedance take
LARGE_FLOOR = 4 * 1024**2  # a large picture weighs more than this and than any inline limit

# Backend name -> the test server module and class under tests/servers/ that speaks its protocol.
SERVERS = {
    "runway": ("servers.runway", "RunwayServer"),
    "replicate": ("servers.replicate", "ReplicateServer"),
    "openai": ("servers.openai_videos", "OpenAIVideosServer"),
    "gemini": ("servers.gemini", "GeminiServer"),
    "fal": ("servers.fal", "FalServer"),
}


def _cases():
    for provider, table in VIDEO_MODEL_TABLES.items():
        for model in table:
            yield pytest.param(provider, model, id=f"{provider}-{model}")


@dataclass(frozen=True)
class Case:
    aspect: str
    picture: str | None  # None, "small", "large", "webp" or "tiny"
    prompt: str

    def __str__(self) -> str:
        return f"{self.aspect}, {self.picture or 'no'} picture, {'a' if self.prompt else 'an empty'} prompt"


PICTURES = (None, "small", "large", "webp", "tiny")
CASES = [Case(aspect, picture, prompt) for aspect in SIZES for picture in PICTURES for prompt in PROMPTS]


def server_class(provider: str):
    if provider not in SERVERS:
        pytest.fail(f"{provider} lists models but has no test server in this matrix (add it to SERVERS)")
    module_name, class_name = SERVERS[provider]
    try:
        return getattr(importlib.import_module(module_name), class_name)
    except ModuleNotFoundError:
        pytest.skip(f"{provider}'s test server ({module_name.replace('.', '/')}.py) is not on this branch yet")


def large_bytes(model) -> int:
    limits = [shape.max_inline_image_bytes or 0 for shape in model.endpoints.values()]
    return max([LARGE_FLOOR, *limits]) + 256 * 1024


def picture(folder: Path, aspect: str, kind: str, weight: int) -> Path:
    """A picture of the project's shape: a flat PNG (small or tiny), a flat WebP, or a PNG of noise
    (about 3 bytes a pixel) over `weight`."""
    width, height = SIZES[aspect]
    path = folder / f"{kind}-{aspect.replace(':', 'x')}-{weight}.{'webp' if kind == 'webp' else 'png'}"
    if path.exists():
        return path
    if kind in ("small", "webp", "tiny"):
        scale = (TINY_PICTURE if kind == "tiny" else SMALL_PICTURE) / max(width, height)
        pixels = np.full((round(height * scale), round(width * scale), 3), (40, 120, 200), np.uint8)
    else:
        scale = math.sqrt(weight / 2.9 / (width * height))
        size = (max(1, round(height * scale)), max(1, round(width * scale)))
        pixels = np.random.default_rng(7).integers(0, 256, (*size, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, lossless=True) if kind == "webp" else Image.fromarray(pixels).save(path)
    assert kind != "large" or path.stat().st_size > weight
    return path


def request(folder: Path, model: str, case: Case, image: Path | None, number: int) -> GenerationRequest:
    width, height = SIZES[case.aspect]
    out = folder / f"out-{number}"
    out.mkdir(exist_ok=True)
    return GenerationRequest(
        shot_id=f"shot-{number}", prompt=case.prompt, negative_prompt="", seed=1234 + number, width=width,
        height=height, frame_rate=Fraction(24), frames=24 * 5, output_dir=out, model=model, input_image=image,
    )


def settings_for(provider: str, server) -> GenerationSettings:
    address = getattr(server, "base_url", server.url)  # the OpenAI-compatible one ends in /v1
    service = CloudServiceSettings(base_url=address, poll_seconds=0.1, timeout_minutes=5)
    return GenerationSettings(cloud={provider: service})


@pytest.mark.parametrize(("provider", "model_id"), list(_cases()))
def test_every_listed_model_is_sent_as_its_schema_allows_or_refused_before_sending(
        provider, model_id, tmp_path, monkeypatch):
    server_type = server_class(provider)
    model = VIDEO_MODEL_TABLES[provider][model_id]
    monkeypatch.setenv(f"FOUNDRY_{provider.upper().replace('-', '_')}_API_KEY", KEY)
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    weight = large_bytes(model)
    requests = []
    for number, case in enumerate(CASES):
        image = picture(tmp_path, case.aspect, case.picture, weight) if case.picture else None
        requests.append((case, request(tmp_path, model_id, case, image, number)))

    with server_type(api_key=KEY, task_seconds=TASK_S) as server:
        problems = asyncio.run(asyncio.wait_for(_run_matrix(provider, server, requests), WAIT_S))
    assert not problems, f"{provider} {model_id}:\n" + "\n".join(problems)


async def _run_matrix(provider: str, server, requests: list[tuple[Case, GenerationRequest]]) -> list[str]:
    problems: list[str] = []
    async with generation_backends(settings_for(provider, server)) as registry:
        backend = registry.get(provider)
        sendable = []
        for case, shot in requests:  # those refused here, one by one: not a byte may leave
            try:
                backend.request_shape(shot)
            except GenerationError as refusal:
                if case.picture == "webp" and shot.input_image is not None and shot.input_image.name in str(refusal):
                    problems.append(f"{case}: a WebP picture was refused ({refusal}), not sent as a PNG copy")
                before = len(server.requests)
                try:
                    await backend.generate(shot, lambda event: None)
                    problems.append(f"{case}: request_shape refused it ({refusal}) but generate sent it")
                except GenerationError as again:
                    if str(again) != str(refusal) or not str(again).strip():
                        problems.append(f"{case}: refused as {again!r}, not as request_shape said ({refusal})")
                if len(server.requests) != before:
                    problems.append(f"{case}: refused, yet {len(server.requests) - before} requests reached the server")
                continue
            sendable.append((case, shot))
        submitted = server.submissions
        results = await asyncio.gather(*(backend.generate(shot, lambda event: None) for _, shot in sendable),
                                       return_exceptions=True)
        for (case, _), result in zip(sendable, results, strict=True):
            if isinstance(result, FoundryError):
                problems.append(f"{case}: the test server refused what request_shape allowed: {result}")
            elif isinstance(result, BaseException):
                raise result
            elif probe_source(result.path).still:
                problems.append(f"{case}: the take is not a video")
        accepted = sum(not isinstance(result, BaseException) for result in results)
        if server.submissions - submitted != accepted:
            problems.append(f"{accepted} takes made from {server.submissions - submitted} submissions")
    return problems

