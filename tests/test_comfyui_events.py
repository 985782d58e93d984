"""The shared event socket of a ComfyUI server, against a socket that sends a script of
events: each prompt gets its own events, an event naming no prompt goes to the one
executing, progress_state is skipped, and a drop reaches every prompt following."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.server import serve

from foundry_desktop.generation.comfyui.events import ServerEvents


def event(kind: str, **data) -> str:
    return json.dumps({"type": kind, "data": data})  # as ComfyUI writes them


SCRIPT = [
    event("status", status={"exec_info": {"queue_remaining": 2}}, sid="x"),
    event("execution_start", prompt_id="p1", timestamp=1),
    event("progress_state", prompt_id="p1", nodes={}),
    event("progress", value=1, max=2, node="3", prompt_id="p1"),
    event("executing", node="3"),  # a reconnect hint: no prompt id, so the one running
    event("executing", node=None, prompt_id="p1"),
    event("execution_start", prompt_id="p2", timestamp=2),
    event("progress", value=2, max=2, node="3", prompt_id="p2"),
    event("executing", node=None, prompt_id="p2"),
    event("progress", value=1, max=2, node="3", prompt_id="somebody-else"),
]


async def drain(queue) -> list:
    got = []
    while (item := await queue.get()) is not None:
        got.append(item)
    return got + [None]


def test_events_go_to_their_prompt_and_a_drop_reaches_all():
    connections = []
    following = asyncio.Event()  # the server and the client share this test's loop

    async def handler(socket):
        connections.append(socket.request.path)
        await following.wait()
        for message in SCRIPT:
            await socket.send(message)
        await socket.send(b"\x00\x00\x00\x01binary preview")
        await socket.close()  # the drop

    async def scenario():
        async with serve(handler, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            events = ServerEvents(f"ws://127.0.0.1:{port}/ws")
            async with events.following("p1") as first, events.following("p2") as second:
                assert first is not None and second is not None
                following.set()
                got = await asyncio.gather(drain(first), drain(second))
            async with events.following("p3") as third:  # a new socket after the drop
                assert third is not None
            await events.close()
            return got, events.client_id

    (first, second), client_id = asyncio.run(scenario())
    assert [event.type for event in first[:-1]] == ["execution_start", "progress", "executing", "executing"]
    assert (first[2].type, first[2].data) == ("executing", {"node": "3"})  # the one without a prompt id
    assert [event.type for event in second[:-1]] == ["execution_start", "progress", "executing"]
    assert first[-1] is None and second[-1] is None  # told of the drop
    assert connections == [f"/ws?clientId={client_id}"] * 2


def test_a_server_without_a_socket_means_polling():
    async def scenario():
        events = ServerEvents("ws://127.0.0.1:9/ws")  # nothing listens on the discard port
        async with events.following("p1") as queue:
            return queue

    assert asyncio.run(scenario()) is None
