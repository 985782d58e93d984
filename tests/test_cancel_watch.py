"""A run's watch for `foundry cancel` requests: a cancel it has begun is carried through when the
run ends, and a request made as the run ended is answered, so the asker never waits in vain."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cli_projects import one_shot_project

from foundry_desktop.app.generation.cancel_watch import watching_cancel_requests
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.store.cancel_requests import request_cancel


def test_a_cancel_begun_when_the_run_ends_is_carried_through_and_its_request_removed(tmp_path, capsys):
    path = Path(one_shot_project(tmp_path, capsys))
    service = ProjectService.open(path)
    begun, release = asyncio.Event(), asyncio.Event()
    cancelled: list[str | None] = []

    async def slow_cancel(job_id: str | None) -> int:
        begun.set()
        await release.wait()  # the provider takes its time to confirm
        cancelled.append(job_id)
        return 1

    async def run() -> None:
        async with watching_cancel_requests(service, slow_cancel):
            request_cancel(path, ["job-1"])
            await begun.wait()  # the watch is inside the cancel...
            asyncio.get_running_loop().call_soon(release.set)
        # ...and the run ended meanwhile: the cancel was finished, not cut off

    try:
        asyncio.run(asyncio.wait_for(run(), 60))
        assert cancelled == ["job-1"]
        assert service.cancel_requests() == set()  # the asker sees it answered
    finally:
        service.close()


def test_a_request_made_as_the_run_ends_is_answered(tmp_path, capsys):
    path = Path(one_shot_project(tmp_path, capsys))
    service = ProjectService.open(path)
    cancelled: list[str | None] = []

    async def cancel(job_id: str | None) -> int:
        cancelled.append(job_id)
        return 0

    async def run() -> None:
        async with watching_cancel_requests(service, cancel):
            await asyncio.sleep(0)
            request_cancel(path, ["job-2"])  # asked after the watch's last look, before the run ended

    try:
        asyncio.run(asyncio.wait_for(run(), 60))
        assert cancelled == ["job-2"] and service.cancel_requests() == set()
    finally:
        service.close()
