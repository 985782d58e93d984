"""Fuzzing Runway's ephemeral upload with mutated answers (tests/cloud_reply_mutations.py), as
tests/test_cloud_reply_fuzz.py does for every other endpoint: the placeholder that
`POST /v1/uploads` answers, and the storage host's answer to the form. Whatever comes back,
the shot ends with a take or a FoundryError in one line, never another exception or a hang,
the key never goes anywhere but the API, and nothing is left in the scratch folder but a
whole take."""

from __future__ import annotations

import asyncio
import os
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from cloud_reply_mutations import KINDS, mutation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from servers.runway import RunwayServer

from foundry_desktop.errors import FoundryError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.providers.runway import RunwayBackend
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.task import PollPolicy
from foundry_desktop.media.probe import probe_source

KEY = "rk-fuzz-SECRET"
WAIT_S = 120  # only so that a broken backend fails the test instead of hanging it
FAST_RETRY = RetryPolicy(attempts=3, base_s=0.01, max_s=0.02, max_wait_s=1)
FAST_POLL = PollPolicy(interval_s=0.01, max_interval_s=0.02, growth=1.5, timeout_s=WAIT_S)
LIMITS = TransferLimits(deadline_s=WAIT_S, stall_s=1.0)
ENDPOINTS = {"placeholder": "POST /v1/uploads", "storage": "POST /upload-bucket/"}
FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
EXAMPLES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture],
                    **({} if FUZZ else {"max_examples": 2}))


@pytest.fixture(scope="module")
def server():
    with RunwayServer(api_key=KEY, task_seconds=0.05) as running:
        yield running


@pytest.fixture(scope="module")
def large_picture(tmp_path_factory) -> Path:
    """A picture whose data URI would be over Runway's 5 MB: it goes by upload."""
    path = tmp_path_factory.mktemp("picture") / "large.png"
    Image.fromarray(np.full((72, 128, 3), (40, 120, 200), np.uint8)).save(path)
    path.write_bytes(path.read_bytes() + np.random.default_rng(2).bytes(3_900_000))
    return path


async def _generate(server: RunwayServer, picture: Path, folder: Path) -> Any:
    async with httpx.AsyncClient(timeout=WAIT_S) as http:
        backend = RunwayBackend(http, KEY, base_url=server.url, retry=FAST_RETRY, poll=FAST_POLL,
                                transfer_limits=LIMITS)
        request = GenerationRequest(shot_id="shot-1", prompt="waves at dusk", negative_prompt="", seed=7, width=1280,
                                    height=720, frame_rate=Fraction(24), frames=120, output_dir=folder,
                                    model="gen4_turbo", input_image=picture)
        return await backend.generate(request, lambda event: None)


@pytest.mark.fuzz
@pytest.mark.parametrize("what", list(ENDPOINTS))
@pytest.mark.parametrize("kind", KINDS)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), repeats=st.sampled_from([1, 1000]))
def test_a_mutated_upload_answer_ends_the_shot_in_words(server, large_picture, tmp_path_factory, what, kind, seed,
                                                        repeats):
    server.clear_faults()
    folder = tmp_path_factory.mktemp("fuzz") / "scratch"
    folder.mkdir()
    before = len(server.requests)
    server.mutate_next(mutation(kind, random.Random(seed)), repeats, only=ENDPOINTS[what])
    try:
        result = asyncio.run(asyncio.wait_for(_generate(server, large_picture, folder), WAIT_S))
    except FoundryError as exc:
        assert str(exc) and "\n" not in str(exc) and KEY not in str(exc)
        result = None
    finally:
        server.clear_faults()
        server.advance_tasks(3600)
    left = sorted(folder.iterdir())
    assert left == ([result.path] if result is not None else []), left
    if result is not None:
        probe_source(result.path)
    # The upload's form never carries the key (the storage host would refuse it anyway).
    assert all("X-Runway-Version" not in r.headers for r in server.requests[before:] if r.path == "/upload-bucket/")


def test_the_upload_works_when_nothing_is_mutated(server, large_picture, tmp_path) -> None:
    result = asyncio.run(_generate(server, large_picture, tmp_path))
    assert result.path.exists() and server.requests_to("POST", "/upload-bucket/")
