"""Converting a domain Project to table rows and back.

The store diffs the rows of the project before and after an edit; those row
changes are both what it writes and what an undo step restores.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from foundry_desktop.domain.project import (
    AudioClip,
    Caption,
    Marker,
    Project,
    ProjectFormat,
    Shot,
    ShotSpec,
    Take,
    Timeline,
    Transition,
)
from foundry_desktop.domain.prompt_templates import Character, StyleTemplate
from foundry_desktop.store.schema import (
    UNDOABLE_COLUMNS,
    captions_table,
    characters_table,
    markers_table,
    music_table,
    project_table,
    shots_table,
    styles_table,
    takes_table,
)

Row = dict[str, Any]
Rows = dict[str, dict[str, Row]]  # table -> row id -> tracked column values


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def undoable_rows(project: Project) -> Rows:
    """The project as the rows undo tracks, keyed by table and row id."""
    fmt = project.format
    rows: Rows = {
        "project": {
            project.id: {
                "id": project.id,
                "name": project.name,
                "width": fmt.width,
                "height": fmt.height,
                "frame_rate": str(fmt.frame_rate),
                "audio_rate": fmt.audio_rate,
                "fade_in": project.timeline.fade_in,
                "fade_out": project.timeline.fade_out,
            }
        },
        "shots": {},
        "music_clips": {},
        "captions": {},
        "markers": {},
        "characters": {},
        "styles": {},
    }
    for position, shot in enumerate(project.timeline.shots):
        rows["shots"][shot.id] = {
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
        }
    for table, items in (
        ("music_clips", project.timeline.music),
        ("captions", project.timeline.captions),
        ("markers", project.timeline.markers),
        ("characters", project.characters),
        ("styles", project.styles),
    ):
        for position, item in enumerate(items):
            rows[table][item.id] = {
                "id": item.id,
                "position": position,
                "data_json": _json(item.model_dump(mode="json")),
            }
    return rows


def diff_rows(before: Rows, after: Rows) -> list[tuple[str, str, Row | None, Row | None]]:
    """(table, row id, old values or None, new values or None) for every row that differs."""
    changes = []
    for table in UNDOABLE_COLUMNS:
        old, new = before.get(table, {}), after.get(table, {})
        for row_id, old_row in old.items():
            new_row = new.get(row_id)
            if new_row != old_row:
                changes.append((table, row_id, old_row, new_row))
        for row_id, new_row in new.items():
            if row_id not in old:
                changes.append((table, row_id, None, new_row))
    return changes


def take_row(take: Take) -> Row:
    return {
        "id": take.id,
        "shot_id": take.shot_id,
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


def load_project(conn: Connection) -> Project:
    project_row = conn.execute(select(project_table)).mappings().one()
    takes: dict[str, list[Take]] = {}
    for row in conn.execute(select(takes_table).order_by(takes_table.c.created_at, takes_table.c.id)).mappings():
        take = Take(
            id=row["id"],
            shot_id=row["shot_id"],
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
        takes.setdefault(take.shot_id, []).append(take)

    shots = []
    for row in conn.execute(select(shots_table).order_by(shots_table.c.position)).mappings():
        transition = Transition(kind=row["transition_kind"], duration=row["transition_frames"])
        shots.append(
            Shot(
                id=row["id"],
                name=row["name"],
                spec=ShotSpec.model_validate_json(row["spec_json"]),
                selected_take_id=row["selected_take_id"],
                trim_in=row["trim_in"],
                trim_out=row["trim_out"],
                transition_out=transition,
                fit=row["fit"],
                audio_gain_db=row["audio_gain_db"],
                audio_muted=bool(row["audio_muted"]),
            )
        )

    def items(table, model):
        result = conn.execute(select(table.c.data_json).order_by(table.c.position)).scalars()
        return [model.model_validate_json(data) for data in result]

    return Project(
        id=project_row["id"],
        name=project_row["name"],
        format=ProjectFormat(
            width=project_row["width"],
            height=project_row["height"],
            frame_rate=project_row["frame_rate"],
            audio_rate=project_row["audio_rate"],
        ),
        timeline=Timeline(
            shots=shots,
            music=items(music_table, AudioClip),
            captions=items(captions_table, Caption),
            markers=items(markers_table, Marker),
            fade_in=project_row["fade_in"],
            fade_out=project_row["fade_out"],
        ),
        takes=takes,
        characters=items(characters_table, Character),
        styles=items(styles_table, StyleTemplate),
    )
