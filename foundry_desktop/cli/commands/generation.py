"""The generation commands: generate, takes, take, jobs, cancel, cost and budget."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from foundry_desktop.app.events import GenerationProgress
from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.cost import spending_by_shot, spent_by_unit
from foundry_desktop.app.project_service import ProjectService
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
from foundry_desktop.errors import InvalidEditError


def generate(args: argparse.Namespace) -> int:
    async def run(service: ProjectService) -> GenerateReport:
        async with generation_backends() as registry:
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
    if as_json:
        print_json(report.as_json())
    else:
        print(f"{made} {report.generated}, reused {report.reused}, failed {report.failed}.")
    return 1 if report.failed else 0


def progress_lines(service: ProjectService) -> None:
    """One line per shot whenever its generation moves on by a tenth (or changes state)."""
    shown: dict[str, tuple[str, int]] = {}
    numbers = {shot.id: n for n, shot in enumerate(service.project.timeline.shots, start=1)}

    def show(event: object) -> None:
        if not isinstance(event, GenerationProgress):
            return
        step = (event.message.split(":")[0], int(event.progress * 10))
        if shown.get(event.shot_id) == step:
            return
        shown[event.shot_id] = step
        print(f"shot {numbers.get(event.shot_id, '?')}: {event.progress:4.0%} {event.message}", flush=True)

    service.events.subscribe(show)


def takes(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        shot = service.shot_at(to_index(args.index))
        listed = service.project.takes_of(shot.id)
        if args.json:
            print_json([{"number": n, "selected": t.id == shot.selected_take_id, **t.model_dump()}
                         for n, t in enumerate(listed, start=1)])
            return 0
        if not listed:
            print(f"Shot {args.index} has no takes yet.")
        for n, t in enumerate(listed, start=1):
            info = t.request.get("backend_info", {})
            where = info.get("server") or info.get("provider") or ""
            # * the video shown, K the approved keyframe (L the last-frame one)
            mark = "*" if t.id == shot.selected_take_id else "K" if t.id == shot.keyframe_take_id \
                else "L" if t.id == shot.last_keyframe_take_id else " "
            cost = t.request.get("cost")
            paid = f"  {Cost(cost['amount'], cost['unit'])}" if cost else ""
            print(f"{mark}{n:>3}  {t.id[:8]}  {t.kind:<5}  {t.backend}{' on ' + where if where else ''}  seed {t.seed}  "
                  f"{t.width}x{t.height}  {t.created_at[:19]}  {t.elapsed_s:.1f} s{paid}")
    return 0


def take(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        index = to_index(args.index)
        listed = service.project.takes_of(service.shot_at(index).id)
        if args.take.isdigit() and 1 <= int(args.take) <= len(listed):
            chosen = listed[int(args.take) - 1]
        else:
            matches = [t for t in listed if t.id.startswith(args.take)]
            if len(matches) != 1:
                raise InvalidEditError(f"Shot {args.index} has no take {args.take} (see `foundry takes`).")
            chosen = matches[0]
        service.select_take(index, chosen.id)
    print(f"Shot {args.index} shows take {chosen.id[:8]} (seed {chosen.seed})")
    return 0


def jobs(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        listed = service.jobs(None if args.all else UNFINISHED)
        numbers = {shot.id: n for n, shot in enumerate(service.project.timeline.shots, start=1)}
    if args.json:
        print_json([{**job.model_dump(exclude={"spec"}), "shot": numbers.get(job.shot_id)} for job in listed])
        return 0
    if not listed:
        print("No unfinished jobs." if not args.all else "No jobs yet.")
    for job in listed:
        where = f" on {job.server}" if job.server else ""
        problem = f": {job.error}" if job.error else ""
        print(f"{job.id[:8]}  shot {numbers.get(job.shot_id, '-')}  {job.backend}{where}  {job.state}"
              f"{_job_cost(job)}{problem}")
    return 0


def cancel(args: argparse.Namespace) -> int:
    async def run(service: ProjectService) -> int:
        async with generation_backends() as registry:
            return await cancel_jobs(service, registry, args.job)

    with ProjectService.open(Path(args.project)) as service:
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
            price = f"{unit_words(job.unit)}: not known until it has run once"
        else:
            price = f"about {Cost(job.amount, job.unit)}"
        followed = "" if job.state == "new" else f" (already {job.state}: followed, not sent again)"
        print(f"shot {job.shot:>3}  {job.backend:<10} {price}{followed}")
    totals = [str(Cost(amount, unit)) for unit, amount in estimate.totals.items()]
    unknown = [f"{count} in {unit_words(unit)} not known beforehand" for unit, count in estimate.unknown.items()]
    print(f"{len(estimate.jobs)} jobs; new spending about {', '.join(totals) or 'nothing'}"
          + (f" ({'; '.join(unknown)})" if unknown else "") + ".")
    if estimate.reused:
        print(f"{estimate.reused} shots get an existing take back, free.")
    for shot, overrun in estimate.overruns:
        print(f"shot {shot} would not be sent: {overrun.words()}.")


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
