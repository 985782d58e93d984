"""What an edit changed, row by row: found by comparing the project before and after.

Timeline operations share every item they leave alone (domain.timeline_ops), so
the unchanged start and end of each list are found by comparison in C (which
passes identical items at once; equal items make equal rows), and only the
items between that are not the same object are turned into rows and compared
column by column. A change holds only the columns that differ (`position` alone
when an item just moved), or the whole row when one was added or removed; it is
both what the store writes and what an undo step keeps to go back and forth.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import Column, Connection, Table, bindparam, delete, insert, update

from foundry_desktop.domain.project import Project
from foundry_desktop.store.project_rows import ORDERED_TABLES, Row, insert_shown_takes, project_row, take_row
from foundry_desktop.store.schema import metadata, takes_table


@dataclass(frozen=True)
class RowChange:
    table: str
    row_id: str
    before: Row | None  # None: the row was added; else the old values of the columns that changed
    after: Row | None  # None: the row was removed; else the new values

    @property
    def columns(self) -> set[str]:
        return set(self.before or ()) | set(self.after or ())


def diff_projects(before: Project, after: Project) -> list[RowChange]:
    """Every row that differs between `before` and `after`."""
    if before is after:
        return []
    changes = []
    columns = _changed_columns(project_row(before), project_row(after))
    if columns is not None:
        changes.append(RowChange("project", after.id, *columns))
    for ordered in ORDERED_TABLES:
        changes.extend(diff_list(
            ordered.name, ordered.items(before), ordered.items(after), ordered.to_row, ordered.removed_row))
    return changes


def _shared_prefix(old: list[Any], new: list[Any]) -> int:
    """How many leading items the lists have in common. List comparison runs in C and passes
    identical items without looking at them, so this bisects with it over slices (copying about
    n items in all), where a loop in Python over 10,000 shots would cost more than the edit."""
    low, high = 0, min(len(old), len(new))
    # Comparing whole lists copies nothing; slices are copies, the cost to keep down.
    if old == new if len(old) == len(new) else old[:high] == new[:high]:
        return high
    while high - low > 1:  # old[:low] == new[:low]; the first difference is below `high`
        middle = (low + high) // 2
        if old[low:middle] == new[low:middle]:
            low = middle
        else:
            high = middle
    return low


def _shared_suffix(old: list[Any], new: list[Any], limit: int) -> int:
    """How many trailing items (at most `limit`) the lists have in common, as _shared_prefix."""
    end_old, end_new = len(old), len(new)
    low, high = 0, limit
    if old[end_old - high:] == new[end_new - high:]:
        return high
    while high - low > 1:  # the last `low` items are equal; the first difference from the end is below `high`
        middle = (low + high) // 2
        if old[end_old - middle:end_old - low] == new[end_new - middle:end_new - low]:
            low = middle
        else:
            high = middle
    return low


def diff_list(
    table: str, old: list[Any], new: list[Any], to_row: Callable[[Any, int], Row],
    removed_row: Callable[[Any, int], Row] | None = None,
) -> list[RowChange]:
    """The row changes from the list `old` to `new` (items with an `id`; the row's position is the index).
    A removed item's row is `removed_row`'s where given (what its undo needs beyond the edited columns)."""
    if old is new:
        return []
    same_length = len(old) == len(new)
    start = _shared_prefix(old, new)
    if same_length and start == len(old):
        return []
    # A shared tail keeps its positions only when the lists are equally long.
    end = _shared_suffix(old, new, len(old) - start) if same_length else 0
    old_items = {item.id: (position, item) for position, item in enumerate(old[start:len(old) - end], start)}
    changes = []
    for position, item in enumerate(new[start:len(new) - end], start):
        old_position, old_item = old_items.pop(item.id, (None, None))
        if old_item is None:
            changes.append(RowChange(table, item.id, None, to_row(item, position)))
        elif old_item is item:
            if old_position != position:
                changes.append(RowChange(table, item.id, {"position": old_position}, {"position": position}))
        else:
            columns = _changed_columns(to_row(old_item, old_position), to_row(item, position))
            if columns is not None:
                changes.append(RowChange(table, item.id, *columns))
    for row_id, (position, item) in old_items.items():
        changes.append(RowChange(table, row_id, (removed_row or to_row)(item, position), None))
    return changes


def _changed_columns(old: Row, new: Row) -> tuple[Row, Row] | None:
    keys = [key for key, value in new.items() if old.get(key) != value]
    if not keys:
        return None
    return {key: old.get(key) for key in keys}, {key: new[key] for key in keys}


def row_key(table: Table) -> Column:
    """The column a change's row_id names: `id`, or the one key of a table keyed otherwise (budgets, by unit)."""
    return table.c.id if "id" in table.c else next(iter(table.primary_key.columns))


def write_changes(conn: Connection, changes: Sequence[RowChange], *, undo: bool = False) -> None:
    """Make `changes` in the file: write their `after` values in order or, with `undo`, their
    `before` values last change first. Runs of alike changes (a move shifts many rows' positions)
    go to SQLite as one statement each; the order of the changes is kept."""
    def kind(change: RowChange) -> tuple[str, str, tuple[str, ...]]:
        target, other = (change.before, change.after) if undo else (change.after, change.before)
        action = "delete" if target is None else "insert" if other is None else "update"
        return change.table, action, tuple(sorted(target or ()))

    for (table_name, action, columns), run in groupby(reversed(changes) if undo else changes, key=kind):
        targets = [(change.row_id, change.before if undo else change.after) for change in run]
        table = metadata.tables[table_name]
        key = row_key(table)
        if action == "delete":
            conn.execute(delete(table).where(key == bindparam("row_id")), [{"row_id": i} for i, _ in targets])
        elif action == "insert":
            conn.execute(insert(table), [values for _, values in targets])
        else:
            set_columns = [column for column in columns if column != key.name]  # keys never change
            statement = update(table).where(key == bindparam("row_id")).values(
                {column: bindparam(column) for column in set_columns})
            conn.execute(statement, [{**values, "row_id": row_id} for row_id, values in targets])


def write_new_rows(conn: Connection, project: Project) -> None:
    """Every row of a project, into a new file: its takes too (an imported cut's shots show theirs)."""
    conn.execute(insert(metadata.tables["project"]).values(**project_row(project)))
    for ordered in ORDERED_TABLES:
        rows = [ordered.to_row(item, position) for position, item in enumerate(ordered.items(project))]
        if rows:
            conn.execute(insert(ordered.table), rows)
    takes = [take for shot_takes in project.takes.values() for take in shot_takes]
    shown = {shot.selected_take_id for shot in project.timeline.shots}
    others = [take_row(take) for take in takes if take.id not in shown]
    if others:
        conn.execute(insert(takes_table), others)
    insert_shown_takes(conn, [take for take in takes if take.id in shown])
