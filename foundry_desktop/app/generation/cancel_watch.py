"""Cancel requests from other processes, acted on by the one running the jobs.

`foundry cancel` in a second terminal (or the window's Jobs ▸ Cancel beside a
`generate` in a terminal) cannot take the project: the running process holds it.
It leaves a request in the project file instead (store.cancel_requests), and the
running process looks for requests a few times a second while it runs, cancels
the jobs named the way Ctrl-C or its own Cancel would (prompts taken off their
servers, cloud tasks cancelled, unsent jobs never sent), and removes the
requests it has acted on, which tells the asker it is done.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from foundry_desktop.app.project_service import EVERY_JOB, ProjectService
from foundry_desktop.errors import FoundryError, InvalidEditError

# How often a run looks: a cancel is felt within this, and a look is one small read.
CANCEL_WATCH_S = 0.2

Cancel = Callable[[str | None], Awaitable[int]]  # a job id, or None for every unfinished one


async def act_on_cancel_requests(service: ProjectService, cancel: Cancel) -> None:
    """Cancel what other processes asked for, then remove their requests."""
    asks = service.cancel_requests()
    if not asks:
        return
    for job_id in sorted(asks, key=lambda ask: ask != EVERY_JOB):  # all first: then the rest are done
        with contextlib.suppress(InvalidEditError):  # it finished (or was cancelled) meanwhile
            await cancel(None if job_id == EVERY_JOB else job_id)
    service.forget_cancel_requests(asks)


@contextlib.asynccontextmanager
async def watching_cancel_requests(service: ProjectService, cancel: Cancel) -> AsyncIterator[None]:
    """Act on cancel requests throughout the block (a run of jobs). When the block ends, a cancel
    already begun is carried through (not cut off halfway, which would leave its request for the
    asker to wait on), and a request that came as the run ended is answered: its jobs are done."""
    stop = asyncio.Event()

    async def act() -> None:
        try:
            await act_on_cancel_requests(service, cancel)
        except FoundryError:
            pass  # a busy or full disk: the request stays, and is looked at again

    async def watch() -> None:
        while not stop.is_set():
            await act()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), CANCEL_WATCH_S)

    if service.read_only:
        yield
        return
    task = asyncio.create_task(watch())
    try:
        yield
    finally:
        stop.set()
        await task
        await act()
