"""Sizes and lengths per OpenAI-compatible video model, from the table (catalog/openai_video_models.py),
against the videos test server, whose rules come from the SDK's types (tests/servers/openai_videos.py)."""

from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from servers.openai_videos import SDK_MODELS, OpenAIVideosServer

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES
from foundry_desktop.generation.cloud.providers.openai_videos import OpenAIVideoBackend
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import PollPolicy

KEY = "sk-sizes-key"
WAIT_S = 60  # only so that a broken backend fails instead of hanging
RETRY = RetryPolicy(attempts=2, base_s=0.01, max_s=0.02, max_wait_s=1)
POLL = PollPolicy(interval_s=0.01, max_interval_s=0.02, growth=1.5, timeout_s=WAIT_S)


def shot(folder: Path, model: str, width: int, height: int, seconds: float = 5, prompt: str = "a fox") -> GenerationRequest:
    return GenerationRequest(shot_id="s", prompt=prompt, negative_prompt="", seed=3, width=width, height=height,
                             frame_rate=Fraction(24), frames=round(seconds * 24), output_dir=folder, model=model)


def run(server: OpenAIVideosServer, work: Any, **options: Any) -> Any:
    async def main() -> Any:
        backend = OpenAIVideoBackend(KEY, base_url=server.base_url, retry=RETRY, poll=POLL, **options)
        try:
            return await work(backend)
        finally:
            await backend.aclose()
    return asyncio.run(main())


def test_sora_2_is_sent_only_its_sizes_and_the_pro_model_its_own(tmp_path: Path) -> None:
    with OpenAIVideosServer(api_key=KEY, task_seconds=0.01) as server:
        async def work(backend: OpenAIVideoBackend) -> Any:
            wide = backend.request_shape(shot(tmp_path, "sora-2", 1792, 1024))
            square = backend.request_shape(shot(tmp_path, "sora-2", 1024, 768, seconds=10))
            pro = backend.request_shape(shot(tmp_path, "sora-2-pro", 1792, 1024))
            await backend.generate(shot(tmp_path, "sora-2", 1792, 1024), lambda e: None)
            await backend.generate(shot(tmp_path, "sora-2-pro", 1792, 1024), lambda e: None)
            return wide, square, pro
        wide, square, pro = run(server, work)
        sent = [(r.form or r.json)["size"] for r in server.requests_to("POST", "/v1/videos")]
    assert (wide.ratio, pro.ratio) == ("1280x720", "1792x1024") and sent == ["1280x720", "1792x1024"]
    assert any("nearest shape" in note for note in square.notes) and square.duration_s == 12  # 10 s: 8 or 12
    assert wide.seed is None and "no seed" in wide.words()
    assert square.estimate is not None and square.estimate.amount == 12 and square.estimate.unit == "video-seconds"


def test_a_gateways_own_model_keeps_the_sizes_the_backend_was_given(tmp_path: Path) -> None:
    with OpenAIVideosServer(api_key=KEY, task_seconds=0.01, models=(*SDK_MODELS, "wan-2.5"), seconds=("5", "10"),
                            sizes=("1920x1080", "1080x1920")) as server:
        result = run(server, lambda b: b.generate(shot(tmp_path, "wan-2.5", 1080, 1920, seconds=9), lambda e: None),
                     seconds=("5", "10"), sizes=("1920x1080", "1080x1920"))
        sent = server.requests_to("POST", "/v1/videos")[0]
    assert ((sent.form or sent.json)["size"], (sent.form or sent.json)["seconds"]) == ("1080x1920", "10")
    assert result.path.exists()


def test_an_empty_prompt_is_refused_here_and_the_table_is_listed(tmp_path: Path) -> None:
    with OpenAIVideosServer(api_key=KEY) as server:
        with pytest.raises(GenerationError, match="needs a prompt"):
            run(server, lambda b: b.generate(shot(tmp_path, "sora-2", 1280, 720, prompt="  "), lambda e: None))
        assert server.requests == []
    table = VIDEO_MODEL_TABLES["openai"]
    assert set(table) == set(SDK_MODELS)  # every model the SDK names has its entry
    assert table["sora-2"].endpoints["text_to_video"].ratios == ("1280x720", "720x1280")
