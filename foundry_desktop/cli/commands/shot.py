"""The commands that edit the cut: shot, transition, fade, music, media and caption."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.common import print_json, to_index
from foundry_desktop.errors import InvalidEditError

TRANSITION_KINDS = {"cut": "cut", "dissolve": "dissolve", "fade-black": "fade_black", "fade-white": "fade_white"}


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
        for key in ("prompt", "negative_prompt", "duration_seconds", "backend", "model", "workflow", "seed", "image",
                    "image_backend", "image_model", "image_workflow")
    }
    fields["params"] = _parse_params(args.params)
    for kind in ("character", "style"):  # by name (or id); '' takes it away
        fields[kind] = getattr(args, kind, None)
    if getattr(args, "no_image", False):
        if args.image:
            raise InvalidEditError("Use either --image or --no-image, not both.")
        fields["image"] = ""
    return fields


def _add_media_shot(service: ProjectService, args: argparse.Namespace, at: int | None):
    # Media shots and music are probed with PyAV: imported by the commands that add them, not by every edit.
    from foundry_desktop.app.shots.media_shots import add_media_shot

    ignored = [option for option, value in (("--prompt", args.prompt), ("--image", args.image), ("--seed", args.seed),
                                            ("--backend", args.backend)) if value is not None]
    if ignored:
        raise InvalidEditError(f"A --media shot is used as it is; {', '.join(ignored)} does not apply to it.")
    return add_media_shot(
        service, Path(args.media), at=at, name=args.name or "", source_in=args.source_in,
        source_out=args.source_out, duration_seconds=args.duration_seconds,
    )


def _add_shot(service: ProjectService, args: argparse.Namespace) -> None:
    at = None if args.at is None else to_index(args.at)
    if args.media:
        added = _add_media_shot(service, args, at)
    elif args.prompt is None:
        raise InvalidEditError("A new shot needs --prompt (or --media to use a clip as it is).")
    elif args.source_in or args.source_out:
        raise InvalidEditError("--in and --out choose part of a --media clip.")
    else:
        added = service.add_shot(at=at, name=args.name or "", **_spec_fields(args))
    index = [s.id for s in service.project.timeline.shots].index(added.id)
    if args.json:
        print_json({"index": index + 1, "id": added.id})
    else:
        print(f"Added shot {index + 1} ({added.id[:8]})")


def _set_shot(service: ProjectService, args: argparse.Namespace) -> None:
    index = to_index(args.index)
    fields = _spec_fields(args)
    spec_edit = any(value is not None for value in fields.values()) or args.name is not None
    picture_edit = (args.fit, args.gain, args.muted) != (None, None, None)
    if not (spec_edit or picture_edit or args.inherit):
        raise InvalidEditError("Nothing to change: give at least one option (see --help).")
    inherited = [field.replace("-", "_") for field in args.inherit or ()]
    if set(inherited) & {key for key, value in fields.items() if value is not None}:
        raise InvalidEditError("A field is either set on the shot or inherited from its scene, not both.")
    # The kinds of change at once are one undo step.
    several = [spec_edit, picture_edit, bool(inherited)].count(True) > 1
    with service.group(f"Change shot {args.index}") if several else contextlib.nullcontext():
        if spec_edit:
            service.update_shot(index, name=args.name, **fields)
        if inherited:
            service.inherit_from_scene([index], inherited)
        if picture_edit:
            service.set_shot_picture_and_sound(index, fit=args.fit, audio_gain_db=args.gain, audio_muted=args.muted)
    print(f"Changed shot {args.index}")


def shot(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        if args.shot_command == "add":
            _add_shot(service, args)
        elif args.shot_command == "set":
            _set_shot(service, args)
        elif args.shot_command == "move":
            service.move_shot(to_index(args.source), to_index(args.destination))
            print(f"Moved shot {args.source} to {args.destination}")
        elif args.shot_command == "remove" and args.lift:
            service.lift_shot(to_index(args.index))
            print(f"Lifted shot {args.index}: its time is empty")
        elif args.shot_command == "remove":
            service.remove_shot(to_index(args.index))
            print(f"Removed shot {args.index}")
        elif args.shot_command == "close-gap":
            service.close_gap(to_index(args.index))
            print(f"Closed the gap before shot {args.index}")
    return 0


def transition(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        kind = TRANSITION_KINDS[args.kind]
        if kind == "cut":
            if args.duration is not None:
                raise InvalidEditError("A cut has no duration.")
            frames = 0
        else:
            frames = service.frames_from_seconds(args.duration or "1")
        service.set_transition(to_index(args.index), kind, frames)
        warnings = service.cut_plan().warnings
    print(f"Transition after shot {args.index}: {args.kind}" + (f" ({frames} frames)" if frames else ""))
    for warning in warnings:
        print(f"foundry: note: {warning}", file=sys.stderr)
    return 0


def fade(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        timeline = service.project.timeline
        fade_in = timeline.fade_in if args.fade_in is None else service.frames_from_seconds(args.fade_in, allow_zero=True)
        fade_out = timeline.fade_out if args.fade_out is None else service.frames_from_seconds(args.fade_out, allow_zero=True)
        service.set_film_fades(fade_in, fade_out)
    print(f"Film fades: in {fade_in} frames, out {fade_out} frames")
    return 0


def music(args: argparse.Namespace) -> int:
    from foundry_desktop.app.shots.music_clips import add_music

    with ProjectService.open(Path(args.project)) as service:
        clip = add_music(
            service, Path(args.file), at_seconds=args.at, gain_db=args.gain, fade_in_seconds=args.fade_in,
            fade_out_seconds=args.fade_out, loop=args.loop,
        )
    print(f"Added music {clip.name}")
    return 0


def media(args: argparse.Namespace) -> int:
    from foundry_desktop.app.shots.media_bin import bin_entries, prepare_import
    from foundry_desktop.app.shots.media_relink import find_offline, offline_media, record_relink, restore_found
    from foundry_desktop.errors import FoundryError

    with ProjectService.open(Path(args.project)) as service:
        if args.media_command == "import":
            items, refused = [], 0
            for file in args.files:
                try:
                    items.append(prepare_import(service.media, Path(file)))
                except FoundryError as exc:
                    print(f"foundry: error: {exc}", file=sys.stderr)
                    refused += 1
            added = service.add_media(items)
            print(f"Imported {len(added)} file{'s' if len(added) != 1 else ''}" if added else "Nothing imported")
            return 1 if refused else 0
        if args.media_command == "relink":
            report = find_offline(offline_media(service.project, service.media), Path(args.folder))
            restore_found(service.media, report)
            record_relink(service, report)
            print(report.in_words())
            return 1 if report.missing else 0
        missing = {offline.media_path for offline in offline_media(service.project, service.media)}
        listed = [{"name": e.name, "kind": e.kind, "seconds": round(e.seconds, 3), "uses": e.uses,
                   "in_bin": e.item_id is not None, "offline": e.media_path in missing}
                  for e in bin_entries(service.project)]
    if args.json:
        print_json(listed)
        return 0
    for entry in listed:
        length = "still" if entry["kind"] == "still" else f"{entry['seconds']:.1f} s"
        print(f"{entry['name']}  {entry['kind']}  {length}  used {entry['uses']}x" +
              ("  OFFLINE" if entry["offline"] else ""))
    return 0


def caption(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        captions = service.project.timeline.captions
        rate = service.format.frame_rate
        if args.caption_command == "add":
            added = service.add_caption(args.text, args.start, args.end, args.style)
            number = [c.id for c in service.project.timeline.captions].index(added.id) + 1
            print(f"Added caption {number}")
        elif args.caption_command == "list":
            listed = [
                {"number": n, "start_s": float(c.start / rate), "end_s": float(c.end / rate), "text": c.text}
                for n, c in enumerate(captions, start=1)
            ]
            if args.json:
                print_json(listed)
            for item in [] if args.json else listed:
                print(f"{item['number']:>3}  {item['start_s']:8.2f}-{item['end_s']:<8.2f} {item['text']}")
        else:
            if not 1 <= args.index <= len(captions):
                raise InvalidEditError(f"There is no caption {args.index}; the film has {len(captions)}.")
            service.remove_caption(captions[args.index - 1].id)
            print(f"Removed caption {args.index}")
    return 0
