"""`foundry film`: the flow from a brief to a film (app.film_flow), its steps printed as they go."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path

from foundry_desktop.app.assist.language_model import load_language_model, require_configured
from foundry_desktop.app.film_flow.film_flow import run_film_flow
from foundry_desktop.app.film_flow.film_request import FilmRequest, FilmResult, FilmStep
from foundry_desktop.app.film_flow.planning_steps import GENERATORS
from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.shot_generation import GenerationEstimate
from foundry_desktop.app.project_service import ProjectService, edit_errors
from foundry_desktop.cli.commands import project
from foundry_desktop.cli.commands.generation import progress_lines
from foundry_desktop.cli.commands.plan import brief_text
from foundry_desktop.cli.common import notices_to_stderr, print_json
from foundry_desktop.domain.cost import Cost, unit_words
from foundry_desktop.domain.time import parse_seconds
from foundry_desktop.errors import InvalidEditError


def film(args: argparse.Namespace) -> int:
    request = _request(args)
    path = Path(args.project)
    if not path.exists():
        # Said before anything is made: without a language model there is no film to start.
        require_configured(load_language_model(), chat=True)
        if request.brief is None:
            raise InvalidEditError("A film starts from a brief: give one with --brief TEXT or --brief FILE.")
        with contextlib.redirect_stdout(sys.stderr if args.json else sys.stdout):  # --json: stdout is the JSON
            project.new(argparse.Namespace(project=args.project, size=args.size, fps=args.fps, name=args.name))

    async def run(service: ProjectService) -> FilmResult:
        async with generation_backends() as registry:
            return await run_film_flow(service, registry, request, settings,
                                       None if args.json else _print_step)

    with ProjectService.open(path) as service:
        settings = load_language_model(project=service)
        notices_to_stderr(service)
        if not args.json:
            progress_lines(service)
        result = asyncio.run(run(service))
    for note in result.notes:
        print(f"foundry: note: {note}", file=sys.stderr)
    print_summary(result, args.project, as_json=args.json)
    return 0


def print_summary(result: FilmResult, project: str, *, as_json: bool) -> None:
    """What the run did and, stopped for review, what animating would send and cost, with what a
    budget cannot guard (shots whose price is not known beforehand), as `generate --estimate` says it."""
    estimate = result.video_estimate
    if as_json:
        print_json({"stopped_after": result.stopped_after, "film": str(result.film) if result.film else None,
                    "steps": [{"step": step.step, "result": step.message} for step in result.steps],
                    "notes": result.notes,
                    "video_estimate": None if estimate is None else {
                        "jobs": len(estimate.jobs), "totals": estimate.totals, "unknown": estimate.unknown,
                        "budget_cannot_guard": [{"unit": unit, "shots": shots}
                                                for unit, shots in estimate.unguarded.items()],
                        "warnings": estimate.unguarded_words()}})
    elif estimate is not None:
        print(f"Review the keyframes: open {project} in Foundry and look at the storyboard, approve one "
              f"keyframe per shot, then run `foundry film {project} --until video` (or --until render). "
              f"Animating then sends {_cost_words(estimate)}.")
        for line in estimate.unguarded_words():
            print(f"Warning: {line}")


def _cost_words(estimate: GenerationEstimate) -> str:
    """"3 videos, free" or "12 videos, about 240 Runway credits" (and what is not known beforehand)."""
    count = f"{len(estimate.jobs)} video{'s' if len(estimate.jobs) != 1 else ''}"
    totals = [str(Cost(amount, unit)) for unit, amount in estimate.totals.items()]
    unknown = [f"{jobs} priced in {unit_words(unit)} only once run" for unit, jobs in estimate.unknown.items()]
    if not totals and not unknown:
        return f"{count}, free"
    known = f"{count}, about {', '.join(totals) or 'nothing known yet'}"
    return known + (f" ({'; '.join(unknown)})" if unknown else "")


def _request(args: argparse.Namespace) -> FilmRequest:
    with edit_errors():
        seconds = parse_seconds(args.duration) if args.duration else None
    if args.look is not None and args.look < 1:
        raise InvalidEditError("Looks are numbered from 1, as `foundry moodboard` shows them.")
    generators = {name: getattr(args, name) for name in GENERATORS}
    return FilmRequest(brief=brief_text(args.brief) if args.brief else None, seconds=seconds, look=args.look,
                       until=args.until, output=Path(args.output) if args.output else None,
                       music_backend=args.music_backend, **generators)


def _print_step(step: FilmStep) -> None:
    if step.state == "done":
        print(f"{step.step}: {step.message}", flush=True)
