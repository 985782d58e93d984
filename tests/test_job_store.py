"""Generation jobs are kept in the project file, so a restart finds them all."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from foundry_desktop.domain.generation_job import UNFINISHED, GenerationJob
from foundry_desktop.domain.project import Project
from foundry_desktop.store.project_store import ProjectStore


def job(shot: str, *, priority: int = 0, created: str = "2026-11-25T10:00:00", **changes) -> GenerationJob:
    return GenerationJob(
        shot_id=shot, fingerprint=f"fp-{shot}", backend="comfyui", spec={"prompt": shot, "seed": 1},
        priority=priority, created_at=created, updated_at=created, **changes,
    )


def test_jobs_survive_a_reopen_in_priority_then_age_order(tmp_path):
    path = tmp_path / "film.foundry"
    with ProjectStore.create(path, Project(name="Film")) as store:
        store.add_jobs([job("late", created="2026-11-25T10:05:00")])
        store.add_jobs([job("early")])
        store.add_jobs([job("urgent", priority=5, created="2026-11-25T10:09:00")])
        submitted = store.jobs()[1].model_copy(update={"state": "submitted", "server": "gpu-1", "remote_id": "p-1"})
        saved = store.save_job(submitted)
        assert saved.updated_at > submitted.updated_at
    with ProjectStore.open(path) as store:
        assert [j.shot_id for j in store.jobs()] == ["urgent", "early", "late"]
        early = next(j for j in store.jobs() if j.shot_id == "early")
        assert (early.state, early.server, early.remote_id, early.spec) == ("submitted", "gpu-1", "p-1", {"prompt": "early", "seed": 1})
        store.save_job(early.model_copy(update={"state": "done", "take_id": "t-1", "progress": 1.0}))
        assert [j.shot_id for j in store.jobs(UNFINISHED)] == ["urgent", "late"]
        assert [j.shot_id for j in store.jobs(("done",))] == ["early"]


def test_a_job_refuses_impossible_values():
    with pytest.raises(ValidationError):
        job("x", state="sleeping")
    with pytest.raises(ValidationError):
        job("x", progress=1.5)
    assert job("x", state="failed").finished and not job("x", state="submitted").finished
