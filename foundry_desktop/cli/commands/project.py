"""The project commands: demo, new, info, undo, redo and clean. Each returns the process exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from foundry_desktop.app.project_access.project_cleaning import (
    LEFTOVER,
    STALE_SEGMENT,
    UNREFERENCED,
    CleaningReport,
    clean_project,
    human_size,
)
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.take_fit import take_warnings
from foundry_desktop.cli.common import print_json
from foundry_desktop.cli.commands.storyboard.scene import scene_rows
from foundry_desktop.domain.fingerprint import shot_fingerprint
from foundry_desktop.domain.keyframe_spec import approved_keyframe, keyframes_of
from foundry_desktop.domain.prompt_composition import composed_prompt
from foundry_desktop.domain.time import format_timecode, frames_to_seconds
from foundry_desktop.errors import InvalidEditError


def demo(args: argparse.Namespace) -> int:
    # Generating, rendering and exporting (PyAV, numpy, the NLE formats): imported for the demo only.
    from foundry_desktop.app.setup.demo_film import make_demo
    from foundry_desktop.cli.commands.render import render_json

    result = make_demo(Path(args.out))
    if args.json:
        print_json({"project": str(result.project), "film": render_json(result.render),
                    "exports": [str(path) for path in result.exports], **result.report.as_json()})
    else:
        info = result.render.report.media
        print(f"Demo project: {result.project}")
        print(f"Demo film:    {result.film} ({info.width}x{info.height}, {info.frame_rate} fps, {info.duration_s:.2f} s)")
        print("For editors:  " + ", ".join(str(path) for path in result.exports))
    return 0


def _parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise InvalidEditError(f"{text!r} is not a size; write it as WIDTHxHEIGHT, e.g. 1920x1080.") from None
    return width, height


def new(args: argparse.Namespace) -> int:
    width, height = _parse_size(args.size)
    with ProjectService.create(Path(args.project), name=args.name, width=width, height=height, frame_rate=args.fps):
        pass
    print(f"Created {args.project}")
    return 0


def info(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project), read_only=True) as service:
        rows = _shot_rows(service)
        length = service.cut_plan().length
        if args.json:
            project, fmt = service.project, service.project.format
            print_json({
                "name": project.name, "path": str(Path(args.project)), "width": fmt.width, "height": fmt.height,
                "frame_rate": str(fmt.frame_rate), "audio_rate": fmt.audio_rate, "length_frames": length,
                "undo": service.undo_label(), "redo": service.redo_label(), "shots": rows,
                "characters": [c.name for c in project.characters], "styles": [s.name for s in project.styles],
                "scenes": scene_rows(service),
            })
        else:
            _print_info(service, rows, length)
    return 0


def _shot_rows(service: ProjectService) -> list[dict[str, Any]]:
    """What `info` says of each shot."""
    project = service.project
    scene_numbers = {scene.id: number for number, scene in enumerate(project.timeline.scenes, 1)}
    rows = []
    plan, rate = service.cut_plan(), project.format.frame_rate
    for index, (shot, status) in enumerate(zip(project.timeline.shots, service.statuses(), strict=True)):
        final = composed_prompt(shot, project)
        take = project.selected_take(shot)
        keyframe = approved_keyframe(project, shot)
        character, style = project.character_of(shot), project.style_of(shot)
        rows.append({
            "index": index + 1,
            "id": shot.id,
            "name": shot.name,
            "scene": scene_numbers.get(shot.scene_id),
            "overrides": [field.replace("_", "-") for field in shot.overrides],
            "prompt": shot.spec.prompt,
            "backend": shot.spec.backend,
            "seed": shot.spec.seed,
            "duration_frames": shot.spec.duration,
            "gap_before_frames": shot.gap_before,
            "duration_s": float(frames_to_seconds(shot.spec.duration, rate)),
            # What the film plays of it: its take's length where the take is shorter, less its trims.
            "length_frames": plan.shots[index].frames,
            "length_s": float(frames_to_seconds(plan.shots[index].frames, rate)),
            "input_image": keyframe.request.get("file") if keyframe else None,  # the creator's own picture
            "keyframe": shot.keyframe_take_id if keyframe else None,  # the approved keyframe (None: none)
            "keyframes": len(keyframes_of(project, shot)),
            "character": character.name if character else None,
            "style": style.name if style else None,
            "final_prompt": final.prompt,
            "final_negative_prompt": final.negative,
            "status": status.kind,
            "reasons": list(status.reasons),
            "fingerprint": shot_fingerprint(shot, project),
            "selected_take": shot.selected_take_id,
            "takes": len(project.video_takes_of(shot.id)),
            "take_warnings": take_warnings(take, shot.fit) if take is not None else [],
        })
    return rows


def _print_info(service: ProjectService, rows: list[dict[str, Any]], length: int) -> None:
    project, fmt = service.project, service.project.format
    print(
        f"{project.name}: {fmt.width}x{fmt.height} at {fmt.frame_rate} fps, {fmt.audio_rate} Hz audio, "
        f"{len(rows)} shot{'s' if len(rows) != 1 else ''}, {format_timecode(length, fmt.frame_rate)}"
    )
    scenes = {row["number"]: row for row in scene_rows(service)}
    for row in rows:
        if row["scene"] is not None and row["index"] == scenes[row["scene"]]["shots"][0]:
            scene = scenes[row["scene"]]
            print(f"     Scene {scene['number']}: {scene['name'] or '(unnamed)'}")
        status = row["status"] + (f" ({', '.join(row['reasons'])})" if row["reasons"] else "")
        take = (row["selected_take"] or "-")[:8]
        prompt = row["prompt"] if len(row["prompt"]) <= 48 else row["prompt"][:47] + "…"
        print(
            f"{row['index']:>3}  {row['id'][:8]}  {row['length_s']:6.2f} s  {row['backend']:<8}  "
            f"{status:<28}  take {take} of {row['takes']}  {_keyframe_words(row):<14}  {prompt}"
        )
        for warning in row["take_warnings"]:
            print(f"     note: {warning}")


def _keyframe_words(row: dict[str, Any]) -> str:
    if row["backend"] == "media":
        return "-"  # the creator's own clip: no keyframe to make
    if row["keyframe"]:
        return "keyframe ok"
    return f"{row['keyframes']} to approve" if row["keyframes"] else "no keyframe"


def travel(args: argparse.Namespace) -> int:
    """undo and redo."""
    with ProjectService.open(Path(args.project)) as service:
        label = service.undo() if args.command == "undo" else service.redo()
    if args.json:
        print_json({args.command: label})
    elif label is None:
        print(f"Nothing to {args.command}.")
    else:
        print(f"{args.command.capitalize()}: {label}")
    return 0


def clean(args: argparse.Namespace) -> int:
    # A dry run only reads: it may look while the window or another command has the project.
    with ProjectService.open(Path(args.project), read_only=args.dry_run, remove_leftovers=False) as service:
        report = clean_project(service, dry_run=args.dry_run, all_segments=args.all_segments)
        media_root = service.media.root
    if args.json:
        print_json({"removed": report.removed, "bytes": report.size(), "failures": report.failures,
                    "files": [{"path": str(item.path), "bytes": item.size, "kind": item.kind}
                              for item in report.items]})
        return 0 if not report.failures else 1
    for item in report.items:
        where = item.path.relative_to(media_root) if media_root in item.path.parents else item.path.name
        print(f"{human_size(item.size):>9}  {item.kind:<21} {where}")
    print(_cleaning_summary(report))
    for failure in report.failures:
        print(f"foundry: could not remove {failure}", file=sys.stderr)
    return 0 if not report.failures else 1


def _cleaning_summary(report: CleaningReport) -> str:
    if not report.items:
        return "Nothing to clean."
    parts = [f"{report.count(kind)} {label} ({human_size(report.size(kind))})"
             for kind, label in ((UNREFERENCED, "unused media files"), (STALE_SEGMENT, "stale render segments"),
                                 (LEFTOVER, "leftovers")) if report.count(kind)]
    verb = "Removed" if report.removed else "Would remove"
    return f"{verb} {', '.join(parts)}: {human_size(report.size())} in all."
