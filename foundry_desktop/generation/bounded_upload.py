"""Uploads that cannot run away: the same deadline and stall timeout as downloads (TransferLimits).

httpx bounds each socket write on its own, but a server that reads a little every so often, or
reads the whole picture and then never answers, would hold `generate` for as long as it likes.
`bounded_upload` runs one request within the transfer's limits: the deadline counts from its
start, the stall timeout from the last piece of the body the server took (and, once all of it
is sent, until its answer begins). The body goes out in pieces so that progress is seen.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx

from foundry_desktop.generation.bounded_download import TransferLimits, TransferRefused, limit_in_words

_PIECE_BYTES = 64 * 1024


class _PiecewiseBody(httpx.AsyncByteStream):
    """A request body handed over in pieces, calling `moved()` each time the connection takes one."""

    def __init__(self, body: httpx.AsyncByteStream, moved: Callable[[], None]) -> None:
        self._body, self._moved = body, moved

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._body:
            for start in range(0, len(chunk), _PIECE_BYTES):
                yield chunk[start:start + _PIECE_BYTES]
                self._moved()  # asked for the next piece: the last one is on its way


async def bounded_upload(http: httpx.AsyncClient, request: httpx.Request, *, limits: TransferLimits, source: str,
                         noun: str) -> httpx.Response:
    """Send `request` (its body streamed) and read its answer within `limits`; TransferRefused when
    the deadline passes or nothing moves for the stall timeout. httpx's own errors pass through."""
    clock = asyncio.get_running_loop()
    start = clock.time()
    try:
        async with asyncio.timeout(None) as timer:
            def moved() -> None:
                timer.reschedule(min(start + limits.deadline_s, clock.time() + limits.stall_s))

            moved()
            request.stream = _PiecewiseBody(request.stream, moved)  # type: ignore[arg-type]
            return await http.send(request)
    except TimeoutError:
        if clock.time() - start >= limits.deadline_s:
            raise TransferRefused(f"The {noun} did not reach {source} within {limit_in_words(limits.deadline_s)}; "
                                  "Foundry gave up on it.", "deadline") from None
        raise TransferRefused(f"The {noun} stopped going to {source}: nothing moved for "
                              f"{limit_in_words(limits.stall_s)}; Foundry gave up on it.", "stall") from None
