"""Opening a .foundry file safely: recognise it, refuse what is not ours.

Every check runs on a read-only connection before anything can write, so a
file we refuse is left exactly as it was.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from foundry_desktop.errors import ProjectOpenError
from foundry_desktop.store.migrations import latest_version
from foundry_desktop.store.schema import APPLICATION_ID

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
            raise ProjectOpenError(f"{name} is damaged and cannot be opened ({problems[0]}).")
    except sqlite3.DatabaseError as exc:
        raise ProjectOpenError(f"{name} is damaged and cannot be opened ({exc}).") from None
    finally:
        conn.close()
    return ProjectFileInfo(schema_version=version)
