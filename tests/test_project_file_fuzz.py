"""A real project file, damaged at random — bytes flipped in its pages, truncated, its header broken,
rows given values of the wrong type or out of range through raw SQL, a schema version from the
future, a table gone — is opened (for editing, read-only, and by `foundry info`) or refused with one
clear line: never a crash, and the file is left exactly as it was.

`.ci/fuzz` runs these longer (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
import tempfile
from pathlib import Path

import pytest
from file_mutations import failing_after
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.domain.project import Take
from foundry_desktop.errors import FoundryError
from foundry_desktop.store.migrations import latest_version
from foundry_desktop.store.schema import metadata

HANG_SECONDS = 300  # only a hang reaches it, and fails
TABLES = [table.name for table in metadata.sorted_tables]
# Values a hand edit or a damaged page may leave in a column.
WRONG_VALUES = ["text", "", -1, -(2**63), 2**63 - 1, 1e308, float("-inf"), None, b"\x00\xff", "{\"broken json",
                "[]", "{}", "nan", 0, "null", "[1, 2", "{\"kind\": 5}", "9" * 30]


@pytest.fixture(scope="module")
def project_bytes(tmp_path_factory) -> bytes:
    """A project with shots in a scene, a take, a caption, a budget, and an undo history."""
    path = tmp_path_factory.mktemp("project") / "film.foundry"
    with ProjectService.create(path, width=64, height=36, frame_rate=12) as service:
        for number in range(3):
            service.add_shot(prompt=f"shot {number}", duration_seconds=1, seed=number)
        shot = service.project.timeline.shots[0]
        service.add_take(Take(shot_id=shot.id, media_path="takes/a.mp4", content_hash="a", fingerprint="f",
                              spec={}, backend="builtin", request={}, seed=0, frames=12, width=64, height=36,
                              elapsed_s=0.1, created_at="2026-01-01T00:00:00"), select_it=True)
        service.add_scene("Harbour", shot_indexes=[0, 1])
        service.add_caption("Hello", "0", "1")
        service.set_budget("usd", 5)
        service.update_shot(1, prompt="changed")
    return path.read_bytes()


def damaged(data: st.DataObject, original: bytes, folder: Path) -> Path:
    path = folder / "film.foundry"
    path.write_bytes(original)
    kind = data.draw(st.sampled_from(["flips", "truncation", "header", "row", "future", "missing table"]),
                     label="kind")
    if kind in ("flips", "header"):
        content = bytearray(original)
        end = 100 if kind == "header" else len(content)
        for _ in range(data.draw(st.integers(1, 24), label="flips")):
            at = data.draw(st.integers(0, end - 1), label="at")
            content[at] ^= data.draw(st.integers(1, 255), label="xor")
        path.write_bytes(bytes(content))
    elif kind == "truncation":
        path.write_bytes(original[:data.draw(st.integers(0, len(original) - 1), label="length")])
    else:
        with contextlib.closing(sqlite3.connect(path)) as conn, conn:
            if kind == "row":
                for _ in range(data.draw(st.integers(1, 3), label="values")):
                    table = metadata.tables[data.draw(st.sampled_from(TABLES), label="table")]
                    column = data.draw(st.sampled_from([c.name for c in table.columns]), label="column")
                    value = data.draw(st.sampled_from(WRONG_VALUES), label="value")
                    with contextlib.suppress(sqlite3.IntegrityError):  # a NOT NULL or key refusing it: no damage
                        conn.execute(f"UPDATE {table.name} SET {column} = ?", (value,))
            elif kind == "future":
                conn.execute(f"PRAGMA user_version = {latest_version() + data.draw(st.integers(1, 2**20))}")
            else:
                conn.execute("PRAGMA foreign_keys = OFF")
                conn.execute(f"DROP TABLE {data.draw(st.sampled_from(TABLES), label='table')}")
        for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
    return path


def assert_one_clear_line(message: str) -> None:
    assert message.strip() and "\n" not in message.strip() and "Traceback" not in message, repr(message)


def open_and_read(path: Path, read_only: bool) -> None:
    with ProjectService.open(path, read_only=read_only) as service:
        service.cut_plan()
        service.jobs()
        service.budgets()


@pytest.mark.fuzz
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_project_opens_or_is_refused_in_one_line_and_stays_as_it_was(project_bytes, data):
    with tempfile.TemporaryDirectory() as folder:
        path = damaged(data, project_bytes, Path(folder))
        refused = {}
        with failing_after(HANG_SECONDS):
            for read_only in (True, False):  # read-only first: it must never change a byte
                before = path.read_bytes()
                try:
                    open_and_read(path, read_only)
                except FoundryError as error:
                    assert_one_clear_line(str(error))
                    refused[read_only] = str(error)
                    assert path.read_bytes() == before  # a refusal leaves the file as it was
                else:
                    # Opening for editing may let SQLite mend what it can (a header's page count):
                    # a file it opens is no longer the damaged one.
                    assert read_only is False or path.read_bytes() == before
            before = path.read_bytes()
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                code = main(["info", str(path)])
        if code != 0:
            assert_one_clear_line(stderr.getvalue().removeprefix("foundry: error: "))
            assert path.read_bytes() == before
        if True in refused and False in refused:  # no way in: `info` cannot read it either
            assert code != 0


def test_each_kind_of_damage_is_refused_in_words(project_bytes, tmp_path):
    """The damage a creator can meet, one by one, with the words they get."""
    def refusal(damage: str) -> str:
        path = tmp_path / f"film{len(list(tmp_path.iterdir()))}.foundry"  # a fresh copy for each case
        path.write_bytes(project_bytes)
        with contextlib.closing(sqlite3.connect(path)) as conn, conn:
            conn.execute(damage)
        before = path.read_bytes()
        with pytest.raises(FoundryError) as caught:
            open_and_read(path, read_only=False)
        assert path.read_bytes() == before
        return str(caught.value)

    assert "newer Foundry Desktop" in refusal(f"PRAGMA user_version = {latest_version() + 1}")
    assert "captions table is missing" in refusal("DROP TABLE captions")
    assert "damaged" in refusal("UPDATE shots SET spec_json = '{\"broken'")
    assert "damaged" in refusal("UPDATE shots SET trim_in = -5")
    assert "project settings are missing" in refusal("DELETE FROM project")
    assert "damaged" in refusal("UPDATE project SET frame_rate = 'fast'")


@pytest.mark.fuzz
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=400), st.sampled_from([
    b"", b"{", b"[]", b"null", b"{\"comfyui_servers\": 5}", b"{\"comfyui_servers\": [{\"name\": \"\", \"url\": 1}]}",
    b"{\"cloud\": {\"runway\": {\"poll_seconds\": -1}}}", b"{\"unknown\": true}", b"\xff\xfe{\x00}\x00"])))
def test_damaged_machine_settings_are_refused_in_one_line_and_a_damaged_workflow_index_reads_as_empty(content):
    from foundry_desktop.app.generation.settings import load_settings
    from foundry_desktop.generation.comfyui.library import INDEX_FILE_NAME, WorkflowLibrary

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generation.json"
        path.write_bytes(content)
        try:
            load_settings(path)
        except FoundryError as error:
            assert_one_clear_line(str(error))
        assert path.read_bytes() == content
        (Path(folder) / INDEX_FILE_NAME).write_bytes(content)
        library = WorkflowLibrary(Path(folder))
        assert library.names()  # the built-in workflows are all still there
        assert all(not entry.favourite for entry in library.entries()) or content.startswith(b"{")
