"""Cancelling our ComfyUI prompts never stops anyone else's.

Against test servers whose /interrupt behaves as ComfyUI's does: before 0.3.57 (and on builds
that report no version) it stops whatever prompt is running, whoever sent it; from 0.3.57 on it
honours a prompt_id. The races are made certain rather than hoped for: the server can end a
prompt between the client's look at the queue and its next request (finish_after_queue_read),
and answers /interrupt only once the prompt has stopped (answer_interrupts_once_landed).
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from servers.comfyui import ComfyUIServer
from test_comfyui_server import wan_graph

from foundry_desktop.generation.comfyui.client import ComfyUIClient, PromptInterrupted

WAIT_S = 60  # only so that a broken client fails instead of hanging; a slow machine never comes near it
OLD_AND_NEW = ["0.3.56", None, "0.3.64"]  # before prompt_id was honoured, no version reported, after


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def _with_client(server: ComfyUIServer, work):
    async with httpx.AsyncClient(timeout=WAIT_S) as http:
        client = ComfyUIClient(server.name, server.url, http)
        try:
            return await asyncio.wait_for(work(client, http), WAIT_S)
        finally:
            await client.aclose()


@pytest.mark.parametrize("version", OLD_AND_NEW)
def test_cancelling_three_of_ours_leaves_another_clients_prompt_untouched(version):
    with ComfyUIServer(name="shared", job_seconds=0.2) as server:
        server.comfyui_version = version
        server.hold_samplers = True  # ours runs, the rest waits, until the test lets go
        server.answer_interrupts_once_landed = True

        async def work(client: ComfyUIClient, http: httpx.AsyncClient):
            ours = [str(uuid.uuid4()) for _ in range(3)]
            async with client.events(ours[0]) as events:
                for seed, prompt_id in enumerate(ours):  # different seeds: none is served from the cache
                    await client.submit(wan_graph(**{"8.seed": seed}), client.client_id, prompt_id)
                answer = await http.post(f"{server.url}/prompt",
                                         json={"prompt": wan_graph(**{"8.seed": 99}), "client_id": "someone-else"})
                other = answer.json()["prompt_id"]
                await _until(lambda: server.executed == [ours[0]])
                following = asyncio.ensure_future(client.follow(ours[0], events, lambda fraction, what: None))
                # The race: our last prompt, if it ever runs, ends just as the canceller looks at the
                # queue, and the prompt behind it (the other client's) starts.
                server.finish_after_queue_read = {ours[2]}
                for prompt_id in ours:
                    await client.cancel(prompt_id)
                with pytest.raises(PromptInterrupted):
                    await following  # the follower stops, whether or not the server could be told to
            server.hold_samplers = False
            await asyncio.to_thread(server.wait_idle)
            return ours, other

        ours, other = asyncio.run(_with_client(server, work))
        history = server.history()
        assert history[other]["status"]["status_str"] == "success" and history[other]["outputs"]
        assert server.executed.count(other) == 1
        stopped = [prompt_id for prompt_id, entry in history.items() if entry["status"]["status_str"] != "success"]
        assert set(stopped) <= set(ours)
        # None of ours that was still waiting when its cancel came ever ran.
        assert ours[1] in server.deleted or ours[1] in stopped


@pytest.mark.parametrize("version", OLD_AND_NEW)
def test_a_lone_prompt_of_ours_is_interrupted_on_any_server(version):
    with ComfyUIServer(name="alone", job_seconds=0.2) as server:
        server.comfyui_version = version
        server.hold_samplers = True  # it would run until the test lets go: only the interrupt ends it

        async def work(client: ComfyUIClient, http: httpx.AsyncClient):
            prompt_id = str(uuid.uuid4())
            async with client.events(prompt_id) as events:
                await client.submit(wan_graph(), client.client_id, prompt_id)
                await _until(lambda: server.executed == [prompt_id])
                following = asyncio.ensure_future(client.follow(prompt_id, events, lambda fraction, what: None))
                await client.cancel(prompt_id)
                with pytest.raises(PromptInterrupted):
                    await following
            await asyncio.to_thread(server.wait_idle)
            return prompt_id

        prompt_id = asyncio.run(_with_client(server, work))
        assert server.history()[prompt_id]["status"]["status_str"] == "error" and server.interrupts == 1


def test_on_an_old_server_ours_is_left_to_finish_while_another_waits_then_stopped_once_none_does():
    with ComfyUIServer(name="old", job_seconds=0.2) as server:
        server.comfyui_version = "0.3.56"
        server.hold_samplers = True
        server.answer_interrupts_once_landed = True

        async def work(client: ComfyUIClient, http: httpx.AsyncClient):
            ours = str(uuid.uuid4())
            await client.submit(wan_graph(), client.client_id, ours)
            answer = await http.post(f"{server.url}/prompt",
                                     json={"prompt": wan_graph(**{"8.seed": 5}), "client_id": "someone-else"})
            other = answer.json()["prompt_id"]
            await _until(lambda: server.executed == [ours])
            await client.cancel(ours)
            assert server.interrupts == 0  # an interrupt could reach the other prompt if ours ended meanwhile
            # The other client takes its prompt back: nothing waits behind ours any more.
            await http.post(f"{server.url}/queue", json={"delete": [other]})
            await client.cancel(ours)
            await asyncio.to_thread(server.wait_idle)
            return ours, other

        ours, other = asyncio.run(_with_client(server, work))
        assert server.interrupts == 1 and server.history()[ours]["status"]["status_str"] == "error"
        assert other not in server.executed
