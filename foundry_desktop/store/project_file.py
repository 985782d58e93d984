"""Creating and opening a .foundry file safely: recognise it, refuse what is not ours,
take the writer's lock, bring an older format up to date (keeping a backup).

Every check runs on a read-only connection before anything can write, so a
file we refuse is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import filelock
from sqlalchemy import Connection, Engine, create_engine, event
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.pool import StaticPool

from foundry_desktop.errors import FoundryError, ProjectLockedError, ProjectOpenError
from foundry_desktop.store import migrations
from foundry_desktop.store.migrations import latest_version
from foundry_desktop.store.schema import APPLICATION_ID, metadata

SQLITE_HEADER = b"SQLite format 3\x00"


def connect_sqlite(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A raw connection in autocommit mode; SQLAlchemy's begin hook issues BEGIN itself."""
    mode = "ro" if read_only else "rw"
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}",
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

    try:
        conn = connect_sqlite(path, read_only=True)
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
    except sqlite3.DatabaseError as exc:
        raise ProjectOpenError(f"{name} is damaged and cannot be opened ({_one_line(exc)}).") from None
    except UnicodeDecodeError:  # the integrity report quotes a damaged page's bytes, which are not text
        raise ProjectOpenError(f"{name} is damaged and cannot be opened (a page of it is garbled).") from None
    finally:
        conn.close()
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
        original = exc.orig
        if isinstance(original, sqlite3.OperationalError) and "full" in str(original).lower():
            raise StoreWriteError(
                f"The disk holding {path.name} is full; the last change was not saved. "
                "Free some space and try again."
            ) from None
        raise StoreWriteError(f"Could not save to {path.name}: {original}.") from None


@dataclass
class OpenFile:
    """An open project file: its one connection (autocommit; transactions begin through the engine) and lock."""

    raw: sqlite3.Connection
    engine: Engine
    lock: filelock.BaseFileLock | None

    def close(self) -> None:
        self.engine.dispose()
        # StaticPool keeps the raw connection alive: close it so SQLite checkpoints the WAL.
        self.raw.close()
        if self.lock is not None:
            self.lock.release()
            self.lock = None


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


def _writer_lock(path: Path) -> filelock.BaseFileLock:
    lock = filelock.FileLock(str(path) + ".lock", timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise ProjectLockedError(
            f"{path.name} is open in another Foundry window or command; close it there first."
        ) from None
    except OSError as exc:
        raise ProjectOpenError(f"Cannot open {path.name} for editing: {exc.strerror or exc}.") from None
    return lock


def open_file(path: Path, *, read_only: bool) -> OpenFile:
    """Open a project (checked, locked for writing unless `read_only`, migrated to today's format)."""
    info = inspect_project_file(path)
    lock = None if read_only else _writer_lock(path)
    try:
        raw = connect_sqlite(path, read_only=read_only)
        engine = _engine(raw, immediate=not read_only)
        if not read_only and info.schema_version < latest_version():
            _backup_before_migration(raw, path, info.schema_version)
            with engine.connect() as conn:
                migrations.migrate(conn, info.schema_version)
    except (sqlite3.Error, DBAPIError) as exc:
        if lock is not None:
            lock.release()
        raise ProjectOpenError(f"{path.name} cannot be opened: {_one_line(exc)}.") from None
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    opened = OpenFile(raw, engine, lock)
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
