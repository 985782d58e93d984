"""Turn a current .foundry file back into what an older schema left, to test the migrations forward.

Each entry undoes what one migration added (store/migrations.py), newest last.
"""

from __future__ import annotations

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
}


def undo_migrations_after(conn: sqlite3.Connection, version: int) -> None:
    """Drop what every migration after `version` (from 8 on) added, in the caller's transaction."""
    for undone in sorted(UNDO_MIGRATION, reverse=True):
        if undone > version:
            for statement in UNDO_MIGRATION[undone]:
                conn.execute(statement)
