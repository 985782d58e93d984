"""The tables of a .foundry file (current schema; migrations.py builds them).

Undo restores the rows of the project, shots, scenes, music clips, captions, markers,
characters, styles and media bin items, in the columns project_rows writes (a shot's approved
keyframes among them: approving one is the creator's edit, which Ctrl+Z takes back). A shot's selected
take and everything about takes and generation are deliberately left out: they
record work that happened (a generation finished), not an edit the creator
made, and undoing an edit must never throw a finished take away.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, MetaData, Table, Text

# 'FDRY' in the SQLite header: how we tell our files from any other SQLite file.
APPLICATION_ID = 0x46445259

metadata = MetaData()

project_table = Table(
    "project",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("frame_rate", Text, nullable=False),
    Column("audio_rate", Integer, nullable=False),
    Column("fade_in", Integer, nullable=False, server_default="0"),
    Column("fade_out", Integer, nullable=False, server_default="0"),
    Column("start_timecode", Integer),  # NULL: 01:00:00:00
    Column("drop_frame", Integer),  # NULL: as the rate allows
)

takes_table = Table(
    "takes",
    metadata,
    Column("id", Text, primary_key=True),
    # No foreign key: a removed shot keeps its takes, so undoing the removal brings them back.
    Column("shot_id", Text, nullable=False),
    Column("kind", Text, nullable=False, server_default="video"),
    Column("media_path", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("spec_json", Text, nullable=False),
    Column("backend", Text, nullable=False),
    Column("request_json", Text, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("frames", Integer, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("elapsed_s", Float, nullable=False),
    Index("takes_by_shot", "shot_id"),
    Index("takes_by_fingerprint", "fingerprint"),
)

shots_table = Table(
    "shots",
    metadata,
    Column("id", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("spec_json", Text, nullable=False),
    Column("selected_take_id", Text, ForeignKey("takes.id", ondelete="SET NULL"), nullable=True),
    Column("trim_in", Integer, nullable=False),
    Column("trim_out", Integer, nullable=True),
    Column("transition_kind", Text, nullable=False),
    Column("transition_frames", Integer, nullable=False),
    Column("fit", Text, nullable=False, server_default="fit"),
    Column("audio_gain_db", Float, nullable=False, server_default="0"),
    Column("audio_muted", Integer, nullable=False, server_default="0"),
    Column("gap_before", Integer, nullable=False, server_default="0"),
    Column("reel", Text, nullable=False, server_default=""),
    Column("source_timecode", Integer, nullable=False, server_default="0"),
    Column("source_drop_frame", Integer, nullable=True),  # NULL: its source counts as the film does
    Column("scene_id", Text, nullable=True),
    Column("overrides_json", Text, nullable=False, server_default="[]"),
    Column("continue_from_previous", Integer, nullable=False, server_default="0"),
    # Which keyframes are approved: undoable edits (project_rows.shot_row). No foreign key:
    # takes are never deleted, and a missing one reads as no keyframe.
    Column("keyframe_take_id", Text, nullable=True),
    Column("last_keyframe_take_id", Text, nullable=True),
)

# Music clips, captions and markers: small records kept whole as JSON.
music_table = Table(
    "music_clips",
    metadata,
    Column("id", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("data_json", Text, nullable=False),
)
captions_table = Table(
    "captions",
    metadata,
    Column("id", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("data_json", Text, nullable=False),
)
scenes_table = Table(
    "scenes",
    metadata,
    Column("id", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("data_json", Text, nullable=False),
)
markers_table = Table(
    "markers",
    metadata,
    Column("id", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("data_json", Text, nullable=False),
)

# The project's characters and style templates (domain.prompt_templates), in the order they were made.
characters_table = Table(
    "characters",
    metadata,
    Column("id", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("data_json", Text, nullable=False),
)

styles_table = Table(
    "styles",
    metadata,
    Column("id", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("data_json", Text, nullable=False),
)

# The media bin (domain.project.MediaItem): files brought in, used on the timeline or not. Undoable.
media_table = Table(
    "media_items",
    metadata,
    Column("id", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("data_json", Text, nullable=False),
)

shot_generation_table = Table(
    "shot_generation",
    metadata,
    Column("shot_id", Text, primary_key=True),
    Column("state", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)

# Generation jobs (domain.generation_job): what was asked of which backend, and how far it got.
# Not undoable: a job records work that happened, like a take.
jobs_table = Table(
    "jobs",
    metadata,
    Column("id", Text, primary_key=True),
    Column("shot_id", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("backend", Text, nullable=False),
    Column("spec_json", Text, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("server", Text, nullable=True),
    Column("remote_id", Text, nullable=True),
    Column("progress", Float, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("cost_estimate", Float, nullable=True),
    Column("cost_actual", Float, nullable=True),
    Column("cost_unit", Text, nullable=True),
    Column("take_id", Text, nullable=True),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Index("jobs_by_state", "state"),
)

# The project's spending cap per cost unit (domain.cost). Undoable (its row changes keyed by unit).
budgets_table = Table(
    "budgets",
    metadata,
    Column("unit", Text, primary_key=True),
    Column("amount", Float, nullable=False),
)

# Settings of this project that override the machine's (by name, JSON values). Not undoable.
project_settings_table = Table(
    "project_settings",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value_json", Text, nullable=False),
)

undo_steps_table = Table(
    "undo_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("label", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("undone", Integer, nullable=False, default=0),
)

# One row per row an undo step changed (undo_history): the old and new values of the columns
# that changed, as JSON objects; None on one side for a row added or removed (the other side whole).
undo_changes_table = Table(
    "undo_changes",
    metadata,
    Column("step_id", Integer, ForeignKey("undo_steps.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("table_name", Text, nullable=False),
    Column("row_id", Text, nullable=False),
    Column("before_json", Text, nullable=True),
    Column("after_json", Text, nullable=True),
)

# Jobs another process asked to cancel (job id, or "*" for every unfinished one): written without
# the writer's lock by `foundry cancel`, read and removed by the process running the jobs.
cancel_requests_table = Table(
    "cancel_requests",
    metadata,
    Column("job_id", Text, primary_key=True),
    Column("requested_at", Text, nullable=False),
)
