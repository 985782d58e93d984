"""One event socket per ComfyUI server, shared by every prompt we have there.

ComfyUI sends a prompt's execution events only to the WebSocket of the client
id the prompt was posted with. Opening a socket per prompt costs a handshake
and a reader per job; instead each server gets one client id and one socket,
and its events are handed to the prompt they name. Events that name no prompt
(older ComfyUI builds send `progress` without one) belong to the prompt that
is executing, which `execution_start` / `executing` tell.

A text frame that is not an event ({"type": str, "data": {...}}) is passed over: a
follower learns the end of its prompt from the history as well. When the socket drops, every prompt following it is told (a None on its
queue) and goes on by polling; the next prompt opens a new socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from pydantic import ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from foundry_desktop.generation.comfyui.replies import Event

EventQueue = asyncio.Queue[Event | None]  # None: the socket dropped

# Sent many times a second while sampling and of no use to us (the `progress`
# event says the same); recognised by its start, so it is never parsed. ComfyUI
# writes every event as json.dumps({"type": ..., "data": ...}).
_IGNORED_PREFIXES = ('{"type": "progress_state"',)


class ServerEvents:
    """The event socket of one server; `client_id` is the one to post prompts with."""

    def __init__(self, ws_url: str) -> None:
        self.client_id = str(uuid.uuid4())
        self._url = f"{ws_url}?clientId={self.client_id}"
        self._socket: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._opening = asyncio.Lock()
        self._followers: dict[str, EventQueue] = {}
        self._executing: str | None = None

    @contextlib.asynccontextmanager
    async def following(self, prompt_id: str) -> AsyncIterator[EventQueue | None]:
        """The events of `prompt_id` from now on, or None when the socket will not open
        (the prompt is then followed by polling). Enter it before posting the prompt."""
        queue: EventQueue = asyncio.Queue()
        self._followers[prompt_id] = queue  # before opening: a drop from here on reaches it
        try:
            yield queue if await self._open() else None
        finally:
            self._followers.pop(prompt_id, None)

    def is_followed(self, prompt_id: str) -> bool:
        return prompt_id in self._followers

    def poll_instead(self, prompt_id: str) -> None:
        """Send the prompt's follower to polling: no more events will come for it (it was
        taken out of the queue, which ComfyUI announces to no one)."""
        queue = self._followers.get(prompt_id)
        if queue is not None:
            queue.put_nowait(None)

    async def close(self) -> None:
        socket, reader = self._socket, self._reader
        if socket is not None:
            with contextlib.suppress(Exception):
                await socket.close()
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    async def _open(self) -> bool:
        async with self._opening:
            if self._socket is None:
                try:
                    # No compression: the events are small, and it costs both ends CPU.
                    self._socket = await connect(self._url, max_size=2**24, open_timeout=10, compression=None)
                except (OSError, WebSocketException, asyncio.TimeoutError):
                    return False
                self._reader = asyncio.create_task(self._read(self._socket))
            return True

    async def _read(self, socket: ClientConnection) -> None:
        try:
            async for message in socket:
                if isinstance(message, bytes) or message.startswith(_IGNORED_PREFIXES):
                    continue  # a preview image, or progress_state
                try:
                    event = Event.model_validate(json.loads(message))
                except (ValueError, ValidationError, RecursionError):
                    continue  # not an event: passed over (see the module's note)
                self._route(event)
        except (OSError, WebSocketException):
            pass
        finally:
            # No await from here on: a follower that found the socket open is in the dict now.
            self._socket, self._executing = None, None
            for queue in self._followers.values():
                queue.put_nowait(None)

    def _route(self, event: Event) -> None:
        named = event.data.get("prompt_id")
        prompt_id = named if isinstance(named, str) and named else self._executing
        if event.type in ("execution_start", "executing"):
            self._executing = None if event.type == "executing" and event.data.get("node") is None else prompt_id
        queue = self._followers.get(prompt_id or "")
        if queue is not None:
            queue.put_nowait(event)
