"""The open project used from several threads of one process (the window's GUI thread and its
workers): the writer's lock counted under a guard, and closing never pulling the connection from
under a worker. Real threads on a real file, each step made to happen by events, never by sleeps."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from foundry_desktop.domain.project import Project
from foundry_desktop.errors import ProjectOpenError
from foundry_desktop.store import project_lock, project_store
from foundry_desktop.store.project_file import wal_files_present
from foundry_desktop.store.project_lock import LockBusy, ProjectLock
from foundry_desktop.store.project_store import ProjectStore

# Only so that a broken test fails instead of hanging; every wait below ends by an event.
WAIT_S = 60


@pytest.fixture
def path(tmp_path) -> Path:
    path = tmp_path / "film.foundry"
    ProjectStore.create(path, Project(name="Film")).close()
    return path


def in_thread(name: str, work) -> tuple[threading.Thread, dict]:
    """`work` run in a thread of its own; what it returned or raised lands in the dict."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:  # noqa: BLE001 (the test looks at it)
            outcome["error"] = exc

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread, outcome


def joined(thread: threading.Thread, outcome: dict):
    thread.join(WAIT_S)
    assert not thread.is_alive()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


class ArrivalNoted:
    """The lock's guard, noting when the thread named `who` comes to it (before it may wait there)."""

    def __init__(self, guard, who: str, arrived: threading.Event) -> None:
        self._guard, self._who, self._arrived = guard, who, arrived

    def __enter__(self):
        if threading.current_thread().name == self._who:
            self._arrived.set()
        return self._guard.__enter__()

    def __exit__(self, *exc_info):
        return self._guard.__exit__(*exc_info)


def test_a_thread_taking_the_lock_while_another_of_ours_takes_it_nests_into_it(path, monkeypatch):
    lock = ProjectLock(path)
    taking, let_it_finish, second_arrived = threading.Event(), threading.Event(), threading.Event()
    same_file = project_lock._same_file

    def paused_once_the_file_is_locked(fd: int, lock_path: Path) -> bool:
        if threading.current_thread().name == "generation":  # holds the flock, not counted yet
            taking.set()
            assert let_it_finish.wait(WAIT_S)
        return same_file(fd, lock_path)

    monkeypatch.setattr(project_lock, "_same_file", paused_once_the_file_is_locked)
    monkeypatch.setattr(lock, "_guard", ArrivalNoted(getattr(lock, "_guard", threading.Lock()), "worker",
                                                     second_arrived), raising=False)
    first = in_thread("generation", lambda: lock.acquire(0))
    assert taking.wait(WAIT_S)

    def worker_write() -> None:
        try:
            lock.acquire(0)  # the window's way: never waiting for the lock
        finally:
            second_arrived.set()

    second = in_thread("worker", worker_write)
    assert second_arrived.wait(WAIT_S)
    let_it_finish.set()
    joined(*first)
    joined(*second)  # nested into this process's own lock, not refused as if another held it

    other_process = ProjectLock(path)  # another open file description: to flock, another holder
    lock.release()
    with pytest.raises(LockBusy):
        other_process.acquire(0)  # one of the two still holds it
    lock.release()
    other_process.acquire(0)  # both let go: the lock is free
    other_process.release()
    assert not lock.path.exists()


def test_a_close_asked_while_a_worker_reads_waits_for_it_and_the_worker_closes_the_file(path, monkeypatch):
    store = ProjectStore.open(path)  # a command's way: the lock held from open to close
    inside, let_it_finish = threading.Event(), threading.Event()
    referenced_hashes = project_store.referenced_hashes

    def slow_read(conn):
        inside.set()
        assert let_it_finish.wait(WAIT_S)
        return referenced_hashes(conn)

    monkeypatch.setattr(project_store, "referenced_hashes", slow_read)
    reader = in_thread("worker", store.media_references)
    assert inside.wait(WAIT_S)

    assert store.close() is False  # the GUI thread does not wait: the worker closes it
    assert store.closed
    with pytest.raises(ProjectOpenError, match="film.foundry was closed"):
        store.undo_label()  # refused at once, not handed the connection that is going
    assert wal_files_present(path) and Path(f"{path}.lock").exists()  # still open under the worker

    let_it_finish.set()
    assert joined(*reader) == set()  # its read ended on an open connection
    assert not wal_files_present(path)  # the last connection closed: SQLite removed its log
    assert not Path(f"{path}.lock").exists()
    with ProjectStore.open(path) as again:  # and the lock is free for the next writer
        assert again.load().name == "Film"


def test_a_close_with_no_one_inside_is_done_at_once(path):
    store = ProjectStore.open(path, lock_per_write=True)
    assert store.undo_label() is None
    assert store.close() is True
    assert not wal_files_present(path)
    with pytest.raises(ProjectOpenError, match="was closed"):
        store.load()


def test_a_generation_run_ending_after_the_project_closed_lets_go_cleanly(path):
    store = ProjectStore.open(path, lock_per_write=True)  # the window's way: the lock per write
    with store.holding_lock():
        assert Path(f"{path}.lock").exists()
        assert store.close() is True  # the window closed while the run still held the project
    assert not Path(f"{path}.lock").exists()
    with pytest.raises(ProjectOpenError, match="was closed"):
        with store.holding_lock():
            pass
