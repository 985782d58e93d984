"""`foundry character` and `foundry style`: the project's characters and style templates.

Both commands take the same options (a style also --palette and --keyword; see
cli.parsers.templates). Shots use them through `foundry shot set N --character NAME --style NAME`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.common import print_json
from foundry_desktop.domain.prompt_templates import (
    KIND_WORDS,
    PromptTemplate,
    StyleTemplate,
)
from foundry_desktop.errors import InvalidEditError


def _fields(service: ProjectService, args: argparse.Namespace, kind: str) -> dict[str, Any]:
    fields: dict[str, Any] = {key: getattr(args, key, None) for key in (
        "description", "prompt_prefix", "prompt_suffix", "negative_prompt", "backend", "model", "workflow")}
    if kind == "style":
        fields["palette"] = tuple(args.palette) if args.palette else None
        fields["keywords"] = tuple(args.keywords) if args.keywords else None
    if getattr(args, "no_images", False):
        if args.images:
            raise InvalidEditError("Use either --image or --no-images, not both.")
        fields["reference_images"] = ()
    elif args.images:
        fields["reference_images"] = tuple(service.reference_image(Path(path)) for path in args.images)
    return fields


def _numbers(indexes: list[int]) -> str:
    return ", ".join(str(index + 1) for index in indexes)


def _shots(indexes: list[int]) -> str:
    """'shot 2', 'shots 1, 3'."""
    return f"shot{'s' if len(indexes) != 1 else ''} {_numbers(indexes)}"


def template_json(template: PromptTemplate, shots: list[int]) -> dict[str, Any]:
    data = template.model_dump(mode="json")
    data["reference_images"] = [image["name"] for image in data["reference_images"]]
    return {**data, "shots": [index + 1 for index in shots]}


def _list(service: ProjectService, kind: str, as_json: bool) -> None:
    used = service.template_usage(kind)
    templates = service.project.templates(kind)
    if as_json:
        print_json([template_json(template, used[template.id]) for template in templates])
        return
    if not templates:
        print(f"No {KIND_WORDS[kind][1]} yet (foundry {kind} add PROJECT NAME).")
    for template in templates:
        shots = used[template.id]
        uses = f"{len(shots)} shot{'s' if len(shots) != 1 else ''}" + (f" ({_numbers(shots)})" if shots else "")
        print(f"{template.name}: {uses}")
        for label, value in (("prefix", template.prompt_prefix), ("suffix", template.prompt_suffix),
                             ("negative", template.negative_prompt), ("about", template.description)):
            if value:
                print(f"  {label}: {value}")
        if template.reference_images:
            print("  pictures: " + ", ".join(image.name for image in template.reference_images))
        generator = [value for value in (template.backend, template.model, template.workflow) if value]
        if generator:
            print("  generator: " + " · ".join(generator))
        if isinstance(template, StyleTemplate) and (template.palette or template.keywords):
            print("  look: " + " ".join([*template.palette, *template.keywords]))


def template(args: argparse.Namespace) -> int:
    kind = args.command
    with ProjectService.open(Path(args.project), read_only=args.template_command == "list") as service:
        if args.template_command == "list":
            _list(service, kind, args.json)
        elif args.template_command == "add":
            added = service.add_template(kind, args.name, **_fields(service, args, kind))
            if args.json:
                print_json(template_json(added, []))
            else:
                print(f"Added {kind} {added.name}")
        elif args.template_command == "set":
            fields = _fields(service, args, kind)
            if args.new_name is not None:
                fields["name"] = args.new_name
            if all(value is None for value in fields.values()):
                raise InvalidEditError("Nothing to change: give at least one option (see --help).")
            changed = service.update_template(kind, args.name, **fields)
            stale = service.template_usage(kind)[changed.id]
            print(f"Changed {kind} {changed.name}" + (f" (used by {_shots(stale)})" if stale else ""))
        elif args.template_command == "remove":
            name = service.template(kind, args.name).name
            detached = service.remove_template(kind, args.name)
            print(f"Removed {kind} {name}" + (f"; {_shots(detached)} no longer use it" if detached else ""))
    return 0
