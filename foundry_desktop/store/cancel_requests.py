"""Cancel requests: how `foundry cancel` (or a window) reaches a `generate` running in another process.

The process running the jobs holds the project's lock for as long as it runs, so
the one asking cannot edit the project; it only adds rows here, in a short
transaction of its own without the lock (SQLite serialises it with the runner's
writes; no one holds these rows in memory, so nothing is written over). The
runner looks at the table every moment while it runs (generation's cancel
watch), stops the jobs named, and removes the rows it has acted on; the asker
waits for its rows to go.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Connection, delete, select

from foundry_desktop.store.project_file import connect_sqlite, write_failure
from foundry_desktop.store.schema import cancel_requests_table
from foundry_desktop.store.undo_history import now

EVERY_JOB = "*"


def request_cancel(path: Path, job_ids: Iterable[str]) -> None:
    """Ask the process running the project's jobs to cancel `job_ids` (EVERY_JOB: all unfinished)."""
    try:
        conn = connect_sqlite(path, read_only=False)
    except sqlite3.Error as exc:
        raise write_failure(path, exc) from None
    try:
        with conn:  # one transaction, committed or rolled back
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT OR REPLACE INTO cancel_requests (job_id, requested_at) VALUES (?, ?)",
                             [(job_id, now()) for job_id in job_ids])
    except sqlite3.Error as exc:
        raise write_failure(path, exc) from None
    finally:
        conn.close()


def pending(conn: Connection) -> set[str]:
    """The job ids asked to be cancelled (EVERY_JOB among them for all)."""
    return {row.job_id for row in conn.execute(select(cancel_requests_table.c.job_id))}


def acted_on(conn: Connection, job_ids: Iterable[str]) -> None:
    conn.execute(delete(cancel_requests_table).where(cancel_requests_table.c.job_id.in_(list(job_ids))))
