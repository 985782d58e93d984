"""`foundry plan`: a scene plan from a brief, written by the language model, shown, saved as
JSON for editing, and applied as new shots (one undo step)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from fractions import Fraction
from pathlib import Path

from pydantic import ValidationError

from foundry_desktop.app.assist.language_model import load_language_model, require_configured
from foundry_desktop.app.project_service import ProjectService, edit_errors
from foundry_desktop.app.shots.scene_plan_placement import apply_plan
from foundry_desktop.app.assist.scene_plan_proposal import PlanRequest, propose_plan
from foundry_desktop.cli.common import print_json, to_index
from foundry_desktop.cli.parsers.assist import DEFAULT_PLAN_SECONDS
from foundry_desktop.domain.planning.scene_plan import Brief, ScenePlan, nearest_aspect
from foundry_desktop.domain.time import frames_to_seconds, parse_seconds
from foundry_desktop.errors import InputFileError, InvalidEditError

def plan(args: argparse.Namespace) -> int:
    if args.from_json:
        if args.duration or args.aspect:
            raise InvalidEditError("--duration and --aspect shape a new plan; a plan from --from-json has its own.")
        scene_plan = _read_plan(Path(args.from_json))
    else:
        scene_plan = _ask(args)
    applied = None
    if args.apply:
        with ProjectService.open(Path(args.project)) as service:
            applied = apply_plan(service, scene_plan, None if args.at is None else to_index(args.at, "position"))
        scene_plan = applied.plan
    if args.json:
        print_json(scene_plan.model_dump(mode="json"))
    else:
        _print_plan(scene_plan)
    for note in (applied.notes if applied else scene_plan.notes):
        print(f"foundry: note: {note}", file=sys.stderr)
    if applied is not None:
        last = applied.first + len(applied.shot_ids)
        print(f"Added shots {applied.first + 1} to {last}" if len(applied.shot_ids) > 1
              else f"Added shot {last}", file=sys.stderr if args.json else sys.stdout)
    return 0


def _ask(args: argparse.Namespace) -> ScenePlan:
    with ProjectService.open(Path(args.project), read_only=True) as service:
        settings = require_configured(load_language_model(project=service), chat=True)  # one line if not
        fmt = service.format
    with edit_errors():
        seconds = parse_seconds(args.duration or DEFAULT_PLAN_SECONDS)
        if seconds <= 0:
            raise InvalidEditError(f"A film lasts more than {args.duration} seconds.")
        request = PlanRequest(brief=Brief(text=brief_text(args.brief)), target_seconds=seconds,
                              frame_rate=fmt.frame_rate, aspect=args.aspect or nearest_aspect(fmt.width, fmt.height))
    return asyncio.run(propose_plan(settings, request))


def brief_text(value: str) -> str:
    """--brief is a file when one is there by that name, else the brief itself."""
    path = Path(value).expanduser()
    try:
        if len(value) < 1024 and path.is_file():
            return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"The brief {path} cannot be read: {exc}.") from None
    return value


def _read_plan(path: Path) -> ScenePlan:
    try:
        return ScenePlan.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise InputFileError(f"The plan {path} cannot be read: {exc.strerror or exc}.") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "the file"
        raise InputFileError(f"The plan {path} is not a plan foundry can apply: {where}: "
                             f"{error['msg'].removeprefix('Value error, ')}.") from None


def _print_plan(scene_plan: ScenePlan) -> None:
    rate = scene_plan.frame_rate
    total = frames_to_seconds(scene_plan.total_frames, rate)
    print(f"{len(scene_plan.scenes)} scenes, {float(total):.2f} s ({scene_plan.total_frames} frames at "
          f"{_rate(rate)} fps), {scene_plan.aspect}; music: {scene_plan.music_mood or '(none suggested)'}")
    for number, scene in enumerate(scene_plan.scenes, start=1):
        seconds = float(frames_to_seconds(scene.frames, rate))
        transition_seconds = float(frames_to_seconds(scene.transition_frames, rate))
        kind = scene.transition.replace("_", " ")
        into = "" if scene.transition == "cut" else f", then {kind} {transition_seconds:g} s"
        print(f"{number:>3}. {scene.title or f'Scene {number}'} — {seconds:.2f} s ({scene.frames} frames){into}")
        print(f"     {scene.prompt}")


def _rate(rate: Fraction) -> str:
    return str(rate.numerator) if rate.denominator == 1 else f"{float(rate):.3f}"
