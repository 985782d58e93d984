"""Generating the shots that are not current — and only those.

A shot whose selected take matches its fingerprint is left alone. A shot with
any take (its own or another shot's) of the same fingerprint gets that take
back without generating. Everything else becomes a job (kept in the project
file) for its backend; jobs run side by side within each backend's limit, and
one failure is recorded on its shot and does not stop the others.
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
from foundry_desktop.app.project_service import ProjectService, new_seed
from foundry_desktop.domain.fingerprint import fingerprint_of_spec, generation_spec
from foundry_desktop.domain.generation_job import UNFINISHED, GenerationJob
from foundry_desktop.domain.project import Shot, Take, new_id
from foundry_desktop.domain.status import GenerationState
from foundry_desktop.domain.time import parse_frame_rate
from foundry_desktop.errors import FoundryError, GenerationError, InvalidEditError
from foundry_desktop.generation.backend import (
    BackendRegistry,
    GenerationEvent,
    GenerationRequest,
    GenerationResult,
    RemoteJobLost,
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


# How many jobs of one backend run at once. The built-in generator works the CPU
# (one at a time keeps the editor responsive); ComfyUI's farm hands out its own
# server slots (so no limit here); cloud services take many.
BACKEND_CONCURRENCY = {"builtin": 1, "media": 2, "comfyui": 256}
DEFAULT_CONCURRENCY = 8


async def generate_shots(
    service: ProjectService, registry: BackendRegistry, shot_ids: set[str] | None = None, variants: int = 0
) -> GenerateReport:
    """Generate what is not current. Every generation is a job in the project file: jobs
    left unfinished by an earlier run (a crash, a quit) are followed to the end first —
    by their remote id where the service already has them, never submitted twice.

    `variants` asks for that many more takes of each shot (of `shot_ids`), each with a
    new seed; they are kept beside the shot's take for the creator to compare and choose."""
    report = GenerateReport()
    jobs = _jobs_to_run(service, report, shot_ids)
    jobs += _variant_jobs(service, shot_ids, variants)
    service.store.set_generation_states({job.shot_id: GenerationState("generating", job.fingerprint) for job in jobs})
    for shot_id in dict.fromkeys(job.shot_id for job in jobs):
        _announce(service, shot_id)
    limits: dict[str, asyncio.Semaphore] = {}

    async def run(job: GenerationJob) -> None:
        limit = limits.setdefault(job.backend, asyncio.Semaphore(BACKEND_CONCURRENCY.get(job.backend, DEFAULT_CONCURRENCY)))
        async with limit:
            try:
                await _run_job(service, registry, job)
                report.generated += 1
            except FoundryError as exc:
                index = _index_of(service, job.shot_id)
                report.failed += 1
                report.failures.append(f"Shot {index + 1}: {exc}" if index >= 0 else str(exc))
            _announce(service, job.shot_id)

    await asyncio.gather(*(run(job) for job in jobs))
    return report


def _jobs_to_run(service: ProjectService, report: GenerateReport, shot_ids: set[str] | None) -> list[GenerationJob]:
    """Unfinished jobs still worth finishing, then a new job for every other shot that needs one."""
    fmt = service.format
    wanted = {shot.id: fingerprint_of_spec(generation_spec(shot, fmt)) for shot in service.project.timeline.shots}
    jobs, new_jobs = [], []
    for job in service.store.jobs(UNFINISHED):
        if job.state == "queued" and wanted.get(job.shot_id) != job.fingerprint:
            # Never sent, and the shot has changed since: nothing is owed for it.
            service.store.save_job(job.model_copy(update={"state": "cancelled", "error": "the shot changed"}))
        else:
            jobs.append(job)  # sent already (its take is paid for), or still what the shot wants
    pending = {(job.shot_id, job.fingerprint) for job in jobs}
    for shot in list(service.project.timeline.shots):
        if shot_ids is not None and shot.id not in shot_ids:
            continue
        spec = generation_spec(shot, fmt)
        fingerprint = wanted[shot.id]
        selected = service.project.selected_take(shot)
        if selected and selected.fingerprint == fingerprint and service.store.media.exists(selected.media_path):
            continue
        if (shot.id, fingerprint) in pending:
            continue
        reusable = _reusable_take(service, shot, fingerprint)
        if reusable is not None:
            if reusable.shot_id != shot.id:
                reusable = reusable.model_copy(update={"id": new_id(), "shot_id": shot.id})
                service.store.add_take(reusable, select_it=True)
                service.project = service.project.with_take(reusable, select_it=True)
            else:
                service.store.select_take(shot.id, reusable.id)
                service.project = service.project.with_selected_take(shot.id, reusable.id)
            report.reused += 1
            _announce(service, shot.id)
            continue
        new_jobs.append(_new_job(shot, fingerprint, spec))
    service.store.add_jobs(new_jobs)
    return jobs + new_jobs


def _new_job(shot: Shot, fingerprint: str, spec: dict) -> GenerationJob:
    now = _now()
    return GenerationJob(shot_id=shot.id, fingerprint=fingerprint, backend=shot.spec.backend, spec=spec,
                         created_at=now, updated_at=now)


def _variant_jobs(service: ProjectService, shot_ids: set[str] | None, variants: int) -> list[GenerationJob]:
    jobs = []
    for shot in service.project.timeline.shots:
        if shot_ids is not None and shot.id not in shot_ids:
            continue
        for _ in range(variants):
            spec = {**generation_spec(shot, service.format), "seed": new_seed()}
            jobs.append(_new_job(shot, fingerprint_of_spec(spec), spec))
    service.store.add_jobs(jobs)
    return jobs


async def cancel_jobs(service: ProjectService, registry: BackendRegistry, job_id: str | None = None) -> int:
    """Cancel one unfinished job (by id or id prefix) or all of them, also where the
    service already has it. Returns how many were cancelled."""
    jobs = [job for job in service.store.jobs(UNFINISHED) if job_id is None or job.id.startswith(job_id)]
    if job_id is not None and len(jobs) != 1:
        raise InvalidEditError(f"No unfinished job {job_id}." if not jobs else f"{job_id} names several jobs; give more of the id.")
    for job in jobs:
        backend = registry.get(job.backend)
        cancel_remote = getattr(backend, "cancel_remote", None)
        if job.state in ("submitting", "submitted") and job.remote_id and cancel_remote is not None:
            await cancel_remote(job.server, job.remote_id)
        service.store.save_job_and_state(job.model_copy(update={"state": "cancelled", "error": "cancelled by the creator"}), None)
    return len(jobs)


def _request(service: ProjectService, job: GenerationJob) -> GenerationRequest:
    """The backend request for a job, from the spec it was made for (the shot may have changed since)."""
    spec = job.spec
    media = service.store.media
    return GenerationRequest(
        shot_id=job.shot_id,
        prompt=spec["prompt"],
        negative_prompt=spec["negative_prompt"],
        seed=spec["seed"],
        width=spec["width"],
        height=spec["height"],
        frame_rate=parse_frame_rate(spec["frame_rate"]),
        frames=spec["frames"],
        output_dir=media.scratch_dir(),
        model=spec["model"],
        workflow=spec["workflow"],
        input_image=media.path_of(spec["input_image"]) if spec.get("input_image") else None,
        input_media=media.path_of(spec["input_media"]) if spec.get("input_media") else None,
        params=dict(spec["params"]),
    )


async def _run_job(service: ProjectService, registry: BackendRegistry, job: GenerationJob) -> None:
    """Run (or follow) one job to its take. A failure is recorded on the job and its shot;
    a cancelled task (the app quitting) leaves the job as it was, to be followed up next time."""
    store = service.store

    def forward(event: GenerationEvent) -> None:
        nonlocal job
        if event.kind in ("submitting", "submitted"):
            # Recorded before the request leaves (submitting), so a crash mid-send is followed up
            # (by the remote id, where we chose it) and never simply sent again.
            job = store.save_job(job.model_copy(update={"state": event.kind, "server": event.server,
                                                        "remote_id": event.remote_id}))
        service.events.emit(GenerationProgress(job.shot_id, event.progress, event.message or event.kind))

    started = time.monotonic()
    try:
        backend = registry.get(job.backend)
        request = _request(service, job)
        result = None
        resume = getattr(backend, "resume", None)
        if job.state == "submitting" and not job.remote_id:
            raise GenerationError(
                f"Foundry stopped while sending this shot to {backend.name}, before the answer came; "
                f"it may be there. Look at {backend.name}'s own list of tasks, then generate the shot again if it is not."
            )
        if job.state in ("submitting", "submitted") and job.remote_id and resume is not None:
            try:
                result = await resume(job.server, job.remote_id, request, forward)
            except RemoteJobLost:
                result = None  # the service never got it, or forgot it: send it again
        if result is None:
            # Saved with its next change (submitting), which comes before anything is sent.
            job = job.model_copy(update={"state": "queued", "attempts": job.attempts + 1})
            result = await backend.generate(request, forward)
    except FoundryError as exc:
        store.save_job_and_state(job.model_copy(update={"state": "failed", "error": str(exc)}),
                                 GenerationState("failed", job.fingerprint, str(exc)))
        raise
    except asyncio.CancelledError:
        store.set_generation_states({job.shot_id: None})
        raise
    _adopt(service, job, backend.name, request, result, time.monotonic() - started)


def _adopt(service: ProjectService, job: GenerationJob, backend: str, request: GenerationRequest,
           result: GenerationResult, elapsed_s: float) -> None:
    """The result as a take in the media cache, its job done; selected if the shot still asks for it."""
    relative, content_hash = service.store.media.adopt(Path(result.path), "takes", move=True)
    take = Take(
        shot_id=job.shot_id,
        media_path=relative,
        content_hash=content_hash,
        fingerprint=job.fingerprint,
        spec=job.spec,
        backend=backend,
        request={**request.describe(), "backend_info": result.backend_info},
        seed=job.spec["seed"],
        frames=result.frames,
        width=result.width,
        height=result.height,
        created_at=_now(),
        elapsed_s=round(elapsed_s, 3),
    )
    # The creator may have edited the shot meanwhile (through this service: the file is
    # locked to it): keep the take, but only show it if it still matches what the shot asks for.
    current = next((s for s in service.project.timeline.shots if s.id == job.shot_id), None)
    still_wanted = current is not None and fingerprint_of_spec(generation_spec(current, service.format)) == job.fingerprint
    cost = result.backend_info.get("gpu_seconds")
    service.store.finish_job(job.model_copy(update={"cost_actual": cost, "cost_unit": "GPU seconds" if cost is not None else None}),
                             take, select_it=still_wanted)
    # The project in memory follows the store without reading it all again (one job of many).
    service.project = service.project.with_take(take, select_it=still_wanted)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _index_of(service: ProjectService, shot_id: str) -> int:
    ids = [s.id for s in service.project.timeline.shots]
    return ids.index(shot_id) if shot_id in ids else -1


def _announce(service: ProjectService, shot_id: str) -> None:
    service.events.emit(ShotStatusChanged(shot_id))
    service.events.emit(ProjectChanged("Generation"))
