"""The generation backends of this machine, opened for one run of work and closed after.

The built-in generator and media files are always there; ComfyUI joins when
servers are set up. Backends that talk HTTP share one connection pool, which
belongs to the event loop they run in, hence an async context.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx

from foundry_desktop.app.generation_settings import GenerationSettings, load_settings
from foundry_desktop.app.user_folders import config_folder
from foundry_desktop.generation.backend import BackendRegistry
from foundry_desktop.generation.comfyui_backend import ComfyUIBackend
from foundry_desktop.generation.comfyui_farm import ComfyFarm, ComfyServer, ServerStatus
from foundry_desktop.generation.default_backends import default_registry
from foundry_desktop.generation.workflow_library import WorkflowLibrary
from foundry_desktop.generation.workflow_template import WorkflowTemplate

# Video jobs take minutes; a single request should not.
HTTP_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def workflow_library() -> WorkflowLibrary:
    return WorkflowLibrary(config_folder() / "workflows")


def comfy_farm(settings: GenerationSettings, http: httpx.AsyncClient) -> ComfyFarm:
    return ComfyFarm(
        [ComfyServer(s.name, s.url, s.enabled, s.max_queued) for s in settings.comfyui_servers], http
    )


@contextlib.asynccontextmanager
async def generation_backends(settings: GenerationSettings | None = None) -> AsyncIterator[BackendRegistry]:
    settings = settings or load_settings()
    registry = default_registry()
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        registry.register(ComfyUIBackend(comfy_farm(settings, http), workflow_library()))
        yield registry


async def check_servers(settings: GenerationSettings, names: list[str]) -> list[ServerStatus]:
    """How each named server is now (up, GPU, memory, queue)."""
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        farm = comfy_farm(settings, http)
        return [await farm.check(name) for name in names]


async def servers_able_to_run(settings: GenerationSettings, template: WorkflowTemplate) -> dict[str, list[str]]:
    """For each server, what keeps it from running `template` (nothing: it can)."""
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        farm = comfy_farm(settings, http)
        found = {}
        for name in farm.clients:
            status = await farm.check(name)
            found[name] = [f"down ({status.message})"] if not status.up else await farm.problems(name, template)
        return found
