"""A domain Project as table rows, and back.

A row is what undo tracks of one record: the project's own settings, one shot,
or one music clip, caption, marker, character or style (those kept whole as
JSON). Each ordered record carries its index in its list as `position`. The
store writes and undoes rows one by one (row_changes), so reading them back
comes in two sizes: the whole project on opening, or just the rows an undo
touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Table, bindparam, insert, select, update

from foundry_desktop.domain import scenes
from foundry_desktop.domain.project import (
    AudioClip,
    Caption,
    Marker,
    MediaItem,
    Project,
    ProjectFormat,
    Scene,
    Shot,
    ShotSpec,
    Take,
    Timeline,
    Transition,
)
from foundry_desktop.domain.prompt_templates import Character, StyleTemplate
from foundry_desktop.store.schema import (
    captions_table,
    characters_table,
    markers_table,
    media_table,
    music_table,
    project_table,
    scenes_table,
    shots_table,
    styles_table,
    takes_table,
)

Row = dict[str, Any]

# SQLite's limit on the values one statement may bind is 32,766 (999 before 3.32): ask in slices.
_IDS_PER_QUERY = 500


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def project_row(project: Project) -> Row:
    fmt = project.format
    return {
        "id": project.id,
        "name": project.name,
        "width": fmt.width,
        "height": fmt.height,
        "frame_rate": str(fmt.frame_rate),
        "audio_rate": fmt.audio_rate,
        "fade_in": project.timeline.fade_in,
        "fade_out": project.timeline.fade_out,
        "start_timecode": project.timeline.start_timecode,
        "drop_frame": None if project.timeline.drop_frame is None else int(project.timeline.drop_frame),
    }


def shot_row(shot: Shot, position: int) -> Row:
    """The shot's undoable columns (its selected take is work done, not an edit: see schema). Approving a
    keyframe is the creator's choice of the video's first frame, so it is an undoable edit."""
    return {
        "id": shot.id,
        "position": position,
        "name": shot.name,
        "spec_json": _json(shot.spec.model_dump(mode="json")),
        "trim_in": shot.trim_in,
        "trim_out": shot.trim_out,
        "transition_kind": shot.transition_out.kind,
        "transition_frames": shot.transition_out.duration,
        "fit": shot.fit,
        "audio_gain_db": shot.audio_gain_db,
        "audio_muted": int(shot.audio_muted),
        "gap_before": shot.gap_before,
        "reel": shot.reel,
        "source_timecode": shot.source_timecode,
        "source_drop_frame": None if shot.source_drop_frame is None else int(shot.source_drop_frame),
        "scene_id": shot.scene_id,
        "overrides_json": _json(list(shot.overrides)),
        "continue_from_previous": int(shot.continue_from_previous),
        "keyframe_take_id": shot.keyframe_take_id,
        "last_keyframe_take_id": shot.last_keyframe_take_id,
    }


def removed_shot_row(shot: Shot, position: int) -> Row:
    """A removed shot as its undo step keeps it: its columns and the take it showed, so that undoing
    the removal shows that take again rather than a generation's guess (or none: paid for twice)."""
    return {**shot_row(shot, position), "selected_take_id": shot.selected_take_id}


def item_row(item: BaseModel, position: int) -> Row:
    return {"id": item.id, "position": position, "data_json": _json(item.model_dump(mode="json"))}


def shot_from_row(row: Any) -> Shot:
    return Shot(
        id=row["id"],
        name=row["name"],
        spec=ShotSpec.model_validate_json(row["spec_json"]),
        selected_take_id=row["selected_take_id"],
        trim_in=row["trim_in"],
        trim_out=row["trim_out"],
        transition_out=Transition(kind=row["transition_kind"], duration=row["transition_frames"]),
        fit=row["fit"],
        audio_gain_db=row["audio_gain_db"],
        audio_muted=bool(row["audio_muted"]),
        gap_before=row["gap_before"],
        reel=row["reel"],
        source_timecode=row["source_timecode"],
        source_drop_frame=None if row["source_drop_frame"] is None else bool(row["source_drop_frame"]),
        scene_id=row["scene_id"],
        overrides=tuple(json.loads(row["overrides_json"])),
        keyframe_take_id=row["keyframe_take_id"],
        last_keyframe_take_id=row["last_keyframe_take_id"],
        continue_from_previous=bool(row["continue_from_previous"]),
    )


@dataclass(frozen=True)
class OrderedTable:
    """A list of the project kept as one row per item: where the list is, and how its rows read and write."""

    table: Table
    items: Callable[[Project], Sequence[Any]]
    to_row: Callable[[Any, int], Row]
    from_row: Callable[[Any], Any]
    field: str  # the list's field: on the timeline, or (characters, styles) on the project
    on_timeline: bool = True
    removed_row: Callable[[Any, int], Row] | None = None  # a removed item's row, if more than to_row's

    @property
    def name(self) -> str:
        return self.table.name

    def replaced(self, project: Project, items: list[Any]) -> Project:
        """`project` with this list replaced by `items`."""
        if not self.on_timeline:
            return project.model_copy(update={self.field: items})
        timeline = project.timeline.model_copy(update={self.field: items})
        return project.model_copy(update={"timeline": timeline})


def _from_json(model: type[BaseModel]) -> Callable[[Any], Any]:
    return lambda row: model.model_validate_json(row["data_json"])


ORDERED_TABLES: tuple[OrderedTable, ...] = (
    OrderedTable(shots_table, lambda p: p.timeline.shots, shot_row, shot_from_row, "shots", removed_row=removed_shot_row),
    OrderedTable(scenes_table, lambda p: p.timeline.scenes, item_row, _from_json(Scene), "scenes"),
    OrderedTable(music_table, lambda p: p.timeline.music, item_row, _from_json(AudioClip), "music"),
    OrderedTable(captions_table, lambda p: p.timeline.captions, item_row, _from_json(Caption), "captions"),
    OrderedTable(markers_table, lambda p: p.timeline.markers, item_row, _from_json(Marker), "markers"),
    OrderedTable(characters_table, lambda p: p.characters, item_row, _from_json(Character), "characters", False),
    OrderedTable(styles_table, lambda p: p.styles, item_row, _from_json(StyleTemplate), "styles", False),
    OrderedTable(media_table, lambda p: p.media, item_row, _from_json(MediaItem), "media", False),
)
ORDERED_BY_NAME = {ordered.name: ordered for ordered in ORDERED_TABLES}


def take_row(take: Take) -> Row:
    return {
        "id": take.id,
        "shot_id": take.shot_id,
        "kind": take.kind,
        "media_path": take.media_path,
        "content_hash": take.content_hash,
        "fingerprint": take.fingerprint,
        "spec_json": _json(take.spec),
        "backend": take.backend,
        "request_json": _json(take.request),
        "seed": take.seed,
        "frames": take.frames,
        "width": take.width,
        "height": take.height,
        "created_at": take.created_at,
        "elapsed_s": take.elapsed_s,
    }


def insert_shown_takes(conn: Connection, takes: Sequence[Take]) -> None:
    """Record `takes`, each shown in its shot, in two statements however many there are
    (an imported cut's shots each show their file)."""
    if not takes:
        return
    conn.execute(insert(takes_table), [take_row(take) for take in takes])
    conn.execute(update(shots_table).where(shots_table.c.id == bindparam("shot")).values(
        selected_take_id=bindparam("take")), [{"shot": take.shot_id, "take": take.id} for take in takes])


def take_from_row(row: Any) -> Take:
    return Take(
        id=row["id"],
        shot_id=row["shot_id"],
        kind=row["kind"],
        media_path=row["media_path"],
        content_hash=row["content_hash"],
        fingerprint=row["fingerprint"],
        spec=json.loads(row["spec_json"]),
        backend=row["backend"],
        request=json.loads(row["request_json"]),
        seed=row["seed"],
        frames=row["frames"],
        width=row["width"],
        height=row["height"],
        created_at=row["created_at"],
        elapsed_s=row["elapsed_s"],
    )


def _slices(ids: Iterable[str]) -> Iterator[list[str]]:
    ids = list(ids)
    for start in range(0, len(ids), _IDS_PER_QUERY):
        yield ids[start:start + _IDS_PER_QUERY]


def rows_by_id(conn: Connection, table: Table, ids: Iterable[str], columns: Sequence[str] = ()) -> dict[str, Any]:
    """The rows of `table` with these ids (absent ones are left out): all their columns, or `columns` and id."""
    selected = [table.c.id, *(table.c[name] for name in columns)] if columns else [table]
    rows = {}
    for part in _slices(ids):
        for row in conn.execute(select(*selected).where(table.c.id.in_(part))).mappings():
            rows[row["id"]] = row
    return rows


def takes_by_shot(conn: Connection, shot_ids: Iterable[str] | None = None) -> dict[str, list[Take]]:
    """Shot id -> its takes, oldest first: of these shots, or (None) of every shot."""
    query = select(takes_table).order_by(takes_table.c.created_at, takes_table.c.id)
    parts = [query] if shot_ids is None else [query.where(takes_table.c.shot_id.in_(p)) for p in _slices(shot_ids)]
    takes: dict[str, list[Take]] = {}
    for part in parts:
        for row in conn.execute(part).mappings():
            take = take_from_row(row)
            takes.setdefault(take.shot_id, []).append(take)
    return takes


def project_settings(row: Any) -> dict[str, Any]:
    """The project row as the fields it sets: the project's name and format, the film's fades."""
    return {
        "name": row["name"],
        "format": ProjectFormat(
            width=row["width"], height=row["height"], frame_rate=row["frame_rate"], audio_rate=row["audio_rate"]
        ),
        "fade_in": row["fade_in"],
        "fade_out": row["fade_out"],
        "start_timecode": row["start_timecode"],
        "drop_frame": None if row["drop_frame"] is None else bool(row["drop_frame"]),
    }


def load_project(conn: Connection) -> Project:
    """The whole project, as the file holds it."""
    project_values = conn.execute(select(project_table)).mappings().one()
    settings = project_settings(project_values)
    lists = {}
    for ordered in ORDERED_TABLES:
        rows = conn.execute(select(ordered.table).order_by(ordered.table.c.position)).mappings()
        lists[ordered.field] = [ordered.from_row(row) for row in rows]
    timeline = scenes.repaired(Timeline(  # a hand-edited file's broken scene runs are mended, not refused
        shots=lists["shots"], scenes=lists["scenes"], music=lists["music"], captions=lists["captions"], markers=lists["markers"],
        fade_in=settings["fade_in"], fade_out=settings["fade_out"],
        start_timecode=settings["start_timecode"], drop_frame=settings["drop_frame"],
    ))
    return Project(
        id=project_values["id"],
        name=settings["name"],
        format=settings["format"],
        timeline=timeline,
        takes=takes_by_shot(conn),
        characters=lists["characters"],
        styles=lists["styles"],
        media=lists["media"],
    )
