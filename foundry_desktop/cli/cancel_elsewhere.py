"""`foundry cancel` while another process (a `generate`, the window) holds the project: the
request goes into the project file, and the command waits until that process has acted on it."""

from __future__ import annotations

import time

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.generation_job import UNFINISHED
from foundry_desktop.errors import FoundryError, InvalidEditError

# The running process looks a few times a second; taking prompts off a slow server can take a while.
ANSWER_WAIT_S = 60.0
_LOOK_S = 0.1


def cancel_elsewhere(service: ProjectService, job_id: str | None) -> int:
    """Ask the holder to cancel one unfinished job (by id or id prefix) or all; how many it cancelled.
    `service` is the project open read-only here."""
    jobs = [job for job in service.jobs(UNFINISHED) if job_id is None or job.id.startswith(job_id)]
    if job_id is not None and len(jobs) != 1:
        raise InvalidEditError(f"No unfinished job {job_id}." if not jobs else f"{job_id} names several jobs; give more of the id.")
    if not jobs:
        return 0
    service.ask_runner_to_cancel(None if job_id is None else [jobs[0].id])
    asked = {job.id for job in jobs}
    deadline = time.monotonic() + ANSWER_WAIT_S
    while True:
        states = {job.id: job.state for job in service.jobs() if job.id in asked}
        if not service.cancel_requests() and not any(state in UNFINISHED for state in states.values()):
            return sum(1 for state in states.values() if state == "cancelled")
        if time.monotonic() > deadline:
            raise FoundryError(
                f"{service.path.name} is open in another Foundry window or command that has not acted on the "
                "cancel yet; it will when it next runs its jobs (see `foundry jobs`)."
            )
        time.sleep(_LOOK_S)
