"""Encoding in worker processes: both cores busy, and a crashing codec cannot take the editor down.

Jobs run in a pool of spawned processes (spawn, not fork: forking a process
that runs Qt or threads is unsafe), started on first use and kept for the
next render. The workers die with the process that owns the pool (owner_death):
a killed command leaves no worker encoding on. A worker reports progress through a queue; the caller waits,
relays it and watches its cancel flag. Cancelling kills the workers at once
(an encode cannot be interrupted politely mid-frame); a worker that dies is
reported as a MediaError naming the job, and the pool is started afresh next time.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from foundry_desktop.errors import MediaError
from foundry_desktop.media.freed_memory import release_freed_memory
from foundry_desktop.media.owner_death import die_with_owner, owner_line

_progress_queue: Any = None  # in a worker: where report_progress sends
BACKGROUND_NICENESS = 10


def run_in_background() -> None:
    """Give this process a lower CPU priority: encoding fills every core, and the editor's
    window must still get the CPU the moment it needs it (where the system allows)."""
    if hasattr(os, "nice"):
        try:
            os.nice(BACKGROUND_NICENESS)
        except OSError:
            pass


def _start_worker(progress_queue: Any, owner: Any, parent_death_signal: bool, owner_pid: int) -> None:
    global _progress_queue
    die_with_owner(owner, parent_death_signal=parent_death_signal, owner_pid=owner_pid)
    _progress_queue = progress_queue
    run_in_background()


def _run_job(function: Callable[..., Any], *args: Any) -> Any:
    """In a worker: run one job, then give the memory it freed back to the system
    (an idle worker would otherwise hold its last encoder's buffers)."""
    try:
        return function(*args)
    finally:
        release_freed_memory()


def report_progress(amount: int) -> None:
    """Called by a job in a worker: `amount` more units of work are done."""
    if _progress_queue is not None:
        _progress_queue.put(amount)


class WorkerPool:
    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or max(1, os.cpu_count() or 1)
        self._context = multiprocessing.get_context("spawn")
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None
        self._queue: Any = None
        # The owner line: the workers watch its reading end; only the writing end's closing
        # (or this process's death) ends it, so the pool keeps both while it runs.
        self._owner_end: Any = None
        self._child_end: Any = None
        self._lock = threading.Lock()

    def _ensure_started(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._executor is None:
            # A SimpleQueue writes to its pipe before put() returns (a Queue hands the item to
            # a feeder thread), so a job's progress is all in the pipe before its result is.
            self._queue = self._context.SimpleQueue()
            self._child_end, self._owner_end = owner_line(self._context)
            launch_now = hasattr(concurrent.futures.ProcessPoolExecutor, "_launch_processes")
            # Linux's parent-death signal follows the thread that starts a worker: safe only when
            # every worker is started now, by the main thread (which lives as long as the process).
            parent_death_signal = launch_now and threading.current_thread() is threading.main_thread()
            self._executor = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=self._context, initializer=_start_worker,
                initargs=(self._queue, self._child_end, parent_death_signal, os.getpid()),
            )
            if launch_now:
                self._executor._launch_processes()  # all of them, from this thread
        return self._executor

    def run(
        self,
        function: Callable[..., Any],
        jobs: Sequence[tuple[tuple, str]],
        on_progress: Callable[[int], None] | None = None,
        cancel: threading.Event | None = None,
        parallel: int | None = None,
    ) -> list[Any]:
        """Run function(*args) for each (args, name) of `jobs`, at most `parallel` at a
        time (default: one per worker); results in job order.

        The first job to fail stops the rest, and its error is raised.
        """
        with self._lock:  # one render at a time per pool
            executor = self._ensure_started()
            limit = max(1, parallel or self.workers)
            waiting = list(jobs)
            futures: dict[concurrent.futures.Future, str] = {}  # in job order
            try:
                while True:
                    running = {future for future in futures if not future.done()}
                    while waiting and len(running) < limit:
                        args, name = waiting.pop(0)
                        future = executor.submit(_run_job, function, *args)
                        futures[future] = name
                        running.add(future)
                    # Only the running ones: a finished future would end every wait at once.
                    done, running = concurrent.futures.wait(
                        running, timeout=0.05, return_when=concurrent.futures.FIRST_COMPLETED
                    )
                    self._relay(on_progress)
                    failed = next((f for f in done if f.exception() is not None), None)
                    if failed is not None:
                        raise self._explain(failed.exception(), futures[failed])
                    if not running and not waiting:
                        break
                    if cancel is not None and cancel.is_set():
                        raise MediaError("Render cancelled.")
                self._relay(on_progress)
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                if any(not future.done() for future in futures):
                    self._kill()  # a job still encoding: stop it now
                raise

    def _relay(self, on_progress: Callable[[int], None] | None) -> None:
        while True:
            try:
                if self._queue.empty():
                    return
                amount = self._queue.get()
            except (OSError, ValueError, EOFError):
                return
            if on_progress is not None:
                on_progress(amount)

    def _explain(self, error: BaseException, name: str) -> BaseException:
        if isinstance(error, BrokenProcessPool):
            self._kill()
            return MediaError(
                f"The encoder stopped unexpectedly while making {name}. Your project is safe; "
                "try again, and if it happens again, the take may be damaged."
            )
        return error

    def _kill(self) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        # ProcessPoolExecutor has no way to stop a running job before Python 3.14's
        # kill_workers(); terminate its processes, then let it clean up.
        kill = getattr(executor, "kill_workers", None)
        if kill is not None:
            kill()
        else:
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                process.kill()
        executor.shutdown(wait=True, cancel_futures=True)
        self._close_lines()

    def _close_lines(self) -> None:
        if self._queue is not None:
            self._queue.close()
            self._queue = None
        if self._owner_end is not None:
            self._owner_end.close()  # any worker still there sees its owner gone, and ends
            self._child_end.close()
            self._owner_end = self._child_end = None

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
            self._close_lines()
