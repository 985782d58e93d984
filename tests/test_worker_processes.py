"""The encoding workers: results, progress, a crash that leaves the caller standing, and cancel."""

import threading

import pytest
from crashing_jobs import crash, refuse, sleep_forever, square, timed_nap

from foundry_desktop.errors import MediaError
from foundry_desktop.media.worker_processes import WorkerPool


@pytest.fixture(scope="module")
def pool():
    workers = WorkerPool(2)
    yield workers
    workers.close()


def test_results_come_back_in_order_with_progress(pool):
    seen = []
    assert pool.run(square, [((n,), f"job {n}") for n in range(6)], on_progress=seen.append) == [0, 1, 4, 9, 16, 25]
    assert sum(seen) == 6


def test_a_crashing_worker_is_a_clear_error_and_the_pool_recovers(pool):
    with pytest.raises(MediaError, match="stopped unexpectedly while making shot 3"):
        pool.run(crash, [((1,), "shot 3")])
    assert pool.run(square, [((3,), "after")]) == [9]


def test_an_error_in_a_job_comes_back_as_it_was(pool):
    with pytest.raises(MediaError, match="^shot 9: no such take$"):
        pool.run(refuse, [((1,), "shot 9")])


def test_cancel_stops_running_jobs_at_once(pool):
    # The jobs never end by themselves: cancelled once they report progress (they are running),
    # the pool returning at all shows they were stopped, not waited for.
    cancel = threading.Event()
    with pytest.raises(MediaError, match="cancelled"):
        pool.run(sleep_forever, [((1,), "a"), ((2,), "b")], cancel=cancel, on_progress=lambda _: cancel.set())
    assert pool.run(square, [((2,), "after")]) == [4]


def test_parallel_limits_how_many_jobs_run_at_once(pool):
    spans = pool.run(timed_nap, [((0.2,), f"nap {n}") for n in range(3)], parallel=1)
    assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:]))  # one after another
