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

from foundry_desktop.domain.cost import Cost, CostLedger
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
