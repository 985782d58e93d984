"""The window beside a terminal: a command edits the open project, and the window shows it when
it comes to the front again, its selection kept; a project a command is changing opens read-only."""

from __future__ import annotations

import os
import subprocess
import sys

from gui_loop import editor_window, opened, settings_in, wait_until
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from foundry_desktop.app.project_service import ProjectService

WAIT_S = 120


def foundry(*args: str) -> subprocess.CompletedProcess:
    """A command in another process, as in a terminal beside the window."""
    return subprocess.run([sys.executable, "-m", "foundry_desktop.cli.main", *args], capture_output=True,
                          text=True, timeout=WAIT_S, env=os.environ)


def film(tmp_path) -> str:
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=160, height=90, frame_rate="24") as service:
        service.add_shot(prompt="a valley at dawn", duration_seconds=1)
        service.add_shot(prompt="the river", duration_seconds=1)
    return str(path)


def bring_to_front(window) -> None:
    """The window activated again, as when the creator comes back to it from the terminal."""
    QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))


def test_a_command_edit_shows_when_the_window_comes_back(qtbot, tmp_path, loop):
    project = film(tmp_path)
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        assert opened(window, project)
        session = window.session
        river = session.service.project.timeline.shots[1].id
        session.select([river])
        assert window.timeline.canvas.length == 48

        done = foundry("shot", "add", project, "--prompt", "night falls", "--duration", "2")
        assert done.returncode == 0, done.stderr
        assert window.timeline.canvas.length == 48  # not looked yet

        looks: list[bool] = []
        session.outside_looked.connect(looks.append)
        bring_to_front(window)  # read again now, in a worker thread, not on the timer's next look
        # Waited for on the app's own loop (qtbot.waitSignal runs Qt alone: asyncio work would
        # resume with no running loop).
        wait_until(loop, lambda: True in looks)
        assert [shot.spec.prompt for shot in session.service.project.timeline.shots] == [
            "a valley at dawn", "the river", "night falls"]
        assert window.timeline.canvas.length == 96  # the timeline laid out again
        assert session.selected == [river]  # what was selected stays selected

        # And the window's own edit lands after the command's, in the same file.
        session.edit("Add", lambda: session.service.add_shot(prompt="stars", duration_seconds=1))
        wait_until(loop, lambda: window.timeline.canvas.length == 120)
    with ProjectService.open(project, read_only=True) as service:
        assert [shot.spec.prompt for shot in service.project.timeline.shots][-2:] == ["night falls", "stars"]
    assert not os.path.exists(project + ".lock")
