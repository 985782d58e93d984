"""Several places at once: readers beside a writer, a short wait for the lock, words naming its
holder, no NAME.foundry.lock left behind, a killed holder never blocking the next open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest
from cli_projects import one_shot_project

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.errors import ProjectChangedElsewhereError, ProjectLockedError

# Only so that a child that hangs fails the test instead of hanging it.
WAIT_S = 120

# A process that holds the project as `foundry generate` would, says so, and lets go on a line of input.
HOLDER = """
import sys
from foundry_desktop.app.project_access.project_lock_words import name_this_process
from foundry_desktop.app.project_service import ProjectService
name_this_process("foundry generate")
service = ProjectService.open(sys.argv[1])
print("held", flush=True)
sys.stdin.readline()
service.close()
print("released", flush=True)
"""


@pytest.fixture
def project(tmp_path, capsys) -> str:
    return one_shot_project(tmp_path, capsys)


@pytest.fixture
def holder(project):
    child = subprocess.Popen([sys.executable, "-c", HOLDER, project], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    yield child
    if child.poll() is None:
        child.kill()
        child.wait()


def let_go(child: subprocess.Popen) -> None:
    child.stdin.write("\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == "released"
    child.wait(WAIT_S)


def test_no_lock_file_is_left_after_close_or_a_command(project):
    lock = project + ".lock"
    with ProjectService.open(project) as service:
        assert os.path.exists(lock)
        service.add_shot(prompt="noon", duration_seconds=1)
    assert not os.path.exists(lock)
    assert main(["shot", "add", project, "--prompt", "dusk", "--duration", "1"]) == 0
    assert not os.path.exists(lock)


def test_readers_read_while_a_writer_holds_the_project(project, holder, capsys, tmp_path):
    for command in (["info", project], ["jobs", project], ["takes", project, "1"], ["cost", project],
                    ["export", project, "-o", str(tmp_path / "cut.edl")]):
        assert main(command) == 0, command
    assert "a valley at dawn" in capsys.readouterr().out
    assert (tmp_path / "cut.edl").exists()
    let_go(holder)


def test_an_edit_is_refused_naming_the_holder(project, holder, capsys):
    with pytest.raises(ProjectLockedError, match=rf"open in foundry generate \(process {holder.pid}\)"):
        ProjectService.open(project, lock_wait_s=0)
    let_go(holder)


def test_a_short_edit_waits_for_the_lock(project, holder):
    opened: list[object] = []
    waiter = threading.Thread(target=lambda: opened.append(ProjectService.open(project, lock_wait_s=WAIT_S)))
    waiter.start()
    assert waiter.is_alive() and not opened  # it cannot have the lock while the holder has it
    let_go(holder)
    waiter.join(WAIT_S)
    service = opened[0]
    assert isinstance(service, ProjectService)
    service.close()


def test_a_killed_holder_does_not_block_the_next_open(project, holder):
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(WAIT_S)
    with ProjectService.open(project, lock_wait_s=0) as service:
        assert service.project.timeline.shots
    assert not os.path.exists(project + ".lock")


def test_the_window_writes_between_commands_and_sees_their_edits(project, capsys):
    window = ProjectService.open(project, lock_per_write=True, lock_wait_s=0)
    try:
        assert not os.path.exists(project + ".lock")  # held only while it writes
        assert main(["shot", "add", project, "--prompt", "from the terminal", "--duration", "1"]) == 0
        # An edit computed from the older picture is refused, and the project read again...
        with pytest.raises(ProjectChangedElsewhereError, match="changed by another Foundry command"):
            window.add_shot(prompt="from the window", duration_seconds=1)
        assert [shot.spec.prompt for shot in window.project.timeline.shots] == ["a valley at dawn", "from the terminal"]
        # ...so the next one lands beside the command's.
        window.add_shot(prompt="from the window", duration_seconds=1)
        assert not window.refresh_from_file()
    finally:
        window.close()
    with ProjectService.open(project, read_only=True) as service:
        assert [shot.spec.prompt for shot in service.project.timeline.shots] == [
            "a valley at dawn", "from the terminal", "from the window"]
