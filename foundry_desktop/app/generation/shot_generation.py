"""Generating the shots that are not current — and only those (see plan.py).

Every generation is a job kept in the project file; jobs run side by side
within each backend's limit, and one failure is recorded on its shot and does
not stop the others. Before a job is sent its cost is estimated and held
against the project's budget for that unit: a job that would go beyond it is
not sent, and says so.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from foundry_desktop.app.events import (
    GenerationProgress,
    ProjectChanged,
    ShotStatusChanged,
)
from foundry_desktop.app.generation.cost import (
    cost_unit,
    estimated_amount,
    project_ledger,
    unguarded_words,
)
from foundry_desktop.app.generation.plan import (
    GenerationPlan,
    apply_plan,
    now_stamp,
    plan_generation,
    plan_retry,
)
from foundry_desktop.app.generation.cancel_watch import watching_cancel_requests
from foundry_desktop.app.generation.cloud_models import request_words
from foundry_desktop.app.shots.ignored_inputs import ignored_change_warning
from foundry_desktop.app.generation.output_kinds import take_maker
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.take_fit import take_warnings
from foundry_desktop.domain.cost import CostLedger, Overrun
from foundry_desktop.domain.generation_job import UNFINISHED, GenerationJob
from foundry_desktop.domain.project import Take
from foundry_desktop.domain.status import GenerationState
from foundry_desktop.errors import (
    BudgetExceededError,
    FoundryError,
    GenerationError,
    InvalidEditError,
)
from foundry_desktop.generation.backend import (
    Backend,
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
    cancelled: int = 0
    failures: list[str] = field(default_factory=list)
    # What the creator should know about takes that did come ("Shot 2: The take is 512x512, ..."),
    # also kept on each take and as its job's message.
    warnings: list[str] = field(default_factory=list)

    def add(self, other: GenerateReport) -> None:
        self.generated, self.reused = self.generated + other.generated, self.reused + other.reused
        self.failed, self.cancelled = self.failed + other.failed, self.cancelled + other.cancelled
        self.failures += other.failures
        self.warnings += other.warnings

    def as_json(self) -> dict:
        # The counts only: the warnings go to stderr line by line (as failures do), and stay on each take
        # and job, where `takes --json`, `info --json` and `jobs --json` give them.
        return {"generated": self.generated, "reused": self.reused, "failed": self.failed, "cancelled": self.cancelled}


CANCELLED = "cancelled by the creator"

# The runs of generate_shots going on now, per project, so that cancel_jobs can reach their jobs.
_RUNNING: weakref.WeakKeyDictionary[ProjectService, set[_Run]] = weakref.WeakKeyDictionary()

# How many jobs of one backend run at once. The built-in generator works the CPU
# (one at a time keeps the editor responsive); ComfyUI's farm hands out its own
# server slots (so no limit here); cloud services take many.
BACKEND_CONCURRENCY = {"builtin": 1, "media": 2, "comfyui": 256}
DEFAULT_CONCURRENCY = 8


async def generate_shots(
    service: ProjectService, registry: BackendRegistry, shot_ids: set[str] | None = None, variants: int = 0,
    priority: int = 0,
) -> GenerateReport:
    """Generate what is not current. Jobs left unfinished by an earlier run (a crash, a
    quit) are followed to the end first — by their remote id where the service already
    has them, never submitted twice.

    `variants` asks for that many more takes of each shot (of `shot_ids`), each with a
    new seed; they are kept beside the shot's take for the creator to compare and choose.
    New jobs get `priority`: higher ones start first.

    A shot that continues the previous one waits for that shot's take: made in this run, the
    waiting shot goes next; never made, it fails saying why."""
    plan = plan_generation(service, shot_ids, variants, priority)
    report = await run_plan(service, registry, plan)
    while plan.blocked:
        waiting = {shot.id for shot, _ in plan.blocked}
        plan = plan_generation(service, waiting, variants, priority)
        if {shot.id for shot, _ in plan.blocked} == waiting:
            break  # nothing they wait for came this time
        report.add(await run_plan(service, registry, plan))
    report.failed += len(plan.blocked)
    report.failures += [why for _, why in plan.blocked]
    return report


async def retry_jobs(service: ProjectService, registry: BackendRegistry, job_id: str | None = None) -> GenerateReport:
    """Send failed jobs again (all, or the one `job_id` names); see plan_retry."""
    plan = plan_retry(service, job_id)
    if job_id is not None and not plan.new:
        raise InvalidEditError(f"No failed job {job_id} to send again (see `foundry jobs --all`).")
    return await run_plan(service, registry, plan)


async def run_plan(service: ProjectService, registry: BackendRegistry, plan: GenerationPlan) -> GenerateReport:
    """Write the plan, then run its jobs side by side, each within its backend's limit."""
    apply_plan(service, plan)
    report = GenerateReport(reused=len(plan.reused))
    jobs = plan.jobs
    service.set_generation_states({job.shot_id: GenerationState("generating", job.fingerprint) for job in jobs
                                   if _marks_shot(job)})
    touched = list(dict.fromkeys([*(shot.id for shot, _ in plan.reused), *(job.shot_id for job in jobs)]))
    _announce(service, *touched)
    run = _Run(service, registry, report)
    limits: dict[str, asyncio.Semaphore] = {}

    async def one(job: GenerationJob) -> None:
        limit = limits.setdefault(job.backend, asyncio.Semaphore(BACKEND_CONCURRENCY.get(job.backend, DEFAULT_CONCURRENCY)))
        try:
            async with limit:
                await run.job(job)
        except asyncio.CancelledError:
            if job.id not in run.cancelled:
                raise  # the whole run is stopping (the app quits): the job is followed up next time
            report.cancelled += 1  # the creator cancelled it before it was sent: it never will be

    _RUNNING.setdefault(service, set()).add(run)
    try:
        run.tasks = {job.id: asyncio.create_task(one(job)) for job in jobs}
        # `foundry cancel` from another terminal reaches these jobs through the project file.
        async with watching_cancel_requests(service, lambda job_id: cancel_jobs(service, registry, job_id)):
            await asyncio.gather(*run.tasks.values())
    finally:
        _RUNNING[service].discard(run)
    return report


@dataclass
class JobEstimate:
    shot: int  # 1-based
    backend: str
    state: str  # "new", or the state of an unfinished job that will be followed
    unit: str | None  # None: free
    amount: float | None  # None: not known beforehand (or free)
    request: str | None = None  # what a cloud video model will be sent, or why not (cloud_models.request_words)


@dataclass
class GenerationEstimate:
    """What `generate` would do and cost, and where it would meet the budget."""

    jobs: list[JobEstimate]
    reused: int
    totals: dict[str, float]  # new spending per unit (known amounts)
    unknown: dict[str, int]  # per unit, how many jobs' cost is not known beforehand
    spent: dict[str, float]
    budgets: dict[str, float]
    overruns: list[tuple[int, Overrun]]  # (shot, why) for each job the budget would stop
    # Per unit with a budget, the shots whose cost is not known beforehand: the budget cannot guard them.
    unguarded: dict[str, list[int]] = field(default_factory=dict)

    def unguarded_words(self) -> list[str]:
        return unguarded_words(self.unguarded, self.budgets)


def estimate_generation(
    service: ProjectService, registry: BackendRegistry, shot_ids: set[str] | None = None, variants: int = 0
) -> GenerationEstimate:
    """What generating would do and cost, without doing any of it."""
    return estimate_plan(service, registry, plan_generation(service, shot_ids, variants))


def estimate_plan(service: ProjectService, registry: BackendRegistry, plan: GenerationPlan) -> GenerationEstimate:
    """What running `plan` would cost, against the project's budgets, without doing any of it."""
    done = service.jobs(("done",))
    ledger = project_ledger(service, done)
    numbers = _shot_numbers(service)
    new = {job.id for job in plan.new}
    estimates, overruns = [], []
    totals: dict[str, float] = defaultdict(float)
    unknown: dict[str, int] = defaultdict(int)
    unguarded: dict[str, list[int]] = defaultdict(list)
    for job in plan.jobs:
        backend = registry.get(job.backend)
        unit = cost_unit(backend)
        request = take_maker(job).request(service, job, False) if unit else None
        amount = estimated_amount(backend, request, job, unit, done) if request is not None else None
        sent = job.state in ("submitting", "submitted")
        shape = request_words(backend, request) if request is not None and job.output == "video" else None
        estimates.append(JobEstimate(numbers.get(job.shot_id, 0), job.backend, "new" if job.id in new else job.state,
                                     unit, amount, shape))
        if unit is None:
            continue
        if sent:
            ledger.hold(job.id, unit, amount)  # paid for already
            continue
        overrun = ledger.reserve(job.id, unit, amount)
        if overrun is not None:
            overruns.append((numbers.get(job.shot_id, 0), overrun))
        elif amount is None:
            unknown[unit] += 1
            if unit in ledger.caps:
                unguarded[unit].append(numbers.get(job.shot_id, 0))
        else:
            totals[unit] += amount
    return GenerationEstimate(estimates, len(plan.reused), dict(totals), dict(unknown), ledger.spent,
                              ledger.caps, overruns, dict(unguarded))


class _CancelledByCreator(Exception):
    """A job stopped because the creator cancelled it (recorded as such, not as a failure)."""


class _Run:
    """One `generate`: its jobs' tasks, shared budget ledger and report."""

    def __init__(self, service: ProjectService, registry: BackendRegistry, report: GenerateReport) -> None:
        self.service, self.registry, self.report = service, registry, report
        self.done = service.jobs(("done",))
        self.ledger: CostLedger = project_ledger(service, self.done)
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.latest: dict[str, GenerationJob] = {}  # each running job as last saved (where it was sent, its id there)
        self.cancelled: set[str] = set()

    async def cancel(self, job_id: str) -> bool:
        """Stop a job of this run; False if it is not running here."""
        task, job = self.tasks.get(job_id), self.latest.get(job_id)
        if task is None or task.done():
            return False
        self.cancelled.add(job_id)
        backend = self.registry.get(job.backend) if job is not None else None
        cancel_remote = getattr(backend, "cancel_remote", None)
        if job is not None and job.state in ("submitting", "submitted") and job.remote_id and cancel_remote:
            await cancel_remote(job.server, job.remote_id)  # its generate() then stops, as cancelled
        elif job is not None and job.state == "submitting" and backend is not None:
            await backend.cancel(job.shot_id)  # the create call is on its way: cancelled once it has an id
        else:
            task.cancel()  # not sent: now it never will be
        return True

    async def job(self, job: GenerationJob) -> None:
        try:
            await self._run(job)
            self.report.generated += 1
        except _CancelledByCreator:
            self.report.cancelled += 1
        except FoundryError as exc:
            number = _shot_numbers(self.service).get(job.shot_id)
            self.report.failed += 1
            self.report.failures.append(f"Shot {number}: {exc}" if number else str(exc))
        _announce(self.service, job.shot_id)

    async def _run(self, job: GenerationJob) -> None:
        """Run (or follow) one job to its take. A failure is recorded on the job and its shot;
        a cancelled task (the app quitting) leaves the job as it was, to be followed up next time."""
        service = self.service

        def forward(event: GenerationEvent) -> None:
            nonlocal job
            if event.kind in ("submitting", "submitted"):
                # Recorded before the request leaves (submitting), so a crash mid-send is followed up
                # (by the remote id, where we chose it) and never simply sent again.
                job = self.latest[job.id] = service.save_job(job.model_copy(update={
                    "state": event.kind, "server": event.server, "remote_id": event.remote_id}))
            service.events.emit(GenerationProgress(job.shot_id, event.progress, event.message or event.kind, job.id))

        self.latest[job.id] = job
        started = time.monotonic()
        try:
            maker = take_maker(job)
            backend = self.registry.get(job.backend)
            if job.spec.get("continue_from"):  # decodes the previous take's last frame: off the loop's thread
                request = await asyncio.to_thread(maker.request, service, job, True)
            else:  # at once, so jobs hold their cost against the budget in the order they start
                request = maker.request(service, job, True)
            result = None
            resume = getattr(backend, "resume", None)
            if job.state == "submitting" and not job.remote_id:
                raise GenerationError(
                    f"Foundry stopped while sending this shot to {backend.name}, before the answer came; "
                    f"it may be there. Look at {backend.name}'s own list of tasks, then generate the shot again if it is not."
                )
            if job.state in ("submitting", "submitted") and job.remote_id and resume is not None:
                self.ledger.hold(job.id, job.cost_unit, job.cost_estimate)  # paid for already
                try:
                    result = await resume(job.server, job.remote_id, request, forward)
                except RemoteJobLost:
                    self.ledger.release(job.id)
                    result = None  # the service never got it, or forgot it: send it again
            if result is None:
                job = self._within_budget(job, backend, request)
                # Saved with its next change (submitting), which comes before anything is sent.
                job = job.model_copy(update={"state": "queued", "attempts": job.attempts + 1})
                result = await backend.generate(request, forward)
        except FoundryError as exc:
            self.ledger.release(job.id)
            if job.id in self.cancelled:
                _save_with_mark(service, job.model_copy(update={"state": "cancelled", "error": CANCELLED}), None)
                raise _CancelledByCreator from None
            _save_with_mark(service, job.model_copy(update={"state": "failed", "error": str(exc)}),
                            GenerationState("failed", job.fingerprint, str(exc)))
            raise
        except asyncio.CancelledError:
            if _marks_shot(job):
                service.set_generation_states({job.shot_id: None})
            raise
        self._adopt(job, backend.name, request, result, time.monotonic() - started)

    def _within_budget(self, job: GenerationJob, backend: Backend, request: GenerationRequest) -> GenerationJob:
        """The job with its cost estimate, held against the budget; BudgetExceededError if over."""
        unit = cost_unit(backend)
        if unit is None:
            return job
        amount = estimated_amount(backend, request, job, unit, self.done)
        overrun = self.ledger.reserve(job.id, unit, amount)
        if overrun is not None:
            raise BudgetExceededError(f"Not sent: {overrun.words()}. Raise the budget, or generate fewer shots.")
        return job.model_copy(update={"cost_estimate": amount, "cost_unit": unit})

    def _adopt(self, job: GenerationJob, backend: str, request: GenerationRequest, result: GenerationResult,
               elapsed_s: float) -> None:
        """The result as a take in the media cache, its job done, kept as its kind keeps it (output_kinds)."""
        service = self.service
        relative, content_hash = service.media.adopt(Path(result.path), "takes", move=True)
        cost = result.cost
        take = Take(
            shot_id=job.shot_id,
            kind=job.output,
            media_path=relative,
            content_hash=content_hash,
            fingerprint=job.fingerprint,
            spec=job.spec,
            backend=backend,
            request={**request.describe(), "backend_info": result.backend_info,
                     "cost": {"amount": cost.amount, "unit": cost.unit} if cost else None},
            seed=job.spec["seed"],
            frames=result.frames,
            width=result.width,
            height=result.height,
            created_at=now_stamp(),
            elapsed_s=round(elapsed_s, 3),
        )
        repeated = ignored_change_warning(take, service.project.takes_of(job.shot_id), result.ignored_inputs)
        if repeated is not None:  # kept with the take, so that `info`, `takes` and the inspector say it too
            take = take.model_copy(update={"request": {**take.request, "warnings": [repeated]}})
        shot = next((s for s in service.project.timeline.shots if s.id == job.shot_id), None)
        warnings = take_warnings(take, shot.fit if shot is not None else "fit")
        # A done job's message is what the creator should know about its take (none: an earlier try's error goes).
        job = job.model_copy(update={"error": " ".join(warnings)})
        if cost is not None:
            job = job.model_copy(update={"cost_actual": cost.amount, "cost_unit": cost.unit})
        take_maker(job).adopt(service, job, take)
        self.ledger.settle(job.id, cost)
        number = _shot_numbers(service).get(job.shot_id)
        self.report.warnings += [f"Shot {number}: {warning}" if number else warning for warning in warnings]


async def cancel_jobs(service: ProjectService, registry: BackendRegistry, job_id: str | None = None) -> int:
    """Cancel one unfinished job (by id or id prefix) or all of them: running ones here stop
    (taken off their server, or never sent), and ones an earlier run left with a service are
    cancelled there. Returns how many were cancelled."""
    jobs = [job for job in service.jobs(UNFINISHED) if job_id is None or job.id.startswith(job_id)]
    if job_id is not None and len(jobs) != 1:
        raise InvalidEditError(f"No unfinished job {job_id}." if not jobs else f"{job_id} names several jobs; give more of the id.")
    runs = list(_RUNNING.get(service, ()))
    for job in jobs:
        _save_with_mark(service, job.model_copy(update={"state": "cancelled", "error": CANCELLED}), None)
        if any([await run.cancel(job.id) for run in runs]):
            continue
        cancel_remote = getattr(registry.get(job.backend), "cancel_remote", None)
        if job.state in ("submitting", "submitted") and job.remote_id and cancel_remote is not None:
            await cancel_remote(job.server, job.remote_id)
    return len(jobs)


def _marks_shot(job: GenerationJob) -> bool:
    """Whether the job's progress shows as its shot's status (output_kinds); an unknown kind's
    does not (its failure to start says why)."""
    try:
        return take_maker(job).marks_shot
    except GenerationError:
        return False


def _save_with_mark(service: ProjectService, job: GenerationJob, state: GenerationState | None) -> None:
    """Save the job, and set its shot's generation mark where its kind marks the shot."""
    if _marks_shot(job):
        service.save_job_and_state(job, state)
    else:
        service.save_job(job)


def _shot_numbers(service: ProjectService) -> dict[str, int]:
    return {shot.id: number for number, shot in enumerate(service.project.timeline.shots, start=1)}


def _announce(service: ProjectService, *shot_ids: str) -> None:
    """Each shot's status changed; then the project once (views redraw once for a batch)."""
    for shot_id in shot_ids:
        service.events.emit(ShotStatusChanged(shot_id))
    if shot_ids:
        service.events.emit(ProjectChanged("Generation"))
