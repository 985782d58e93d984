"""The openai package is held to the transfer settings (openai_sdk.sdk_timeout), not to its own
ten-minute reads: a gateway on 127.0.0.1 that takes the request and then says nothing is given
up after the stall time, in one line, and a create call is not sent twice. The stall time is
set small; the gateway never answers, so no outcome depends on machine speed.
"""

from __future__ import annotations

import asyncio
from fractions import Fraction

import pytest
from servers.stalling import StallingServer

from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.errors import SubmissionUncertainError
from foundry_desktop.generation.cloud.providers.openai_videos import OpenAIVideoBackend
from foundry_desktop.generation.cloud.retries import RetryPolicy

KEY = "sk-stalled"
WAIT_S = 30  # only so that an unbounded call fails the test instead of hanging it; the stall is 0.3 s
LIMITS = TransferLimits(deadline_s=3600, stall_s=0.3)
FAST_RETRY = RetryPolicy(attempts=2, base_s=0.01, max_s=0.02, max_wait_s=1)


def backend(server: StallingServer) -> OpenAIVideoBackend:
    return OpenAIVideoBackend(KEY, base_url=f"{server.url}/v1", retry=FAST_RETRY, transfer_limits=LIMITS)


def test_a_create_call_to_a_stalled_gateway_ends_after_the_stall_time_and_is_not_sent_again(tmp_path):
    request = GenerationRequest(shot_id="shot-1", prompt="waves at dusk", negative_prompt="", seed=3, width=1280,
                                height=720, frame_rate=Fraction(24), frames=96, output_dir=tmp_path, model="sora-2")

    async def main() -> None:
        videos = backend(server)
        try:
            await asyncio.wait_for(videos.generate(request, lambda event: None), WAIT_S)
        finally:
            await videos.aclose()

    with StallingServer() as server:
        with pytest.raises(SubmissionUncertainError) as uncertain:
            asyncio.run(main())
        assert len(server.heads) == 1 and server.heads[0].startswith(b"POST /v1/videos ")
    message = str(uncertain.value)
    assert "\n" not in message and "ReadTimeout" in message and "did not send it again" in message


def test_a_check_of_a_stalled_gateway_says_so_in_one_line_after_its_tries():
    async def main():
        videos = backend(server)
        try:
            return await asyncio.wait_for(videos.health(), WAIT_S)
        finally:
            await videos.aclose()

    with StallingServer() as server:
        health = asyncio.run(main())
        assert len(server.heads) == 2  # the check is tried again (it creates nothing), and given up
    assert not health.ok and "\n" not in health.message
    assert "is not answering properly (connection failed: ReadTimeout)" in health.message
