"""`foundry music generate`: music made by a backend and placed on the music track."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from foundry_desktop.app.events import GenerationProgress
from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.music_generation import (
    MusicReport,
    estimate_music,
    estimate_words,
    generate_music,
)
from foundry_desktop.app.generation.shot_generation import GenerationEstimate
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.common import print_json
from foundry_desktop.errors import InvalidEditError


def generate_music_command(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project), read_only=args.estimate) as service:
        clip_id = _clip_id(service, args.clip)
        options = {"prompt": args.prompt, "seconds": args.duration, "backend": args.backend, "model": args.model,
                   "workflow": args.workflow, "seed": args.seed, "variants": args.variants, "clip_id": clip_id}
        if args.estimate:
            async def estimate() -> GenerationEstimate:
                async with generation_backends() as registry:
                    return estimate_music(service, registry, **options)

            _print_estimate(asyncio.run(estimate()), args.json)
            return 0
        at_frame = service.frames_from_seconds(args.at, allow_zero=True)

        async def generating() -> MusicReport:
            async with generation_backends() as registry:
                return await generate_music(service, registry, at_frame=at_frame, **options)

        if not args.json:
            service.events.subscribe(_progress_line())
        report = asyncio.run(generating())
        number = next((n for n, c in enumerate(service.project.timeline.music, start=1) if c.id == report.clip_id), None)
    run = report.run
    for failure in run.failures:
        print(f"foundry: {failure}", file=sys.stderr)
    if args.json:
        print_json({**report.as_json(), "clip": number})
    elif number is not None:
        print(f"Music clip {number}: generated {run.generated}, reused {run.reused}, failed {run.failed} "
              f"(its takes: `foundry takes {args.project} music:{number}`).")
    else:
        print(f"No music was placed: generated {run.generated}, failed {run.failed}.")
    return 1 if run.failed else 0


def _clip_id(service: ProjectService, number: int | None) -> str | None:
    if number is None:
        return None
    music = service.project.timeline.music
    if not 1 <= number <= len(music):
        raise InvalidEditError(f"There is no music clip {number}: the film has {len(music)}.")
    return music[number - 1].id


def _progress_line():
    shown: set[tuple[str, int]] = set()

    def show(event: object) -> None:
        if isinstance(event, GenerationProgress) and (event.job_id, int(event.progress * 10)) not in shown:
            shown.add((event.job_id, int(event.progress * 10)))
            print(f"music: {event.progress:4.0%} {event.message}", flush=True)

    return show


def _print_estimate(estimate: GenerationEstimate, as_json: bool) -> None:
    if as_json:
        print_json({"jobs": [vars(job) for job in estimate.jobs], "reused": estimate.reused,
                    "totals": estimate.totals, "unknown": estimate.unknown,
                    "over_budget": [overrun.words() for _, overrun in estimate.overruns],
                    "warnings": estimate.unguarded_words()})
    else:
        print(estimate_words(estimate) + ".")
        for line in estimate.unguarded_words():
            print(f"Warning: {line}")
