"""What each `foundry` command does. Each returns the process exit code."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from foundry_desktop.app.demo_film import make_demo
from foundry_desktop.app.events import Notice
from foundry_desktop.app.film_render import render_film
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shot_generation import generate_shots
from foundry_desktop.domain.fingerprint import shot_fingerprint
from foundry_desktop.domain.time import format_timecode, frames_to_seconds
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.generation.default_backends import default_registry
from foundry_desktop.media.probe import MediaInfo


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


def _notices_to_stderr(service: ProjectService) -> None:
    service.events.subscribe(
        lambda event: print(f"foundry: note: {event.message}", file=sys.stderr) if isinstance(event, Notice) else None
    )


def _media_json(info: MediaInfo) -> dict:
    return {
        "path": str(info.path),
        "width": info.width,
        "height": info.height,
        "frame_rate": str(info.frame_rate),
        "frames": info.frame_count,
        "duration_s": round(info.duration_s, 3),
        "video_codec": info.video_codec,
        "has_audio": info.has_audio,
    }


def _parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise InvalidEditError(f"{text!r} is not a size; write it as WIDTHxHEIGHT, e.g. 1920x1080.") from None
    return width, height


def _parse_params(items: list[str] | None) -> dict[str, Any] | None:
    if not items:
        return None
    params: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise InvalidEditError(f"{item!r} is not a parameter; write it as KEY=VALUE.")
        try:
            params[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[key.strip()] = raw
    return params


def _spec_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields = {
        key: getattr(args, key, None)
        for key in ("prompt", "negative_prompt", "duration_seconds", "backend", "model", "seed", "image")
    }
    fields["params"] = _parse_params(args.params)
    if getattr(args, "no_image", False):
        if args.image:
            raise InvalidEditError("Use either --image or --no-image, not both.")
        fields["image"] = ""
    return fields


def _to_index(number: int, what: str = "shot") -> int:
    """Creators count shots from 1; the app from 0."""
    if number < 1:
        raise InvalidEditError(f"Shots are numbered from 1; there is no {what} {number}.")
    return number - 1


def demo(args: argparse.Namespace) -> int:
    result = make_demo(Path(args.out), default_registry())
    if args.json:
        _print_json(
            {"project": str(result.project), "film": _media_json(result.film_info), **result.report.as_json()}
        )
    else:
        info = result.film_info
        print(f"Demo project: {result.project}")
        print(f"Demo film:    {result.film} ({info.width}x{info.height}, {info.frame_rate} fps, {info.duration_s:.2f} s)")
    return 0


def new(args: argparse.Namespace) -> int:
    width, height = _parse_size(args.size)
    with ProjectService.create(Path(args.project), name=args.name, width=width, height=height, frame_rate=args.fps):
        pass
    print(f"Created {args.project}")
    return 0


def info(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project), read_only=True) as service:
        project = service.project
        fmt = project.format
        rows = []
        for index, (shot, status) in enumerate(zip(project.timeline.shots, service.statuses(), strict=True)):
            rows.append(
                {
                    "index": index + 1,
                    "id": shot.id,
                    "name": shot.name,
                    "prompt": shot.spec.prompt,
                    "backend": shot.spec.backend,
                    "seed": shot.spec.seed,
                    "duration_frames": shot.spec.duration,
                    "duration_s": float(frames_to_seconds(shot.spec.duration, fmt.frame_rate)),
                    "input_image": shot.spec.input_image_name,
                    "status": status.kind,
                    "reasons": list(status.reasons),
                    "fingerprint": shot_fingerprint(shot, fmt),
                    "selected_take": shot.selected_take_id,
                    "takes": len(project.takes_of(shot.id)),
                }
            )
        length = project.timeline.length
        if args.json:
            _print_json(
                {
                    "name": project.name,
                    "path": str(Path(args.project)),
                    "width": fmt.width,
                    "height": fmt.height,
                    "frame_rate": str(fmt.frame_rate),
                    "audio_rate": fmt.audio_rate,
                    "length_frames": length,
                    "undo": service.store.undo_label(),
                    "redo": service.store.redo_label(),
                    "shots": rows,
                }
            )
            return 0
        print(
            f"{project.name}: {fmt.width}x{fmt.height} at {fmt.frame_rate} fps, {fmt.audio_rate} Hz audio, "
            f"{len(rows)} shot{'s' if len(rows) != 1 else ''}, {format_timecode(length, fmt.frame_rate)}"
        )
        for row in rows:
            status = row["status"] + (f" ({', '.join(row['reasons'])})" if row["reasons"] else "")
            take = (row["selected_take"] or "-")[:8]
            prompt = row["prompt"] if len(row["prompt"]) <= 48 else row["prompt"][:47] + "…"
            print(
                f"{row['index']:>3}  {row['id'][:8]}  {row['duration_s']:6.2f} s  {row['backend']:<8}  "
                f"{status:<28}  take {take} of {row['takes']}  {prompt}"
            )
    return 0


def shot(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        if args.shot_command == "add":
            at = None if args.at is None else _to_index(args.at)
            added = service.add_shot(at=at, name=args.name or "", **_spec_fields(args))
            index = [s.id for s in service.project.timeline.shots].index(added.id)
            if args.json:
                _print_json({"index": index + 1, "id": added.id})
            else:
                print(f"Added shot {index + 1} ({added.id[:8]})")
        elif args.shot_command == "set":
            service.update_shot(_to_index(args.index), name=args.name, **_spec_fields(args))
            print(f"Changed shot {args.index}")
        elif args.shot_command == "move":
            service.move_shot(_to_index(args.source), _to_index(args.destination))
            print(f"Moved shot {args.source} to {args.destination}")
        elif args.shot_command == "remove":
            service.remove_shot(_to_index(args.index))
            print(f"Removed shot {args.index}")
    return 0


def travel(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        label = service.undo() if args.command == "undo" else service.redo()
    if args.json:
        _print_json({args.command: label})
    elif label is None:
        print(f"Nothing to {args.command}.")
    else:
        print(f"{args.command.capitalize()}: {label}")
    return 0


def generate(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        report = asyncio.run(generate_shots(service, default_registry()))
    for failure in report.failures:
        print(f"foundry: {failure}", file=sys.stderr)
    if args.json:
        _print_json(report.as_json())
    else:
        print(f"Generated {report.generated}, reused {report.reused}, failed {report.failed}.")
    return 1 if report.failed else 0


def render(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        _notices_to_stderr(service)
        media = render_film(service, Path(args.output))
    if args.json:
        _print_json(_media_json(media))
    else:
        print(f"Rendered {media.path} ({media.width}x{media.height}, {media.frame_rate} fps, {media.duration_s:.2f} s)")
    return 0


HANDLERS = {
    "demo": demo,
    "new": new,
    "info": info,
    "shot": shot,
    "undo": travel,
    "redo": travel,
    "generate": generate,
    "render": render,
}
