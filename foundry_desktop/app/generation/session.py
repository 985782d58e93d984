"""Generation for an app that stays open: the machine's backends held for its lifetime,
the servers' health checked on a timer, and each running job's latest progress.

The CLI opens the backends for one command (`backends.py`); the desktop
app opens them once, so connections, event sockets and uploads are reused
between runs, and the status bar can show the farm between jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from foundry_desktop.app.events import GenerationProgress
from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.cancel_watch import act_on_cancel_requests
from foundry_desktop.app.generation.cloud_models import shot_request_words
from foundry_desktop.app.generation.keyframes import estimate_keyframes, generate_keyframes
from foundry_desktop.app.generation.music_generation import (
    MusicReport,
    estimate_music,
    generate_music,
)
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.generation.shot_generation import (
    GenerateReport,
    GenerationEstimate,
    cancel_jobs,
    estimate_generation,
    generate_shots,
    retry_jobs,
)
from foundry_desktop.generation.backend import BackendRegistry
from foundry_desktop.generation.comfyui.farm import ServerStatus

HEALTH_INTERVAL_S = 10.0


@dataclass(frozen=True)
class JobProgress:
    fraction: float
    message: str
    started: float  # time.monotonic() of its first event here


class GenerationSession:
    """Open with `await start()`, close with `await close()`; one per app."""

    def __init__(self, on_health: Callable[[], None] | None = None) -> None:
        self._stack = contextlib.AsyncExitStack()
        self._registry: BackendRegistry | None = None
        self._health: asyncio.Task[None] | None = None
        self._on_health = on_health
        self._starting: asyncio.Task[None] | None = None
        self.progress: dict[str, JobProgress] = {}  # job id -> its latest progress

    def start_soon(self) -> None:
        """Start in the background (the app does this when a project opens, for the servers'
        health); close() waits for it, so nothing is left open behind a close."""
        if self._starting is None or self._starting.done():
            self._starting = asyncio.ensure_future(self.start())

    async def start(self) -> None:
        if self._registry is not None:
            return
        self._registry = await self._stack.enter_async_context(generation_backends())
        farm = getattr(self._registry.get("comfyui"), "farm", None)
        if farm is not None and farm.clients:
            self._health = asyncio.create_task(farm.keep_checking(HEALTH_INTERVAL_S, self._on_health))

    async def close(self) -> None:
        if self._starting is not None and not self._starting.done():
            await asyncio.gather(self._starting, return_exceptions=True)
        if self._health is not None:
            self._health.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._health
            self._health = None
        await self._stack.aclose()
        self._registry = None

    @property
    def servers(self) -> list[ServerStatus]:
        """The ComfyUI servers as last checked (empty before start, or with none set up)."""
        farm = getattr(self._registry.get("comfyui"), "farm", None) if self._registry else None
        return list(farm.status.values()) if farm is not None else []

    async def generate(self, service: ProjectService, shot_ids: set[str] | None = None, variants: int = 0,
                       priority: int = 0) -> GenerateReport:
        return await self._following(service, lambda registry: generate_shots(service, registry, shot_ids,
                                                                              variants, priority))

    async def make_keyframes(self, service: ProjectService, shot_ids: set[str] | None = None,
                             variants: int = 0) -> GenerateReport:
        """Keyframe stills for `shot_ids` (None: every generated shot without an approved one)."""
        return await self._following(service, lambda registry: generate_keyframes(service, registry, shot_ids,
                                                                                  variants))

    async def estimate(self, service: ProjectService, shot_ids: set[str] | None = None, variants: int = 0, *,
                       keyframes: bool = False) -> GenerationEstimate:
        """What generate() (or make_keyframes()) would send and cost, sending nothing: a confirmation's figures."""
        await self.start()
        assert self._registry is not None
        estimate = estimate_keyframes if keyframes else estimate_generation
        # In a worker: shaping each shot's request reads its pictures' headers and the jobs' records.
        return await asyncio.to_thread(estimate, service, self._registry, shot_ids, variants)

    async def request_words(self, service: ProjectService, shot_id: str) -> str | None:
        """What the shot's video would send to its cloud model now, or why not (cloud_models); sends nothing."""
        await self.start()
        assert self._registry is not None
        return shot_request_words(service, self._registry, shot_id)

    async def retry(self, service: ProjectService, job_id: str | None = None) -> GenerateReport:
        return await self._following(service, lambda registry: retry_jobs(service, registry, job_id))

    async def run[T](self, service: ProjectService, work: Callable[[BackendRegistry], Awaitable[T]]) -> T:
        """Other work that generates (the film flow) with this session's backends, its jobs followed."""
        return await self._following(service, work)

    async def generate_music(self, service: ProjectService, **options: Any) -> MusicReport:
        """music_generation.generate_music with this app's backends."""
        return await self._following(service, lambda registry: generate_music(service, registry, **options))

    async def estimate_music(self, service: ProjectService, **options: Any) -> GenerationEstimate:
        await self.start()
        assert self._registry is not None
        return estimate_music(service, self._registry, **options)

    async def cancel(self, service: ProjectService, job_id: str | None = None) -> int:
        await self.start()
        assert self._registry is not None
        return await cancel_jobs(service, self._registry, job_id)

    async def _following[T](self, service: ProjectService, work: Callable[[BackendRegistry], Awaitable[T]]) -> T:
        await self.start()
        assert self._registry is not None

        def note(event: object) -> None:
            if isinstance(event, GenerationProgress) and event.job_id:
                earlier = self.progress.get(event.job_id)
                started = earlier.started if earlier else time.monotonic()
                self.progress[event.job_id] = JobProgress(event.progress, event.message, started)

        unsubscribe = service.events.subscribe(note)
        try:
            # The window takes the project for the whole run, so no command edits between its writes;
            # `foundry cancel` then reaches its jobs through the project file (cancel_watch).
            async with service.holding_lock():
                return await work(self._registry)
        finally:
            unsubscribe()

    async def act_on_cancel_requests(self, service: ProjectService) -> None:
        """Cancel what `foundry cancel` asked for while no run of ours was watching (an idle window)."""
        if service.read_only or not service.cancel_requests():
            return
        await self.start()
        assert self._registry is not None
        registry = self._registry
        await act_on_cancel_requests(service, lambda job_id: cancel_jobs(service, registry, job_id))
