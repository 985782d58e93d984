"""Options of `foundry character` and `foundry style`: the same actions and options (a style also
--palette and --keyword)."""

from __future__ import annotations

import argparse

from foundry_desktop.cli.parsers import Commands
from foundry_desktop.cli.parsers import values
from foundry_desktop.domain.prompt_templates import KIND_WORDS

DESCRIPTIONS = {
    "character": "Someone who appears in several shots and must look the same in each: what to add before and "
                 "after each shot's prompt, what to avoid, and pictures of them (a shot without an input image "
                 "of its own starts from the first).",
    "style": "A look shared by shots: what to add before and after each shot's prompt (around the character's), "
             "what to avoid, reference pictures, a palette and keywords.",
}


def _template_options(parser: argparse.ArgumentParser, kind: str, *, adding: bool) -> None:
    parser.add_argument("--description", help="what it is, for people")
    parser.add_argument("--prefix", dest="prompt_prefix", metavar="TEXT", help="put before each shot's prompt")
    parser.add_argument("--suffix", dest="prompt_suffix", metavar="TEXT", help="put after each shot's prompt")
    parser.add_argument("--negative", dest="negative_prompt", metavar="TEXT",
                        help="added to each shot's negative prompt")
    parser.add_argument("--image", dest="images", action="append", metavar="FILE", type=values.existing_file, help=(
        "a reference picture (repeatable" + ("" if adding else "; replaces the ones it has") + ")"))
    parser.add_argument("--backend", help="the backend a shot gets when it is given this " + kind)
    parser.add_argument("--model", help="the model a shot gets with it")
    parser.add_argument("--workflow", help="the ComfyUI workflow a shot gets with it")
    if kind == "style":
        parser.add_argument("--palette", dest="palette", action="append", metavar="#RRGGBB",
                            help="a colour of the look (repeatable" + ("" if adding else "; replaces them") + ")")
        parser.add_argument("--keyword", dest="keywords", action="append", metavar="WORD",
                            help="a word for the look (repeatable" + ("" if adding else "; replaces them") + ")")


def template(commands: Commands, kind: str, summary: str) -> None:
    """`kind` is the command: character or style."""
    plural = KIND_WORDS[kind][1]
    parser = commands.add_parser(kind, help=summary, description=DESCRIPTIONS[kind])
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
