"""The generation backends of this machine, opened for one run of work and closed after.

The built-in generator and media files are always there; ComfyUI joins when
servers are set up. Backends that talk HTTP share one connection pool, which
belongs to the event loop they run in, hence an async context.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpx

from foundry_desktop.app.generation.api_keys import api_key
from foundry_desktop.app.generation.service_address import api_root
from foundry_desktop.app.generation.settings import (
    CloudServiceSettings,
    GenerationSettings,
    load_settings,
)
from foundry_desktop.app.user_folders import config_folder
from foundry_desktop.generation.backend import BackendRegistry, OutputKind, outputs_of
from foundry_desktop.generation.cloud.providers.fal import FalBackend
from foundry_desktop.generation.cloud.providers.gemini import GeminiBackend
from foundry_desktop.generation.cloud.providers.openai_images import OpenAIImagesBackend
from foundry_desktop.generation.cloud.task import (
    CloudTaskBackend,
    PollPolicy,
)
from foundry_desktop.generation.comfyui.backend import ComfyUIBackend
from foundry_desktop.generation.comfyui.farm import ComfyFarm, ComfyServer, ServerStatus
from foundry_desktop.generation.default_backends import default_registry
from foundry_desktop.generation.cloud.providers.replicate import ReplicateBackend
from foundry_desktop.generation.cloud.providers.runway import RunwayBackend
from foundry_desktop.generation.cloud.providers.stability import StabilityBackend
from foundry_desktop.generation.comfyui.library import WorkflowLibrary
from foundry_desktop.generation.comfyui.template import WorkflowTemplate

# Video jobs take minutes; a single request should not.
HTTP_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def backend_names(settings: GenerationSettings | None = None) -> list[str]:
    """The backends a shot can name on this machine, as this module registers them."""
    settings = settings or load_settings()
    names = [*default_registry().names(), "comfyui", "runway", "replicate", "stability", "openai-images", "fal", "gemini"]
    if _cloud_options(settings, "openai").get("base_url"):
        names.append("openai")
    return names


def backend_outputs(settings: GenerationSettings | None = None) -> dict[str, frozenset[OutputKind] | None]:
    """What each backend of backend_names() makes (videos, keyframe stills, sound), known without
    opening any (a picker of image backends lists those that make stills); None: the backend's
    workflow decides (ComfyUI)."""
    local = default_registry()
    # The cloud backends' classes say it (the videos one's is the life cycle's own: its module, which
    # imports the slow openai package, is not imported for this).
    classes = {"runway": RunwayBackend, "replicate": ReplicateBackend, "stability": StabilityBackend,
               "openai-images": OpenAIImagesBackend, "openai": CloudTaskBackend, "fal": FalBackend,
               "gemini": GeminiBackend}
    return {name: outputs_of(local.get(name) if name in local.names() else classes.get(name))
            for name in backend_names(settings)}


def workflow_library() -> WorkflowLibrary:
    return WorkflowLibrary(config_folder() / "workflows")


def comfy_farm(settings: GenerationSettings, http: httpx.AsyncClient) -> ComfyFarm:
    return ComfyFarm(
        [ComfyServer(s.name, s.url, s.enabled, s.max_queued) for s in settings.comfyui_servers], http,
        transfer_limits=settings.transfers.limits(),
    )


def _cloud_options(settings: GenerationSettings, provider: str, *, polled: bool = True) -> dict[str, Any]:
    """The backend's keyword arguments from the settings (only those set: the rest keep the
    backend's defaults). `polled`: the service's tasks are followed by reading their status."""
    service = settings.cloud.get(provider, CloudServiceSettings())
    options: dict[str, Any] = {"transfer_limits": settings.transfers.limits()}
    if service.base_url:
        options["base_url"] = api_root(service.base_url, service=provider)
    if service.default_model:
        options["default_model"] = service.default_model
    if polled and (service.poll_seconds is not None or service.timeout_minutes is not None):
        default = PollPolicy()
        interval = service.poll_seconds if service.poll_seconds is not None else default.interval_s
        options["poll"] = dataclasses.replace(
            default,
            interval_s=interval,
            max_interval_s=max(interval, default.max_interval_s),
            timeout_s=service.timeout_minutes * 60 if service.timeout_minutes is not None else default.timeout_s,
        )
    return options


@contextlib.asynccontextmanager
async def generation_backends(settings: GenerationSettings | None = None) -> AsyncIterator[BackendRegistry]:
    """Every backend of this machine. Cloud ones read their key from the password store at
    each call (app/generation/api_keys.py), so a key set meanwhile is used, and a missing one is named in words."""
    settings = settings or load_settings()
    registry = default_registry()
    # Loading the system's certificates takes tens of milliseconds: not on the GUI's thread.
    certificates = await asyncio.to_thread(ssl.create_default_context)
    # A write that stalls this long fails (an upload's stall timeout; its deadline is the backends').
    timeout = httpx.Timeout(HTTP_TIMEOUT.read, connect=HTTP_TIMEOUT.connect, write=settings.transfers.stall_seconds)
    async with httpx.AsyncClient(timeout=timeout, verify=certificates) as http:
        comfyui = ComfyUIBackend(comfy_farm(settings, http), workflow_library())
        registry.register(comfyui)
        registry.register(RunwayBackend(http, lambda: api_key("runway"), **_cloud_options(settings, "runway")))
        registry.register(ReplicateBackend(http, lambda: api_key("replicate"), **_cloud_options(settings, "replicate")))
        registry.register(FalBackend(http, lambda: api_key("fal"), **_cloud_options(settings, "fal")))
        registry.register(GeminiBackend(http, lambda: api_key("gemini"), **_cloud_options(settings, "gemini")))
        registry.register(StabilityBackend(http, lambda: api_key("stability"), **_cloud_options(settings, "stability", polled=False)))
        images = OpenAIImagesBackend(http, lambda: api_key("openai-images"),
                                     **_cloud_options(settings, "openai-images", polled=False))
        registry.register(images)
        openai_options = _cloud_options(settings, "openai")
        openai = None
        if "base_url" in openai_options:
            # Imported only when used: the openai package alone takes half a second to
            # import, which every command of the CLI would otherwise pay.
            from foundry_desktop.generation.cloud.providers.openai_videos import (
                OpenAIVideoBackend,
            )

            openai = OpenAIVideoBackend(lambda: api_key("openai"), **openai_options)
            registry.register(openai)
        try:
            yield registry
        finally:
            await comfyui.aclose()
            await images.aclose()
            if openai is not None:
                await openai.aclose()


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
