"""`foundry character` and `foundry style`: the project's characters and style templates.

Both commands take the same options (a style also --palette and --keyword). Shots use
them through `foundry shot set N --character NAME --style NAME`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.commands import print_json
from foundry_desktop.domain.prompt_templates import (
    KIND_WORDS,
    PromptTemplate,
    StyleTemplate,
)
from foundry_desktop.errors import InvalidEditError

_HELP = {
    "character": ("characters who appear in several shots", "Someone who appears in several shots and must look "
                  "the same in each: what to add before and after each shot's prompt, what to avoid, and pictures "
                  "of them (a shot without an input image of its own starts from the first)."),
    "style": ("style templates shared by shots", "A look shared by shots: what to add before and after each shot's "
              "prompt (around the character's), what to avoid, reference pictures, a palette and keywords."),
}


def _template_options(parser: argparse.ArgumentParser, kind: str, *, adding: bool) -> None:
    parser.add_argument("--description", help="what it is, for people")
    parser.add_argument("--prefix", dest="prompt_prefix", metavar="TEXT", help="put before each shot's prompt")
    parser.add_argument("--suffix", dest="prompt_suffix", metavar="TEXT", help="put after each shot's prompt")
    parser.add_argument("--negative", dest="negative_prompt", metavar="TEXT",
                        help="added to each shot's negative prompt")
    parser.add_argument("--image", dest="images", action="append", metavar="FILE", help=(
        "a reference picture (repeatable" + ("" if adding else "; replaces the ones it has") + ")"))
    parser.add_argument("--backend", help="the backend a shot gets when it is given this " + kind)
    parser.add_argument("--model", help="the model a shot gets with it")
    parser.add_argument("--workflow", help="the ComfyUI workflow a shot gets with it")
    if kind == "style":
        parser.add_argument("--palette", dest="palette", action="append", metavar="#RRGGBB",
                            help="a colour of the look (repeatable" + ("" if adding else "; replaces them") + ")")
        parser.add_argument("--keyword", dest="keywords", action="append", metavar="WORD",
                            help="a word for the look (repeatable" + ("" if adding else "; replaces them") + ")")


def add_parsers(commands: argparse._SubParsersAction) -> None:
    for kind in ("character", "style"):
        plural = KIND_WORDS[kind][1]
        short, description = _HELP[kind]
        parser = commands.add_parser(kind, help=short, description=description)
        actions = parser.add_subparsers(dest="template_command", metavar="ACTION", required=True)
        add = actions.add_parser("add", help=f"add a {kind}", description=f"Add a {kind} to the project.")
        add.add_argument("project", metavar="PROJECT")
        add.add_argument("name", metavar="NAME", help="what to call it (unique in the project)")
        _template_options(add, kind, adding=True)
        add.add_argument("--json", action="store_true", help=f"print the new {kind} as JSON")
        list_ = actions.add_parser("list", help=f"list the {plural}", description=(
            f"The project's {plural}, each with the shots that use it."))
        list_.add_argument("project", metavar="PROJECT")
        list_.add_argument("--json", action="store_true")
        set_ = actions.add_parser("set", help=f"change a {kind}", description=(
            f"Change a {kind}; every shot that uses it goes stale if what it adds to their prompts changes. "
            "An empty TEXT clears a field."))
        set_.add_argument("project", metavar="PROJECT")
        set_.add_argument("name", metavar="NAME")
        set_.add_argument("--name", dest="new_name", metavar="NEW", help="rename it (its shots are not affected)")
        _template_options(set_, kind, adding=False)
        set_.add_argument("--no-images", action="store_true", help="forget its reference pictures")
        remove = actions.add_parser("remove", help=f"remove a {kind}", description=(
            f"Remove a {kind}. The shots that use it lose it in the same step (undo brings both back)."))
        remove.add_argument("project", metavar="PROJECT")
        remove.add_argument("name", metavar="NAME")


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


HANDLERS = {"character": template, "style": template}
