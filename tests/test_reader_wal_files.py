"""A command that only reads a project leaves its folder as it found it: no empty NAME-wal or
NAME-shm beside a closed project (SQLite makes them for a WAL reader; only a writer removes them),
and never the files of a writer that has the project open."""

from __future__ import annotations

import os

import pytest

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main


@pytest.fixture
def generated(tmp_path, capsys):
    """A closed project with one generated shot, in a folder of its own; outputs go elsewhere."""
    folder = tmp_path / "project"
    folder.mkdir()
    path = str(folder / "film.foundry")
    assert main(["new", path, "--size", "160x90", "--fps", "24"]) == 0
    assert main(["shot", "add", path, "--prompt", "a valley at dawn", "--duration", "1", "--seed", "1"]) == 0
    assert main(["generate", path]) == 0
    capsys.readouterr()
    return path


def listing(folder) -> list[str]:
    return sorted(os.listdir(folder))


def reading_commands(project: str, out) -> list[list[str]]:
    return [["info", project], ["jobs", project], ["takes", project, "1"], ["cost", project],
            ["export", project, "-o", str(out / "cut.edl")], ["render", project, "-o", str(out / "film.mp4")]]


def test_reading_commands_leave_a_closed_project_folder_as_they_found_it(generated, tmp_path, capsys):
    folder = os.path.dirname(generated)
    before = listing(folder)
    assert "film.foundry-wal" not in before and "film.foundry-shm" not in before
    media_before = listing(os.path.join(folder, "film.media"))
    for command in reading_commands(generated, tmp_path):
        assert main(command) == 0, command
        assert listing(folder) == before, command
    capsys.readouterr()
    # The render's reused segments aside, the media folder too.
    assert set(media_before) <= set(listing(os.path.join(folder, "film.media")))
    assert (tmp_path / "cut.edl").exists() and (tmp_path / "film.mp4").exists()


def test_a_read_only_open_leaves_no_files_and_its_file_unchanged(generated):
    folder = os.path.dirname(generated)
    before, content = listing(folder), open(generated, "rb").read()
    with ProjectService.open(generated, read_only=True) as service:
        assert service.project.timeline.shots
        assert "film.foundry-shm" in listing(folder)  # a WAL reader needs it while it reads
    assert listing(folder) == before
    assert open(generated, "rb").read() == content  # the writer that tidied after it wrote nothing


def test_a_reader_beside_an_open_writer_leaves_the_writer_its_files(generated, capsys):
    folder = os.path.dirname(generated)
    before = listing(folder)
    with ProjectService.open(generated, lock_per_write=True, lock_wait_s=0) as window:
        beside = listing(folder)
        assert "film.foundry-wal" in beside and "film.foundry-shm" in beside
        assert main(["info", generated]) == 0
        assert listing(folder) == beside  # the window's log and index are still there...
        window.add_shot(prompt="the river", duration_seconds=1)  # ...and it writes on through them
        assert main(["info", generated]) == 0
    assert "the river" in capsys.readouterr().out
    assert listing(folder) == before  # the writer, last to close, removed them as ever
