"""Forward migrations of the .foundry schema, tracked in PRAGMA user_version.

Migration N takes a file at version N-1 to version N inside one transaction
(SQLite's DDL and user_version are both transactional), so a crash mid-way
leaves the file at N-1, and the next open simply tries again.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from foundry_desktop.store.schema import APPLICATION_ID, metadata


def _create_first_schema(conn: Connection) -> None:
    # Version 1 is today's schema; later migrations must spell their changes out in SQL
    # rather than call metadata.create_all, which would always create the newest tables.
    metadata.create_all(conn)
    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")


MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_first_schema,  # 0 -> 1
]


def latest_version() -> int:
    return len(MIGRATIONS)


def migrate(conn: Connection, from_version: int) -> None:
    """Run every migration after `from_version`, each committed on its own."""
    for version in range(from_version + 1, latest_version() + 1):
        with conn.begin():
            MIGRATIONS[version - 1](conn)
            conn.exec_driver_sql(f"PRAGMA user_version = {version}")
