"""What generating costs the project: estimates before sending, spending after, the budget.

A backend that knows its price says what a request will cost (Runway, Stability,
the gateways); for the others (a ComfyUI workflow's GPU time, a Replicate
model's hardware time) the estimate is what the same backend, model and
workflow cost per frame in this project before. Spending is what finished jobs
cost, as the service reported it, else as estimated.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from foundry_desktop.domain.cost import Cost, CostLedger, amount_words, unit_words
from foundry_desktop.domain.generation_job import GenerationJob
from foundry_desktop.generation.backend import Backend, GenerationRequest

if TYPE_CHECKING:
    from foundry_desktop.app.project_service import ProjectService


def cost_unit(backend: Backend) -> str | None:
    """The unit `backend` charges in; None: it is free (built-in generation, media files)."""
    return getattr(backend, "cost_unit", None)


def estimated_amount(backend: Backend, request: GenerationRequest, job: GenerationJob, unit: str,
                     done: list[GenerationJob]) -> float | None:
    """The backend's own price for the request, else the cost per frame of earlier jobs of the
    same backend, model, workflow and kind of take (a still is one frame); None when neither is known
    (a first run)."""
    priced = getattr(backend, "estimate_cost", None)
    amount = priced(request) if priced is not None else None
    if amount is not None:
        return float(amount)
    frames = job.spec.get("frames") or 0
    per_frame = [
        earlier.cost_actual / earlier.spec["frames"]
        for earlier in done
        if earlier.backend == job.backend and earlier.output == job.output and earlier.cost_unit == unit
        and earlier.cost_actual is not None
        and earlier.spec.get("frames") and earlier.spec.get("model") == job.spec.get("model")
        and earlier.spec.get("workflow") == job.spec.get("workflow")
    ]
    if not per_frame or not frames:
        return None
    return round(sum(per_frame) / len(per_frame) * frames, 3)


def paid(job: GenerationJob) -> Cost | None:
    """What a finished job cost: the service's figure, else its estimate."""
    amount = job.cost_actual if job.cost_actual is not None else job.cost_estimate
    return Cost(amount, job.cost_unit) if amount is not None and job.cost_unit else None


def spent_by_unit(jobs: list[GenerationJob]) -> dict[str, float]:
    """What the done jobs among `jobs` cost, per unit."""
    totals: dict[str, float] = defaultdict(float)
    for job in jobs:
        cost = paid(job) if job.state == "done" else None
        if cost is not None:
            totals[cost.unit] += cost.amount
    return dict(totals)


def project_ledger(service: ProjectService, done: list[GenerationJob]) -> CostLedger:
    return CostLedger(service.budgets(), spent_by_unit(done))


@dataclass
class ShotSpending:
    """What one shot's takes cost, per unit, and how many of its jobs finished."""

    number: int
    takes: int = 0
    by_unit: dict[str, float] = field(default_factory=dict)


def spending_by_shot(service: ProjectService, shot_ids: list[str]) -> list[ShotSpending]:
    """Per shot (in timeline order), what its finished jobs cost."""
    rows = {shot_id: ShotSpending(number) for number, shot_id in enumerate(shot_ids, start=1)}
    for job in service.jobs(("done",)):
        row = rows.get(job.shot_id)
        if row is None:
            continue  # a shot removed since: its spending still counts in the project's
        row.takes += 1
        cost = paid(job)
        if cost is not None:
            row.by_unit[cost.unit] = row.by_unit.get(cost.unit, 0.0) + cost.amount
    return list(rows.values())


def unguarded_words(unguarded: dict[str, list[int]], budgets: dict[str, float]) -> list[str]:
    """What a creator must hear before sending jobs whose cost is not known beforehand in a unit
    with a budget (a model whose provider states no price, a first run of a workflow): the budget
    lets them start while it is not used up, and cannot stop them taking the spending beyond it.
    `unguarded` is per unit the jobs' shot numbers (0: a music take, which has no shot)."""
    lines = []
    for unit, shots in unguarded.items():
        if unit not in budgets or not shots:
            continue
        numbered = sorted(set(number for number in shots if number))
        others = sum(1 for number in shots if not number)
        named = [f"shot{'s' if len(numbered) > 1 else ''} {_listed(numbered)}"] if numbered else []
        named += [f"{others} music take{'s' if others != 1 else ''}"] if others else []
        one = len(numbered) + others == 1
        lines.append(f"The cost of {' and '.join(named)} in {unit_words(unit)} cannot be estimated beforehand, so "
                     f"the budget of {amount_words(budgets[unit])} {unit_words(unit)} cannot guard "
                     f"{'it' if one else 'them'}: {'it is' if one else 'they are'} sent while the budget is not "
                     f"used up, and may take the spending beyond it.")
    return lines


def _listed(numbers: list[int]) -> str:
    words = [str(number) for number in numbers]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
