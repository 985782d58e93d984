"""The undo history inside the project file: steps, and the row changes each one made.

A step is one undoable edit (or a group of edits) with its label; its changes are
row_changes.RowChange records in the order they were made. Undo writes their
`before` values back, last change first; redo writes their `after` values, first
change first. Each is written in the transaction of the edit itself, so the history
always matches the rows. A new edit ends the redo branch, and only the latest
UNDO_HISTORY_LIMIT steps are kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, insert, select, update

from foundry_desktop.store.project_rows import rows_by_id
from foundry_desktop.store.row_changes import RowChange
from foundry_desktop.store.schema import takes_table, undo_changes_table, undo_steps_table

UNDO_HISTORY_LIMIT = 500


@dataclass(frozen=True)
class Step:
    id: int
    label: str


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_step(conn: Connection, label: str) -> int:
    # A new edit ends the redo branch.
    conn.execute(delete(undo_steps_table).where(undo_steps_table.c.undone == 1))
    step_id = conn.execute(
        insert(undo_steps_table).values(label=label, created_at=now(), undone=0)
    ).inserted_primary_key[0]
    conn.execute(delete(undo_steps_table).where(undo_steps_table.c.id <= step_id - UNDO_HISTORY_LIMIT))
    return step_id


def record(conn: Connection, step_id: int, changes: Iterable[RowChange]) -> None:
    """Add `changes` to the step, after those it has (a group's edits add to one step)."""
    last = conn.execute(
        select(undo_changes_table.c.seq)
        .where(undo_changes_table.c.step_id == step_id)
        .order_by(undo_changes_table.c.seq.desc())
        .limit(1)
    ).scalar()
    first = 0 if last is None else last + 1
    rows = [
        {
            "step_id": step_id,
            "seq": seq,
            "table_name": change.table,
            "row_id": change.row_id,
            "before_json": None if change.before is None else json.dumps(change.before),
            "after_json": None if change.after is None else json.dumps(change.after),
        }
        for seq, change in enumerate(changes, first)
    ]
    if rows:
        conn.execute(insert(undo_changes_table), rows)


def forget_all(conn: Connection) -> None:
    """No step to undo or redo: the project begins as it is now."""
    conn.execute(delete(undo_changes_table))
    conn.execute(delete(undo_steps_table))


def drop_if_empty(conn: Connection, step_id: int) -> None:
    """A step that changed nothing (an empty group) is no step."""
    has_changes = conn.execute(
        select(undo_changes_table.c.seq).where(undo_changes_table.c.step_id == step_id).limit(1)
    ).first()
    if has_changes is None:
        conn.execute(delete(undo_steps_table).where(undo_steps_table.c.id == step_id))


def next_step(conn: Connection, *, undone: bool) -> Step | None:
    """The step an undo (undone=False: the newest done one) or a redo (the oldest undone one) would take."""
    order = undo_steps_table.c.id.asc() if undone else undo_steps_table.c.id.desc()
    row = conn.execute(
        select(undo_steps_table.c.id, undo_steps_table.c.label)
        .where(undo_steps_table.c.undone == int(undone))
        .order_by(order)
        .limit(1)
    ).first()
    return Step(row.id, row.label) if row else None


def changes_of(conn: Connection, step_id: int) -> list[RowChange]:
    """The step's changes in the order they were made."""
    rows = conn.execute(
        select(undo_changes_table)
        .where(undo_changes_table.c.step_id == step_id)
        .order_by(undo_changes_table.c.seq)
    ).mappings()
    return [
        RowChange(
            row["table_name"],
            row["row_id"],
            None if row["before_json"] is None else json.loads(row["before_json"]),
            None if row["after_json"] is None else json.loads(row["after_json"]),
        )
        for row in rows
    ]


def mark(conn: Connection, step_id: int, *, undone: bool) -> None:
    conn.execute(update(undo_steps_table).where(undo_steps_table.c.id == step_id).values(undone=int(undone)))


def _shown_take(change: RowChange) -> str | None:
    """The take a removed shot showed, as its step recorded it (None for any other change)."""
    if change.table != "shots" or change.after is not None or change.before is None:
        return None
    return change.before.get("selected_take_id")


def restoring(conn: Connection, changes: list[RowChange]) -> tuple[list[RowChange], set[str]]:
    """The changes an undo writes back, and the ids of the removed shots it brings back showing the take
    they showed. A take deleted since (by a clean-up) is shown by none: its row is gone, and the shot then
    finds a take as after any undo."""
    wanted = {take for change in changes if (take := _shown_take(change))}
    there = set(rows_by_id(conn, takes_table, wanted, ["id"])) if wanted else set()
    written, restored = [], set()
    for change in changes:
        take = _shown_take(change)
        if take is not None and take not in there:
            change = replace(change, before={**change.before, "selected_take_id": None})
        elif take is not None:
            restored.add(change.row_id)
        written.append(change)
    return written, restored
