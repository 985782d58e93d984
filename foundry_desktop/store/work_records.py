"""The records of work done and of settings in a project file, which undo leaves alone.

Takes, which take a shot shows, generation marks, jobs and the project's own
settings record what happened (a generation finished) or how the creator set
things up, not an edit: undoing an edit must never throw a finished take away.
Each write is one transaction of its own (or part of the open edit group).
Budgets are read here; setting one is an undoable step (ProjectStore.set_budget), since
an undo after it must not skip it and revert an earlier, unrelated edit instead.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from foundry_desktop.domain.generation_job import GenerationJob, JobState
from foundry_desktop.domain.project import Take
from foundry_desktop.domain.status import GenerationState
from foundry_desktop.store import job_rows
from foundry_desktop.store.project_rows import insert_shown_takes, take_row
from foundry_desktop.store.row_changes import RowChange
from foundry_desktop.store.schema import (
    budgets_table,
    project_settings_table,
    shot_generation_table,
    shots_table,
    takes_table,
)
from foundry_desktop.store.undo_history import now


class WorkRecords:
    """The ProjectStore's methods for the records undo leaves alone."""

    def _transaction(self) -> contextlib.AbstractContextManager[Connection]:
        raise NotImplementedError

    def _reading(self) -> contextlib.AbstractContextManager[Connection]:
        raise NotImplementedError

    def _require_writable(self) -> None:
        raise NotImplementedError

    def generation_states(self) -> dict[str, GenerationState]:
        with self._reading() as conn:
            rows = conn.execute(select(shot_generation_table)).mappings()
            return {
                row["shot_id"]: GenerationState(row["state"], row["fingerprint"], row["message"])
                for row in rows
            }

    def add_take(self, take: Take, *, select_it: bool) -> None:
        with self._transaction() as conn:
            _insert_take(conn, take, select_it)

    def add_shown_takes(self, takes: list[Take]) -> None:
        """Record `takes`, each shown in its shot, in one transaction (an imported cut's, all at once)."""
        with self._transaction() as conn:
            insert_shown_takes(conn, takes)

    def select_take(self, shot_id: str, take_id: str | None) -> None:
        with self._transaction() as conn:
            conn.execute(update(shots_table).where(shots_table.c.id == shot_id).values(selected_take_id=take_id))

    def set_generation_states(self, states: dict[str, GenerationState | None]) -> None:
        """Each shot's generation mark (None: no mark), in one transaction."""
        with self._transaction() as conn:
            for shot_id, state in states.items():
                _write_generation_state(conn, shot_id, state)

    def add_jobs(self, jobs: Iterable[GenerationJob]) -> None:
        with self._transaction() as conn:
            for job in jobs:
                job_rows.insert_job(conn, job)

    def save_job(self, job: GenerationJob) -> GenerationJob:
        """Write the job's new state (stamped with the time) and return it as saved."""
        saved = job.model_copy(update={"updated_at": now()})
        with self._transaction() as conn:
            job_rows.update_job(conn, saved)
        return saved

    def save_job_and_state(self, job: GenerationJob, state: GenerationState | None) -> GenerationJob:
        """The job's new state and its shot's generation mark (None: no mark), in one transaction."""
        saved = job.model_copy(update={"updated_at": now()})
        with self._transaction() as conn:
            job_rows.update_job(conn, saved)
            _write_generation_state(conn, job.shot_id, state)
        return saved

    def finish_job(self, job: GenerationJob, take: Take, *, select_it: bool, mark: bool = True) -> GenerationJob:
        """A job's take, the job done and (`mark`: its job marks the shot) its shot's mark cleared,
        all or nothing."""
        saved = job.model_copy(update={"state": "done", "progress": 1.0, "take_id": take.id, "updated_at": now()})
        with self._transaction() as conn:
            _insert_take(conn, take, select_it)
            job_rows.update_job(conn, saved)
            if mark:
                _write_generation_state(conn, job.shot_id, None)
        return saved

    def jobs(self, states: tuple[JobState, ...] | None = None) -> list[GenerationJob]:
        """The project's jobs (or those in `states`), highest priority first, then oldest."""
        with self._reading() as conn:
            return job_rows.load_jobs(conn, states)

    def budgets(self) -> dict[str, float]:
        """The spending cap per cost unit (units without one are not capped)."""
        with self._reading() as conn:
            return {row.unit: row.amount for row in conn.execute(select(budgets_table))}

    def setting(self, name: str) -> Any:
        """A project setting's value (JSON-shaped), None when the project has none."""
        with self._reading() as conn:
            row = conn.execute(select(project_settings_table.c.value_json)
                               .where(project_settings_table.c.name == name)).first()
        return None if row is None else json.loads(row.value_json)

    def set_setting(self, name: str, value: Any) -> None:
        """Set a project setting (JSON-shaped); None removes it."""
        self._require_writable()
        with self._transaction() as conn:
            conn.execute(delete(project_settings_table).where(project_settings_table.c.name == name))
            if value is not None:
                conn.execute(insert(project_settings_table).values(name=name, value_json=json.dumps(value)))

    def clear_generating_states(self) -> None:
        """Forget 'generating' marks left by a process that died mid-generation."""
        with self._transaction() as conn:
            conn.execute(delete(shot_generation_table).where(shot_generation_table.c.state == "generating"))


def budget_change(conn: Connection, unit: str, amount: float | None) -> RowChange | None:
    """Capping `unit` at `amount` (None: lifting its cap) as a row change, for the undo step it is;
    None when the budget is that already."""
    old = conn.execute(select(budgets_table.c.amount).where(budgets_table.c.unit == unit)).scalar()
    if old == amount:
        return None
    before = None if old is None else {"unit": unit, "amount": old}
    after = None if amount is None else {"unit": unit, "amount": amount}
    if before is not None and after is not None:
        before, after = {"amount": old}, {"amount": amount}
    return RowChange("budgets", unit, before, after)


def _insert_take(conn: Connection, take: Take, select_it: bool) -> None:
    conn.execute(insert(takes_table).values(**take_row(take)))
    if select_it:
        conn.execute(update(shots_table).where(shots_table.c.id == take.shot_id).values(selected_take_id=take.id))


def _write_generation_state(conn: Connection, shot_id: str, state: GenerationState | None) -> None:
    conn.execute(delete(shot_generation_table).where(shot_generation_table.c.shot_id == shot_id))
    if state is not None:
        conn.execute(insert(shot_generation_table).values(
            shot_id=shot_id, state=state.state, fingerprint=state.fingerprint, message=state.message, updated_at=now(),
        ))
