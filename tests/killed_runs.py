"""A command killed (SIGKILL) while its cloud work is out: the kill tests of every provider run the
command in a child, wait until it has recorded the remote ids, and kill it there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from foundry_desktop.store.project_store import ProjectStore

# How long to wait for the child's progress: only so that a child that hangs fails the test
# instead of hanging it; a slow machine never comes near it.
WAIT_S = 120


def recorded_ids(project) -> list[str]:
    """The remote ids the running command has recorded (read beside it, without its lock)."""
    with ProjectStore.open(project, read_only=True) as store:
        return [job.remote_id for job in store.jobs(("submitted",)) if job.remote_id]


def kill_once_recorded(project, count: int, *command: str) -> None:
    """`foundry COMMAND…` in a child, killed with SIGKILL once `count` remote ids are recorded."""
    child = subprocess.Popen([sys.executable, "-m", "foundry_desktop.cli.main", *command],
                             env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + WAIT_S
    while len(recorded_ids(project)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
