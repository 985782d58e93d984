"""The project store: a .foundry SQLite file with its undo history inside.

Every edit is one transaction that writes the changed rows and the undo step
that reverses them, so a crash at any instant leaves either the whole edit or
none of it, and undo still works after a restart or from another command.
Edits can be grouped (begin/commit/rollback) into one transaction and one undo
step, in the manner of Pitivi's UndoableActionLog.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import filelock
from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool

from foundry_desktop.domain.generation_job import GenerationJob, JobState
from foundry_desktop.domain.project import Project, Take
from foundry_desktop.domain.status import GenerationState
from foundry_desktop.errors import FoundryError, ProjectLockedError, ProjectOpenError
from foundry_desktop.store import job_rows, migrations
from foundry_desktop.store.media_cache import MediaCache
from foundry_desktop.store.project_file import connect_sqlite, inspect_project_file
from foundry_desktop.store.project_rows import (
    Row,
    diff_rows,
    load_project,
    take_row,
    undoable_rows,
)
from foundry_desktop.store.schema import (
    budgets_table,
    metadata,
    project_settings_table,
    shot_generation_table,
    shots_table,
    takes_table,
    undo_changes_table,
    undo_steps_table,
)

PROJECT_SUFFIX = ".foundry"
UNDO_HISTORY_LIMIT = 500

# Given the project as an undo/redo left it, which take each shot should now show.
Reselect = Callable[[Project], dict[str, str]]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def media_folder_for(path: Path) -> Path:
    """Media lives beside the project (`film.foundry` -> `film.media/`), so the pair moves together."""
    return path.with_name(path.stem + ".media")


class StoreWriteError(FoundryError):
    """A write to the project file failed (disk full, file removed, ...)."""


@contextlib.contextmanager
def _write_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        original = exc.orig
        if isinstance(original, sqlite3.OperationalError) and "full" in str(original).lower():
            raise StoreWriteError(
                f"The disk holding {path.name} is full; the last change was not saved. "
                "Free some space and try again."
            ) from None
        raise StoreWriteError(f"Could not save to {path.name}: {original}.") from None


class ProjectStore:
    """One open project file. Not thread-safe: the app calls it from one thread."""

    def __init__(
        self,
        path: Path,
        raw: sqlite3.Connection,
        engine: Engine,
        lock: filelock.BaseFileLock | None,
        read_only: bool,
    ):
        self.path = path
        self.read_only = read_only
        self.media = MediaCache(media_folder_for(path))
        self._raw = raw
        self._engine = engine
        self._lock = lock
        self._group: tuple[Connection, int, int] | None = None  # connection, step id, depth
        # One SQLite connection serves every thread (the GUI's, and workers rendering or probing):
        # one transaction at a time, or two BEGINs on it collide. A group holds it throughout.
        self._serial = threading.RLock()

    # -- opening and closing -------------------------------------------------

    @classmethod
    def create(cls, path: Path, project: Project) -> ProjectStore:
        """Create a new project file. It appears complete or not at all."""
        path = Path(path)
        if path.exists():
            raise ProjectOpenError(f"{path.name} already exists; choose another name or open it.")
        if not path.parent.is_dir():
            raise ProjectOpenError(f"The folder {path.parent} does not exist.")
        partial = path.with_name(f".{path.name}.creating")
        partial.unlink(missing_ok=True)
        try:
            raw = sqlite3.connect(partial, isolation_level=None)
            engine = create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool)
            _install_begin_hook(engine)
            with engine.connect() as conn:
                migrations.migrate(conn, 0)
                with conn.begin():
                    for table_name, by_id in undoable_rows(project).items():
                        for row_id, values in by_id.items():
                            _write_row(conn, table_name, row_id, values)
            engine.dispose()
            raw.close()
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ProjectOpenError(f"Could not create {path.name}: {exc.strerror or exc}.") from None
        except sqlite3.Error as exc:
            partial.unlink(missing_ok=True)
            raise ProjectOpenError(f"Could not create {path.name}: {exc}.") from None
        return cls.open(path)

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> ProjectStore:
        path = Path(path)
        info = inspect_project_file(path)
        lock = None
        if not read_only:
            lock = filelock.FileLock(str(path) + ".lock", timeout=0)
            try:
                lock.acquire()
            except filelock.Timeout:
                raise ProjectLockedError(
                    f"{path.name} is open in another Foundry window or command; close it there first."
                ) from None
            except OSError as exc:
                raise ProjectOpenError(f"Cannot open {path.name} for editing: {exc.strerror or exc}.") from None
        try:
            raw = connect_sqlite(path, read_only=read_only)
            engine = create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool)
            _install_begin_hook(engine, immediate=not read_only)
            if not read_only and info.schema_version < migrations.latest_version():
                _backup_before_migration(raw, path, info.schema_version)
                with engine.connect() as conn:
                    migrations.migrate(conn, info.schema_version)
        except (sqlite3.Error, DBAPIError) as exc:
            if lock is not None:
                lock.release()
            raise ProjectOpenError(f"{path.name} cannot be opened: {exc}.") from None
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        if read_only and info.schema_version < migrations.latest_version():
            engine.dispose()
            raw.close()
            raise ProjectOpenError(
                f"{path.name} is in an older project format; open it for editing once to upgrade it."
            )
        return cls(path, raw, engine, lock, read_only)

    def close(self) -> None:
        if self._group is not None:
            self.rollback_group()
        self._engine.dispose()
        # StaticPool keeps the raw connection alive: close it so SQLite checkpoints the WAL.
        self._raw.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> ProjectStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- reading -------------------------------------------------------------

    def load(self) -> Project:
        with self._transaction() as conn:
            return load_project(conn)

    def generation_states(self) -> dict[str, GenerationState]:
        with self._transaction() as conn:
            rows = conn.execute(select(shot_generation_table)).mappings()
            return {
                row["shot_id"]: GenerationState(row["state"], row["fingerprint"], row["message"])
                for row in rows
            }

    def undo_label(self) -> str | None:
        step = self._next_step(undone=False)
        return step[1] if step else None

    def redo_label(self) -> str | None:
        step = self._next_step(undone=True)
        return step[1] if step else None

    # -- edits (undoable) ----------------------------------------------------

    def commit_edit(self, before: Project, after: Project, label: str) -> None:
        """Persist the change from `before` to `after` as one undoable step."""
        changes = diff_rows(undoable_rows(before), undoable_rows(after))
        if not changes:
            return
        with self._transaction() as conn:
            step_id = self._group[1] if self._group else self._new_step(conn, label)
            first_seq = conn.execute(
                select(undo_changes_table.c.seq)
                .where(undo_changes_table.c.step_id == step_id)
                .order_by(undo_changes_table.c.seq.desc())
                .limit(1)
            ).scalar()
            seq = 0 if first_seq is None else first_seq + 1
            for table, row_id, old, new in changes:
                _write_row(conn, table, row_id, new)
                conn.execute(
                    insert(undo_changes_table).values(
                        step_id=step_id,
                        seq=seq,
                        table_name=table,
                        row_id=row_id,
                        before_json=None if old is None else json.dumps(old),
                        after_json=None if new is None else json.dumps(new),
                    )
                )
                seq += 1

    def begin_group(self, label: str) -> None:
        """Start (or nest into) a group: every edit until commit_group is one undo step."""
        self._require_writable()
        self._serial.acquire()  # once per begin_group, released once per commit or rollback
        if self._group is not None:
            conn, step_id, depth = self._group
            self._group = (conn, step_id, depth + 1)
            return
        try:
            conn = self._engine.connect()
            conn.begin()
            try:
                step_id = self._new_step(conn, label)
            except BaseException:
                conn.rollback()
                conn.close()
                raise
        except BaseException:
            self._serial.release()
            raise
        self._group = (conn, step_id, 1)

    def commit_group(self) -> None:
        if self._group is None:
            raise RuntimeError("commit_group without begin_group")
        conn, step_id, depth = self._group
        if depth > 1:
            self._group = (conn, step_id, depth - 1)
            self._serial.release()
            return
        self._group = None
        try:
            with _write_errors(self.path):
                has_changes = conn.execute(
                    select(undo_changes_table.c.seq).where(undo_changes_table.c.step_id == step_id).limit(1)
                ).first()
                if has_changes is None:
                    conn.execute(delete(undo_steps_table).where(undo_steps_table.c.id == step_id))
                conn.commit()
        finally:
            conn.close()
            self._serial.release()

    def rollback_group(self) -> None:
        """Drop the whole group, however deep (the outer levels find it gone)."""
        if self._group is None:
            return
        conn, _, depth = self._group
        self._group = None
        try:
            conn.rollback()
            conn.close()
        finally:
            for _ in range(depth):
                self._serial.release()

    @contextlib.contextmanager
    def group(self, label: str) -> Iterator[None]:
        self.begin_group(label)
        try:
            yield
        except BaseException:
            self.rollback_group()
            raise
        self.commit_group()

    def undo(self, reselect: Reselect | None = None) -> str | None:
        """Reverse the latest step; returns its label, or None when there is nothing to undo."""
        return self._travel(undone=False, reselect=reselect)

    def redo(self, reselect: Reselect | None = None) -> str | None:
        return self._travel(undone=True, reselect=reselect)

    # -- work records (not undoable) -----------------------------------------

    def add_take(self, take: Take, *, select_it: bool) -> None:
        with self._transaction() as conn:
            _insert_take(conn, take, select_it)

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
        saved = job.model_copy(update={"updated_at": _now()})
        with self._transaction() as conn:
            job_rows.update_job(conn, saved)
        return saved

    def save_job_and_state(self, job: GenerationJob, state: GenerationState | None) -> GenerationJob:
        """The job's new state and its shot's generation mark (None: no mark), in one transaction."""
        saved = job.model_copy(update={"updated_at": _now()})
        with self._transaction() as conn:
            job_rows.update_job(conn, saved)
            _write_generation_state(conn, job.shot_id, state)
        return saved

    def finish_job(self, job: GenerationJob, take: Take, *, select_it: bool) -> GenerationJob:
        """A job's take, the job done and its shot's mark cleared, all or nothing."""
        saved = job.model_copy(update={"state": "done", "progress": 1.0, "take_id": take.id, "updated_at": _now()})
        with self._transaction() as conn:
            _insert_take(conn, take, select_it)
            job_rows.update_job(conn, saved)
            _write_generation_state(conn, job.shot_id, None)
        return saved

    def jobs(self, states: tuple[JobState, ...] | None = None) -> list[GenerationJob]:
        """The project's jobs (or those in `states`), highest priority first, then oldest."""
        with self._transaction() as conn:
            return job_rows.load_jobs(conn, states)

    def budgets(self) -> dict[str, float]:
        """The spending cap per cost unit (units without one are not capped)."""
        with self._transaction() as conn:
            return {row.unit: row.amount for row in conn.execute(select(budgets_table))}

    def set_budget(self, unit: str, amount: float | None) -> None:
        """Cap spending in `unit` at `amount`; None lifts the cap."""
        self._require_writable()
        with self._transaction() as conn:
            conn.execute(delete(budgets_table).where(budgets_table.c.unit == unit))
            if amount is not None:
                conn.execute(insert(budgets_table).values(unit=unit, amount=amount))

    def setting(self, name: str) -> Any:
        """A project setting's value (JSON-shaped), None when the project has none."""
        with self._transaction() as conn:
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

    # -- internals -----------------------------------------------------------

    def _require_writable(self) -> None:
        if self.read_only:
            raise ProjectOpenError(f"{self.path.name} is open read-only.")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """Inside a group: the group's transaction. Otherwise: a new one, committed at the end."""
        with self._serial:
            if self._group is not None:
                with _write_errors(self.path):
                    yield self._group[0]
                return
            with _write_errors(self.path), self._engine.begin() as conn:
                yield conn

    def _new_step(self, conn: Connection, label: str) -> int:
        self._require_writable()
        # A new edit ends the redo branch.
        conn.execute(delete(undo_steps_table).where(undo_steps_table.c.undone == 1))
        step_id = conn.execute(
            insert(undo_steps_table).values(label=label, created_at=_now(), undone=0)
        ).inserted_primary_key[0]
        oldest_kept = step_id - UNDO_HISTORY_LIMIT
        conn.execute(delete(undo_steps_table).where(undo_steps_table.c.id <= oldest_kept))
        return step_id

    def _next_step(self, *, undone: bool, conn: Connection | None = None) -> tuple[int, str] | None:
        query = select(undo_steps_table.c.id, undo_steps_table.c.label).where(
            undo_steps_table.c.undone == int(undone)
        )
        # Undo takes the newest done step; redo the oldest undone one.
        query = query.order_by(undo_steps_table.c.id.asc() if undone else undo_steps_table.c.id.desc()).limit(1)
        if conn is not None:
            row = conn.execute(query).first()
        else:
            with self._transaction() as own:
                row = own.execute(query).first()
        return (row[0], row[1]) if row else None

    def _travel(self, *, undone: bool, reselect: Reselect | None) -> str | None:
        self._require_writable()
        if self._group is not None:
            raise RuntimeError("cannot undo or redo inside an edit group")
        with self._transaction() as conn:
            step = self._next_step(undone=undone, conn=conn)
            if step is None:
                return None
            step_id, label = step
            changes = conn.execute(
                select(undo_changes_table)
                .where(undo_changes_table.c.step_id == step_id)
                .order_by(undo_changes_table.c.seq.asc() if undone else undo_changes_table.c.seq.desc())
            ).mappings()
            for change in list(changes):
                target = change["after_json"] if undone else change["before_json"]
                _write_row(conn, change["table_name"], change["row_id"], None if target is None else json.loads(target))
            conn.execute(
                update(undo_steps_table).where(undo_steps_table.c.id == step_id).values(undone=int(not undone))
            )
            if reselect is not None:
                for shot_id, take_id in reselect(load_project(conn)).items():
                    conn.execute(
                        update(shots_table).where(shots_table.c.id == shot_id).values(selected_take_id=take_id)
                    )
            return label


def _install_begin_hook(engine: Engine, *, immediate: bool = True) -> None:
    # pysqlite's own transaction handling skips DDL and defers locks; we run it in
    # autocommit mode and begin ourselves. IMMEDIATE takes the write lock up front.
    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _backup_before_migration(raw: sqlite3.Connection, path: Path, version: int) -> None:
    """Keep a copy of the file as it was, in case a creator needs to go back to an older Foundry."""
    backup_path = path.with_name(f"{path.name}.v{version}.bak")
    if backup_path.exists():
        return
    target = sqlite3.connect(backup_path)
    try:
        raw.backup(target)
    finally:
        target.close()


def _insert_take(conn: Connection, take: Take, select_it: bool) -> None:
    conn.execute(insert(takes_table).values(**take_row(take)))
    if select_it:
        conn.execute(update(shots_table).where(shots_table.c.id == take.shot_id).values(selected_take_id=take.id))


def _write_generation_state(conn: Connection, shot_id: str, state: GenerationState | None) -> None:
    conn.execute(delete(shot_generation_table).where(shot_generation_table.c.shot_id == shot_id))
    if state is not None:
        conn.execute(insert(shot_generation_table).values(
            shot_id=shot_id, state=state.state, fingerprint=state.fingerprint, message=state.message, updated_at=_now(),
        ))


def _write_row(conn: Connection, table_name: str, row_id: str, values: Row | None) -> None:
    table = metadata.tables[table_name]
    if values is None:
        conn.execute(delete(table).where(table.c.id == row_id))
        return
    updated = conn.execute(update(table).where(table.c.id == row_id).values(**values)).rowcount
    if updated == 0:
        conn.execute(insert(table).values(**values))
