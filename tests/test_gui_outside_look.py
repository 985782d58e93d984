"""The window's look for what commands changed runs off the GUI thread: a command that holds the
project while it changes it is shown without waiting for it, an edit it blocks is refused at once
naming it (the GUI thread never waits for the lock), the GUI keeps running while a look waits, and
a look read before a change made in the window never undoes that change."""

from __future__ import annotations

import subprocess
import sys
import threading
import types

import pytest
from gui_loop import editor_window, opened, project_session, settings_in, wait_until
from PySide6.QtCore import QTimer, Qt
from PySide6.QtTest import QTest
from test_gui_outside_changes import bring_to_front, film, foundry
from test_project_lock import let_go

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.project import Take
from foundry_desktop.store import project_lock
from foundry_desktop.store.project_store import ProjectStore
from foundry_desktop.ui import project_session as project_session_module

# Only so that a broken test fails instead of hanging.
WAIT_S = 120

# `foundry shot add` as a long command would run it: it adds a shot, then keeps the project (its lock)
# until a line of input.
HOLDER = """
import sys
from foundry_desktop.app.project_access.project_lock_words import name_this_process
from foundry_desktop.app.project_service import ProjectService
name_this_process("foundry shot add")
service = ProjectService.open(sys.argv[1])
service.add_shot(prompt="from the terminal", duration_seconds=1)
print("held", flush=True)
sys.stdin.readline()
service.close()
print("released", flush=True)
"""


def prompts(service: ProjectService) -> list[str]:
    return [shot.spec.prompt for shot in service.project.timeline.shots]


def looks_of(session) -> list[bool]:
    """What each look for outside changes ended with (True: the project was read again), as it ends."""
    ended: list[bool] = []
    session.outside_looked.connect(ended.append)
    return ended


@pytest.fixture
def no_lock_waits(monkeypatch) -> list[float]:
    """Each pause the project lock makes while waiting for its holder (none, for the window)."""
    pauses: list[float] = []
    clock = types.SimpleNamespace(monotonic=project_lock.time.monotonic, sleep=pauses.append)
    monkeypatch.setattr(project_lock, "time", clock)
    return pauses


def test_the_window_shows_a_holders_change_and_refuses_an_edit_at_once(qtbot, tmp_path, loop, no_lock_waits):
    project = film(tmp_path)
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        window.activateWindow()
        wait_until(loop, window.isActiveWindow)  # for the window's shortcuts
        assert opened(window, project)
        session = window.session
        looks = looks_of(session)
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, project], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "held"

            # The look reads the file in a worker thread, and needs no lock: the holder's shot shows.
            bring_to_front(window)
            wait_until(loop, lambda: True in looks)
            assert prompts(session.service) == ["a valley at dawn", "the river", "from the terminal"]

            # Undo (Ctrl+Z) while the holder has the project: refused at once, naming it, and nothing undone.
            QTest.keyClick(window.timeline.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
            assert window.errors[-1][1] == (f"film.foundry is open in foundry shot add (process {holder.pid}), which "
                                            "is still changing it; try again once it has finished.")
            assert no_lock_waits == []  # the GUI thread did not wait for the lock to come free
            assert prompts(session.service) == ["a valley at dawn", "the river", "from the terminal"]
            let_go(holder)
        finally:
            if holder.poll() is None:
                holder.kill()
                holder.wait(WAIT_S)

        errors = len(window.errors)
        window.travel(undo=True)  # Edit > Undo (the refusal's box has the keys now), once it has let go
        assert len(window.errors) == errors
        assert prompts(session.service) == ["a valley at dawn", "the river"]
        loop.run_until_complete(session.wait_idle())
    with ProjectService.open(project, read_only=True) as service:
        assert prompts(service) == ["a valley at dawn", "the river"]


def test_the_gui_thread_runs_on_while_a_look_waits_for_the_file(qtbot, tmp_path, loop):
    project = film(tmp_path)
    with project_session(ProjectService.open(project, lock_per_write=True), loop) as session:
        looks = looks_of(session)
        assert foundry("shot", "add", project, "--prompt", "night falls", "--duration", "1").returncode == 0

        # A long write on a worker thread (an import's) has the project's connection; the look waits for it.
        held, release = threading.Event(), threading.Event()

        def long_write() -> None:
            with session.service._store._serial:
                held.set()
                release.wait(WAIT_S)

        writer = threading.Thread(target=long_write)
        writer.start()
        assert held.wait(WAIT_S)
        ticks_while_looking: list[int] = []
        ticker = QTimer(interval=1)
        ticker.timeout.connect(lambda: ticks_while_looking.append(1) if not looks else None)
        ticker.start()
        session.look_for_outside_changes()
        wait_until(loop, lambda: len(ticks_while_looking) >= 3)  # the GUI thread's timer fires on
        assert looks == [] and prompts(session.service) == ["a valley at dawn", "the river"]
        release.set()
        wait_until(loop, lambda: looks)
        ticker.stop()
        writer.join(WAIT_S)
        assert looks == [True]
        assert prompts(session.service) == ["a valley at dawn", "the river", "night falls"]


def test_a_look_read_before_a_take_came_in_does_not_undo_it(qtbot, tmp_path, loop, monkeypatch):
    project = film(tmp_path)
    # The first look pauses after it has read the file, until the window has recorded a take.
    read, go_on = threading.Event(), threading.Event()
    reading = ProjectStore.read_if_changed_elsewhere

    def read_then_pause(store):
        found = reading(store)
        read.set()
        go_on.wait(WAIT_S)
        return found

    monkeypatch.setattr(ProjectStore, "read_if_changed_elsewhere", read_then_pause)
    with project_session(ProjectService.open(project, lock_per_write=True), loop) as session:
        looks = looks_of(session)
        river = session.service.project.timeline.shots[1]
        assert foundry("shot", "add", project, "--prompt", "night falls", "--duration", "1").returncode == 0
        session.look_for_outside_changes()
        assert read.wait(WAIT_S)

        # A take finished in the window meanwhile (records need only the lock: it is written).
        take = Take(shot_id=river.id, media_path="takes/river.mp4", content_hash="r", fingerprint="f", spec={},
                    backend="builtin", seed=0, frames=24, width=160, height=90, created_at="2026-01-01T00:00:00",
                    elapsed_s=0.1)
        session.service.add_take(take, select_it=True)
        go_on.set()

        # The stale read is dropped, and the look after it reads the file, which has both.
        wait_until(loop, lambda: True in looks)
        assert looks == [False, True]
        assert prompts(session.service) == ["a valley at dawn", "the river", "night falls"]
        assert session.service.project.selected_take(session.service.project.timeline.shots[1]).id == take.id


def test_an_edit_refused_as_stale_has_the_file_read_in_a_worker(qtbot, tmp_path, loop, monkeypatch):
    monkeypatch.setattr(project_session_module, "OUTSIDE_LOOK_MS", 1_000_000_000)  # no look on a timer here
    project = film(tmp_path)
    with project_session(ProjectService.open(project, lock_per_write=True), loop) as session:
        looks = looks_of(session)
        assert foundry("shot", "add", project, "--prompt", "night falls", "--duration", "1").returncode == 0

        session.edit("Add shot", lambda: session.service.add_shot(prompt="stars", duration_seconds=1))
        assert session.errors == ["Add shot: film.foundry was changed by another Foundry command since this window "
                                  "read it; the window reads it again: do that once more."]
        assert prompts(session.service) == ["a valley at dawn", "the river"]  # not read on the GUI thread...
        wait_until(loop, lambda: looks)  # ...but in a worker, which the refusal started
        assert looks == [True] and prompts(session.service) == ["a valley at dawn", "the river", "night falls"]

        session.edit("Add shot", lambda: session.service.add_shot(prompt="stars", duration_seconds=1))
        assert len(session.errors) == 1
    with ProjectService.open(project, read_only=True) as service:
        assert prompts(service) == ["a valley at dawn", "the river", "night falls", "stars"]


def test_a_generation_run_reads_a_commands_change_before_it_starts(qtbot, tmp_path, loop, monkeypatch):
    monkeypatch.setattr(project_session_module, "OUTSIDE_LOOK_MS", 1_000_000_000)  # no look on a timer here
    project = film(tmp_path)
    with project_session(ProjectService.open(project, lock_per_write=True), loop) as session:
        assert foundry("shot", "add", project, "--prompt", "night falls", "--duration", "1").returncode == 0
        reports = []
        session.generate(done=reports.append)
        assert prompts(session.service) == ["a valley at dawn", "the river"]  # the run reads it first, under the lock
        wait_until(loop, lambda: reports)
        assert session.errors == [] and reports[0].generated == 3  # the command's shot among them
        assert prompts(session.service) == ["a valley at dawn", "the river", "night falls"]
