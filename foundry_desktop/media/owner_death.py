"""Child processes end when the process that started them dies, whatever kills it.

A worker that outlives its command (kill -9, a crash, a closed terminal) would go
on encoding at full CPU and writing a take nobody will adopt, re-parented to PID 1.
Two ways, one portable and one immediate:

* the owner line: the parent keeps the writing end of a pipe it never writes to
  and hands the reading end to the child, where a thread waits on it. When the
  parent dies the system closes its end, the wait ends with EOF, and the child
  exits at once. Works on Linux, macOS and Windows.
* on Linux, PR_SET_PDEATHSIG: the kernel sends SIGKILL when the parent dies. It
  fires when the parent *thread* that started the child ends (prctl(2)), so it is
  asked for only where the starting thread outlives the child (the caller says).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from typing import Any

PR_SET_PDEATHSIG = 1
OWNER_GONE_EXIT_CODE = 70  # EX_SOFTWARE: not a normal end, and never mistaken for success


def owner_line(context: Any) -> tuple[Any, Any]:
    """(the child's end, the parent's end) of a new owner line from a multiprocessing context.
    The parent keeps its end open as long as the child may work, and closes it afterwards."""
    child_end, parent_end = context.Pipe(duplex=False)
    return child_end, parent_end


def die_with_owner(child_end: Any, *, parent_death_signal: bool, owner_pid: int | None = None) -> None:
    """In the child, first thing: end this process when its owner dies.

    `child_end`: the reading end of an owner line (a multiprocessing Connection), or None.
    `parent_death_signal`: also ask Linux for SIGKILL on the parent's death; only where the
    thread that started this process lives as long as it does. `owner_pid`: the parent's pid,
    to notice a parent that died before the signal was asked for.
    """
    if parent_death_signal:
        _ask_for_parent_death_signal(owner_pid)
    if child_end is not None:
        threading.Thread(target=_wait_for_owner, args=(child_end,), name="foundry-owner-line", daemon=True).start()


def _ask_for_parent_death_signal(owner_pid: int | None) -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # no prctl here: the owner line still covers it
    # The parent may have died between starting us and the prctl: then we already belong to another.
    if owner_pid is not None and os.getppid() != owner_pid:
        os._exit(OWNER_GONE_EXIT_CODE)


def _wait_for_owner(child_end: Any) -> None:
    """On its own thread: block until the owner's end closes, then end the whole process."""
    try:
        while True:
            child_end.recv_bytes()  # the owner never writes; anything that comes is ignored
    except (EOFError, OSError):
        pass
    # os._exit from any thread ends the process without running Python's clean-up, which a
    # worker mid-frame could block on; what it was writing is a hidden .partial the next open removes.
    os._exit(OWNER_GONE_EXIT_CODE)


def watch_stream_for_owner(stream: Any) -> None:
    """For a program started by another with a pipe on `stream` (its stdin) that the starter never
    closes while it waits: end this process when the pipe ends (the starter died or gave up)."""
    # A descriptor of our own: Python closes sys.stdin as it shuts down, and a read that fails
    # then must not be mistaken for the starter's death (it would replace the exit status).
    fd = os.dup(stream.fileno())

    def wait() -> None:
        try:
            while os.read(fd, 1 << 12):
                pass
        except OSError:
            return  # not a pipe we can watch: nothing to go by
        os._exit(OWNER_GONE_EXIT_CODE)

    threading.Thread(target=wait, name="foundry-owner-stdin", daemon=True).start()
