"""Creating and opening a .foundry file safely: recognise it, refuse what is not ours,
take the writer's lock, bring an older format up to date (keeping a backup).

Every check runs on a read-only connection before anything can write, so a
file we refuse is left exactly as it was.

Several places at once. The file is in SQLite's WAL journal mode (set by every
writing connection, and kept in the file): a writer appends its transactions to
NAME.foundry-wal while readers go on reading the last committed state, so
`info`, `jobs`, `takes`, `cost` and exports open the file read-only and read
while a `generate` or the window is writing, without any lock of ours and
without waiting. They see whole edits only: an edit, with its undo step, is one
transaction (an edit group one long one), and an undo is another.
Writers take the project's lock (project_lock) for as long as they hold the
project in memory: a command for its run, the window per write (see
ProjectStore). A short edit waits a few seconds for it before it is refused,
and the refusal names the holder. The one thing written without the lock is a
cancel request (cancel_requests), a row of its own that no one holds in memory.

Storage as it is. A project on a read-only disk, in a read-only folder, or on a
full disk (where SQLite cannot make the -shm index a WAL reader needs) is still
read: the reader falls back to opening the file immutable. Editing it then
says why it cannot, in words (read-only, disk full), never "damaged".

A reader leaves the folder as it found it. SQLite makes NAME-wal and NAME-shm
for a WAL reader where there are none (a closed project), but only a connection
that can write removes them, as the last one to close; so where a reader made
them, it closes a writing connection that writes nothing after it, and SQLite
removes them as it would have (never from under another connection: it does so
only with the file to itself).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.pool import StaticPool

from foundry_desktop.errors import FoundryError, ProjectLockedError, ProjectOpenError, ProjectReadOnlyError
from foundry_desktop.store import migrations
from foundry_desktop.store.migrations import latest_version
from foundry_desktop.store.project_lock import LockBusy, ProjectLock
from foundry_desktop.store.storage_words import can_be_written, storage_problem
from foundry_desktop.store.schema import APPLICATION_ID, metadata

SQLITE_HEADER = b"SQLite format 3\x00"


# How long a writer waits for another's lock before it is refused: a one-line edit of another
# command, or the window's, is over well within it; a generate or a long edit group is not.
LOCK_WAIT_S = 5.0


def connect_sqlite(path: Path, *, read_only: bool, immutable: bool = False) -> sqlite3.Connection:
    """A raw connection in autocommit mode; SQLAlchemy's begin hook issues BEGIN itself.
    `immutable`: a read-only one that takes no locks and needs no -shm file (storage that
    cannot be written); it must only be used when no one can be writing."""
    mode = "ro" if read_only else "rw"
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}{'&immutable=1' if immutable else ''}",
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        timeout=5.0,
    )
    conn.execute("PRAGMA foreign_keys = ON")
    if not read_only:
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL makes each commit durable across power loss, not only process death.
        conn.execute("PRAGMA synchronous = FULL")
    return conn


def connect_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection, immutable where the storage cannot give SQLite the -shm file a
    WAL reader needs (a read-only disk or folder, a full disk); no one can be writing there."""
    try:
        conn = connect_sqlite(path, read_only=True)
        try:
            conn.execute("PRAGMA schema_version").fetchone()  # the first read opens the WAL index
        except BaseException:
            conn.close()
            raise
        return conn
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise
        return connect_sqlite(path, read_only=True, immutable=True)


def wal_files_present(path: Path) -> bool:
    """Whether NAME-wal or NAME-shm is beside the file (a writer has it open, or one died)."""
    return any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-shm"))


def close_reader(conn: sqlite3.Connection, path: Path, *, wal_files_were_there: bool) -> None:
    """Close a connection from connect_reader, removing the -wal and -shm files it made.

    A read-only connection cannot remove them (it can neither checkpoint nor take the file to
    itself), so a writing connection is opened and closed after it, without waiting and without
    writing: as the last connection it checkpoints an empty log (the file's bytes stay as they
    are) and removes both; where another connection still has the file open it removes nothing."""
    conn.close()
    if wal_files_were_there or not wal_files_present(path):
        return
    with contextlib.suppress(sqlite3.Error, OSError):  # storage that cannot be written: they stay
        writer = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=0)
        try:
            writer.execute("PRAGMA schema_version").fetchone()  # opens the log, as the last writer
        finally:
            writer.close()


@contextlib.contextmanager
def snapshot_on_its_own(path: Path) -> Iterator[Connection]:
    """One snapshot of the file on a reader connection of its own (a worker thread's long read,
    which must not keep the project's shared connection from the window's edits), closed after
    leaving no -wal or -shm it made."""
    wal_files_were_there = wal_files_present(path)
    try:
        raw = connect_reader(path)
    except sqlite3.Error as exc:  # moved or removed since it was opened, a storage that went away
        raise ProjectOpenError(f"{path.name} cannot be read: {storage_problem(exc, path) or _one_line(exc)}.") \
            from None
    engine = _engine(raw, immediate=False)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()
        close_reader(raw, path, wal_files_were_there=wal_files_were_there)


@dataclass(frozen=True)
class ProjectFileInfo:
    schema_version: int


def inspect_project_file(path: Path) -> ProjectFileInfo:
    """Raise ProjectOpenError unless `path` is a healthy Foundry project we can read."""
    name = path.name
    if not path.exists():
        raise ProjectOpenError(f"There is no project at {path}.")
    if path.is_dir():
        raise ProjectOpenError(f"{name} is a folder, not a Foundry project file.")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ProjectOpenError(f"{name} cannot be read: {exc.strerror or exc}.") from None
    if header != SQLITE_HEADER:
        raise ProjectOpenError(f"{name} is not a Foundry project (it is not a project database).")

    wal_files_were_there = wal_files_present(path)
    try:
        conn = connect_reader(path)
    except sqlite3.Error as exc:
        raise ProjectOpenError(f"{name} cannot be opened: {exc}.") from None
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if application_id != APPLICATION_ID:
            raise ProjectOpenError(f"{name} is a database, but not a Foundry project.")
        if version > latest_version():
            raise ProjectOpenError(
                f"{name} was saved by a newer Foundry Desktop (project format {version}; "
                f"this version reads up to {latest_version()}). Update Foundry Desktop to open it."
            )
        problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise ProjectOpenError(f"{name} is damaged and cannot be opened ({_one_line(problems[0])}).")
        if version == latest_version():  # an older file gets its tables from the migrations
            _check_tables(conn, name)
    except sqlite3.OperationalError as exc:  # the storage, not the file (a busy or vanishing disk)
        raise ProjectOpenError(f"{name} cannot be read: {storage_problem(exc, path) or _one_line(exc)}.") from None
    except sqlite3.DatabaseError as exc:
        raise ProjectOpenError(f"{name} is damaged and cannot be opened ({_one_line(exc)}).") from None
    except UnicodeDecodeError:  # the integrity report quotes a damaged page's bytes, which are not text
        raise ProjectOpenError(f"{name} is damaged and cannot be opened (a page of it is garbled).") from None
    finally:
        close_reader(conn, path, wal_files_were_there=wal_files_were_there)
    return ProjectFileInfo(schema_version=version)


def _one_line(problem: object) -> str:
    """SQLite's words for a damaged file, on the one line an error is shown in (its integrity check
    heads them with '*** in database main ***' on a line of their own)."""
    return " ".join(str(problem).replace("*** in database main ***", "").split())


def _check_tables(conn: sqlite3.Connection, name: str) -> None:
    """Refuse a file of today's format that lacks a table or column Foundry reads (one edited or
    damaged by hand), before anything reads it and fails halfway."""
    for table in metadata.sorted_tables:
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table.name})")}
        if not columns:
            raise ProjectOpenError(f"{name} is damaged and cannot be opened (its {table.name} table is missing).")
        missing = [column.name for column in table.columns if column.name not in columns]
        if missing:
            raise ProjectOpenError(f"{name} is damaged and cannot be opened (its {table.name} table has no "
                                   f"{missing[0]} column).")


@contextlib.contextmanager
def damage_refused(path: Path) -> Iterator[None]:
    """Rows Foundry cannot read (a value of the wrong type or out of range, broken JSON, a missing
    project row: a file damaged or edited by hand) become one ProjectOpenError that says so."""
    try:
        yield
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        what = f"{exc.title} {where}".strip() if where else exc.title
        raise ProjectOpenError(f"{path.name} is damaged and cannot be opened (a {what} that does not read: "
                               f"{error['msg']}).") from None
    except NoResultFound:
        raise ProjectOpenError(f"{path.name} is damaged and cannot be opened (its project settings are missing).") from None
    except MultipleResultsFound:
        raise ProjectOpenError(f"{path.name} is damaged and cannot be opened (it holds two sets of project "
                               "settings).") from None
    except (ValueError, TypeError, KeyError, OverflowError) as exc:  # broken JSON, a text where a number belongs
        reason = " ".join(str(exc).split())[:200]
        raise ProjectOpenError(f"{path.name} is damaged and cannot be opened (a value does not read: {reason}).") \
            from None


class StoreWriteError(FoundryError):
    """A write to the project file failed (disk full, file removed, ...)."""


@contextlib.contextmanager
def write_errors(path: Path) -> Iterator[None]:
    """A failed write becomes a StoreWriteError that says what happened to the file."""
    try:
        yield
    except DBAPIError as exc:
        raise write_failure(path, exc.orig) from None


def write_failure(path: Path, original: BaseException) -> StoreWriteError:
    """The StoreWriteError, in words, for SQLite's refusal to write `path`."""
    problem = storage_problem(original, path) if isinstance(original, sqlite3.OperationalError) else None
    if problem is not None:
        return StoreWriteError(f"{problem}; the last change to {path.name} was not saved. {_remedy(problem)}")
    return StoreWriteError(f"Could not save to {path.name}: {original}.")


def _remedy(problem: str) -> str:
    return "Free some space and try again." if "full" in problem else "Copy the project somewhere you can write to edit it."


@dataclass
class OpenFile:
    """An open project file: its one connection (autocommit; transactions begin through the engine)
    and, for a writer, its lock: held from open to close (`lock.held`), or taken per write."""

    raw: sqlite3.Connection
    engine: Engine
    lock: ProjectLock | None
    reader: Engine  # the same connection, beginning deferred transactions: reads that take no write lock
    # A read-only one's project, where its -wal and -shm were not there before it (see close_reader).
    made_wal_files_of: Path | None = None

    def close(self) -> None:
        self.reader.dispose()
        self.engine.dispose()
        # StaticPool keeps the raw connection alive: close it so SQLite checkpoints the WAL.
        if self.made_wal_files_of is not None:
            close_reader(self.raw, self.made_wal_files_of, wal_files_were_there=False)
        else:
            self.raw.close()
        lock, self.lock = self.lock, None
        if lock is not None:
            lock.release_all()


def _engine(raw: sqlite3.Connection, *, immediate: bool = True) -> Engine:
    engine = create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool)

    # pysqlite's own transaction handling skips DDL and defers locks; we run it in
    # autocommit mode and begin ourselves. IMMEDIATE takes the write lock up front.
    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def create_file(path: Path, write_rows: Callable[[Connection], None]) -> None:
    """A new project file with the rows `write_rows` writes. It appears complete or not at all."""
    if path.exists():
        raise ProjectOpenError(f"{path.name} already exists; choose another name or open it.")
    if not path.parent.is_dir():
        raise ProjectOpenError(f"The folder {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.creating")
    # A creation killed midway (kill -9, power cut) left these; its journal would be played into the new file.
    for stale in (partial, partial.with_name(partial.name + "-journal")):
        stale.unlink(missing_ok=True)
    try:
        raw = sqlite3.connect(partial, isolation_level=None)
        engine = _engine(raw)
        with engine.connect() as conn:
            migrations.migrate(conn, 0)
            with conn.begin():
                write_rows(conn)
        engine.dispose()
        raw.close()
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ProjectOpenError(f"Could not create {path.name}: {exc.strerror or exc}.") from None
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise ProjectOpenError(f"Could not create {path.name}: {exc}.") from None
    except BaseException:  # stopped midway (Ctrl+C, a failure in write_rows): no half-written file stays
        partial.unlink(missing_ok=True)
        raise


def take_writer_lock(path: Path, wait_s: float = LOCK_WAIT_S, lock: ProjectLock | None = None) -> ProjectLock:
    """The project's writer lock (`lock`, or a new one), waited for up to `wait_s`; refused in
    words naming its holder."""
    lock = lock or ProjectLock(path)
    try:
        lock.acquire(wait_s)
    except LockBusy as busy:
        where = f"in {busy.holder}, which is still changing it" if busy.holder else "in another Foundry window or command"
        raise ProjectLockedError(f"{path.name} is open {where}; try again once it has finished.") from None
    except OSError as exc:
        problem = storage_problem(exc, path)
        if problem is not None:
            raise ProjectReadOnlyError(f"{problem}, so {path.name} can be read but not changed. "
                                       f"{_remedy(problem)}") from None
        raise ProjectOpenError(f"Cannot open {path.name} for editing: {exc.strerror or exc}.") from None
    return lock


def open_file(path: Path, *, read_only: bool, lock_wait_s: float = LOCK_WAIT_S, hold_lock: bool = True) -> OpenFile:
    """Open a project (checked, migrated to today's format). A writer takes the lock, and keeps it
    until close when `hold_lock`, or else lets go once open (then it takes it for each write)."""
    info = inspect_project_file(path)
    if not read_only and not can_be_written(path):
        raise ProjectReadOnlyError(f"{path.name} or its folder is read-only, so it can be read but not changed. "
                                   "Copy the project somewhere you can write to edit it.")
    lock = None if read_only else take_writer_lock(path, lock_wait_s)
    wal_files_were_there = wal_files_present(path)
    try:
        raw = connect_reader(path) if read_only else connect_sqlite(path, read_only=False)
        engine = _engine(raw, immediate=not read_only)
        if not read_only and info.schema_version < latest_version():
            _backup_before_migration(raw, path, info.schema_version)
            with engine.connect() as conn:
                migrations.migrate(conn, info.schema_version)
    except (sqlite3.Error, DBAPIError, OSError) as exc:
        if lock is not None:
            lock.release()
        original = getattr(exc, "orig", exc)
        problem = storage_problem(original, path)
        if problem is not None:
            raise ProjectReadOnlyError(f"{problem}, so {path.name} can be read but not changed. "
                                       f"{_remedy(problem)}") from None
        raise ProjectOpenError(f"{path.name} cannot be opened: {_one_line(original)}.") from None
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    if lock is not None and not hold_lock:
        lock.release()
    opened = OpenFile(raw, engine, lock, _engine(raw, immediate=False),
                      path if read_only and not wal_files_were_there else None)
    if read_only and info.schema_version < latest_version():
        opened.close()
        raise ProjectOpenError(
            f"{path.name} is in an older project format; open it for editing once to upgrade it."
        )
    return opened


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
