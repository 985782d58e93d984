"""Several ComfyUI servers used as one: health, capability, and the least busy one.

A ComfyUI server runs one prompt at a time, so more throughput means more
servers. A job goes to a server that is up, enabled, has every node class and
model file its workflow needs, and has the fewest prompts waiting (ours plus
anyone else's it reported); each server is given at most `max_queued` of our
prompts at once, so a fast server is not starved while a slow one hoards a
queue. When every capable server is full, the job waits for a slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.comfyui.client import ComfyUIClient
from foundry_desktop.generation.comfyui.replies import Device
from foundry_desktop.generation.comfyui.server_check import check_against
from foundry_desktop.generation.comfyui.template import WorkflowTemplate

HEALTH_MAX_AGE_S = 10.0  # a server's health is checked again when older than this


@dataclass(frozen=True)
class ComfyServer:
    name: str
    url: str
    enabled: bool = True
    max_queued: int = 2  # how many of our prompts it holds at once (running + waiting)


@dataclass
class ServerStatus:
    """What the farm knows of a server, for choosing and for the GUI."""

    server: ComfyServer
    up: bool = False
    message: str = "not checked yet"
    queue_length: int = 0  # running + pending, everyone's, at the last check
    gpu: str = ""
    vram_total: int = 0
    vram_free: int = 0
    in_flight: int = 0  # our prompts on it now
    checked_at: float = 0.0
    capabilities: dict[str, Any] = field(default_factory=dict, repr=False)  # object_info, models by folder, verdicts


class ComfyFarm:
    def __init__(self, servers: Collection[ComfyServer], http: httpx.AsyncClient, *,
                 transfer_limits: TransferLimits | None = None) -> None:
        if len({server.name for server in servers}) != len(servers):
            raise GenerationError("Two ComfyUI servers have the same name; give each its own.")
        self.clients = {server.name: ComfyUIClient(server.name, server.url, http, transfer_limits=transfer_limits)
                        for server in servers}
        self.status = {server.name: ServerStatus(server) for server in servers}
        self._slot_freed = asyncio.Condition()

    async def aclose(self) -> None:
        """Close the servers' event sockets."""
        await asyncio.gather(*(client.aclose() for client in self.clients.values()))

    async def check(self, name: str) -> ServerStatus:
        """Ask the server how it is (GET /system_stats and /queue)."""
        status, client = self.status[name], self.clients[name]
        try:
            stats = await client.system_stats()
            running, pending = await client.queue()
        except GenerationError as exc:
            status.up, status.message = False, str(exc)
        else:
            device = stats.devices[0] if stats.devices else Device()
            if not status.up:
                status.capabilities.clear()  # back from down: it may have restarted with other nodes or models
            status.up = True
            status.queue_length = len(running) + len(pending)
            status.gpu, status.vram_total, status.vram_free = device.name, device.vram_total, device.vram_free
            status.message = f"ComfyUI {stats.system.comfyui_version}".strip()
        status.checked_at = time.monotonic()
        return status

    async def check_all(self, max_age_s: float = 0.0) -> None:
        now = time.monotonic()
        stale = [name for name, s in self.status.items() if s.server.enabled and now - s.checked_at >= max_age_s]
        await asyncio.gather(*(self.check(name) for name in stale))

    async def keep_checking(self, interval_s: float = HEALTH_MAX_AGE_S, on_checked: Callable[[], None] | None = None) -> None:
        """Check every enabled server each `interval_s` until cancelled, so that their state
        (shown to the creator) is current between jobs too; `on_checked` after each round."""
        while True:
            await self.check_all()
            if on_checked is not None:
                on_checked()
            await asyncio.sleep(interval_s)

    async def problems(self, name: str, template: WorkflowTemplate) -> list[str]:
        """What keeps this server from running `template` (empty: nothing)."""
        status, client = self.status[name], self.clients[name]
        capabilities = status.capabilities
        if "object_info" not in capabilities:
            capabilities["object_info"] = await client.object_info()
            capabilities["models"] = {}
        # The verdict per workflow holds as long as the nodes and models it came from.
        verdicts = capabilities.setdefault("verdicts", {})
        if template.identity not in verdicts:
            models = capabilities["models"]
            for folder in {model.folder for model in template.required_models()} - models.keys():
                models[folder] = await client.models(folder)
            verdicts[template.identity] = check_against(template, capabilities["object_info"], models)
        return verdicts[template.identity]

    def forget_capabilities(self, name: str) -> None:
        """After a server was restarted or changed: ask for its nodes and models again."""
        self.status[name].capabilities.clear()

    async def _eligible(self, template: WorkflowTemplate, exclude: Mapping[str, str]) -> tuple[list[str], list[str]]:
        """The servers that could run `template`, and why each other one cannot."""
        await self.check_all(HEALTH_MAX_AGE_S)
        candidates = [name for name, status in self.status.items() if status.server.enabled and name not in exclude]
        # Asked of all servers at once (the first time, each sends its nodes and models).
        verdicts = await asyncio.gather(*(self.problems(name, template) for name in candidates if self.status[name].up),
                                        return_exceptions=True)
        lacking_by_server = dict(zip([name for name in candidates if self.status[name].up], verdicts, strict=True))
        eligible, reasons = [], []
        for name in candidates:
            status = self.status[name]
            if not status.up:
                reasons.append(f"{name} is down ({status.message.rstrip('.')})")
                continue
            lacking = lacking_by_server[name]
            if isinstance(lacking, GenerationError):
                status.up, status.message = False, str(lacking)
                reasons.append(f"{name} is down ({str(lacking).rstrip('.')})")
                continue
            if isinstance(lacking, BaseException):
                raise lacking
            if lacking:
                reasons.append(f"{name}: " + "; ".join(problem.rstrip(".") for problem in lacking))
            else:
                eligible.append(name)
        # A server that lost this very job is no candidate, but why it failed is part of the answer.
        reasons += [f"{name} lost the job ({why.rstrip('.')})" for name, why in exclude.items()]
        return eligible, reasons

    @contextlib.asynccontextmanager
    async def slot(self, template: WorkflowTemplate, exclude: Mapping[str, str] | None = None) -> AsyncIterator[ComfyUIClient]:
        """The least busy capable server, held for one prompt; waits while all are full.
        `exclude` maps servers that lost this job to why."""
        exclude = exclude or {}
        async with self._slot_freed:
            while True:
                eligible, reasons = await self._eligible(template, exclude)
                if not eligible:
                    enabled = [s for s in self.status.values() if s.server.enabled]
                    if not enabled:
                        raise GenerationError("No ComfyUI server is set up; add one with `foundry server add`.")
                    raise GenerationError(f"No ComfyUI server can run {template.title}: " + "; ".join(reasons) + ".")
                free = [n for n in eligible if self.status[n].in_flight < self.status[n].server.max_queued]
                if free:
                    name = min(free, key=lambda n: (self._load(n), n))
                    self.status[name].in_flight += 1
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._slot_freed.wait(), HEALTH_MAX_AGE_S)
        try:
            yield self.clients[name]
        finally:
            async with self._slot_freed:
                self.status[name].in_flight -= 1
                self._slot_freed.notify_all()

    def _load(self, name: str) -> int:
        """Prompts waiting on the server: ours now, plus others' at the last check."""
        status = self.status[name]
        return status.in_flight + max(0, status.queue_length - status.in_flight)
