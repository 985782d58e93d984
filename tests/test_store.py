"""The project file: creating, refusing what is not ours, locking, migrations, undo."""

import json
import os
import sqlite3
from pathlib import Path

import pytest

from foundry_desktop.domain import timeline_ops as ops
from foundry_desktop.domain.project import Project, Shot, ShotSpec
from foundry_desktop.errors import ProjectLockedError, ProjectOpenError
from foundry_desktop.store import migrations
from foundry_desktop.store.project_store import ProjectStore
from foundry_desktop.store.schema import APPLICATION_ID, metadata


def add(store: ProjectStore, prompt: str) -> Project:
    before = store.load()
    after = before.model_copy(update={"timeline": ops.append_shot(before.timeline, Shot(spec=ShotSpec(prompt=prompt)))})
    store.commit_edit(before, after, f"add {prompt}")
    return after


def prompts(store: ProjectStore) -> list[str]:
    return [s.spec.prompt for s in store.load().timeline.shots]


@pytest.fixture
def project_path(tmp_path) -> Path:
    path = tmp_path / "film.foundry"
    with ProjectStore.create(path, Project(name="Film")) as store:
        add(store, "one")
    return path


def snapshot(path: Path) -> bytes:
    return path.read_bytes()


def test_create_open_round_trip(project_path):
    with ProjectStore.open(project_path) as store:
        project = store.load()
        assert project.name == "Film" and prompts(store) == ["one"]
        assert store.media.root == project_path.with_name("film.media")
    conn = sqlite3.connect(project_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.latest_version()
    conn.close()


def test_create_refuses_to_overwrite(project_path):
    with pytest.raises(ProjectOpenError, match="already exists"):
        ProjectStore.create(project_path, Project())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a Foundry project"),
        (os.urandom(4096), "not a Foundry project"),
        (b"hello, this is a text file\n" * 50, "not a Foundry project"),
    ],
)
def test_refuses_files_that_are_not_projects(tmp_path, content, message):
    path = tmp_path / "bogus.foundry"
    path.write_bytes(content)
    with pytest.raises(ProjectOpenError, match=message):
        ProjectStore.open(path)
    assert path.read_bytes() == content


def test_refuses_other_sqlite_databases(tmp_path):
    path = tmp_path / "other.foundry"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = snapshot(path)
    with pytest.raises(ProjectOpenError, match="database, but not a Foundry project"):
        ProjectStore.open(path)
    assert snapshot(path) == before


def test_refuses_a_corrupt_project_without_touching_it(project_path):
    data = bytearray(project_path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    # Scribble over every page after the first: the header still says "SQLite, ours".
    for offset in range(page_size, len(data), 7):
        data[offset] = (data[offset] * 31 + 7) % 256
    project_path.write_bytes(bytes(data))
    with pytest.raises(ProjectOpenError, match="damaged"):
        ProjectStore.open(project_path)
    assert project_path.read_bytes() == bytes(data)


def test_refuses_a_truncated_project(project_path):
    data = project_path.read_bytes()
    project_path.write_bytes(data[: len(data) // 2 + 100])
    with pytest.raises(ProjectOpenError):
        ProjectStore.open(project_path)


def test_refuses_a_project_from_a_newer_version(project_path):
    conn = sqlite3.connect(project_path)
    conn.execute(f"PRAGMA user_version = {migrations.latest_version() + 1}")
    conn.commit()
    conn.close()
    before = snapshot(project_path)
    with pytest.raises(ProjectOpenError, match="newer Foundry Desktop"):
        ProjectStore.open(project_path)
    with pytest.raises(ProjectOpenError, match="newer Foundry Desktop"):
        ProjectStore.open(project_path, read_only=True)
    assert snapshot(project_path) == before


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ProjectOpenError, match="no project"):
        ProjectStore.open(tmp_path / "nothing.foundry")
    assert not (tmp_path / "nothing.foundry").exists()
    with pytest.raises(ProjectOpenError, match="folder"):
        ProjectStore.open(tmp_path)


def test_one_writer_at_a_time_readers_welcome(project_path):
    with ProjectStore.open(project_path) as writer:
        with pytest.raises(ProjectLockedError, match=rf"is open in .+ \(process {os.getpid()}\)"):
            ProjectStore.open(project_path, lock_wait_s=0)
        add(writer, "two")
        with ProjectStore.open(project_path, read_only=True) as reader:
            assert prompts(reader) == ["one", "two"]
    # Released on close.
    with ProjectStore.open(project_path) as store:
        assert prompts(store) == ["one", "two"]


def first_schema_file(path: Path) -> Path:
    """A project as Foundry's first schema wrote it, with a dissolve-era transition name
    in a shot and in its undo history."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for statement in migrations._FIRST_SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO project VALUES ('p1', 'Old film', 640, 360, '24', 48000)")
    spec = ShotSpec(prompt="old", duration=48).model_dump_json()
    for shot_id, position, kind, frames in (("s1", 0, "dip_to_black", 8), ("s2", 1, "cut", 0)):
        conn.execute(
            "INSERT INTO shots VALUES (?, ?, '', ?, NULL, 0, NULL, ?, ?)", (shot_id, position, spec, kind, frames)
        )
    row = {"id": "s1", "position": 0, "name": "", "spec_json": spec, "trim_in": 0, "trim_out": None,
           "transition_kind": "wipe", "transition_frames": 8}
    after = {**row, "transition_kind": "dip_to_black"}
    conn.execute("INSERT INTO undo_steps VALUES (1, 'Set transition after shot 1', '2026-01-01', 0)")
    conn.execute("INSERT INTO undo_changes VALUES (1, 0, 'shots', 's1', ?, ?)", (json.dumps(row), json.dumps(after)))
    conn.execute("COMMIT")
    conn.close()
    return path


def test_a_first_schema_project_is_upgraded_with_its_data_and_history(tmp_path):
    path = first_schema_file(tmp_path / "old.foundry")
    with ProjectStore.open(path) as store:
        project = store.load()
        first, second = project.timeline.shots
        assert (first.transition_out.kind, first.transition_out.duration) == ("fade_black", 8)
        assert (first.fit, first.audio_gain_db, first.audio_muted) == ("fit", 0.0, False)
        assert (project.timeline.fade_in, project.timeline.fade_out) == (0, 0)
        # The undo history was rewritten too: undoing gives a kind that exists today.
        assert store.undo().label == "Set transition after shot 1"
        assert store.load().timeline.shots[0].transition_out.kind == "dissolve"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.latest_version()
    conn.close()
    backup = sqlite3.connect(path.with_name("old.foundry.v1.bak"))
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup.execute("SELECT transition_kind FROM shots WHERE id = 's1'").fetchone() == ("dip_to_black",)
    backup.close()


def test_a_new_file_has_exactly_the_tables_the_code_reads(project_path):
    conn = sqlite3.connect(project_path)
    for table in metadata.sorted_tables:
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table.name})")}
        assert columns == set(table.columns.keys()), table.name
    conn.close()


def test_migrations_run_forward_to_a_later_version(project_path, monkeypatch):
    """A file at today's version is upgraded by a later migration, keeping its data and a backup."""
    today = migrations.latest_version()

    def add_column(conn):
        conn.exec_driver_sql("ALTER TABLE shots ADD COLUMN color TEXT NOT NULL DEFAULT '#888'")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, add_column])
    assert migrations.latest_version() == today + 1
    with ProjectStore.open(project_path) as store:
        assert prompts(store) == ["one"]
    conn = sqlite3.connect(project_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == today + 1
    assert conn.execute("SELECT color FROM shots").fetchall() == [("#888",)]
    conn.close()
    backup = project_path.with_name(f"film.foundry.v{today}.bak")
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == today
    conn.close()


def test_a_failing_migration_leaves_the_file_at_its_old_version(project_path, monkeypatch):
    def broken(conn):
        conn.exec_driver_sql("ALTER TABLE shots ADD COLUMN color TEXT")
        raise sqlite3.OperationalError("simulated failure half-way")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    with pytest.raises(ProjectOpenError):
        ProjectStore.open(project_path)
    monkeypatch.undo()
    with ProjectStore.open(project_path) as store:
        assert prompts(store) == ["one"]
    conn = sqlite3.connect(project_path)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(shots)")]
    assert "color" not in columns
    conn.close()


def test_undo_redo_survive_reopening(project_path):
    with ProjectStore.open(project_path) as store:
        add(store, "two")
        add(store, "three")
    with ProjectStore.open(project_path) as store:
        assert store.undo().label == "add three"
        assert store.undo().label == "add two"
    with ProjectStore.open(project_path) as store:
        assert prompts(store) == ["one"]
        assert store.redo_label() == "add two"
        assert store.redo().label == "add two"
        assert prompts(store) == ["one", "two"]
        # A new edit ends the redo branch.
        add(store, "four")
        assert store.redo() is None
        assert prompts(store) == ["one", "two", "four"]


def test_group_is_one_step_and_rollback_leaves_nothing(project_path):
    with ProjectStore.open(project_path) as store:
        with store.group("two shots"):
            add(store, "a")
            with store.group("nested"):
                add(store, "b")
        assert store.undo_label() == "two shots"
        with pytest.raises(RuntimeError):
            with store.group("doomed"):
                add(store, "c")
                raise RuntimeError("creator cancelled")
        assert prompts(store) == ["one", "a", "b"]
        assert store.undo().label == "two shots"
        assert prompts(store) == ["one"]
        # An empty group leaves no undo step.
        with store.group("nothing"):
            pass
        assert store.undo_label() == "add one"


def test_a_group_is_invisible_to_other_readers_until_committed(project_path):
    with ProjectStore.open(project_path) as store:
        store.begin_group("work")
        add(store, "pending")
        with ProjectStore.open(project_path, read_only=True) as reader:
            assert prompts(reader) == ["one"]
        store.commit_group()
        with ProjectStore.open(project_path, read_only=True) as reader:
            assert prompts(reader) == ["one", "pending"]
