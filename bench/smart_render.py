"""Smart render: a re-render after changing 1 shot of 10, against a full render of the same cut.

Run the same way each time:  .venv/bin/python bench/smart_render.py [--size 1920x1080] [--seconds 3]
Target (issue 3): re-render <= 0.20x the full render's wall time.
Both renders make the same film (10 built-in shots, dissolves between two
pairs, film fades); the full one starts from an empty segment cache.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path

from foundry_desktop.app.render.film_render import SEGMENT_CACHE, render_film
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.generation.shot_generation import generate_shots
from foundry_desktop.generation.default_backends import default_registry

SHOTS = 10


def timed_render(service: ProjectService, output: Path):
    started = time.perf_counter()
    report = render_film(service, output).report
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--seconds", default="2")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    registry = default_registry()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        with ProjectService.create(folder / "bench.foundry", width=width, height=height, frame_rate="24") as service:
            for number in range(SHOTS):
                service.add_shot(prompt=f"Shot number {number + 1}", duration_seconds=args.seconds, seed=number)
            service.set_transition(2, "dissolve", 12)
            service.set_transition(6, "fade_black", 12)
            service.set_film_fades(12, 24)
            asyncio.run(generate_shots(service, registry))

            render_film(service, folder / "warm-up.mp4")  # starts the worker processes
            shutil.rmtree(service.media.path_of(SEGMENT_CACHE))
            full_s, full = timed_render(service, folder / "full.mp4")

            service.update_shot(4, prompt="A changed shot")
            asyncio.run(generate_shots(service, registry))
            again_s, again = timed_render(service, folder / "again.mp4")

    film_s = full.media.duration_s
    print(f"cores: {os.cpu_count()}, {width}x{height}, {SHOTS} shots, film {film_s:.1f} s")
    print(f"full render      {full_s:6.2f} s  ({full.segments_encoded} segments encoded, {film_s / full_s:.2f}x realtime)")
    print(f"after 1 change   {again_s:6.2f} s  ({again.segments_encoded} encoded, {again.segments_reused} reused)")
    print(f"ratio            {again_s / full_s:6.2f}   (target <= 0.20)")


if __name__ == "__main__":
    main()
