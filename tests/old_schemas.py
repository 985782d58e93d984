"""Turn a current .foundry file back into what an older schema left, to test the migrations forward.

Each entry undoes what one migration added (store/migrations.py), newest last.
"""

from __future__ import annotations

import json
import sqlite3

UNDO_MIGRATION: dict[int, tuple[str, ...]] = {
    8: ("ALTER TABLE shots DROP COLUMN gap_before",),
    9: ("DROP TABLE media_items",),
    10: (
        "DROP TABLE scenes",
        "ALTER TABLE takes DROP COLUMN kind",
        *(f"ALTER TABLE shots DROP COLUMN {column}" for column in (
            "scene_id", "overrides_json", "continue_from_previous", "keyframe_take_id", "last_keyframe_take_id")),
    ),
    12: (
        "ALTER TABLE shots DROP COLUMN reel", "ALTER TABLE shots DROP COLUMN source_timecode",
        "ALTER TABLE project DROP COLUMN start_timecode", "ALTER TABLE project DROP COLUMN drop_frame",
    ),
    13: ("DROP TABLE cancel_requests",),
    14: ("ALTER TABLE shots DROP COLUMN source_drop_frame",),
}


def undo_migrations_after(conn: sqlite3.Connection, version: int) -> None:
    """Drop what every migration after `version` (from 8 on) added, in the caller's transaction."""
    for undone in sorted(UNDO_MIGRATION, reverse=True):
        if undone > version:
            for statement in UNDO_MIGRATION[undone]:
                conn.execute(statement)


def keyframes_back_to_input_images(conn: sqlite3.Connection) -> None:
    """What schema 10 left before migration 11: a shot's picture kept as the spec's input image, not
    as an approved keyframe take of backend "media" (in the shots and the undo history's steps)."""
    pictures = {take_id: (path, json.loads(request).get("file")) for take_id, path, request in conn.execute(
        "SELECT id, media_path, request_json FROM takes WHERE kind = 'still' AND backend = 'media'")}

    specs = dict(conn.execute("SELECT id, spec_json FROM shots").fetchall())

    def back(shot_id: str, row: dict) -> dict:
        """A step that changed only the keyframe changed the spec's picture then; the rest of the
        spec is taken as the shot has it now (the tests' steps change nothing else)."""
        if "keyframe_take_id" not in row:
            return row
        row = dict(row)
        path, name = pictures.get(row.pop("keyframe_take_id"), (None, None))
        spec = json.loads(row.get("spec_json") or specs[shot_id])
        spec["input_image"], spec["input_image_name"] = path, name
        row["spec_json"] = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return row

    for shot_id, spec_json, keyframe in conn.execute("SELECT id, spec_json, keyframe_take_id FROM shots").fetchall():
        row = back(shot_id, {"spec_json": spec_json, "keyframe_take_id": keyframe})
        conn.execute("UPDATE shots SET spec_json = ?, keyframe_take_id = NULL WHERE id = ?", (row["spec_json"], shot_id))
    steps = conn.execute("SELECT step_id, seq, row_id, before_json, after_json FROM undo_changes "
                         "WHERE table_name = 'shots'")
    for step_id, seq, shot_id, before, after in steps.fetchall():
        sides = [json.dumps(back(shot_id, json.loads(side))) if side else None for side in (before, after)]
        conn.execute("UPDATE undo_changes SET before_json = ?, after_json = ? WHERE step_id = ? AND seq = ?",
                     (*sides, step_id, seq))
    conn.execute("DELETE FROM takes WHERE kind = 'still' AND backend = 'media'")
