"""`foundry scene`: scenes added with their shots, changed, moved with their shots, removed, listed."""

from __future__ import annotations

import argparse
import contextlib
import re
from pathlib import Path
from typing import Any

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.common import print_json, to_index
from foundry_desktop.domain.project import SCENE_DEFAULT_FIELDS
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.errors import InvalidEditError

_SHOTS = re.compile(r"^\s*\d+\s*(-\s*\d+\s*)?(,\s*\d+\s*(-\s*\d+\s*)?)*$")


def shot_numbers(text: str) -> list[int]:
    """"3-5" or "3,4,5" (shots as creators count them) as indexes from 0."""
    if not _SHOTS.match(text):
        raise InvalidEditError(f"--shots takes shot numbers such as 3-5 or 3,4,5; {text!r} is not that.")
    indexes: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        start, stop = int(first), int(last or first)
        if stop < start:
            raise InvalidEditError(f"--shots {part.strip()}: a range runs from the lower number to the higher.")
        indexes += [to_index(number) for number in range(start, stop + 1)]
    return indexes


def _place(number: int) -> int:
    """A scene's place as creators count it (from 1), from 0."""
    if number < 1:
        raise InvalidEditError(f"Scenes are numbered from 1; there is no scene {number}.")
    return number - 1


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    """The scene fields and defaults the options give (None: not given)."""
    fields = {key: getattr(args, key, None)
              for key in ("name", "description", "location", "time_of_day", "notes", "color")}
    defaults = {field: getattr(args, field) for field in SCENE_DEFAULT_FIELDS if getattr(args, field) is not None}
    fields["defaults"] = defaults or None
    return fields


def scene_rows(service: ProjectService) -> list[dict[str, Any]]:
    """What `scene list` and `info` say of each scene."""
    project, rate = service.project, service.format.frame_rate
    rows = []
    for number, scene in enumerate(project.timeline.scenes, 1):
        indexes = service.scene_shot_indexes(scene.id)
        frames = sum(project.timeline.shots[index].length for index in indexes)
        defaults = scene.defaults.model_dump(exclude_none=True)
        for kind in ("style", "character"):
            if kind in defaults:
                template = project.template(kind, defaults[kind])
                defaults[kind] = template.name if template else defaults[kind]
        rows.append({
            "number": number, "id": scene.id, "name": scene.name, "description": scene.description,
            "location": scene.location, "time_of_day": scene.time_of_day, "notes": scene.notes,
            "color": scene.color, "shots": [index + 1 for index in indexes],
            "duration_s": float(frames_to_seconds(frames, rate)), "defaults": defaults,
        })
    return rows


def _print_rows(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("No scenes: add one with `foundry scene add PROJECT NAME --shots 1-3`.")
    for row in rows:
        shots = row["shots"]
        which = "no shots" if not shots else f"shot {shots[0]}" if len(shots) == 1 else f"shots {shots[0]}-{shots[-1]}"
        place = ", ".join(part for part in (row["location"], row["time_of_day"]) if part)
        defaults = ", ".join(f"{key} {value}" for key, value in row["defaults"].items())
        print(f"{row['number']:>3}  {row['name'] or '(unnamed)'}  {which}  {row['duration_s']:.2f} s"
              + (f"  [{place}]" if place else "") + (f"  defaults: {defaults}" if defaults else ""))


def _add(service: ProjectService, args: argparse.Namespace) -> None:
    fields = _fields(args)
    fields.pop("name")
    shots = shot_numbers(args.shots) if args.shots else None
    if shots and args.at is not None:
        raise InvalidEditError("A scene with --shots goes where its shots are; --at places a scene with none.")
    at = None if args.at is None else _place(args.at)
    scene = service.add_scene(args.name, shot_indexes=shots, at=at, **fields)
    number = [s.id for s in service.project.timeline.scenes].index(scene.id) + 1
    print(f"Added scene {number} ({scene.name})")


def _set(service: ProjectService, args: argparse.Namespace) -> None:
    scene = service.scene(args.scene)
    fields = _fields(args)
    if not args.shots and all(value is None for value in fields.values()):
        raise InvalidEditError("Nothing to change: give at least one option (see --help).")
    changes = any(value is not None for value in fields.values())
    with service.group(f"Change scene {args.scene}") if changes and args.shots else contextlib.nullcontext():
        if changes:
            service.update_scene(scene.id, **fields)
        if args.shots:
            service.set_shots_scene(shot_numbers(args.shots), scene.id)
    print(f"Changed scene {args.scene}")


def scene(args: argparse.Namespace) -> int:
    read_only = args.scene_command == "list"
    with ProjectService.open(Path(args.project), read_only=read_only) as service:
        if args.scene_command == "add":
            _add(service, args)
        elif args.scene_command == "set":
            _set(service, args)
        elif args.scene_command == "move":
            service.move_scene(service.scene(args.scene).id, _place(args.destination))
            print(f"Moved scene {args.scene} to place {args.destination}")
        elif args.scene_command == "remove":
            service.remove_scene(service.scene(args.scene).id, with_shots=args.with_shots)
            print(f"Removed scene {args.scene}" + (" and its shots" if args.with_shots else ""))
        elif args.json:
            print_json(scene_rows(service))
        else:
            _print_rows(scene_rows(service))
    return 0
