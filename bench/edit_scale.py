"""What an edit costs as the project grows: a prompt edit and its undo through
ProjectService at 10, 1,000 and 10,000 shots, adding 1,000 shots one by one, and
opening a 1,000- and a 10,000-shot project.

Run the same way each time:  PYTHONPATH=$PWD .venv/bin/python bench/edit_scale.py
Targets (issue 16, part 5): a prompt edit and its undo <= 5 ms at 1,000 shots, and
t(10,000) <= 1.5 x t(1,000) for the edit and for the undo. Adding 1,000 shots one by
one (total) and opening are reported, without a target.

Each number is a median: of `--rounds` x `--edits` edits (and their undos), and of
`--repeat` runs for adding and opening. The rounds take the sizes in turn, so that a
machine shared with other work slows every size alike; still, compare ratios and runs
made the same way, not single numbers. Every project file is written to a temporary
folder (on the same disk as $TMPDIR; commits are fsynced, so the disk counts).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.project import Project, ProjectFormat, Shot, ShotSpec, Timeline
from foundry_desktop.store.project_store import ProjectStore

SIZES = (10, 1_000, 10_000)


def project_with(shots: int) -> Project:
    """A project of `shots` shots with prompts of a realistic length, built in memory."""
    timeline = Timeline(shots=[
        Shot(name=f"Shot {n + 1}", spec=ShotSpec(
            prompt=f"shot {n}: a lighthouse keeper climbs the spiral stairs at dusk, lantern in hand, "
                   "wind rattling the windows, slow dolly in",
            negative_prompt="blurry, text", seed=n, duration=72))
        for n in range(shots)
    ])
    return Project(name=f"{shots} shots", format=ProjectFormat(width=640, height=360), timeline=timeline)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def edit_and_undo(services: dict[int, ProjectService], rounds: int, edits: int) -> dict[int, tuple[float, float]]:
    """Per size, the median seconds of a prompt edit of the middle shot, and of undoing it."""
    times: dict[int, tuple[list[float], list[float]]] = {size: ([], []) for size in services}
    for round_number in range(rounds):
        for size, service in services.items():
            middle = size // 2
            edit_times, undo_times = times[size]
            for n in range(edits):
                started = time.perf_counter()
                service.update_shot(middle, prompt=f"edited {round_number}.{n}")
                edit_times.append(time.perf_counter() - started)
            undo_times.extend(timed(service.undo) for _ in range(edits))
    return {size: (statistics.median(edit), statistics.median(undo)) for size, (edit, undo) in times.items()}


def add_one_by_one(folder: Path, shots: int) -> float:
    """Seconds to add `shots` shots to a new project, one edit each."""
    path = folder / f"added-{time.monotonic_ns()}.foundry"
    with ProjectService.create(path, width=640, height=360) as service:
        started = time.perf_counter()
        for n in range(shots):
            service.add_shot(prompt=f"shot {n}: a lighthouse at dusk", seed=n, duration_frames=72)
        return time.perf_counter() - started


def open_time(path: Path) -> float:
    started = time.perf_counter()
    service = ProjectService.open(path)
    elapsed = time.perf_counter() - started
    service.close()
    return elapsed


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds over the sizes")
    parser.add_argument("--edits", type=int, default=6, help="edits (then their undos) per size and round")
    parser.add_argument("--repeat", type=int, default=3, help="runs of adding and opening; the median is reported")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="edit-scale-") as folder_name:
        folder = Path(folder_name)
        paths = {}
        for size in SIZES:
            paths[size] = folder / f"{size}.foundry"
            ProjectStore.create(paths[size], project_with(size)).close()

        services = {size: ProjectService.open(path) for size, path in paths.items()}
        try:
            results = edit_and_undo(services, args.rounds, args.edits)
        finally:
            for service in services.values():
                service.close()
        print(f"{'shots':>7} {'prompt edit':>12} {'its undo':>12} {'open':>12}")
        for size in SIZES:
            edit, undo = results[size]
            opened = statistics.median(open_time(paths[size]) for _ in range(args.repeat))
            print(f"{size:>7} {ms(edit):>12} {ms(undo):>12} {ms(opened):>12}", flush=True)

        adding = statistics.median(add_one_by_one(folder, 1_000) for _ in range(args.repeat))
        print(f"\nadding 1,000 shots one by one: {adding:.2f} s in all ({adding:.2f} ms per shot)")

        (edit_1k, undo_1k), (edit_10k, undo_10k) = results[1_000], results[10_000]
        print(f"\nt(10,000) / t(1,000): edit {edit_10k / edit_1k:.2f}, undo {undo_10k / undo_1k:.2f} (target <= 1.5)")
        print(f"at 1,000 shots: edit {edit_1k * 1000:.1f} ms, undo {undo_1k * 1000:.1f} ms (target <= 5 ms)")


if __name__ == "__main__":
    main()
