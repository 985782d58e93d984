"""Options of `foundry scene`: scenes add, set, move, remove and list."""

from __future__ import annotations

import argparse

from foundry_desktop.cli.parsers import Commands
from foundry_desktop.cli.parsers import values
from foundry_desktop.domain.ranges.value_range import NUMBER

# The defaults a scene gives its shots: option name -> what it sets.
SCENE_DEFAULT_OPTIONS = {
    "style": "the project's style its shots take",
    "character": "the project's character in its shots",
    "backend": "the video backend its shots use",
    "model": "the video model its shots use",
    "workflow": "the ComfyUI workflow its shots use",
    "image-backend": "the backend that makes its shots' keyframe stills",
    "image-model": "the model of its keyframe stills",
    "image-workflow": "the ComfyUI workflow of its keyframe stills",
}


def _scene_options(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    parser.add_argument("--shots", metavar="SHOTS",
                        help="the shots in it, numbered from 1: 3-5, or 3,4,5 (they must follow one another)"
                        if adding else "more shots for it (at its start or end): 3-5, or 6")
    parser.add_argument("--description", help="what happens in the scene")
    parser.add_argument("--location", help="where it takes place")
    parser.add_argument("--time", dest="time_of_day", metavar="TIME", help="the time of day (dusk, night...)")
    parser.add_argument("--notes", help="notes for the crew or the client")
    parser.add_argument("--color", metavar="#RRGGBB", help="its colour on the timeline")
    clears = "" if adding else " ('' for none)"
    for option, meaning in SCENE_DEFAULT_OPTIONS.items():
        parser.add_argument(f"--{option}", metavar="NAME", help=f"{meaning}, unless a shot sets its own{clears}")


def scene(commands: Commands, name: str, summary: str) -> None:
    scene = commands.add_parser(name, help=summary, description=(
        "A scene is a named run of consecutive shots, with notes and defaults (style, character, backend, "
        "model, workflow) that its shots take unless they set their own. A SCENE is named by its number "
        "(from 1, in film order) or its name."))
    actions = scene.add_subparsers(dest="scene_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a scene", description=(
        "Add a scene called NAME, with the shots --shots (taken from the start or end of the scene they are in)."))
    add.add_argument("project", metavar="PROJECT")
    add.add_argument("name", metavar="NAME")
    _scene_options(add, adding=True)
    add.add_argument("--at", type=values.whole(NUMBER), metavar="PLACE", help="with no shots: its place among the scenes (1 = first)")
    set_ = actions.add_parser("set", help="change a scene", description=(
        "Change a scene's name, notes or colour, the defaults its shots take, or add shots to it."))
    set_.add_argument("project", metavar="PROJECT")
    set_.add_argument("scene", metavar="SCENE")
    set_.add_argument("--name", help="a new name")
    _scene_options(set_, adding=False)
    move = actions.add_parser("move", help="move a scene with its shots", description=(
        "Move the scene so that it becomes scene TO; its shots move with it, in one undo step."))
    move.add_argument("project", metavar="PROJECT")
    move.add_argument("scene", metavar="SCENE")
    move.add_argument("destination", type=values.whole(NUMBER), metavar="TO")
    remove = actions.add_parser("remove", help="remove a scene", description=(
        "Remove a scene. Its shots stay, in no scene, keeping their settings, unless --with-shots."))
    remove.add_argument("project", metavar="PROJECT")
    remove.add_argument("scene", metavar="SCENE")
    remove.add_argument("--with-shots", action="store_true", help="remove its shots too (the rest closes up)")
    list_ = actions.add_parser("list", help="list the scenes",
                               description="The scenes in film order, with their shots.")
    list_.add_argument("project", metavar="PROJECT")
    list_.add_argument("--json", action="store_true", help="print them as JSON")
