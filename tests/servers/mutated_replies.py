"""Delivering a broken reply from an aiohttp test server: reply_mutations.py's kinds on the wire.

A server holds one `ReplyMutation` (or None) that names the place it applies
to: an endpoint as the router names it ("/history/{prompt_id}") or a WebSocket
message ("ws:progress", "ws:preview" for binary frames). `reply_middleware`
breaks every HTTP answer of that endpoint; `send_text` / `send_bytes` break
every WebSocket message of that kind. JSON kinds change the JSON (or, for a
file, its bytes); the transport kinds cut the body, close the connection
half-way, or send the body in two parts with a pause between.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from reply_mutations import JSON_KINDS, SLOW_BODY_PAUSE_S, mutate_bytes, mutate_json, truncate_text


@dataclass(frozen=True)
class ReplyMutation:
    place: str  # "/history/{prompt_id}", "ws:executing", "ws:preview"...
    kind: str  # one of reply_mutations.KINDS
    seed: int = 0
    at: tuple | None = None  # where in the JSON (reply_mutations.mutate_json); None: drawn from the seed
    replacement: Any = None  # the new value there, when `replace` (else drawn from the seed)
    replace: bool = False

    def mutate(self, value: Any) -> Any:
        extra = {"replacement": self.replacement} if self.replace else {}
        return mutate_json(value, self.kind, self.rng(), self.at, **extra)

    def rng(self) -> random.Random:
        return random.Random(f"{self.seed}:{self.place}:{self.kind}")


def endpoint_of(request: web.Request) -> str:
    """The route's path as registered, without the /api prefix ComfyUI also answers under."""
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else request.path
    return canonical.removeprefix("/api")


def reply_middleware(current: Callable[[], ReplyMutation | None]) -> Any:
    """An aiohttp middleware that breaks the answers of the endpoint `current()` names."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        response = await handler(request)
        mutation = current()
        if mutation is None or mutation.place != endpoint_of(request) or isinstance(response, web.WebSocketResponse):
            return response
        return await _deliver(request, response, mutation)

    return middleware


async def _deliver(request: web.Request, response: web.StreamResponse, mutation: ReplyMutation) -> web.StreamResponse:
    rng = mutation.rng()
    body, content_type = _body_of(response)
    if mutation.kind in JSON_KINDS:
        if content_type == "application/json" and body:
            text = json.dumps(mutation.mutate(json.loads(body)))
            return web.Response(status=response.status, text=text, content_type=content_type)
        return web.Response(status=response.status, body=mutate_bytes(body, mutation.kind, rng), content_type=content_type)
    if mutation.kind == "truncated_body":  # a complete HTTP answer carrying part of the body
        return web.Response(status=response.status, body=mutate_bytes(body, mutation.kind, rng), content_type=content_type)
    streamed = web.StreamResponse(status=response.status)
    streamed.content_type = content_type
    streamed.content_length = len(body)
    await streamed.prepare(request)
    half = len(body) // 2
    await streamed.write(body[:half])
    if mutation.kind == "closed_socket":
        if request.transport is not None:
            request.transport.abort()
        return streamed
    await asyncio.sleep(SLOW_BODY_PAUSE_S)  # slow_body
    await streamed.write(body[half:])
    await streamed.write_eof()
    return streamed


def _body_of(response: web.StreamResponse) -> tuple[bytes, str]:
    if isinstance(response, web.FileResponse):
        path = Path(response._path)  # aiohttp keeps the file's path here; the test server's own files
        return path.read_bytes(), response.content_type or "application/octet-stream"
    if isinstance(response, web.Response):
        body = response.body
        return (bytes(body) if isinstance(body, (bytes, bytearray)) else b""), response.content_type
    return b"", "application/octet-stream"


async def send_text(ws: web.WebSocketResponse, request: web.Request | None, text: str, kind: str,
                    mutation: ReplyMutation | None) -> None:
    """Send one text frame of message `kind`, broken if the mutation names it."""
    if mutation is None or mutation.place != f"ws:{kind}":
        await ws.send_str(text)
        return
    rng = mutation.rng()
    if mutation.kind in JSON_KINDS:
        await ws.send_str(json.dumps(mutation.mutate(json.loads(text))))
    elif mutation.kind == "truncated_body":
        await ws.send_str(truncate_text(text, rng))
    elif mutation.kind == "closed_socket":
        if request is not None and request.transport is not None:
            request.transport.abort()
    else:
        await asyncio.sleep(SLOW_BODY_PAUSE_S)
        await ws.send_str(text)


async def send_bytes(ws: web.WebSocketResponse, request: web.Request | None, payload: bytes,
                     mutation: ReplyMutation | None) -> None:
    """Send one binary frame (a preview), broken if the mutation names "ws:preview"."""
    if mutation is None or mutation.place != "ws:preview":
        await ws.send_bytes(payload)
    elif mutation.kind == "closed_socket":
        if request is not None and request.transport is not None:
            request.transport.abort()
    else:
        if mutation.kind == "slow_body":
            await asyncio.sleep(SLOW_BODY_PAUSE_S)
        await ws.send_bytes(mutate_bytes(payload, mutation.kind, mutation.rng()))
