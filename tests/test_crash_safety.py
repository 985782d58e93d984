"""SIGKILL at random moments of editing never breaks a project or loses a reported edit."""

import json
import os
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


def read_lines(stream, lines: list[str]) -> None:
    for line in stream:
        lines.append(line.rstrip("\n"))


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
        lines: list[str] = []
        reader = threading.Thread(target=read_lines, args=(child.stdout, lines), daemon=True)
        reader.start()
        # Let it start (imports take a while), then kill at a random instant of editing.
        deadline = time.monotonic() + 20
        while not any(line.startswith("done") for line in lines):
            assert child.poll() is None, child.stderr.read()
            assert time.monotonic() < deadline, "the child never finished an edit"
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait()
        reader.join(timeout=5)

        done = [json.loads(line[5:]) for line in lines if line.startswith("done ")]
        nexts = [json.loads(line[5:]) for line in lines if line.startswith("next ")]
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
    foundry = [sys.executable, "-m", "foundry_desktop.cli.main"]
    rng = random.Random(99)
    reported = []
    for number in range(12):
        prompt = f"cli edit {number}"
        child = subprocess.Popen(
            [*foundry, "shot", "add", str(path), "--prompt", prompt, "--duration", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            # From before the CLI has started (~0.8 s to import) to after it has finished.
            out, _ = child.communicate(timeout=rng.uniform(0.2, 2.5))
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            out, _ = child.communicate()
        if "Added shot" in out:
            reported.append(prompt)
        actual = persisted_prompts(path)
        assert all(p in actual for p in reported)
    assert reported, "no CLI edit finished; lengthen the timeouts"
