"""`foundry self-test`: does this installation work? The checks of app.self_test, and
playback through the desktop program beside this one (this program holds no Qt)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from foundry_desktop.app.child_program import run_owned_program
from foundry_desktop.app.setup.self_test import SelfTest, run_self_test
from foundry_desktop.cli.common import desktop_program

PLAYBACK_TIMEOUT_S = 60


def play_in_desktop_program(film: Path) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    try:
        done = run_owned_program([*desktop_program(), "--check-playback", str(film)], timeout=PLAYBACK_TIMEOUT_S,
                                 env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"the desktop program did not run: {exc}") from None
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0:
        raise RuntimeError(lines[-1] if lines else (done.stderr.strip().splitlines() or ["no answer"])[-1])
    return lines[-1]


def self_test(args: argparse.Namespace) -> int:
    def playback(test: SelfTest) -> Iterator[tuple[str, Callable[[], str]]]:
        yield "playback", lambda: play_in_desktop_program(test.film)

    return 0 if run_self_test(playback, report=lambda line: print(line, flush=True)) else 1
