"""What each `foundry` command does. Each returns the process exit code."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import sys
from pathlib import Path
from typing import Any

import av

from foundry_desktop import __version__
from foundry_desktop.app.generation.api_keys import KEY_OWNERS
from foundry_desktop.app.generation.api_keys import PROVIDERS as API_PROVIDERS
from foundry_desktop.app.generation.api_keys import api_key, remove_api_key, set_api_key
from foundry_desktop.app.setup.demo_film import make_demo
from foundry_desktop.app.events import Notice
from foundry_desktop.app.render.film_render import FilmRender, render_film
from foundry_desktop.app.generation.backends import (
    check_servers,
    servers_able_to_run,
    workflow_library,
)
from foundry_desktop.app.generation.settings import (
    CloudServiceSettings,
    ComfyServerSettings,
    GenerationSettings,
    add_server,
    load_settings,
    remove_server,
    save_settings,
)
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.shots.music_clips import add_music
from foundry_desktop.app.render.output_presets import RenderSettings, encoder_checks
from foundry_desktop.app.project_service import ProjectService, edit_errors
from foundry_desktop.domain.fingerprint import shot_fingerprint
from foundry_desktop.domain.prompt_composition import composed_prompt
from foundry_desktop.domain.time import format_timecode, frames_to_seconds
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.generation.default_backends import default_registry
from foundry_desktop.generation.comfyui.template import WorkflowTemplate
from foundry_desktop.media.encode.encoder_survey import choose_encoder
from foundry_desktop.media.probe import MediaInfo
from foundry_desktop.media.encode.video_encoding import CODECS


def print_json(value: Any) -> None:
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
        for key in ("prompt", "negative_prompt", "duration_seconds", "backend", "model", "workflow", "seed", "image")
    }
    fields["params"] = _parse_params(args.params)
    for kind in ("character", "style"):  # by name (or id); '' takes it away
        fields[kind] = getattr(args, kind, None)
    if getattr(args, "no_image", False):
        if args.image:
            raise InvalidEditError("Use either --image or --no-image, not both.")
        fields["image"] = ""
    return fields


def to_index(number: int, what: str = "shot") -> int:
    """Creators count shots from 1; the app from 0."""
    if number < 1:
        raise InvalidEditError(f"Shots are numbered from 1; there is no {what} {number}.")
    return number - 1


def _render_json(render: FilmRender) -> dict:
    report = render.report
    return {
        **_media_json(report.media),
        "encoder": report.encoder,
        "segments_encoded": report.segments_encoded,
        "segments_reused": report.segments_reused,
        "segments_copied": report.segments_copied,
        "mix_loudness_lufs": report.mix_loudness.integrated_lufs if report.mix_loudness else None,
        "mix_gain_db": round(report.mix_gain_db, 2),
        "warnings": list(render.plan.warnings),
        "subtitles": [str(path) for path in render.subtitles],
    }


def demo(args: argparse.Namespace) -> int:
    result = make_demo(Path(args.out), default_registry())
    if args.json:
        print_json({"project": str(result.project), "film": _render_json(result.render),
                    "exports": [str(path) for path in result.exports], **result.report.as_json()})
    else:
        info = result.render.report.media
        print(f"Demo project: {result.project}")
        print(f"Demo film:    {result.film} ({info.width}x{info.height}, {info.frame_rate} fps, {info.duration_s:.2f} s)")
        print("For editors:  " + ", ".join(str(path) for path in result.exports))
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
            final = composed_prompt(shot, project)
            character, style = project.character_of(shot), project.style_of(shot)
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
                    "character": character.name if character else None,
                    "style": style.name if style else None,
                    "final_prompt": final.prompt,
                    "final_negative_prompt": final.negative,
                    "status": status.kind,
                    "reasons": list(status.reasons),
                    "fingerprint": shot_fingerprint(shot, project),
                    "selected_take": shot.selected_take_id,
                    "takes": len(project.takes_of(shot.id)),
                }
            )
        length = service.cut_plan().length
        if args.json:
            print_json(
                {
                    "name": project.name,
                    "path": str(Path(args.project)),
                    "width": fmt.width,
                    "height": fmt.height,
                    "frame_rate": str(fmt.frame_rate),
                    "audio_rate": fmt.audio_rate,
                    "length_frames": length,
                    "undo": service.undo_label(),
                    "redo": service.redo_label(),
                    "shots": rows,
                    "characters": [c.name for c in project.characters],
                    "styles": [s.name for s in project.styles],
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


def _add_media_shot(service: ProjectService, args: argparse.Namespace, at: int | None):
    ignored = [option for option, value in (("--prompt", args.prompt), ("--image", args.image), ("--seed", args.seed),
                                            ("--backend", args.backend)) if value is not None]
    if ignored:
        raise InvalidEditError(f"A --media shot is used as it is; {', '.join(ignored)} does not apply to it.")
    return add_media_shot(
        service, Path(args.media), at=at, name=args.name or "", source_in=args.source_in,
        source_out=args.source_out, duration_seconds=args.duration_seconds,
    )


def shot(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        if args.shot_command == "add":
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
        elif args.shot_command == "set":
            index = to_index(args.index)
            fields = _spec_fields(args)
            spec_edit = any(value is not None for value in fields.values()) or args.name is not None
            picture_edit = (args.fit, args.gain, args.muted) != (None, None, None)
            if not (spec_edit or picture_edit):
                raise InvalidEditError("Nothing to change: give at least one option (see --help).")
            # Both kinds of change at once are one undo step.
            with service.group(f"Change shot {args.index}") if spec_edit and picture_edit else contextlib.nullcontext():
                if spec_edit:
                    service.update_shot(index, name=args.name, **fields)
                if picture_edit:
                    service.set_shot_picture_and_sound(index, fit=args.fit, audio_gain_db=args.gain, audio_muted=args.muted)
            print(f"Changed shot {args.index}")
        elif args.shot_command == "move":
            service.move_shot(to_index(args.source), to_index(args.destination))
            print(f"Moved shot {args.source} to {args.destination}")
        elif args.shot_command == "remove":
            service.remove_shot(to_index(args.index))
            print(f"Removed shot {args.index}")
    return 0


TRANSITION_KINDS = {"cut": "cut", "dissolve": "dissolve", "fade-black": "fade_black", "fade-white": "fade_white"}


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
    with ProjectService.open(Path(args.project)) as service:
        clip = add_music(
            service, Path(args.file), at_seconds=args.at, gain_db=args.gain, fade_in_seconds=args.fade_in,
            fade_out_seconds=args.fade_out, loop=args.loop,
        )
    print(f"Added music {clip.name}")
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


def travel(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        label = service.undo() if args.command == "undo" else service.redo()
    if args.json:
        print_json({args.command: label})
    elif label is None:
        print(f"Nothing to {args.command}.")
    else:
        print(f"{args.command.capitalize()}: {label}")
    return 0


def render(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        _notices_to_stderr(service)
        loudness = None if args.no_normalise else args.loudness
        settings = RenderSettings(preset=args.preset, encoder=args.encoder, crf=args.crf, bitrate_kbps=args.bitrate)
        render = render_film(
            service, Path(args.output), loudness_lufs=loudness, true_peak_dbtp=args.true_peak, settings=settings
        )
    if args.json:
        print_json(_render_json(render))
    else:
        media, report = render.report.media, render.report
        print(
            f"Rendered {media.path} ({media.width}x{media.height}, {media.frame_rate} fps, {media.frame_count} frames, "
            f"{media.duration_s:.2f} s; "
            f"{report.segments_encoded} segments encoded, {report.segments_copied} copied, "
            f"{report.segments_reused} reused; {report.encoder})"
        )
        if render.subtitles:
            print("Subtitles: " + ", ".join(str(path) for path in render.subtitles))
    return 0


def key(args: argparse.Namespace) -> int:
    if args.key_command == "set":
        secret = sys.stdin.readline().strip() if args.stdin else getpass.getpass(f"{args.provider} API key: ")
        set_api_key(args.provider, secret)
        print(f"Kept the {args.provider} key in this machine's password store.")
    elif args.key_command == "remove":
        remove_api_key(args.provider)
        print(f"Forgot the {args.provider} key.")
    else:
        for provider in KEY_OWNERS:
            print(f"{provider:<10} {'has a key' if api_key(provider) else 'no key'}")
    return 0


def cloud(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.cloud_command == "set":
        current = settings.cloud.get(args.provider, CloudServiceSettings())
        asked = {"base_url": args.base_url.rstrip("/") if args.base_url else None, "default_model": args.model,
                 "poll_seconds": args.poll_seconds, "timeout_minutes": args.timeout_minutes}
        with edit_errors():
            changed = CloudServiceSettings.model_validate(
                {**current.model_dump(), **{name: value for name, value in asked.items() if value is not None}}
            )
        save_settings(settings.model_copy(update={"cloud": {**settings.cloud, args.provider: changed}}))
        print(f"{args.provider}: {_cloud_service_in_words(args.provider, changed)}")
        return 0
    for provider in API_PROVIDERS:
        service = settings.cloud.get(provider, CloudServiceSettings())
        print(f"{provider:<10} {_cloud_service_in_words(provider, service)}; {'key set' if api_key(provider) else 'no key'}")
    return 0


def _cloud_service_in_words(provider: str, service: CloudServiceSettings) -> str:
    where = service.base_url or ("not set up (needs --base-url)" if provider == "openai" else "its own address")
    words = f"{where}; model {service.default_model or 'default'}"
    if service.poll_seconds is not None:
        words += f"; status read every {service.poll_seconds:g} s at first"
    if service.timeout_minutes is not None:
        words += f"; gives up after {service.timeout_minutes:g} min"
    return words


def server(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.server_command == "add":
        with edit_errors():
            added = ComfyServerSettings(name=args.name, url=args.url, enabled=not args.disabled, max_queued=args.max_queued)
        save_settings(add_server(settings, added))
        print(f"Added ComfyUI server {added.name} ({added.url})")
    elif args.server_command == "remove":
        save_settings(remove_server(settings, args.name))
        print(f"Removed ComfyUI server {args.name}")
    elif args.server_command == "list":
        if args.json:
            print_json([s.model_dump() for s in settings.comfyui_servers])
        elif not settings.comfyui_servers:
            print("No ComfyUI servers yet; add one with `foundry server add NAME URL`.")
        for s in [] if args.json else settings.comfyui_servers:
            print(f"{s.name:<16} {s.url:<32} {'enabled' if s.enabled else 'disabled'}, up to {s.max_queued} queued")
    else:
        return _check_servers(settings, args)
    return 0


def _check_servers(settings: GenerationSettings, args: argparse.Namespace) -> int:
    names = [s.name for s in settings.comfyui_servers if args.name in (None, s.name)]
    if args.name and not names:
        raise InvalidEditError(f"There is no ComfyUI server called {args.name}.")

    statuses = asyncio.run(check_servers(settings, names))
    if args.json:
        print_json([{"name": s.server.name, "url": s.server.url, "up": s.up, "message": s.message, "gpu": s.gpu,
                      "vram_total": s.vram_total, "vram_free": s.vram_free, "queue": s.queue_length} for s in statuses])
    for s in [] if args.json else statuses:
        if s.up:
            memory = f", {s.vram_free / 2**30:.1f} of {s.vram_total / 2**30:.1f} GiB free" if s.vram_total else ""
            print(f"{s.server.name:<16} up: {s.message}, {s.gpu or 'no GPU named'}{memory}, {s.queue_length} queued")
        else:
            print(f"{s.server.name:<16} down: {s.message}")
    return 0 if all(s.up for s in statuses) else 1


def workflow(args: argparse.Namespace) -> int:
    library = workflow_library()
    if args.workflow_command == "list":
        entries = library.entries()
        if args.json:
            print_json([{"name": e.name, "title": e.title, "category": e.category, "builtin": e.builtin,
                          "favourite": e.favourite} for e in entries])
            return 0
        for category, listed in library.by_category().items():
            print(category)
            for e in listed:
                print(f"  {e.name:<24} {e.title}{' *' if e.favourite else ''}")
        for problem in library.problems():
            print(f"foundry: note: {problem}", file=sys.stderr)
    elif args.workflow_command == "show":
        template = library.get(args.name)
        print(f"{template.title} ({template.category})\n{template.description}".rstrip())
        print("Fills in: " + ", ".join(sorted(template.roles)))
        print("Needs nodes: " + ", ".join(template.required_nodes()))
        for model in template.required_models():
            print(f"Needs model: {model.name} in models/{model.folder}/")
    elif args.workflow_command == "add":
        added = library.import_workflow(Path(args.file), name=args.name, category=args.category)
        print(f"Added workflow {added.name} ({added.title})")
    elif args.workflow_command == "favourite":
        library.set_favourite(args.name, not args.off)
        print(f"{args.name} is {'no longer ' if args.off else ''}a favourite.")
    elif args.workflow_command == "category":
        library.set_category(args.name, args.category)
        print(f"{args.name} is listed under {library.entry(args.name).category}.")
    elif args.workflow_command == "remove":
        library.remove(args.name)
        print(f"Removed workflow {args.name}.")
    else:
        return _check_workflow(library.get(args.name))
    return 0


def _check_workflow(template: WorkflowTemplate) -> int:
    settings = load_settings()
    if not settings.comfyui_servers:
        raise InvalidEditError("No ComfyUI servers yet; add one with `foundry server add NAME URL`.")

    found = asyncio.run(servers_able_to_run(settings, template))
    for name, problems in found.items():
        print(f"{name:<16} " + ("can run it" if not problems else "; ".join(problems)))
    return 0 if any(not problems for problems in found.values()) else 1


def doctor(args: argparse.Namespace) -> int:
    checks = encoder_checks(refresh=args.refresh)
    chosen = {codec: choose_encoder(codec, "auto", checks) for codec in CODECS}
    versions = {"foundry": __version__, "av": av.__version__, "ffmpeg": str(av.ffmpeg_version_info)}
    if args.json:
        print_json({
            "versions": versions,
            "encoders": [{"name": c.encoder, "works": c.works, "hardware": c.hardware, "reason": c.reason} for c in checks],
            "auto": chosen,
        })
        return 0
    print("  ".join(f"{name} {version}" for name, version in versions.items()))
    print("Video encoders (each tried on one frame):")
    for check in checks:
        kind = "hardware" if check.hardware else "software"
        verdict = "works" if check.works else f"does not work: {check.reason.strip().splitlines()[0][:120]}"
        print(f"  {check.encoder:<20} {kind:<9} {verdict}")
    print("--encoder auto uses: " + ", ".join(f"{CODECS[codec].label} {name}" for codec, name in chosen.items()))
    return 0


HANDLERS = {
    "demo": demo,
    "new": new,
    "info": info,
    "shot": shot,
    "transition": transition,
    "fade": fade,
    "music": music,
    "caption": caption,
    "undo": travel,
    "redo": travel,
    "render": render,
    "doctor": doctor,
    "server": server,
    "workflow": workflow,
    "key": key,
    "cloud": cloud,
}
