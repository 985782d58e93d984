"""Jobs for test_worker_processes, importable by the spawned workers."""

import os
import time

from foundry_desktop.errors import MediaError
from foundry_desktop.media.worker_processes import report_progress


def square(value: int) -> int:
    report_progress(1)
    return value * value


def crash(_: int) -> None:
    os.abort()  # what a codec's segfault looks like from outside: the process is gone


def refuse(_: int) -> None:
    raise MediaError("shot 9: no such take")


def sleep_forever(_: int) -> None:
    while True:
        report_progress(1)
        time.sleep(0.05)


def misbehaving_encoder_trials(encoders: list[str], connection) -> None:
    """Stands in for encoder_survey's trial worker: 'crashy' kills the process,
    'hangs' never answers, anything else works."""
    for encoder in encoders:
        connection.send(("trying", encoder))
        if encoder == "crashy":
            os.abort()
        if encoder == "hangs":
            time.sleep(3600)
        connection.send(("result", None))


def timed_nap(seconds: float) -> tuple[float, float]:
    started = time.monotonic()
    time.sleep(seconds)
    return started, time.monotonic()
