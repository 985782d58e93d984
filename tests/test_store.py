"""The project file: creating, refusing what is not ours, locking, migrations, undo."""

import os
import sqlite3
from pathlib import Path

import pytest

from foundry_desktop.domain import timeline_ops as ops
from foundry_desktop.domain.project import Project, Shot, ShotSpec
from foundry_desktop.errors import ProjectLockedError, ProjectOpenError
from foundry_desktop.store import migrations
from foundry_desktop.store.project_store import ProjectStore


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
        with pytest.raises(ProjectLockedError, match="open in another"):
            ProjectStore.open(project_path)
        add(writer, "two")
        with ProjectStore.open(project_path, read_only=True) as reader:
            assert prompts(reader) == ["one", "two"]
    # Released on close.
    with ProjectStore.open(project_path) as store:
        assert prompts(store) == ["one", "two"]


def test_migrations_run_forward_from_the_first_schema(project_path, monkeypatch):
    """A file at version 1 is upgraded by a later migration, keeping its data and a backup."""

    def add_column(conn):
        conn.exec_driver_sql("ALTER TABLE shots ADD COLUMN color TEXT NOT NULL DEFAULT '#888'")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, add_column])
    assert migrations.latest_version() == 2
    with ProjectStore.open(project_path) as store:
        assert prompts(store) == ["one"]
    conn = sqlite3.connect(project_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("SELECT color FROM shots").fetchall() == [("#888",)]
    conn.close()
    backup = project_path.with_name("film.foundry.v1.bak")
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
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
        assert store.undo() == "add three"
        assert store.undo() == "add two"
    with ProjectStore.open(project_path) as store:
        assert prompts(store) == ["one"]
        assert store.redo_label() == "add two"
        assert store.redo() == "add two"
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
        assert store.undo() == "two shots"
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
