"""Generation jobs as rows of the jobs table, and back."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, select, update

from foundry_desktop.domain.generation_job import GenerationJob, JobState
from foundry_desktop.store.schema import jobs_table


def _row(job: GenerationJob) -> dict[str, Any]:
    values = job.model_dump(exclude={"spec"})
    values["spec_json"] = json.dumps(job.spec, sort_keys=True)
    return values


def _job(row: Any) -> GenerationJob:
    values = dict(row)
    values["spec"] = json.loads(values.pop("spec_json"))
    return GenerationJob(**values)


def insert_job(conn: Connection, job: GenerationJob) -> None:
    conn.execute(insert(jobs_table).values(**_row(job)))


def update_job(conn: Connection, job: GenerationJob) -> None:
    conn.execute(update(jobs_table).where(jobs_table.c.id == job.id).values(**_row(job)))


def load_jobs(conn: Connection, states: tuple[JobState, ...] | None = None) -> list[GenerationJob]:
    """Jobs, highest priority first, then oldest first."""
    query = select(jobs_table).order_by(jobs_table.c.priority.desc(), jobs_table.c.created_at, jobs_table.c.id)
    if states is not None:
        query = query.where(jobs_table.c.state.in_(states))
    return [_job(row) for row in conn.execute(query).mappings()]
