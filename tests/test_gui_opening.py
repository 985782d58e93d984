"""Opening a project in the window, driven by real input (File ▸ Open, the welcome page's recent
list): the file is locked, checked, read and cleaned in a worker thread while the window goes on
answering, the project is shown once read, and a failed open says why in one line, leaving the
project that was open as it was."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from gui_loop import editor_window, opened, settings_in, wait_until
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from foundry_desktop.app.project_access.window_opening import WindowProject
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.store.project_file import wal_files_present
from foundry_desktop.store.project_lock import ProjectLock
from foundry_desktop.ui.window import project_opening

# Only so that a broken test fails instead of hanging; every wait ends by an event.
WAIT_S = 60


@pytest.fixture
def window(qtbot, tmp_path, loop):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        yield window


def film(folder: Path, name: str, shots: int) -> Path:
    path = folder / f"{name}.foundry"
    with ProjectService.create(path, name=name.title(), width=320, height=180, frame_rate="24") as service:
        for number in range(shots):
            service.add_shot(prompt=f"{name} shot {number + 1}", duration_seconds="1", seed=number)
    return path


class WorkerOpens:
    """The window's open (lock, checks, read, cleaning, first look), noting the thread it ran on and, when `held`,
    waiting there until the test lets it go (so the test sees the window while it opens)."""

    def __init__(self, monkeypatch, held: bool = False) -> None:
        self.threads: list[threading.Thread] = []
        self.started, self.go_on = threading.Event(), threading.Event()
        if not held:
            self.go_on.set()
        self._open = project_opening.open_for_the_window
        monkeypatch.setattr(project_opening, "open_for_the_window", self)

    def __call__(self, *args, **kwargs) -> WindowProject:
        self.threads.append(threading.current_thread())
        if threading.current_thread() is threading.main_thread():
            raise AssertionError("the project was opened on the GUI thread")
        self.started.set()
        assert self.go_on.wait(WAIT_S)
        return self._open(*args, **kwargs)


def choose_in_file_open(window, monkeypatch, path: Path) -> None:
    """File ▸ Open…, the creator choosing `path` in the file dialog."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), "Foundry projects"))
    window.open_action.trigger()


def test_file_open_reads_the_project_in_a_worker_while_the_window_answers(window, monkeypatch, tmp_path, loop):
    path = film(tmp_path, "harbour", shots=3)
    scratch = path.with_name("harbour.media") / "tmp" / "killed-render.part"  # what a killed run left
    scratch.parent.mkdir(parents=True)
    scratch.write_bytes(b"half a frame")
    worker = WorkerOpens(monkeypatch, held=True)

    choose_in_file_open(window, monkeypatch, path)
    wait_until(loop, worker.started.is_set)  # the loop ran meanwhile: the window answers
    assert window.session is None and window.opening.path == path
    assert window.statusBar().currentMessage() == "Opening harbour.foundry…"
    assert QApplication.overrideCursor().shape() == Qt.CursorShape.BusyCursor
    other = film(tmp_path, "valley", shots=1)
    choose_in_file_open(window, monkeypatch, other)  # one open at a time: the second is refused in words
    assert window.statusBar().currentMessage().startswith("Still opening harbour.foundry")

    worker.go_on.set()
    wait_until(loop, lambda: window.session is not None)
    assert window.session.path == path and window.windowTitle() == "Harbour — Foundry Desktop"
    assert window.statusBar().currentMessage() == "320×180 · 24 fps · 3 shots"
    assert window.jobs_summary.text() == "3 to generate"
    assert window.undo_action.text() == "&Undo Add shot 3"
    assert QApplication.overrideCursor() is None and window.opening.path is None
    assert len(worker.threads) == 1 and not scratch.exists()  # cleaned off the GUI thread too
    assert window.errors == []

    window.session.edit("Rename", lambda: window.session.service.rename_project("Harbour at dusk"))
    with ProjectService.open(path, read_only=True) as reader:  # the window's open writes as it should
        assert reader.project.name == "Harbour at dusk" and len(reader.project.timeline.shots) == 3


def test_a_project_chosen_in_the_recent_list_opens_and_another_replaces_it(qtbot, monkeypatch, tmp_path, loop):
    first, second = film(tmp_path, "dawn", shots=1), film(tmp_path, "dusk", shots=2)
    settings = settings_in(tmp_path)
    settings.setValue("recent", [str(second), str(first)])
    with editor_window(qtbot, loop, settings) as window:
        choose_from_recent(window, monkeypatch, loop, first, second)


def choose_from_recent(window, monkeypatch, loop, first: Path, second: Path) -> None:
    worker = WorkerOpens(monkeypatch)
    recent = window.welcome.recent
    assert recent.count() == 2 and recent.isVisible()

    recent.setCurrentRow(next(row for row in range(recent.count()) if recent.item(row).text().startswith("dawn")))
    recent.setFocus()
    QTest.keyClick(recent, Qt.Key.Key_Return)  # the chosen one, as a creator picks it with the keys
    wait_until(loop, lambda: window.session is not None)
    assert window.session.path == first and worker.threads[0] is not threading.main_thread()

    window.recent_menu.actions()[1].trigger()  # File ▸ Open recent ▸ dusk (dawn is listed first now)
    wait_until(loop, lambda: window.session is not None and window.session.path == second)
    assert window.statusBar().currentMessage() == "320×180 · 24 fps · 2 shots"
    assert not Path(f"{first}.lock").exists() and not wal_files_present(first)  # the first one let go


def test_a_failed_open_says_why_in_one_line_and_leaves_the_open_project_open(window, monkeypatch, tmp_path, loop):
    path = film(tmp_path, "harbour", shots=2)
    assert opened(window, path)
    session = window.session
    bogus = tmp_path / "notes.foundry"
    bogus.write_text("a shopping list, not a project")

    choose_in_file_open(window, monkeypatch, bogus)
    wait_until(loop, lambda: window.errors)
    title, message = window.errors[-1]
    assert title == "Cannot open the project"
    assert "notes.foundry" in message and "\n" not in message
    assert window.session is session and window.opening.path is None
    assert window.statusBar().currentMessage() == "320×180 · 24 fps · 2 shots"  # not "Opening…" for ever
    assert QApplication.overrideCursor() is None

    session.edit("Rename", lambda: session.service.rename_project("Still editable"))
    assert window.errors[-1][0] == "Cannot open the project"  # the edit was not refused
    with ProjectService.open(path, read_only=True) as reader:
        assert reader.project.name == "Still editable"


def test_a_project_a_command_holds_opens_for_reading_after_the_wait_off_the_gui_thread(window, monkeypatch, tmp_path,
                                                                                      loop):
    path = film(tmp_path, "harbour", shots=1)
    command = ProjectLock(path)  # a `foundry generate` in a terminal, as far as the lock can tell
    command.acquire(0)
    try:
        worker = WorkerOpens(monkeypatch)
        choose_in_file_open(window, monkeypatch, path)
        wait_until(loop, lambda: window.session is not None)
        assert window.session.service.read_only
        assert window.statusBar().currentMessage().startswith("Opened for reading only: harbour.foundry is open in")
        assert all(thread is not threading.main_thread() for thread in worker.threads)  # the wait too
        assert window.errors == []
    finally:
        command.release()


def test_a_window_closed_while_a_project_opens_leaves_it_closed(qtbot, monkeypatch, tmp_path, loop):
    path = film(tmp_path, "harbour", shots=1)
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        worker = WorkerOpens(monkeypatch, held=True)
        choose_in_file_open(window, monkeypatch, path)
        wait_until(loop, worker.started.is_set)
        window.close()
        assert window.session is None
        worker.go_on.set()  # the worker finishes opening a project no one wants now
        wait_until(loop, lambda: not wal_files_present(path))  # and it is closed as it arrives
    assert window.session is None and QApplication.overrideCursor() is None
