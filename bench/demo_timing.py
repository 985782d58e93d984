"""How long the demo takes, phase by phase, against the length of the film it makes.

Run the same way each time:  .venv/bin/python bench/demo_timing.py [--runs 3]
The issue's target: the whole demo in well under a minute on two cores.
Reported: wall seconds per phase (best of N runs) and the realtime factor
(seconds of film per wall second) of generation and of rendering.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from foundry_desktop.app.setup.demo_film import DEMO_SHOTS, create_demo_project
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.generation.shot_generation import generate_shots
from foundry_desktop.generation.default_backends import default_registry


def one_run(folder: Path) -> dict[str, float]:
    timings = {}
    started = time.perf_counter()
    with create_demo_project(folder / "demo.foundry") as service:
        timings["layout"] = time.perf_counter() - started
        mark = time.perf_counter()
        report = asyncio.run(generate_shots(service, default_registry()))
        assert report.generated == len(DEMO_SHOTS), report
        timings["generate"] = time.perf_counter() - mark
        mark = time.perf_counter()
        info = render_film(service, folder / "demo.mp4").report.media
        timings["render"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    timings["film_seconds"] = info.duration_s
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(one_run(Path(folder)))
    best = {key: min(run[key] for run in runs) for key in runs[0]}
    film = best["film_seconds"]
    print(f"cores: {os.cpu_count()}, runs: {args.runs} (best of)")
    print(f"film length        {film:6.2f} s")
    print(f"layout             {best['layout']:6.2f} s")
    print(f"generate (builtin) {best['generate']:6.2f} s   {film / best['generate']:.2f}x realtime")
    print(f"render             {best['render']:6.2f} s   {film / best['render']:.2f}x realtime")
    print(f"total              {best['total']:6.2f} s   (target: well under 60 s)")


if __name__ == "__main__":
    main()
