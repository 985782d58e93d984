"""The cloud video models as a creator sees them: each provider's models with what they accept,
their price and the date those facts were checked (`foundry cloud list`, Settings › Cloud
services), and what a shot will actually send (`foundry generate --estimate`, the inspector).

Both read the providers' tables (generation/cloud/catalog/model_tables.py) and the backends'
own `request_shape(request)`, which works from data in memory: nothing here touches the network.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from foundry_desktop.app.generation.output_kinds import video_request
from foundry_desktop.app.generation.plan import now_stamp
from foundry_desktop.app.generation.settings import GenerationSettings, load_settings
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.cost import unit_words
from foundry_desktop.domain.fingerprint import generation_spec
from foundry_desktop.domain.generation_job import GenerationJob
from foundry_desktop.errors import GenerationError, InvalidEditError
from foundry_desktop.generation.backend import Backend, BackendRegistry, GenerationRequest
from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES
from foundry_desktop.generation.cloud.catalog.video_models import Price

SENDS, NOT_SENT = "sends ", "not sent: "  # how request_words begins: what is sent, or why nothing is


@dataclass(frozen=True)
class ModelFacts:
    """One model of a provider, in words."""

    id: str
    label: str
    accepts: str  # VideoModel.accepts_words()
    price: str
    checked: str  # ISO date
    source: str
    notes: str
    default: bool  # the model a shot of this provider gets when it names none


@dataclass(frozen=True)
class ProviderModels:
    provider: str
    default_model: str | None  # None: the backend is not set up here (an OpenAI-compatible gateway without address)
    models: tuple[ModelFacts, ...]


def price_words(price: Price | None) -> str:
    """'0.3034 US dollars per second', '12 Runway credits per second'; prices keep every digit
    the provider states (a cost's two decimals would round $0.084 to $0.08)."""
    if price is None:
        return "price not known beforehand"
    return f"{price.amount:g} {unit_words(price.unit)} per {price.per}"


def listed_providers() -> list[str]:
    """The providers that have a table of models, in the order they were registered."""
    return list(VIDEO_MODEL_TABLES)


def check_provider(provider: str) -> None:
    if provider not in VIDEO_MODEL_TABLES:
        known = ", ".join(VIDEO_MODEL_TABLES) or "none yet"
        raise InvalidEditError(f"No cloud service called {provider!r} lists its models (those that do: {known}).")


async def _default_models(settings: GenerationSettings) -> dict[str, Any]:
    """Each backend's default model as this machine's settings make it (the backends are built
    as for a run, which opens no connection)."""
    # Imported here: the estimate, which needs only request_words, should not import every backend.
    from foundry_desktop.app.generation.backends import generation_backends

    async with generation_backends(settings) as registry:
        return {name: getattr(registry.get(name), "default_model", None) for name in registry.names()}


def cloud_catalogue(settings: GenerationSettings | None = None) -> list[ProviderModels]:
    """Every listed provider's models (blocking: reads the settings file; call it off the GUI thread)."""
    settings = settings or load_settings()
    defaults = asyncio.run(_default_models(settings))
    found = []
    for provider, table in VIDEO_MODEL_TABLES.items():
        service = settings.cloud.get(provider)
        default = (service.default_model if service and service.default_model else None) or defaults.get(provider)
        models = tuple(
            ModelFacts(model.id, model.label, model.accepts_words(), price_words(model.price), model.checked,
                       model.source, model.notes, model.id == default)
            for model in table.values())
        found.append(ProviderModels(provider, default, models))
    return found


# -- what a shot will send ---------------------------------------------------------------


def request_words(backend: Backend, request: GenerationRequest) -> str | None:
    """'sends gen4.5, text to video, 1280:720, 5 s, seed 7; notes', or 'not sent: why': one line,
    the same in the estimate and the inspector. None for a backend that has no table of shapes
    (the built-in generator, ComfyUI, a still service)."""
    shape_of = getattr(backend, "request_shape", None)
    if shape_of is None:
        return None
    try:
        return SENDS + shape_of(request).words()
    except GenerationError as exc:
        return f"{NOT_SENT}{exc}"


def shot_request_words(service: ProjectService, registry: BackendRegistry, shot_id: str) -> str | None:
    """What the shot's video would send now, from the project in memory; None when its backend
    has no table (or is not set up on this machine)."""
    shot = next((shot for shot in service.project.timeline.shots if shot.id == shot_id), None)
    if shot is None or shot.spec.backend not in registry.names():
        return None
    spec = generation_spec(shot, service.project)
    now = now_stamp()
    job = GenerationJob(shot_id=shot.id, fingerprint="", backend=spec["backend"], spec=spec,
                        created_at=now, updated_at=now)
    return request_words(registry.get(spec["backend"]), video_request(service, job, False))
