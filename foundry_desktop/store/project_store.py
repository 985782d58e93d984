"""The project store: a .foundry SQLite file with its undo history inside.

A project is kept as rows: its own, and one per shot, music clip, caption,
marker, character and style (project_rows). Every edit is one transaction that
writes only the rows that differ between the project before and after it
(row_changes) and an undo step that records just those changes (undo_history),
so a crash at any instant leaves either the whole edit or none of it, and undo
still works after a restart or from another command. Undo and redo write a
step's recorded values back and read back only the rows it touched
(project_patch): neither an edit nor its undo costs the size of the project.
Edits can be grouped (begin/commit/rollback) into one transaction and one undo
step, in the manner of Pitivi's UndoableActionLog.

Writers and the lock (see project_file). A command holds the project's lock from
open to close. The window, which stays open for hours beside commands run in a
terminal, takes it only for each write (and for a whole generation run), so a
command can edit the project between the window's edits; it never waits for it
(its GUI thread must not freeze), so an edit while a command holds the project is
refused at once, naming the command, and stays undone. An edit is the
difference between the project in memory and the one wanted, so before it
writes, the window checks (PRAGMA data_version, under the lock) that no one
else has written since it last read the file; if someone has, the edit is
refused and the window reads the project again (it also looks whenever it is
brought to the front, and on a light timer, so this is rare; it reads in a worker
thread, on a connection of its own: read_if_changed_elsewhere). Records of work
(a job's state, a take) are written by row and need only the lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, update

from foundry_desktop.domain.project import Project, Shot
from foundry_desktop.errors import ProjectChangedElsewhereError, ProjectOpenError
from foundry_desktop.store import cancel_requests, project_patch, undo_history
from foundry_desktop.store.media_cache import MediaCache
from foundry_desktop.store.media_references import referenced_hashes
from foundry_desktop.store.project_file import (
    LOCK_WAIT_S,
    OpenFile,
    StoreWriteError,
    create_file,
    damage_refused,
    open_file,
    snapshot_on_its_own,
    take_writer_lock,
    write_errors,
)
from foundry_desktop.store.project_lock import ConnectionGate
from foundry_desktop.store.project_rows import load_project
from foundry_desktop.store.row_changes import RowChange, diff_projects, write_changes, write_new_rows
from foundry_desktop.store.schema import shots_table
from foundry_desktop.store.undo_history import UNDO_HISTORY_LIMIT
from foundry_desktop.store.work_records import WorkRecords, budget_change

__all__ = ["PROJECT_SUFFIX", "UNDO_HISTORY_LIMIT", "FileRead", "ProjectStore", "StoreWriteError", "Travel",
           "media_folder_for"]

PROJECT_SUFFIX = ".foundry"

# Given the project as an undo/redo left it and the shots whose fingerprints it may have
# changed, which take each of those shots should now show (shot id -> take id).
Reselect = Callable[[Project, list[Shot]], dict[str, str]]


def media_folder_for(path: Path) -> Path:
    """Media lives beside the project (`film.foundry` -> `film.media/`), so the pair moves together."""
    return path.with_name(path.stem + ".media")


@dataclass(frozen=True)
class Travel:
    """An undo or redo done: the step's label and the project as it left it."""

    label: str
    project: Project


@dataclass(frozen=True)
class FileRead:
    """The project as the file held it when another process had changed it (read_if_changed_elsewhere)."""

    project: Project
    version: int  # the file's data_version, read before the project: at most as new as it


class ProjectStore(WorkRecords):
    """One open project file, used from the window's GUI thread and its workers, one at a time
    (the gate), and closed once none is using it."""

    def __init__(self, path: Path, opened: OpenFile, read_only: bool):
        self.path = path
        self.read_only = read_only
        self.media = MediaCache(media_folder_for(path))
        self._file = opened
        self._group: tuple[Connection, int, int] | None = None  # connection, step id, depth
        # One SQLite connection serves every thread (the GUI's, and workers rendering or probing):
        # one transaction at a time, or two BEGINs on it collide. A group holds it throughout.
        self._serial = ConnectionGate(path.name)
        # The window's way (lock per write): the file's data_version when this process last read it.
        self._per_write = opened.lock is not None and not opened.lock.held
        self._seen_version: int | None = None

    # -- opening and closing -------------------------------------------------

    @classmethod
    def create(cls, path: Path, project: Project) -> ProjectStore:
        """Create a new project file. It appears complete or not at all."""
        path = Path(path)
        create_file(path, lambda conn: write_new_rows(conn, project))
        return cls.open(path)

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False, lock_wait_s: float = LOCK_WAIT_S,
             lock_per_write: bool = False) -> ProjectStore:
        """`lock_per_write`: take the writer's lock for each write, not from open to close (the window),
        never waiting for it then (`lock_wait_s` is for the open)."""
        path = Path(path)
        return cls(path, open_file(path, read_only=read_only, lock_wait_s=lock_wait_s,
                                   hold_lock=not lock_per_write), read_only)

    def close(self) -> bool:
        """Close the file: now (True) unless another thread is reading or writing it, which then
        closes it as it finishes (False). Never waits; from now on other threads are refused."""
        return self._serial.close(self._close_now)

    @property
    def closed(self) -> bool:
        """Closed, or closing as soon as the thread using it finishes."""
        return self._serial.closed

    def _close_now(self) -> None:
        if self._group is not None:  # this thread's own: another's ended before its thread closed it
            self.rollback_group()
        self._file.close()

    def __enter__(self) -> ProjectStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- reading -------------------------------------------------------------

    def load(self) -> Project:
        """The whole project, read from the file (opening it; the open project then follows each edit)."""
        with damage_refused(self.path), self._reading() as conn:
            # Read first: a write between the two reads only makes changed_elsewhere() say so once more.
            self._seen_version = self._data_version()
            return load_project(conn)

    def media_references(self) -> set[str]:
        """The content hash of every media file the project or its undo history still names."""
        with self._reading() as conn:
            return referenced_hashes(conn)

    def changed_elsewhere(self) -> bool:
        """Whether another process (a command, another window) has written to the file since
        this one last read it with load()."""
        return self._seen_version is not None and self._data_version() != self._seen_version

    def read_if_changed_elsewhere(self) -> FileRead | None:
        """load()'s way for a worker thread, when another process has written since this one last
        read (None when no one has). The project is read on a connection of its own, so the window's
        edits and reads on the shared one never wait for it; take_read() makes it the one seen."""
        seen = self._seen_version
        version = self._data_version()
        if seen is None or version == seen:
            return None
        with damage_refused(self.path), write_errors(self.path), snapshot_on_its_own(self.path) as conn:
            return FileRead(load_project(conn), version)

    def take_read(self, read: FileRead) -> None:
        """The project of `read` is the open one now: changed_elsewhere() compares with its version."""
        self._seen_version = read.version

    @contextlib.contextmanager
    def holding_lock(self) -> Iterator[None]:
        """Hold the writer's lock throughout (a generation run in the window), so no command
        edits between its writes. A no-op where it is held from open to close."""
        if not self._per_write:
            yield
            return
        with self._serial:  # refused once closed; never taken beside a worker's take or release
            self._take_lock()
        try:
            yield
        finally:
            self._unlock_after_write()  # let go of by closing, where the project closed meanwhile

    def cancel_requests(self) -> set[str]:
        """Job ids another process asked to cancel (cancel_requests.EVERY_JOB: all unfinished)."""
        with self._reading() as conn:
            return cancel_requests.pending(conn)

    def forget_cancel_requests(self, job_ids: set[str]) -> None:
        """The requests acted on: their asker sees them go."""
        with self._transaction() as conn:
            cancel_requests.acted_on(conn, job_ids)

    def undo_label(self) -> str | None:
        with self._reading() as conn:
            step = undo_history.next_step(conn, undone=False)
        return step.label if step else None

    def redo_label(self) -> str | None:
        with self._reading() as conn:
            step = undo_history.next_step(conn, undone=True)
        return step.label if step else None

    def forget_history(self) -> None:
        """Empty the undo history (a project a builder laid out begins where the builder left it)."""
        self._require_writable()
        if self._group is not None:
            raise RuntimeError("forget_history inside a group: the group's own step would go with it")
        with self._transaction() as conn:
            undo_history.forget_all(conn)

    # -- edits (undoable) ----------------------------------------------------

    def commit_edit(self, before: Project, after: Project, label: str) -> None:
        """Persist the change from `before` (the project as the file holds it) to `after` as one
        undoable step, or as part of the open group's step. Only the rows that differ are written
        (see row_changes), and the step records just those."""
        changes = diff_projects(before, after)
        if not changes:
            return
        with self._transaction(fresh=True) as conn:
            self._record(conn, changes, label)

    def set_budget(self, unit: str, amount: float | None, label: str) -> None:
        """Cap spending in `unit` at `amount` (None lifts the cap) as an undoable step of its own (or
        part of the open group's): an undo after it takes it back, not an earlier edit."""
        self._require_writable()
        with self._transaction(fresh=True) as conn:
            change = budget_change(conn, unit, amount)
            if change is not None:
                self._record(conn, [change], label)

    def in_group(self) -> bool:
        return self._group is not None

    def begin_group(self, label: str) -> None:
        """Start (or nest into) a group: every edit until commit_group is one undo step."""
        self._require_writable()
        self._serial.enter()  # once per begin_group, left once per commit or rollback
        if self._group is not None:
            conn, step_id, depth = self._group
            self._group = (conn, step_id, depth + 1)
            return
        try:
            self._lock_for_write(fresh=True)
            try:
                conn = self._file.engine.connect()
                conn.begin()
                try:
                    step_id = self._new_step(conn, label)
                except BaseException:
                    conn.rollback()
                    conn.close()
                    raise
            except BaseException:
                self._unlock_after_write()
                raise
        except BaseException:
            self._serial.leave()
            raise
        self._group = (conn, step_id, 1)

    def commit_group(self) -> None:
        if self._group is None:
            raise RuntimeError("commit_group without begin_group")
        conn, step_id, depth = self._group
        if depth > 1:
            self._group = (conn, step_id, depth - 1)
            self._serial.leave()
            return
        self._group = None
        try:
            with write_errors(self.path):
                undo_history.drop_if_empty(conn, step_id)
                conn.commit()
        finally:
            conn.close()
            self._unlock_after_write()
            self._serial.leave()

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
            self._unlock_after_write()
            for _ in range(depth):
                self._serial.leave()

    @contextlib.contextmanager
    def group(self, label: str) -> Iterator[None]:
        self.begin_group(label)
        try:
            yield
        except BaseException:
            self.rollback_group()
            raise
        self.commit_group()

    def undo(self, project: Project | None = None, reselect: Reselect | None = None) -> Travel | None:
        """Reverse the latest step; None when there is nothing to undo. `project` is the open
        project, which matches the file (read from it when not given); the Travel holds it as the
        undo left it, with just the rows the step touched read back."""
        return self._travel(project, undone=False, reselect=reselect)

    def redo(self, project: Project | None = None, reselect: Reselect | None = None) -> Travel | None:
        return self._travel(project, undone=True, reselect=reselect)

    # -- internals -----------------------------------------------------------

    def _require_writable(self) -> None:
        if self.read_only:
            raise ProjectOpenError(f"{self.path.name} is open read-only.")

    @contextlib.contextmanager
    def _transaction(self, *, fresh: bool = False) -> Iterator[Connection]:
        """A write. Inside a group: the group's transaction. Otherwise: a new one, committed at the
        end, under the writer's lock. `fresh`: the write is a difference from the project in
        memory, so it must not be older than the file."""
        with self._serial:
            if self._group is not None:
                with write_errors(self.path):
                    yield self._group[0]
                return
            self._lock_for_write(fresh=fresh)
            try:
                with write_errors(self.path), self._file.engine.begin() as conn:
                    yield conn
            finally:
                self._unlock_after_write()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A read: one snapshot of the file, needing no lock (or the open group's, to see its writes)."""
        with self._serial:
            if self._group is not None:
                yield self._group[0]
                return
            with write_errors(self.path), self._file.reader.begin() as conn:
                yield conn

    def _data_version(self) -> int:
        with self._serial:
            return self._file.raw.execute("PRAGMA data_version").fetchone()[0]

    def _take_lock(self) -> None:
        assert self._file.lock is not None
        # Never waiting: the window writes on its GUI thread, which must not freeze behind a command. Where
        # one holds the project the edit is refused at once in words naming it, and stays undone.
        take_writer_lock(self.path, 0, self._file.lock)  # re-entrant: ours already is counted

    def _lock_for_write(self, *, fresh: bool) -> None:
        if not self._per_write:
            return
        self._take_lock()
        if fresh and self.changed_elsewhere():
            self._unlock_after_write()
            raise ProjectChangedElsewhereError(
                f"{self.path.name} was changed by another Foundry command since this window read it; "
                "the window reads it again: do that once more."
            )

    def _unlock_after_write(self) -> None:
        lock = self._file.lock  # None once closed (closing let go of it)
        if self._per_write and lock is not None:
            lock.release()

    def _record(self, conn: Connection, changes: list[RowChange], label: str) -> None:
        """Make `changes` in the file and keep them as one undo step (or in the open group's)."""
        step_id = self._group[1] if self._group else self._new_step(conn, label)
        write_changes(conn, changes)
        undo_history.record(conn, step_id, changes)

    def _new_step(self, conn: Connection, label: str) -> int:
        self._require_writable()
        return undo_history.new_step(conn, label)

    def _travel(self, project: Project | None, *, undone: bool, reselect: Reselect | None) -> Travel | None:
        self._require_writable()
        if self._group is not None:
            raise RuntimeError("cannot undo or redo inside an edit group")
        with self._transaction(fresh=True) as conn:
            step = undo_history.next_step(conn, undone=undone)
            if step is None:
                return None
            if project is None:
                project = load_project(conn)
            changes = undo_history.changes_of(conn, step.id)
            # An undone removal brings its shots back showing the takes they showed: no reselection.
            changes, restored = undo_history.restoring(conn, changes) if not undone else (changes, set())
            touched = project_patch.touched_rows(changes)
            positions = project_patch.positions(conn, touched)
            write_changes(conn, changes, undo=not undone)
            undo_history.mark(conn, step.id, undone=not undone)
            return Travel(step.label, self._patched(conn, project, touched, positions, reselect, restored))

    def _patched(
        self, conn: Connection, project: Project, touched: project_patch.Touched,
        positions: project_patch.Positions, reselect: Reselect | None, restored: set[str],
    ) -> Project:
        """The open project as the step left it, its rewritten shots showing the takes that match them
        (the `restored` ones showing the takes they showed when they were removed, with all their takes)."""
        try:
            result = project_patch.patched(conn, project, touched, positions)
            project, shots = result.project, project_patch.shots_to_reselect(result, touched)
            project = project_patch.with_takes_from_file(conn, project, restored)
        except project_patch.OutOfStep:
            # The open project did not match the file (it always should): take the file's word for all of it.
            project = load_project(conn)
            shots = list(project.timeline.shots)
        shots = [shot for shot in shots if shot.id not in restored]
        if reselect is None or not shots:
            return project
        project = project_patch.with_takes_from_file(conn, project, [shot.id for shot in shots])
        selections = reselect(project, shots)
        if not selections:
            return project
        for shot_id, take_id in selections.items():
            conn.execute(update(shots_table).where(shots_table.c.id == shot_id).values(selected_take_id=take_id))
        selected: project_patch.Touched = {"shots": dict.fromkeys(selections, True)}
        return project_patch.patched(conn, project, selected, project_patch.positions(conn, selected)).project
