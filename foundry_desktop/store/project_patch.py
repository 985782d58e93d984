"""The open project as an undo or redo left it, without loading it again.

An undo or redo rewrites a few rows of the file. The project in memory matched
the file before it; this brings over just those rows: it reads them back,
rebuilds their items (or keeps the item, where only its position changed) and
puts them in place, sharing everything else with the project before. The cost
follows the rows the step touched, not the size of the project.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import Connection, select

from foundry_desktop.domain.project import Project, Shot
from foundry_desktop.store.project_rows import (
    ORDERED_BY_NAME,
    OrderedTable,
    project_settings,
    rows_by_id,
    takes_by_shot,
)
from foundry_desktop.store.row_changes import RowChange
from foundry_desktop.store.schema import project_table

# Table -> row id -> whether more than the row's position changed (for the project's own row:
# whether its format changed, which every shot's fingerprint depends on).
Touched = dict[str, dict[str, bool]]
# Table -> row id -> position in its list.
Positions = dict[str, dict[str, int]]

_FORMAT_COLUMNS = {"width", "height", "frame_rate", "audio_rate"}


class OutOfStep(Exception):
    """The project in memory did not match the file (it is then loaded whole)."""


def touched_rows(changes: Iterable[RowChange]) -> Touched:
    touched: Touched = {}
    for change in changes:
        rows = touched.setdefault(change.table, {})
        if change.table == "project":
            changed = bool(change.columns & _FORMAT_COLUMNS)
        else:
            changed = change.columns != {"position"}
        rows[change.row_id] = rows.get(change.row_id, False) or changed
    return touched


def positions(conn: Connection, touched: Touched) -> Positions:
    """Where the touched rows of each list are in the file now (rows that are not there are left out)."""
    result: Positions = {}
    for name, rows in touched.items():
        if name in ORDERED_BY_NAME:
            found = rows_by_id(conn, ORDERED_BY_NAME[name].table, rows, ["position"])
            result[name] = {row_id: row["position"] for row_id, row in found.items()}
    return result


@dataclass(frozen=True)
class Patched:
    project: Project
    positions: Positions  # the touched rows' new positions


def patched(conn: Connection, project: Project, touched: Touched, old_positions: Positions) -> Patched:
    """`project` (which matched the file at `old_positions`) with the touched rows as the file now holds them.
    Raises OutOfStep when the project did not match the file."""
    if "project" in touched:
        settings = project_settings(conn.execute(select(project_table)).mappings().one())
        fades = {key: settings[key] for key in ("fade_in", "fade_out", "start_timecode", "drop_frame")}
        project = project.model_copy(update={
            "name": settings["name"], "format": settings["format"],
            "timeline": project.timeline.model_copy(update=fades),
        })
    new_positions: Positions = {}
    for name, rows in touched.items():
        ordered = ORDERED_BY_NAME.get(name)
        if ordered is None:
            continue
        rewritten = [row_id for row_id, changed in rows.items() if changed]
        moved = [row_id for row_id, changed in rows.items() if not changed]  # their items are kept
        new_rows = rows_by_id(conn, ordered.table, rewritten) | rows_by_id(conn, ordered.table, moved, ["position"])
        items = _patched_list(ordered, ordered.items(project), rows, old_positions[name], new_rows)
        project = ordered.replaced(project, items)
        new_positions[name] = {row_id: row["position"] for row_id, row in new_rows.items()}
    return Patched(project, new_positions)


def _patched_list(
    ordered: OrderedTable, items: list[Any], content_changed: dict[str, bool], old: dict[str, int],
    new_rows: dict[str, Any],
) -> list[Any]:
    """The list `items` (its touched rows were at `old`) with the touched rows now at `new_rows`."""
    if any(position >= len(items) or items[position].id != row_id for row_id, position in old.items()):
        raise OutOfStep

    def item(row_id: str, row: Any) -> Any:
        kept = row_id in old and not content_changed[row_id]
        return items[old[row_id]] if kept else ordered.from_row(row)

    moved = old.keys() != new_rows.keys() or any(new_rows[row_id]["position"] != p for row_id, p in old.items())
    if not moved:  # an item changed in place (the usual edit): no other item moves
        result = list(items)
        for row_id, row in new_rows.items():
            result[row["position"]] = item(row_id, row)
        return result
    # Items were added, removed or moved: lay out the list from the first position concerned.
    first = min(chain(old.values(), (row["position"] for row in new_rows.values())))
    tail: list[Any] = [None] * (len(items) - len(old) + len(new_rows) - first)
    try:
        for row_id, row in new_rows.items():
            tail[row["position"] - first] = item(row_id, row)
    except IndexError:
        raise OutOfStep from None
    untouched = (kept for kept in items[first:] if kept.id not in old)
    for index, slot in enumerate(tail):
        if slot is None:
            tail[index] = next(untouched, None)
    if any(slot is None for slot in tail) or next(untouched, None) is not None:
        raise OutOfStep
    return items[:first] + tail


def shots_to_reselect(result: Patched, touched: Touched) -> list[Shot]:
    """The shots whose fingerprint the step may have changed: those it rewrote, those using a
    character or style it rewrote, and every shot where it changed the project's format."""
    shots = result.project.timeline.shots
    if any(touched.get("project", {}).values()):
        return list(shots)
    rewritten = [shots[position] for row_id, position in result.positions.get("shots", {}).items()
                 if touched["shots"][row_id]]
    templates = {row_id for name in ("characters", "styles") for row_id, changed in touched.get(name, {}).items()
                 if changed}
    if not templates:
        return rewritten
    ids = {shot.id for shot in rewritten}
    return rewritten + [shot for shot in shots if shot.id not in ids
                        and (shot.spec.character in templates or shot.spec.style in templates)]


def with_takes_from_file(conn: Connection, project: Project, shot_ids: Iterable[str]) -> Project:
    """`project` with these shots' takes as the file holds them."""
    shot_ids = list(shot_ids)
    if not shot_ids:
        return project
    takes = dict(project.takes)
    fresh = takes_by_shot(conn, shot_ids)
    for shot_id in shot_ids:
        if shot_id in fresh:
            takes[shot_id] = fresh[shot_id]
        else:
            takes.pop(shot_id, None)
    return project.model_copy(update={"takes": takes})
