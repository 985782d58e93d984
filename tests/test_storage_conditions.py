"""A full disk and read-only storage are said as such, and the project stays readable: never
"damaged". Tested without mounts: SQLite's own full-disk refusal (a page limit), EROFS at the
lock, and a reader that cannot have its WAL index, injected at those points."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat

import pytest
from cli_projects import one_shot_project

from foundry_desktop.cli.main import main
from foundry_desktop.store import project_file
from foundry_desktop.store.project_lock import ProjectLock


@pytest.fixture
def project(tmp_path, capsys) -> str:
    return one_shot_project(tmp_path, capsys)


def snapshot(path: str) -> bytes:
    return open(path, "rb").read()


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_a_full_disk_is_said_and_the_project_still_reads(project, capsys, monkeypatch):
    connect = project_file.connect_sqlite

    def no_room(path, *, read_only, immutable=False):
        conn = connect(path, read_only=read_only, immutable=immutable)
        if not read_only:  # SQLite's own SQLITE_FULL, as on a full disk: not one page more
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(project_file, "connect_sqlite", no_room)
    assert main(["shot", "add", project, "--prompt", "x" * 200_000, "--duration", "1"]) == 1
    err = one_line_error(capsys)
    assert "is full" in err and os.path.dirname(project) in err and "not saved" in err
    assert "damaged" not in err
    assert main(["info", project]) == 0
    assert "a valley at dawn" in capsys.readouterr().out


def test_a_read_only_disk_is_said_and_the_project_still_reads(project, capsys, monkeypatch):
    def read_only_disk(self, wait_s):
        raise OSError(errno.EROFS, "Read-only file system", str(self.path))

    monkeypatch.setattr(ProjectLock, "acquire", read_only_disk)
    before = snapshot(project)
    assert main(["shot", "add", project, "--prompt", "dusk", "--duration", "1"]) == 1
    err = one_line_error(capsys)
    assert "read-only disk" in err and "can be read but not changed" in err and "damaged" not in err
    for command in (["info", project], ["jobs", project], ["cost", project]):
        assert main(command) == 0, command
    assert snapshot(project) == before


def test_a_reader_without_its_wal_index_reads_the_file_immutable(project, capsys, monkeypatch):
    connect = project_file.connect_sqlite

    def no_shm(path, *, read_only, immutable=False):
        if read_only and not immutable:  # what a read-only folder does: no -shm can be made
            raise sqlite3.OperationalError("unable to open database file")
        return connect(path, read_only=read_only, immutable=immutable)

    monkeypatch.setattr(project_file, "connect_sqlite", no_shm)
    assert main(["info", project]) == 0
    assert "a valley at dawn" in capsys.readouterr().out


def test_a_read_only_project_file_and_folder(project, capsys, tmp_path):
    before = snapshot(project)
    os.chmod(project, stat.S_IRUSR | stat.S_IRGRP)
    os.chmod(tmp_path, stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(project, os.W_OK):
            pytest.skip("chmod has no effect here (run as root)")
        assert main(["info", project]) == 0
        assert "a valley at dawn" in capsys.readouterr().out
        assert main(["shot", "add", project, "--prompt", "dusk", "--duration", "1"]) == 1
        err = one_line_error(capsys)
        assert "read-only" in err and "can be read but not changed" in err
    finally:
        os.chmod(tmp_path, stat.S_IRWXU)
        os.chmod(project, stat.S_IRUSR | stat.S_IWUSR)
    assert snapshot(project) == before
