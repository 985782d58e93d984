"""What generation costs, in each service's own unit, and the project's budget per unit.

Services price differently: Runway in credits per second of video, Stability
in credits per picture, Replicate in seconds of the hardware a model runs on,
an OpenAI-compatible gateway per second of video made, a ComfyUI server in
seconds of its GPU. There is no honest rate between them, so costs are kept,
added up and capped per unit, never across units.
"""

from __future__ import annotations

from dataclasses import dataclass

# Unit id (kept in the project file, typed on the command line) -> how a creator reads it.
COST_UNITS: dict[str, str] = {
    "runway-credits": "Runway credits",
    "stability-credits": "Stability credits",
    "replicate-seconds": "Replicate seconds",
    "video-seconds": "seconds of video",
    "gpu-seconds": "GPU seconds",
    "usd": "US dollars",
}


def unit_words(unit: str) -> str:
    return COST_UNITS.get(unit, unit)


def amount_words(amount: float) -> str:
    """12, 6.5, 0.25, 1,234.5: as few digits as say it."""
    return f"{amount:,.2f}".rstrip("0").rstrip(".") if amount % 1 else f"{amount:,.0f}"


@dataclass(frozen=True)
class Cost:
    amount: float
    unit: str

    def __str__(self) -> str:
        return f"{amount_words(self.amount)} {unit_words(self.unit)}"


@dataclass(frozen=True)
class Overrun:
    """Why a job may not start: the unit's cap, and what is spent, running, and asked."""

    unit: str
    cap: float
    spent: float
    running: float
    asked: float | None  # None: the job's cost is not known beforehand

    def words(self) -> str:
        unit = unit_words(self.unit)
        committed = self.spent + self.running
        ask = f"this shot about {amount_words(self.asked)} more" if self.asked is not None else "this shot more"
        running = f", {amount_words(self.running)} on their way" if self.running else ""
        return (f"the project's budget is {amount_words(self.cap)} {unit}: {amount_words(self.spent)} are spent"
                f"{running}, and {ask} would bring it to "
                f"{amount_words(committed + (self.asked or 0))}{'' if self.asked is not None else ' or beyond'}")


class CostLedger:
    """Spending per unit against the caps, for one run of jobs: what is spent already, what
    jobs of this run have been allowed (reserved at their estimate), and what they cost."""

    def __init__(self, caps: dict[str, float], spent: dict[str, float]) -> None:
        self.caps = dict(caps)
        self.spent = dict(spent)
        self._reserved: dict[str, Cost] = {}  # job id -> its estimate (or zero of its unit)

    def running(self, unit: str) -> float:
        return sum(cost.amount for cost in self._reserved.values() if cost.unit == unit)

    def reserve(self, job_id: str, unit: str | None, estimate: float | None) -> Overrun | None:
        """Allow the job, holding its estimate against the cap, or say why not. A job of unknown
        cost is allowed while its unit is under the cap (the first run of a workflow, say)."""
        if unit is None:
            return None  # free (built-in generation, media files)
        cap = self.caps.get(unit)
        spent, running = self.spent.get(unit, 0.0), self.running(unit)
        if cap is not None:
            total = spent + running + (estimate or 0.0)
            if total > cap or (estimate is None and spent + running >= cap):
                return Overrun(unit, cap, spent, running, estimate)
        self._reserved[job_id] = Cost(estimate or 0.0, unit)
        return None

    def hold(self, job_id: str, unit: str | None, estimate: float | None) -> None:
        """Hold a job that is paid for already (sent by an earlier run), whatever the cap."""
        if unit is not None:
            self._reserved[job_id] = Cost(estimate or 0.0, unit)

    def settle(self, job_id: str, actual: Cost | None) -> None:
        """The job is done: its actual cost (or its estimate, when the service says none) is spent."""
        reserved = self._reserved.pop(job_id, None)
        paid = actual if actual is not None else reserved
        if paid is not None:
            self.spent[paid.unit] = self.spent.get(paid.unit, 0.0) + paid.amount

    def release(self, job_id: str) -> None:
        """The job ended without a take: what it held is free again."""
        self._reserved.pop(job_id, None)
