"""SIGKILL at random moments of editing never breaks a project or loses a reported edit.

The kills follow the children's own progress (lines they print), never a guessed time
since their start: on a loaded machine a child can take seconds to get going.

What a child said is its complete lines only. A kill can cut the line it is printing:
print() writes a line in several write() calls where output is unbuffered (PYTHONUNBUFFERED,
as CI and containers set it: "done", " ", the state, "\n"), and even in one call a line
longer than PIPE_BUF (the state lists grow past 4 KiB) goes into a full pipe in pieces. A
loaded machine stretches the time between the pieces, and the kill lands there. A cut line
was never said (the child had not finished saying it), so it counts for nothing.
"""

import json
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.store.project_store import ProjectStore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")

CHILD = Path(__file__).with_name("edit_forever.py")
CLI = Path(__file__).with_name("cli_reporting_progress.py")
# How long to wait for a line from a child: only so that a child that hangs fails the test
# instead of hanging it; a slow machine never comes near it.
WAIT_S = 120


class ChildLines:
    """A child's stdout, line by line as it comes (read on a thread), so the test can wait for one."""

    def __init__(self, child: subprocess.Popen) -> None:
        self.child = child
        self.lines: list[str] = []  # complete lines only
        self.cut: str | None = None  # the last line, if the kill cut it before its end
        self._arrived: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.child.stdout:
            if not line.endswith("\n"):  # only the last can lack it: the child died writing it
                self.cut = line
                break
            self.lines.append(line.removesuffix("\n"))
            self._arrived.put(self.lines[-1])
        self._arrived.put(None)  # the child closed its output: it has ended

    def wait_for(self, prefix: str) -> str:
        """The next line that starts with `prefix`; fails if the child ends without one."""
        while (line := self._arrived.get(timeout=WAIT_S)) is not None:
            if line.startswith(prefix):
                return line
        raise AssertionError(f"the child ended before saying {prefix!r}: {self.child.stderr.read()}")

    def kill(self) -> list[str]:
        """SIGKILL it (unless it has ended) and return every line it printed whole."""
        self.child.send_signal(signal.SIGKILL)
        return self.end()

    def end(self) -> list[str]:
        """Every line it printed whole, once it has ended."""
        self.child.wait()
        self._reader.join()  # its output is closed now: the last lines are read
        self.child.stderr.close()
        return self.lines


def states(lines: list[str], kind: str) -> list[list[str]]:
    """The project states the child said with lines `kind [...]`, in order."""
    return [json.loads(line.removeprefix(kind + " ")) for line in lines if line.startswith(kind + " ")]


def test_a_line_cut_by_the_kill_was_never_said():
    """A child killed halfway through writing a line (as a kill can land on a loaded machine):
    its whole lines are read, the cut one is set aside, and none of it breaks the reading."""
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import os, signal; os.write(1, b'next [\"a\"]\\ndone [\"a\"]\\nnext [\"a\", \"b'); "
         "os.kill(os.getpid(), signal.SIGKILL)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    output = ChildLines(child)
    lines = output.end()
    assert child.returncode == -signal.SIGKILL
    assert lines == ['next ["a"]', 'done ["a"]']
    assert output.cut == 'next ["a", "b'
    assert states(lines, "next") == states(lines, "done") == [["a"]]


def persisted_prompts(path: Path) -> list[str]:
    with ProjectStore.open(path) as store:
        return [s.spec.prompt for s in store.load().timeline.shots]


def test_sigkill_during_edits_never_loses_a_reported_edit(tmp_path):
    path = tmp_path / "crash.foundry"
    ProjectService.create(path, width=320, height=180).close()
    rng = random.Random(1234)
    expected: list[str] = []
    kills_mid_edit = 0
    for round_number in range(25):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), str(path), str(round_number)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        output = ChildLines(child)
        # Once it has started (imports take a while) and finished an edit, kill it at a random
        # instant of its editing.
        output.wait_for("done")
        time.sleep(rng.uniform(0.0, 0.4))
        lines = output.kill()

        done, nexts = states(lines, "done"), states(lines, "next")
        last_done = done[-1]
        # The child started from exactly what the previous round left.
        assert json.loads(lines[0].removeprefix("start ")) == expected
        in_flight = nexts[-1] if len(nexts) > len(done) else None

        # The project opens, is intact, and holds the last reported edit (or the one in flight).
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        actual = persisted_prompts(path)
        assert actual == last_done or (in_flight is not None and actual == in_flight), (actual, last_done, in_flight)
        kills_mid_edit += in_flight is not None
        expected = actual

    # Undo still works on the survivor.
    with ProjectService.open(path) as service:
        assert service.undo() is not None
    assert kills_mid_edit > 0, "no kill landed during an edit; the test proved little"


def test_sigkill_of_the_cli_between_commands(tmp_path):
    """The CLI reports an edit only once it is safely in the file."""
    path = tmp_path / "cli.foundry"
    ProjectService.create(path, width=320, height=180).close()
    rng = random.Random(99)
    reported = []
    kills = 0
    work_s = None  # how long one command works once it has opened the file, here and now
    for number in range(12):
        prompt = f"cli edit {number}"
        child = subprocess.Popen(
            [sys.executable, str(CLI), "shot", "add", str(path), "--prompt", prompt, "--duration", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        output = ChildLines(child)
        output.wait_for("opening")  # imported, and at work on the project file
        opened = time.monotonic()
        if work_s is None:
            # The first command runs to its end: its time sets the span the kills are spread
            # over, so they land during the work (and some after it) however fast the machine.
            lines = output.end()
            work_s = time.monotonic() - opened
        else:
            # Every third at once, the others at a random instant of the work or just after it.
            time.sleep(0.0 if number % 3 == 1 else rng.uniform(0.0, 1.5 * work_s))
            kills += child.poll() is None
            lines = output.kill()
        if any(line.startswith("Added shot") for line in lines):
            reported.append(prompt)
        actual = persisted_prompts(path)
        assert all(p in actual for p in reported)
    assert reported and kills, (reported, kills)
