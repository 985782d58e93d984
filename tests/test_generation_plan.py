"""What `generate` plans before it runs anything: which jobs, in which order."""

from __future__ import annotations

from foundry_desktop.app.generation.plan import plan_generation
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.fingerprint import generation_spec, shot_fingerprint
from foundry_desktop.domain.generation_job import GenerationJob


def test_jobs_start_sent_ones_first_then_by_priority_then_oldest(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=160, height=90, frame_rate="24") as service:
        shots = [service.add_shot(prompt=f"shot {n}", duration_seconds="1", seed=n) for n in range(5)]
        film = service.project

        def job(shot, created, **fields) -> GenerationJob:
            return GenerationJob(shot_id=shot.id, fingerprint=shot_fingerprint(shot, film), backend="builtin",
                                 spec=generation_spec(shot, film), created_at=created, updated_at=created, **fields)

        service.add_jobs([
            job(shots[0], "2026-11-25T10:00:00"),
            job(shots[1], "2026-11-25T10:01:00", priority=5),
            job(shots[2], "2026-11-25T10:02:00", state="submitted", server="s", remote_id="r"),
            job(shots[3], "2026-11-25T09:00:00", priority=5),
        ])
        plan = plan_generation(service, priority=9)  # shot 5 has no job yet: a new one, at priority 9
        numbers = {shot.id: number for number, shot in enumerate(shots, start=1)}
        order = [numbers[job.shot_id] for job in plan.jobs]
    assert order == [3, 5, 4, 2, 1]  # sent; priority 9; priority 5, older first; priority 0
