"""`foundry server` and `foundry workflow`: the ComfyUI servers of this machine and the workflows
shots can use."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from foundry_desktop.app.generation.backends import check_servers, servers_able_to_run, workflow_library
from foundry_desktop.app.generation.workflows import import_warning
from foundry_desktop.app.generation.settings import (
    ComfyServerSettings,
    GenerationSettings,
    add_server,
    load_settings,
    remove_server,
    save_settings,
)
from foundry_desktop.app.project_service import edit_errors
from foundry_desktop.cli.common import print_json
from foundry_desktop.errors import InvalidEditError

if TYPE_CHECKING:  # only named: app.generation.backends hands them over
    from foundry_desktop.app.generation.workflows import WorkflowLibrary, WorkflowTemplate


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
        _list_workflows(library, args.json)
    elif args.workflow_command == "show":
        template = library.get(args.name)
        print(f"{template.title} ({template.category})\n{template.description}".rstrip())
        print("Fills in: " + ", ".join(sorted(template.roles)))
        print("Needs nodes: " + ", ".join(template.required_nodes()))
        for model in template.required_models():
            print(f"Needs model: {model.name} in models/{model.folder}/")
        if (warning := import_warning(template)) is not None:
            print(f"Note: {warning}")
    elif args.workflow_command == "add":
        added = library.import_workflow(Path(args.file), name=args.name, category=args.category)
        print(f"Added workflow {added.name} ({added.title})")
        if (warning := import_warning(added)) is not None:
            print(f"foundry: warning: {warning}", file=sys.stderr)
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


def _list_workflows(library: WorkflowLibrary, as_json: bool) -> None:
    if as_json:
        print_json([{"name": e.name, "title": e.title, "category": e.category, "builtin": e.builtin,
                      "favourite": e.favourite} for e in library.entries()])
        return
    for category, listed in library.by_category().items():
        print(category)
        for e in listed:
            print(f"  {e.name:<24} {e.title}{' *' if e.favourite else ''}")
    for problem in library.problems():
        print(f"foundry: note: {problem}", file=sys.stderr)


def _check_workflow(template: WorkflowTemplate) -> int:
    settings = load_settings()
    if not settings.comfyui_servers:
        raise InvalidEditError("No ComfyUI servers yet; add one with `foundry server add NAME URL`.")

    found = asyncio.run(servers_able_to_run(settings, template))
    for name, problems in found.items():
        print(f"{name:<16} " + ("can run it" if not problems else "; ".join(problems)))
    return 0 if any(not problems for problems in found.values()) else 1
