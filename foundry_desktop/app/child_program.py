"""Running another program of ours (the desktop program that paints a storyboard or checks
playback) so that it dies with the command that started it.

The starter hands the child a stdin pipe it never writes to nor closes while it waits; the
child (told so by OWNER_STDIN_VARIABLE) watches it, and the pipe's end — the starter killed,
or done waiting — ends the child too. A pipe works on every system, where Linux's
parent-death signal would not.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence

from foundry_desktop.media.owner_death import watch_stream_for_owner

OWNER_STDIN_VARIABLE = "FOUNDRY_OWNER_STDIN"


def run_owned_program(command: Sequence[str], *, timeout: float, env: Mapping[str, str]) -> subprocess.CompletedProcess:
    """Like subprocess.run(command, capture_output=True, text=True, timeout=...), but the program
    ends when this process does. Raises OSError or subprocess.TimeoutExpired as run() does."""
    process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**env, OWNER_STDIN_VARIABLE: "1"})
    # communicate() would close stdin at once: the owner line is kept aside until the end.
    owner_line, process.stdin = process.stdin, None
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException:  # the time is up, or we are stopped: the child goes with us
        process.kill()
        process.wait()
        raise
    finally:
        owner_line.close()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def watch_owner_if_started_by_one() -> None:
    """In a program started by run_owned_program: end when the starter does."""
    if os.environ.get(OWNER_STDIN_VARIABLE) == "1" and sys.stdin is not None:
        watch_stream_for_owner(sys.stdin)
