"""The generation commands: generate, takes, take, jobs, cancel, cost and budget."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from foundry_desktop.app.events import GenerationProgress
from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.cost import spending_by_shot, spent_by_unit
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.take_fit import take_length, take_warnings
from foundry_desktop.app.generation.shot_generation import (
    GenerateReport,
    GenerationEstimate,
    cancel_jobs,
    estimate_generation,
    generate_shots,
    retry_jobs,
)
from foundry_desktop.cli.common import print_json, to_index
from foundry_desktop.domain.cost import COST_UNITS, Cost, amount_words, unit_words
from foundry_desktop.domain.generation_job import UNFINISHED, GenerationJob
from foundry_desktop.domain.project import Take
from foundry_desktop.cli.cancel_elsewhere import cancel_elsewhere
from foundry_desktop.errors import InvalidEditError, ProjectLockedError


def generate(args: argparse.Namespace) -> int:
    async def run(service: ProjectService) -> GenerateReport:
        async with generation_backends() as registry:
            if service.budgets():  # told before anything is sent: what the budget cannot guard
                for line in estimate_generation(service, registry, shot_ids, args.variants).unguarded_words():
                    print(f"foundry: warning: {line}", file=sys.stderr, flush=True)
            return await generate_shots(service, registry, shot_ids, args.variants, args.priority)

    async def estimate(service: ProjectService) -> GenerationEstimate:
        async with generation_backends() as registry:
            return estimate_generation(service, registry, shot_ids, args.variants)

    with ProjectService.open(Path(args.project), read_only=args.estimate) as service:
        shot_ids = None if not args.shots else {service.shot_at(to_index(n)).id for n in args.shots}
        if args.variants < 0:
            raise InvalidEditError("--variants counts takes: 0 or more.")
        if args.estimate:
            print_estimate(asyncio.run(estimate(service)), args.json)
            return 0
        if not args.json:
            progress_lines(service)
        report = asyncio.run(run(service))
    return print_report(report, args.json)


def retry(args: argparse.Namespace) -> int:
    async def run(service: ProjectService) -> GenerateReport:
        async with generation_backends() as registry:
            return await retry_jobs(service, registry, args.job)

    with ProjectService.open(Path(args.project)) as service:
        if not args.json:
            progress_lines(service)
        return print_report(asyncio.run(run(service)), args.json)


def print_report(report: GenerateReport, as_json: bool, made: str = "Generated") -> int:
    for failure in report.failures:
        print(f"foundry: {failure}", file=sys.stderr)
    for warning in report.warnings:
        print(f"foundry: warning: {warning}", file=sys.stderr)
    if as_json:
        print_json(report.as_json())
    else:
        print(f"{made} {report.generated}, reused {report.reused}, failed {report.failed}.")
    return 1 if report.failed else 0


def progress_lines(service: ProjectService) -> None:
    """One line per shot (or music clip) whenever its generation moves on by a tenth (or changes state)."""
    shown: dict[str, tuple[str, int]] = {}
    names: dict[str, str] = {}

    def name_of(owner_id: str) -> str:
        # Looked up when first seen, not when subscribed: `foundry film` lays out its shots meanwhile.
        if owner_id not in names:
            timeline = service.project.timeline
            names.update({shot.id: f"shot {n}" for n, shot in enumerate(timeline.shots, start=1)})
            names.update({clip.id: f"music {n}" for n, clip in enumerate(timeline.music, start=1)})
        return names.get(owner_id, "music")  # a new music clip is placed once its take has come

    def show(event: object) -> None:
        if not isinstance(event, GenerationProgress):
            return
        step = (event.message.split(":")[0], int(event.progress * 10))
        if shown.get(event.shot_id) == step:
            return
        shown[event.shot_id] = step
        print(f"{name_of(event.shot_id)}: {event.progress:4.0%} {event.message}", flush=True)

    service.events.subscribe(show)


@dataclass(frozen=True)
class _TakeOwner:
    """What `takes` and `take select` name: shot N, or music:N (the Nth music clip)."""

    label: str
    owner_id: str
    selected_take_id: str | None
    select: Callable[[str], object]
    keyframe_take_ids: tuple[str | None, str | None] = (None, None)  # a shot's approved first and last
    fit: str = "fit"  # how the shot frames a take of another shape

    def mark(self, take: Take) -> str:
        """* the take shown (or heard), K the approved keyframe, L the last-frame one."""
        first, last = self.keyframe_take_ids
        return "*" if take.id == self.selected_take_id else "K" if take.id == first else "L" if take.id == last else " "


def _take_owner(service: ProjectService, text: str) -> _TakeOwner:
    kind, _, number = text.strip().partition(":")
    if kind == "music":
        music = service.project.timeline.music
        if not number.isdigit() or not 1 <= int(number) <= len(music):
            raise InvalidEditError(f"There is no music clip {number or '?'}: the film has {len(music)} "
                                   f"(music:1 is the first).")
        clip = music[int(number) - 1]
        return _TakeOwner(f"Music clip {number}", clip.id, clip.selected_take_id,
                          lambda take_id: service.choose_music_take(clip.id, take_id))
    if not text.strip().isdigit():
        raise InvalidEditError(f"{text!r} names no shot: give its number, or music:N for a music clip.")
    index = to_index(int(text))
    shot = service.shot_at(index)
    return _TakeOwner(f"Shot {text.strip()}", shot.id, shot.selected_take_id,
                      lambda take_id: service.select_take(index, take_id),
                      (shot.keyframe_take_id, shot.last_keyframe_take_id), shot.fit)


def takes(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project), read_only=True) as service:
        owner = _take_owner(service, args.index)
        listed = service.project.takes_of(owner.owner_id)
        rate = service.format.frame_rate
        if args.json:
            print_json([{"number": n, "selected": t.id == owner.selected_take_id, **t.model_dump(),
                         "warnings": take_warnings(t, owner.fit)} for n, t in enumerate(listed, start=1)])
            return 0
        if not listed:
            print(f"{owner.label} has no takes yet.")
        for n, t in enumerate(listed, start=1):
            info = t.request.get("backend_info", {})
            where = info.get("server") or info.get("provider") or ""
            mark = owner.mark(t)
            cost = t.request.get("cost")
            paid = f"  {Cost(cost['amount'], cost['unit'])}" if cost else ""
            size = f"{t.width}x{t.height}" if t.kind != "sound" else f"{t.frames} frames"
            print(f"{mark}{n:>3}  {t.id[:8]}  {t.kind:<5}  {t.backend}{' on ' + where if where else ''}  seed {t.seed}  "
                  f"{size}  {take_length(t, rate)}  {t.created_at[:19]}  {t.elapsed_s:.1f} s{paid}")
            for warning in take_warnings(t, owner.fit):
                print(f"        note: {warning}")
    return 0


def take_named(listed: list[Take], key: str) -> Take | None:
    """The take `key` names among `listed`: its number as `foundry takes` counts them, or the start
    of its id (at least 4 characters, so a number never reads as the start of an id)."""
    if key.isdigit() and len(key) < 4:
        return listed[int(key) - 1] if 1 <= int(key) <= len(listed) else None
    matches = [take for take in listed if take.id.startswith(key)]
    return matches[0] if len(matches) == 1 else None


def take(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        owner = _take_owner(service, args.index)
        chosen = take_named(service.project.takes_of(owner.owner_id), args.take)
        if chosen is None:
            raise InvalidEditError(f"{owner.label} has no take {args.take} (see `foundry takes`).")
        owner.select(chosen.id)
    verb = "plays" if owner.label.startswith("Music") else "shows"
    print(f"{owner.label} {verb} take {chosen.id[:8]} (seed {chosen.seed})")
    return 0


def jobs(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project), read_only=True) as service:
        listed = service.jobs(None if args.all else UNFINISHED)
        numbers = {shot.id: n for n, shot in enumerate(service.project.timeline.shots, start=1)}
        clips = {clip.id: n for n, clip in enumerate(service.project.timeline.music, start=1)}
    if args.json:
        print_json([{**job.model_dump(exclude={"spec"}), "shot": numbers.get(job.shot_id),
                     **({"music": clips.get(job.shot_id)} if job.output == "sound" else {})} for job in listed])
        return 0
    if not listed:
        print("No unfinished jobs." if not args.all else "No jobs yet.")
    for job in listed:
        where = f" on {job.server}" if job.server else ""
        problem = (f" (note: {job.error})" if job.state == "done" else f": {job.error}") if job.error else ""
        owner = f"music:{clips.get(job.shot_id, '-')}" if job.output == "sound" else f"shot {numbers.get(job.shot_id, '-')}"
        print(f"{job.id[:8]}  {owner}  {job.backend}{where}  {job.state}{_job_cost(job)}{problem}")
    return 0


def cancel(args: argparse.Namespace) -> int:
    async def run(service: ProjectService) -> int:
        async with generation_backends() as registry:
            return await cancel_jobs(service, registry, args.job)

    try:
        service = ProjectService.open(Path(args.project), lock_wait_s=0)
    except ProjectLockedError:
        # A generate (or the window) holds the project: it is the one running the jobs, so ask it.
        with ProjectService.open(Path(args.project), read_only=True) as service:
            count = cancel_elsewhere(service, args.job)
    else:
        with service:
            count = asyncio.run(run(service))
    print(f"Cancelled {count} job{'s' if count != 1 else ''}.")
    return 0


def _job_cost(job: GenerationJob) -> str:
    """", cost 25 Runway credits" when done, ", about 25 Runway credits" before; "" when free."""
    if not job.cost_unit:
        return ""
    if job.cost_actual is not None:
        return f", cost {Cost(job.cost_actual, job.cost_unit)}"
    if job.cost_estimate is not None:
        return f", about {Cost(job.cost_estimate, job.cost_unit)}"
    return f", cost in {unit_words(job.cost_unit)} not known yet"


def print_estimate(estimate: GenerationEstimate, as_json: bool, verb: str = "generate",
                   done: str = "every shot is current") -> None:
    if as_json:
        print_json({
            "jobs": [vars(job) for job in estimate.jobs], "reused": estimate.reused, "totals": estimate.totals,
            "unknown": estimate.unknown, "spent": estimate.spent, "budgets": estimate.budgets,
            "over_budget": [{"shot": shot, "unit": overrun.unit, "words": overrun.words()}
                            for shot, overrun in estimate.overruns],
            "budget_cannot_guard": [{"unit": unit, "shots": shots} for unit, shots in estimate.unguarded.items()],
            "warnings": estimate.unguarded_words(),
        })
        return
    if not estimate.jobs:
        print(f"Nothing to {verb}" + (f"; {estimate.reused} shots would get an existing take back."
                                      if estimate.reused else f": {done}."))
        return
    for job in estimate.jobs:
        if job.unit is None:
            price = "free"
        elif job.amount is None:
            # A workflow's GPU time is learned from its first run; a service's unpublished price never is.
            when = "until it has run once" if job.unit == "gpu-seconds" else "beforehand"
            price = f"{unit_words(job.unit)}: not known {when}"
        else:
            price = f"about {Cost(job.amount, job.unit)}"
        followed = "" if job.state == "new" else f" (already {job.state}: followed, not sent again)"
        print(f"shot {job.shot:>3}  {job.backend:<10} {price}{followed}")
        if job.request:
            print(f"{'':10}{job.request}")
    totals = [str(Cost(amount, unit)) for unit, amount in estimate.totals.items()]
    unknown = [f"{count} in {unit_words(unit)} not known beforehand" for unit, count in estimate.unknown.items()]
    print(f"{len(estimate.jobs)} jobs; new spending about {', '.join(totals) or 'nothing'}"
          + (f" ({'; '.join(unknown)})" if unknown else "") + ".")
    if estimate.reused:
        print(f"{estimate.reused} shots get an existing take back, free.")
    for shot, overrun in estimate.overruns:
        print(f"shot {shot} would not be sent: {overrun.words()}.")
    for line in estimate.unguarded_words():
        print(f"Warning: {line}")


def cost(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project), read_only=True) as service:
        rows = spending_by_shot(service, [shot.id for shot in service.project.timeline.shots])
        spent = spent_by_unit(service.jobs(("done",)))
        budgets = service.budgets()
    if args.json:
        print_json({"shots": [vars(row) for row in rows], "spent": spent, "budgets": budgets})
        return 0
    for row in rows:
        costs = ", ".join(str(Cost(amount, unit)) for unit, amount in sorted(row.by_unit.items()))
        takes = f"{row.takes} generated take{'s' if row.takes != 1 else ''}"
        print(f"shot {row.number:>3}  {takes}{': ' + costs if costs else ', nothing spent'}")
    for unit in sorted(spent.keys() | budgets.keys()):
        cap = budgets.get(unit)
        left = f" of a budget of {amount_words(cap)} ({amount_words(max(0.0, cap - spent.get(unit, 0.0)))} left)" \
            if cap is not None else " (no budget set)"
        print(f"In all: {Cost(spent.get(unit, 0.0), unit)}{left}")
    if not spent and not budgets:
        print("Nothing has been spent on generation yet.")
    return 0


def budget(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        if args.budget_command == "set":
            if args.amount < 0:
                raise InvalidEditError("A budget is an amount of 0 or more.")
            service.set_budget(args.unit, args.amount)
            print(f"The project may spend up to {Cost(args.amount, args.unit)}.")
        else:
            service.set_budget(args.unit, None)
            print(f"No cap on {COST_UNITS[args.unit]} any more.")
    return 0
