"""`foundry keyframes`: make the shots' keyframe stills, approve them, list them, and let a shot
continue from the previous one."""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path
from typing import Any

from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.keyframes import estimate_keyframes, generate_keyframes
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.commands.generation import print_estimate, print_report, progress_lines
from foundry_desktop.cli.common import print_json, to_index
from foundry_desktop.domain.project import Shot, Take
from foundry_desktop.errors import InvalidEditError


def keyframes(args: argparse.Namespace) -> int:
    return {"make": _make, "approve": _approve, "list": _list, "continue": _continue}[args.keyframes_command](args)


def shot_numbers(text: str, count: int) -> list[int]:
    """'1,3-5' -> [1, 3, 4, 5]: shot numbers as creators count them, each checked against `count`."""
    numbers: list[int] = []
    for part in (part.strip() for part in text.split(",")):
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if match is None:
            raise InvalidEditError(f"--shots takes shot numbers and ranges such as 1,3-5; {part!r} is neither.")
        first, last = int(match[1]), int(match[2] or match[1])
        if first > last:
            raise InvalidEditError(f"The range {part} runs backwards: write {last}-{first}.")
        for number in range(first, last + 1):
            if not 1 <= number <= count:
                raise InvalidEditError(f"There is no shot {number}: the film has {count} shot{'s' if count != 1 else ''}.")
            numbers.append(number)
    return list(dict.fromkeys(numbers))


def _make(args: argparse.Namespace) -> int:
    if args.variants < 0:
        raise InvalidEditError("--variants counts keyframes: 0 or more.")
    with ProjectService.open(Path(args.project), read_only=args.estimate) as service:
        shots = service.project.timeline.shots
        shot_ids = None if args.shots is None else {shots[n - 1].id for n in shot_numbers(args.shots, len(shots))}

        async def run() -> Any:
            async with generation_backends() as registry:
                if args.estimate:
                    return estimate_keyframes(service, registry, shot_ids, args.variants)
                return await generate_keyframes(service, registry, shot_ids, args.variants)

        if args.estimate:
            print_estimate(asyncio.run(run()), args.json, verb="make", done="every shot has its keyframe")
            return 0
        if not args.json:
            progress_lines(service)
        return print_report(asyncio.run(run()), args.json, made="Made")


def _approve(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        shot = service.shot_at(to_index(args.shot))
        chosen = None if args.take == "none" else _keyframe_named(service, shot, args.shot, args.take)
        service.approve_keyframe(shot.id, chosen.id if chosen else None, last=args.last)
    which = "last frame" if args.last else "first frame"
    if chosen is None:
        print(f"Shot {args.shot} has no approved {which} now.")
    else:
        print(f"Shot {args.shot} starts from keyframe {chosen.id[:8]}" if not args.last
              else f"Shot {args.shot} ends on keyframe {chosen.id[:8]}")
    return 0


def _keyframe_named(service: ProjectService, shot: Shot, number: int, key: str) -> Take:
    """The shot's keyframe `key` names: its number among the shot's takes (as `foundry takes` counts
    them) or the start of its id."""
    listed = service.project.takes_of(shot.id)
    if key.isdigit() and 1 <= int(key) <= len(listed):
        matches = [listed[int(key) - 1]]
    else:
        matches = [take for take in listed if take.id.startswith(key)]
    if len(matches) != 1:
        raise InvalidEditError(f"Shot {number} has no take {key} (see `foundry keyframes list`).")
    if matches[0].kind != "still":
        raise InvalidEditError(f"Take {key} of shot {number} is a {matches[0].kind} take, not a keyframe: "
                               "approve one of its keyframes (see `foundry keyframes list`).")
    return matches[0]


def _list(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project), read_only=True) as service:
        rows = [_shot_row(service, number, shot) for number, shot in enumerate(service.project.timeline.shots, start=1)]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        follows = "  continues from the previous shot" if row["continue_from_previous"] else ""
        approved = next((k for k in row["keyframes"] if k["approved"]), None)
        state = f"keyframe {approved['number']} approved" if approved else "no keyframe approved"
        print(f"shot {row['shot']:>3}  {len(row['keyframes'])} keyframe{'s' if len(row['keyframes']) != 1 else ''}, "
              f"{state}{follows}")
        for keyframe in row["keyframes"]:
            mark = "*" if keyframe["approved"] else "L" if keyframe["last"] else " "
            origin = keyframe["file"] or f"{keyframe['backend']}, seed {keyframe['seed']}"
            print(f"     {mark}{keyframe['number']:>3}  {keyframe['id'][:8]}  {origin}")
    return 0


def _shot_row(service: ProjectService, number: int, shot: Shot) -> dict[str, Any]:
    numbered = list(enumerate(service.project.takes_of(shot.id), start=1))
    return {
        "shot": number,
        "continue_from_previous": shot.continue_from_previous,
        "keyframes": [{"number": n, "id": take.id, "backend": take.backend, "seed": take.seed,
                       "file": take.request.get("file"), "approved": take.id == shot.keyframe_take_id,
                       "last": take.id == shot.last_keyframe_take_id}
                      for n, take in numbered if take.kind == "still"],
    }


def _continue(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        service.set_continue_from_previous(service.shot_at(to_index(args.shot)).id, not args.off)
    print(f"Shot {args.shot} starts from its keyframe." if args.off
          else f"Shot {args.shot} starts from the last frame of shot {args.shot - 1}.")
    return 0
