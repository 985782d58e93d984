"""Forward migrations of the .foundry schema, tracked in PRAGMA user_version.

Migration N takes a file at version N-1 to version N inside one transaction
(SQLite's DDL and user_version are both transactional), so a crash mid-way
leaves the file at N-1, and the next open simply tries again.

Each migration spells its change out in SQL, frozen as it was written:
`schema.py` describes only the newest tables, so building a file from it
would skip the steps an older file still has to take.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import PurePosixPath

from sqlalchemy import Connection

from foundry_desktop.store.schema import APPLICATION_ID

_FIRST_SCHEMA = """
CREATE TABLE project (
    id TEXT NOT NULL, name TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
    frame_rate TEXT NOT NULL, audio_rate INTEGER NOT NULL, PRIMARY KEY (id)
);
CREATE TABLE takes (
    id TEXT NOT NULL, shot_id TEXT NOT NULL, media_path TEXT NOT NULL, content_hash TEXT NOT NULL,
    fingerprint TEXT NOT NULL, spec_json TEXT NOT NULL, backend TEXT NOT NULL, request_json TEXT NOT NULL,
    seed INTEGER NOT NULL, frames INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
    created_at TEXT NOT NULL, elapsed_s FLOAT NOT NULL, PRIMARY KEY (id)
);
CREATE INDEX takes_by_fingerprint ON takes (fingerprint);
CREATE INDEX takes_by_shot ON takes (shot_id);
CREATE TABLE music_clips (id TEXT NOT NULL, position INTEGER NOT NULL, data_json TEXT NOT NULL, PRIMARY KEY (id));
CREATE TABLE captions (id TEXT NOT NULL, position INTEGER NOT NULL, data_json TEXT NOT NULL, PRIMARY KEY (id));
CREATE TABLE markers (id TEXT NOT NULL, position INTEGER NOT NULL, data_json TEXT NOT NULL, PRIMARY KEY (id));
CREATE TABLE shot_generation (
    shot_id TEXT NOT NULL, state TEXT NOT NULL, fingerprint TEXT NOT NULL, message TEXT NOT NULL,
    updated_at TEXT NOT NULL, PRIMARY KEY (shot_id)
);
CREATE TABLE undo_steps (
    id INTEGER NOT NULL, label TEXT NOT NULL, created_at TEXT NOT NULL, undone INTEGER NOT NULL, PRIMARY KEY (id)
);
CREATE TABLE shots (
    id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, spec_json TEXT NOT NULL,
    selected_take_id TEXT, trim_in INTEGER NOT NULL, trim_out INTEGER, transition_kind TEXT NOT NULL,
    transition_frames INTEGER NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(selected_take_id) REFERENCES takes (id) ON DELETE SET NULL
);
CREATE TABLE undo_changes (
    step_id INTEGER NOT NULL, seq INTEGER NOT NULL, table_name TEXT NOT NULL, row_id TEXT NOT NULL,
    before_json TEXT, after_json TEXT, PRIMARY KEY (step_id, seq),
    FOREIGN KEY(step_id) REFERENCES undo_steps (id) ON DELETE CASCADE
);
"""


def _run_script(conn: Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            conn.exec_driver_sql(statement)


def _create_first_schema(conn: Connection) -> None:
    _run_script(conn, _FIRST_SCHEMA)
    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")


# Version 1 knew "dip_to_black" and "wipe"; version 2 has the composer's kinds.
_RENAMED_TRANSITIONS = {"dip_to_black": "fade_black", "wipe": "dissolve"}


def _composer_settings(conn: Connection) -> None:
    """Film fades, per-shot fit and take audio, and the composer's transition kinds."""
    _run_script(
        conn,
        """
        ALTER TABLE project ADD COLUMN fade_in INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE project ADD COLUMN fade_out INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE shots ADD COLUMN fit TEXT NOT NULL DEFAULT 'fit';
        ALTER TABLE shots ADD COLUMN audio_gain_db FLOAT NOT NULL DEFAULT 0;
        ALTER TABLE shots ADD COLUMN audio_muted INTEGER NOT NULL DEFAULT 0;
        """,
    )
    for old, new in _RENAMED_TRANSITIONS.items():
        conn.exec_driver_sql("UPDATE shots SET transition_kind = ? WHERE transition_kind = ?", (new, old))
        # Undo steps hold whole rows: an undo must not bring an old name back.
        for column in ("before_json", "after_json"):
            conn.exec_driver_sql(
                f"UPDATE undo_changes SET {column} = json_set({column}, '$.transition_kind', ?) "
                f"WHERE table_name = 'shots' AND json_extract({column}, '$.transition_kind') = ?",
                (new, old),
            )


def _generation_jobs(conn: Connection) -> None:
    """The job queue moves into the project file, so it survives a restart."""
    _run_script(
        conn,
        """
        CREATE TABLE jobs (
            id TEXT NOT NULL, shot_id TEXT NOT NULL, fingerprint TEXT NOT NULL, backend TEXT NOT NULL,
            spec_json TEXT NOT NULL, priority INTEGER NOT NULL, state TEXT NOT NULL, server TEXT,
            remote_id TEXT, progress FLOAT NOT NULL, attempts INTEGER NOT NULL, error TEXT NOT NULL,
            cost_estimate FLOAT, cost_actual FLOAT, cost_unit TEXT, take_id TEXT,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (id)
        );
        CREATE INDEX jobs_by_state ON jobs (state);
        """,
    )


def _budgets(conn: Connection) -> None:
    """A spending cap per cost unit, which generation keeps to."""
    _run_script(conn, "CREATE TABLE budgets (unit TEXT NOT NULL, amount FLOAT NOT NULL, PRIMARY KEY (unit));")


def _prompt_templates(conn: Connection) -> None:
    """Characters and style templates that shots refer to by id (their spec_json already had room)."""
    _run_script(
        conn,
        """
        CREATE TABLE characters (id TEXT NOT NULL, position INTEGER NOT NULL, data_json TEXT NOT NULL, PRIMARY KEY (id));
        CREATE TABLE styles (id TEXT NOT NULL, position INTEGER NOT NULL, data_json TEXT NOT NULL, PRIMARY KEY (id));
        """,
    )


def _project_settings(conn: Connection) -> None:
    """Settings that belong to the project rather than the machine (the assist's language model)."""
    _run_script(conn, "CREATE TABLE project_settings (name TEXT NOT NULL, value_json TEXT NOT NULL, PRIMARY KEY (name));")


def _undo_keeps_changed_columns(conn: Connection) -> None:
    """An undo step records only the columns an edit changed (whole rows only for a row added or
    removed), so that an edit costs what it changed. The steps already written held whole rows
    on both sides: keep just their differing columns, so that every step reads the same way."""
    rows = conn.exec_driver_sql(
        "SELECT step_id, seq, before_json, after_json FROM undo_changes "
        "WHERE before_json IS NOT NULL AND after_json IS NOT NULL"
    ).fetchall()
    for step_id, seq, before_json, after_json in rows:
        before, after = json.loads(before_json), json.loads(after_json)
        changed = [key for key in {**before, **after} if before.get(key) != after.get(key)]
        if not changed:
            conn.exec_driver_sql("DELETE FROM undo_changes WHERE step_id = ? AND seq = ?", (step_id, seq))
            continue
        conn.exec_driver_sql(
            "UPDATE undo_changes SET before_json = ?, after_json = ? WHERE step_id = ? AND seq = ?",
            (json.dumps({key: before.get(key) for key in changed}),
             json.dumps({key: after.get(key) for key in changed}), step_id, seq),
        )


def _gaps(conn: Connection) -> None:
    """Empty time on the video track: frames of black and silence before a shot."""
    _run_script(conn, "ALTER TABLE shots ADD COLUMN gap_before INTEGER NOT NULL DEFAULT 0;")


def _media_bin(conn: Connection) -> None:
    """The media bin: files brought into the project whether the timeline uses them or not."""
    _run_script(conn, "CREATE TABLE media_items (id TEXT NOT NULL, position INTEGER NOT NULL, "
                      "data_json TEXT NOT NULL, PRIMARY KEY (id));")


def _storyboard(conn: Connection) -> None:
    """Scenes, keyframe stills (takes of kind "still") approved per shot, and sound takes of music clips."""
    _run_script(conn, """
        CREATE TABLE scenes (id TEXT NOT NULL, position INTEGER NOT NULL, data_json TEXT NOT NULL, PRIMARY KEY (id));
        ALTER TABLE takes ADD COLUMN kind TEXT NOT NULL DEFAULT 'video';
        ALTER TABLE shots ADD COLUMN scene_id TEXT;
        ALTER TABLE shots ADD COLUMN overrides_json TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE shots ADD COLUMN continue_from_previous INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE shots ADD COLUMN keyframe_take_id TEXT;
        ALTER TABLE shots ADD COLUMN last_keyframe_take_id TEXT;
    """)


def _input_images_become_keyframes(conn: Connection) -> None:
    """One source of truth for a shot's first frame: each shot's input image becomes a keyframe
    take of its own (backend "media", the picture's file name as provenance), approved, and the
    spec's input image is cleared — in the shots and in the undo history's steps alike, so an
    undo after the migration brings back the keyframe the step had. The video fingerprint takes
    the approved keyframe's path, which is the input image's, so every take stays current."""
    made: dict[tuple[str, str], str] = {}  # (shot, picture) -> its keyframe take

    def moved(shot_id: str, row: dict) -> dict:
        """A shot row (or a step's side of one) with its input image as an approved keyframe."""
        if "spec_json" not in row:
            return row
        spec = json.loads(row["spec_json"])
        picture, name = spec.get("input_image"), spec.get("input_image_name")
        spec["input_image"] = spec["input_image_name"] = None
        keyframe = _picture_keyframe_take(conn, shot_id, picture, name, made) if picture else None
        return {**row, "spec_json": json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                "keyframe_take_id": keyframe}

    for shot_id, spec_json in conn.exec_driver_sql("SELECT id, spec_json FROM shots").fetchall():
        if json.loads(spec_json).get("input_image"):
            row = moved(shot_id, {"spec_json": spec_json})
            conn.exec_driver_sql("UPDATE shots SET spec_json = ?, keyframe_take_id = ? WHERE id = ?",
                                 (row["spec_json"], row["keyframe_take_id"], shot_id))
    steps = conn.exec_driver_sql("SELECT step_id, seq, row_id, before_json, after_json FROM undo_changes "
                                 "WHERE table_name = 'shots'").fetchall()
    for step_id, seq, shot_id, before_json, after_json in steps:
        before, after = (json.loads(side) if side else None for side in (before_json, after_json))
        if not any(side and "spec_json" in side and json.loads(side["spec_json"]).get("input_image")
                   for side in (before, after)):
            continue
        before, after = (moved(shot_id, side) if side is not None else None for side in (before, after))
        if before is not None and after is not None:  # a step keeps only the columns it changed
            changed = [key for key in {**before, **after} if before.get(key) != after.get(key)]
            if not changed:
                conn.exec_driver_sql("DELETE FROM undo_changes WHERE step_id = ? AND seq = ?", (step_id, seq))
                continue
            before, after = ({key: side.get(key) for key in changed} for side in (before, after))
        conn.exec_driver_sql("UPDATE undo_changes SET before_json = ?, after_json = ? WHERE step_id = ? AND seq = ?",
                             (*(json.dumps(side) if side is not None else None for side in (before, after)),
                              step_id, seq))


def _picture_keyframe_take(conn: Connection, shot_id: str, picture: str, name: str | None,
                           made: dict[tuple[str, str], str]) -> str:
    """The id of the shot's keyframe take of `picture` (a content-addressed media path), made once."""
    if (shot_id, picture) in made:
        return made[(shot_id, picture)]
    spec = {"version": 1, "output": "still", "backend": "media", "input_media": picture}
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    take_id = uuid.uuid4().hex
    conn.exec_driver_sql(
        "INSERT INTO takes (id, shot_id, kind, media_path, content_hash, fingerprint, spec_json, backend, request_json, "
        "seed, frames, width, height, created_at, elapsed_s) VALUES (?, ?, 'still', ?, ?, ?, ?, 'media', ?, 0, 1, 0, 0, ?, 0)",
        (take_id, shot_id, picture, PurePosixPath(picture).stem, hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
         canonical, json.dumps({"file": name or PurePosixPath(picture).name}),
         datetime.now(UTC).isoformat(timespec="microseconds")),
    )
    made[(shot_id, picture)] = take_id
    return take_id


def _conform_keys(conn: Connection) -> None:
    """Reels and source timecode on shots; the film's start timecode and drop-frame flag. Shots made
    before had neither (reel '', source from 00:00:00:00); films made before were exported from
    01:00:00:00 in non-drop-frame unless asked otherwise, so they keep that (0), not the rate's default."""
    _run_script(conn, """
        ALTER TABLE shots ADD COLUMN reel TEXT NOT NULL DEFAULT '';
        ALTER TABLE shots ADD COLUMN source_timecode INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE project ADD COLUMN start_timecode INTEGER;
        ALTER TABLE project ADD COLUMN drop_frame INTEGER;
        UPDATE project SET drop_frame = 0;
    """)


def _cancel_requests(conn: Connection) -> None:
    """Cancel requests from other processes (`foundry cancel` beside a running `generate`)."""
    # IF NOT EXISTS: a file older tests build from today's tables, set back to an older version, has it.
    _run_script(conn, "CREATE TABLE IF NOT EXISTS cancel_requests (job_id TEXT NOT NULL, requested_at TEXT NOT NULL, "
                      "PRIMARY KEY (job_id));")


def _source_drop_frame(conn: Connection) -> None:
    """Whether each shot's source timecode drops frame labels (a clip whose camera or cut counts otherwise
    than the film). Shots made before keep NULL: their sources count as the film does, so their exports
    do not change."""
    _run_script(conn, "ALTER TABLE shots ADD COLUMN source_drop_frame INTEGER;")


MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_first_schema,  # 0 -> 1
    _composer_settings,  # 1 -> 2
    _generation_jobs,  # 2 -> 3
    _budgets,  # 3 -> 4
    _prompt_templates,  # 4 -> 5
    _project_settings,  # 5 -> 6
    _undo_keeps_changed_columns,  # 6 -> 7
    _gaps,  # 7 -> 8
    _media_bin,  # 8 -> 9
    _storyboard,  # 9 -> 10
    _input_images_become_keyframes,  # 10 -> 11
    _conform_keys,  # 11 -> 12
    _cancel_requests,  # 12 -> 13
    _source_drop_frame,  # 13 -> 14
]


def latest_version() -> int:
    return len(MIGRATIONS)


def migrate(conn: Connection, from_version: int) -> None:
    """Run every migration after `from_version`, each committed on its own."""
    for version in range(from_version + 1, latest_version() + 1):
        with conn.begin():
            MIGRATIONS[version - 1](conn)
            conn.exec_driver_sql(f"PRAGMA user_version = {version}")
