"""Every Replicate and OpenAI-compatible video model the product lists, at 16:9, 9:16, 1:1 and 4:3,
from text and from a small or a large picture (over Replicate's 256 KB), with a prompt and
with an empty one: each shot either reaches the test server with a request that its rules
(copied from the SDKs' request types and the published schemas) take, or is refused here
in words before anything is sent or uploaded."""

from __future__ import annotations

import asyncio
import itertools
import warnings
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from servers.cloud_base import CloudServer
from servers.openai_videos import OpenAIVideosServer
from servers.replicate import ReplicateServer

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.catalog.openai_video_models import OPENAI_VIDEO_MODELS
from foundry_desktop.generation.cloud.catalog.replicate_models import REPLICATE_MODELS
from foundry_desktop.generation.cloud.errors import CloudError
from foundry_desktop.generation.cloud.providers.openai_videos import OpenAIVideoBackend
from foundry_desktop.generation.cloud.providers.replicate import ReplicateBackend
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import PollPolicy

KEY = "sk-matrix-key"
WAIT_S = 60  # only so that a broken backend fails instead of hanging
RETRY = RetryPolicy(attempts=2, base_s=0.01, max_s=0.02, max_wait_s=1)
POLL = PollPolicy(interval_s=0.01, max_interval_s=0.02, growth=1.5, timeout_s=WAIT_S)
ASPECTS = {"16:9": (1280, 720), "9:16": (720, 1280), "1:1": (960, 960), "4:3": (1024, 768)}
PICTURES = (None, "small", "large")
PROMPTS = ("a lighthouse in a storm", "")
BACKENDS: dict[str, tuple[Callable[[], CloudServer], Callable[[Any, httpx.AsyncClient], Any], str]] = {
    "replicate": (lambda: ReplicateServer(api_key=KEY, task_seconds=0.01),
                  lambda server, http: ReplicateBackend(http, KEY, base_url=server.url, retry=RETRY, poll=POLL),
                  "POST /v1/files"),
    "openai": (lambda: OpenAIVideosServer(api_key=KEY, task_seconds=0.01),
               lambda server, http: OpenAIVideoBackend(KEY, base_url=server.base_url, retry=RETRY, poll=POLL),
               ""),
}
LISTED = [("replicate", model) for model in REPLICATE_MODELS] + [("openai", model) for model in OPENAI_VIDEO_MODELS]


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pictures")
    made = {}
    # small: one colour at 320 px (over the 300 px a side Kling and Hailuo take), a few hundred bytes;
    # large: noise at 400 px, about 480 KB as PNG
    for name, side in (("small", 320), ("large", 400)):
        made[name] = folder / f"{name}.png"
        pixels = (np.random.default_rng(side).integers(0, 256, (side, side, 3), dtype=np.uint8) if name == "large"
                  else np.full((side, side, 3), (40, 120, 200), np.uint8))
        Image.fromarray(pixels).save(made[name])
    assert made["large"].stat().st_size > 256 * 1024 > made["small"].stat().st_size
    return made


def _request(folder: Path, model: str, aspect: str, picture: Path | None, prompt: str) -> GenerationRequest:
    width, height = ASPECTS[aspect]
    return GenerationRequest(shot_id="s", prompt=prompt, negative_prompt="", seed=11, width=width, height=height,
                             frame_rate=Fraction(24), frames=120, output_dir=folder, model=model,
                             input_image=picture)


@pytest.mark.parametrize(("provider", "model"), LISTED, ids=[f"{p}-{m}" for p, m in LISTED])
def test_every_listed_model_sends_what_its_schema_allows_or_refuses_before_sending(
        provider: str, model: str, pictures: dict[str, Path], tmp_path: Path) -> None:
    make_server, make_backend, upload = BACKENDS[provider]
    outcomes: dict[str, str] = {}

    async def each_case(server: CloudServer) -> None:
        async with httpx.AsyncClient(timeout=WAIT_S) as http:
            backend = make_backend(server, http)
            try:
                for aspect, picture, prompt in itertools.product(ASPECTS, PICTURES, PROMPTS):
                    case = f"{aspect} {picture or 'text'} {'prompt' if prompt else 'no prompt'}"
                    before = (server.submissions, len(server.requests))
                    folder = tmp_path / str(len(outcomes))
                    folder.mkdir()
                    request = _request(folder, model, aspect, pictures[picture] if picture else None, prompt)
                    try:
                        shape = backend.request_shape(request)
                        result = await backend.generate(request, lambda event: None)
                    except CloudError as exc:  # the server refused what was sent: the request broke a rule
                        pytest.fail(f"{model} {case}: the service refused it: {exc}")
                    except GenerationError as exc:  # refused here: nothing sent, nothing uploaded
                        assert (server.submissions, len(server.requests)) == before, case
                        assert "\n" not in str(exc), case
                        outcomes[case] = "refused"
                        continue
                    assert server.submissions == before[0] + 1 and result.path.exists(), case
                    sent = server.requests[before[1]:]
                    assert all(r.status is not None and r.status < 400 for r in sent), case
                    uploads = [r for r in sent if upload and f"{r.method} {r.path}" == upload]
                    assert len(uploads) == (picture == "large" and provider == "replicate"), case
                    assert shape.model == model, case
                    outcomes[case] = "sent"
            finally:
                if hasattr(backend, "aclose"):
                    await backend.aclose()

    with warnings.catch_warnings(), make_server() as server:
        warnings.simplefilter("ignore", DeprecationWarning)
        asyncio.run(each_case(server))
    table = REPLICATE_MODELS.get(model) or OPENAI_VIDEO_MODELS[model]
    for case, outcome in outcomes.items():
        from_picture = "text" not in case
        endpoint = table.endpoints.get("image_to_video" if from_picture else "text_to_video")
        expected = "sent" if endpoint is not None and ("no prompt" not in case or not endpoint.prompt_required) \
            else "refused"
        assert outcome == expected, f"{model} {case}: {outcome}"
    assert len(outcomes) == len(ASPECTS) * len(PICTURES) * len(PROMPTS)
