"""Generating the shots that are not current — and only those.

A shot whose selected take matches its fingerprint is left alone. A shot with
any take (its own or another shot's) of the same fingerprint gets that take
back without generating. Everything else goes to its backend; one failure is
recorded on its shot and does not stop the others.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from foundry_desktop.app.events import (
    GenerationProgress,
    ProjectChanged,
    ShotStatusChanged,
)
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.fingerprint import fingerprint_of_spec, generation_spec
from foundry_desktop.domain.project import Shot, Take, new_id
from foundry_desktop.domain.status import GenerationState
from foundry_desktop.errors import FoundryError
from foundry_desktop.generation.backend import (
    BackendRegistry,
    GenerationEvent,
    GenerationRequest,
)


@dataclass
class GenerateReport:
    generated: int = 0
    reused: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"generated": self.generated, "reused": self.reused, "failed": self.failed}


def _reusable_take(service: ProjectService, shot: Shot, fingerprint: str) -> Take | None:
    """The newest take with this fingerprint whose file is still there, preferring the shot's own."""
    own = service.project.takes_of(shot.id)
    others = [t for shot_id, takes in service.project.takes.items() if shot_id != shot.id for t in takes]
    for take in [*reversed(own), *reversed(others)]:
        if take.fingerprint == fingerprint and service.store.media.exists(take.media_path):
            return take
    return None


async def generate_shots(
    service: ProjectService, registry: BackendRegistry, shot_ids: set[str] | None = None
) -> GenerateReport:
    report = GenerateReport()
    for shot in list(service.project.timeline.shots):
        if shot_ids is not None and shot.id not in shot_ids:
            continue
        spec = generation_spec(shot, service.format)
        fingerprint = fingerprint_of_spec(spec)
        selected = service.project.selected_take(shot)
        if selected and selected.fingerprint == fingerprint and service.store.media.exists(selected.media_path):
            continue
        reusable = _reusable_take(service, shot, fingerprint)
        if reusable is not None:
            if reusable.shot_id != shot.id:
                reusable = reusable.model_copy(update={"id": new_id(), "shot_id": shot.id})
                service.store.add_take(reusable, select_it=True)
            else:
                service.store.select_take(shot.id, reusable.id)
            report.reused += 1
            _refresh(service, shot)
            continue
        try:
            await _generate_one(service, registry, shot, spec, fingerprint)
            report.generated += 1
        except asyncio.CancelledError:
            service.store.set_generation_state(shot.id, None)
            raise
        except FoundryError as exc:
            index = _index_of(service, shot)
            service.store.set_generation_state(shot.id, GenerationState("failed", fingerprint, str(exc)))
            report.failed += 1
            report.failures.append(f"Shot {index + 1}: {exc}")
        _refresh(service, shot)
    return report


async def _generate_one(
    service: ProjectService, registry: BackendRegistry, shot: Shot, spec: dict, fingerprint: str
) -> None:
    backend = registry.get(shot.spec.backend)
    fmt = service.format
    media = service.store.media
    request = GenerationRequest(
        shot_id=shot.id,
        prompt=shot.spec.prompt,
        negative_prompt=shot.spec.negative_prompt,
        seed=shot.spec.seed,
        width=fmt.width,
        height=fmt.height,
        frame_rate=fmt.frame_rate,
        frames=shot.spec.duration,
        output_dir=media.scratch_dir(),
        model=shot.spec.model,
        workflow=shot.spec.workflow,
        input_image=media.path_of(shot.spec.input_image) if shot.spec.input_image else None,
        params=dict(shot.spec.params),
    )
    service.store.set_generation_state(shot.id, GenerationState("generating", fingerprint))
    _refresh(service, shot)

    def forward(event: GenerationEvent) -> None:
        service.events.emit(GenerationProgress(shot.id, event.progress, event.message or event.kind))

    started = time.monotonic()
    result = await backend.generate(request, forward)
    relative, content_hash = media.adopt(Path(result.path), "takes", move=True)
    take = Take(
        shot_id=shot.id,
        media_path=relative,
        content_hash=content_hash,
        fingerprint=fingerprint,
        spec=spec,
        backend=backend.name,
        request={**request.describe(), "backend_info": result.backend_info},
        seed=shot.spec.seed,
        frames=result.frames,
        width=result.width,
        height=result.height,
        created_at=datetime.now(UTC).isoformat(timespec="microseconds"),
        elapsed_s=round(time.monotonic() - started, 3),
    )
    # The creator may have edited the shot while it generated: keep the take, but
    # only show it if it still matches what the shot asks for.
    service.reload()
    current = next((s for s in service.project.timeline.shots if s.id == shot.id), None)
    still_wanted = current is not None and fingerprint_of_spec(generation_spec(current, fmt)) == fingerprint
    service.store.add_take(take, select_it=still_wanted)
    service.store.set_generation_state(shot.id, None)


def _index_of(service: ProjectService, shot: Shot) -> int:
    ids = [s.id for s in service.project.timeline.shots]
    return ids.index(shot.id) if shot.id in ids else -1


def _refresh(service: ProjectService, shot: Shot) -> None:
    service.reload()
    service.events.emit(ShotStatusChanged(shot.id))
    service.events.emit(ProjectChanged("Generation"))
