"""What a `generate` would do, worked out before anything is written or sent.

A shot whose selected take matches its fingerprint is left alone. A shot with
any take (its own or another shot's) of the same fingerprint gets that take
back without generating. Jobs left unfinished by an earlier run are followed
to the end if they were sent (the service has them: they are paid for) or are
still what their shot asks for; a never-sent job for what a shot used to be is
dropped. Every other shot that needs a take gets a new job, and each asked-for
variant a job with a new seed.

Each kind of take is planned on its own (plan_takes): a video generate follows
and drops only video jobs, keyframes (app/generation/keyframes.py) only
keyframe jobs, so neither ever cancels the other's work.

The plan is pure, so the same plan serves an estimate (nothing happens) and a
run (`apply_plan` writes it, then the jobs run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from foundry_desktop.app.project_service import ProjectService, new_seed
from foundry_desktop.domain.fingerprint import fingerprint_of_spec, generation_spec
from foundry_desktop.domain.generation_job import UNFINISHED, GenerationJob
from foundry_desktop.domain.keyframe_spec import keyframe_spec
from foundry_desktop.domain.project import Project, Shot, TakeKind, Take, new_id


@dataclass
class GenerationPlan:
    followed: list[GenerationJob] = field(default_factory=list)  # unfinished jobs to finish
    dropped: list[GenerationJob] = field(default_factory=list)  # never sent, for what a shot no longer is
    reused: list[tuple[Shot, Take]] = field(default_factory=list)  # shots that get an existing take back
    new: list[GenerationJob] = field(default_factory=list)  # jobs to make (shots, then variants)
    blocked: list[tuple[Shot, str]] = field(default_factory=list)  # shots that cannot be made yet, and why

    @property
    def jobs(self) -> list[GenerationJob]:
        """The jobs that will run, in the order they start: those the services have already
        (they need no server's slot), then by priority, highest first, then oldest first."""
        return sorted([*self.followed, *self.new],
                      key=lambda job: (job.state not in ("submitting", "submitted"), -job.priority, job.created_at))


def plan_generation(
    service: ProjectService, shot_ids: set[str] | None = None, variants: int = 0, priority: int = 0
) -> GenerationPlan:
    """What generating the videos of `shot_ids` (all shots: None) with `variants` more takes each
    would do; new jobs get `priority` (higher runs first). Other kinds' jobs (keyframes, sound) are
    left alone."""
    project = service.project
    specs = {shot.id: generation_spec(shot, project) for shot in project.timeline.shots}
    chosen = [shot for shot in project.timeline.shots if shot_ids is None or shot.id in shot_ids]
    blocked = [(shot, _why_not_continued(project, shot)) for shot in chosen
               if shot.continue_from_previous and specs[shot.id]["continue_from"] is None]
    held = {shot.id for shot, _ in blocked}
    plan = plan_takes(service, "video", specs, [shot for shot in chosen if shot.id not in held], variants, priority,
                      _video_is_current(service))
    plan.blocked = blocked
    return plan


def plan_takes(
    service: ProjectService, output: TakeKind, specs: dict[str, dict[str, Any]], chosen: list[Shot], variants: int,
    priority: int, is_current: Callable[[Shot, str], bool],
) -> GenerationPlan:
    """The plan for one kind of take: `specs` is what each shot asks for now (shot id -> canonical
    spec), `chosen` the shots to make, `is_current(shot, fingerprint)` whether a shot has what it
    asks for already. Unfinished jobs of this kind are followed, or dropped when never sent and no
    longer asked for; jobs of other kinds are not this plan's."""
    wanted = {shot_id: fingerprint_of_spec(spec) for shot_id, spec in specs.items()}
    plan = GenerationPlan()
    for job in service.jobs(UNFINISHED):
        if job.output != output:
            continue
        if job.state == "queued" and wanted.get(job.shot_id) != job.fingerprint:
            plan.dropped.append(job)  # never sent, and the shot has changed since: nothing is owed for it
        else:
            plan.followed.append(job)  # sent already (its take is paid for), or still what the shot wants
    pending = {(job.shot_id, job.fingerprint) for job in plan.followed}
    for shot in chosen:
        fingerprint = wanted[shot.id]
        if is_current(shot, fingerprint) or (shot.id, fingerprint) in pending:
            continue
        reusable = _reusable_take(service, shot, fingerprint)
        if reusable is not None:
            plan.reused.append((shot, reusable))
        else:
            plan.new.append(_new_job(shot, fingerprint, specs[shot.id], priority))
    for shot in chosen:
        for _ in range(variants):
            spec = {**specs[shot.id], "seed": new_seed()}
            plan.new.append(_new_job(shot, fingerprint_of_spec(spec), spec, priority))
    return plan


def _video_is_current(service: ProjectService) -> Callable[[Shot, str], bool]:
    def is_current(shot: Shot, fingerprint: str) -> bool:
        selected = service.project.selected_take(shot)
        return selected is not None and selected.fingerprint == fingerprint and service.media.exists(selected.media_path)
    return is_current


def _why_not_continued(project: Project, shot: Shot) -> str:
    number = project.timeline.shots.index(shot) + 1
    if number == 1:
        return "Shot 1 is the first shot: there is no previous shot to continue from."
    return (f"Shot {number} continues from shot {number - 1}, which has no take yet: "
            f"generate shot {number - 1} first.")


def plan_retry(service: ProjectService, job_id: str | None = None) -> GenerationPlan:
    """Send failed jobs (all, or the one `job_id` starts) again, as new jobs with the same spec:
    those whose shot still asks for that take or a variant of it (the same spec but the seed),
    and which no later job has made or is making. Videos and keyframes alike (other kinds' jobs,
    a music clip's, are not a shot's)."""
    project = service.project
    current = {(kind, shot.id): spec(shot, project) for shot in project.timeline.shots
               for kind, spec in (("video", generation_spec), ("still", keyframe_spec))}
    jobs = service.jobs()
    later = {(job.shot_id, job.fingerprint) for job in jobs if job.state != "failed" and job.state != "cancelled"}
    failed = [job for job in jobs if job.state == "failed" and (job_id is None or job.id.startswith(job_id))]
    plan = GenerationPlan()
    for job in failed:
        spec = current.get((job.output, job.shot_id))
        if spec is None or {**job.spec, "seed": spec["seed"]} != spec or (job.shot_id, job.fingerprint) in later:
            continue  # the shot is gone or asks for something else now, or the take exists or is coming
        later.add((job.shot_id, job.fingerprint))  # once, however often it failed
        now = now_stamp()
        plan.new.append(job.model_copy(update={
            "id": new_id(), "state": "queued", "server": None, "remote_id": None, "progress": 0.0, "attempts": 0,
            "error": "", "cost_estimate": None, "cost_actual": None, "cost_unit": None, "take_id": None,
            "created_at": now, "updated_at": now,
        }))
    return plan


def apply_plan(service: ProjectService, plan: GenerationPlan) -> None:
    """Write the plan: dropped jobs cancelled, reused takes shown, new jobs recorded."""
    for job in plan.dropped:
        service.save_job(job.model_copy(update={"state": "cancelled", "error": "the shot changed"}))
    for shot, take in plan.reused:
        shown = take.kind == "video"  # a keyframe is approved by the creator, never shown by a run
        if take.shot_id != shot.id:  # another shot's take of the same spec: the shot gets its own record of it
            take = take.model_copy(update={"id": new_id(), "shot_id": shot.id})
            service.add_take(take, select_it=shown)
        elif shown:
            service.select_take_of(shot.id, take.id)
    service.add_jobs(plan.new)


def _reusable_take(service: ProjectService, shot: Shot, fingerprint: str) -> Take | None:
    """The newest take with this fingerprint whose file is still there, preferring the shot's own."""
    own = service.project.takes_of(shot.id)
    others = [t for shot_id, takes in service.project.takes.items() if shot_id != shot.id for t in takes]
    for take in [*reversed(own), *reversed(others)]:
        if take.fingerprint == fingerprint and service.media.exists(take.media_path):
            return take
    return None


def _new_job(shot: Shot, fingerprint: str, spec: dict, priority: int) -> GenerationJob:
    now = now_stamp()
    return GenerationJob(shot_id=shot.id, fingerprint=fingerprint, backend=spec["backend"], spec=spec,
                         priority=priority, created_at=now, updated_at=now)


def now_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
