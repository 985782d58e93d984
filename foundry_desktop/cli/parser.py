"""The commands of `foundry`, and the argument parser made from them.

`foundry --version` should start in a blink, so parsing imports nothing heavy. Each command
is one row of COMMANDS: its line in `foundry --help`, the builder of its options (a small
function in cli/parsers/), and the function that runs it (in cli/commands/, imported only
after parsing; heavy libraries are imported there, or deeper). The parser gives options only
to the command being run: the others are listed by name and help, all `foundry --help` shows.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, NoReturn

from foundry_desktop import __version__


class Command(NamedTuple):
    summary: str  # its line in `foundry --help`
    options: str  # "module:function" in cli.parsers that adds it with its description and options
    run: str  # "module:function" in cli.commands that does it, returning the exit code


# In the order `foundry --help` lists them.
COMMANDS = {
    "demo": Command("make the demo project and render it", "project:demo", "project:demo"),
    "new": Command("create an empty project", "project:new", "project:new"),
    "info": Command("show a project's format and shots", "project:info", "project:info"),
    "shot": Command("add, change, move or remove shots", "edit:shot", "shot:shot"),
    "scene": Command("group shots into scenes: add, change, move, remove, list", "scenes:scene",
                     "storyboard.scene:scene"),
    "transition": Command("set the transition between two shots", "edit:transition", "shot:transition"),
    "fade": Command("fade the film in and out", "edit:fade", "shot:fade"),
    "music": Command("put music on the film", "edit:music", "shot:music"),
    "media": Command("the media bin: import files, list them, relink offline ones", "edit:media", "shot:media"),
    "caption": Command("caption the film", "edit:caption", "shot:caption"),
    "undo": Command("undo the last edit", "project:history", "project:travel"),
    "redo": Command("redo the last undone edit", "project:history", "project:travel"),
    "generate": Command("generate the shots that are not current", "generation:generate",
                        "generation:generate"),
    "keyframes": Command("make and approve the shots' keyframe stills", "keyframes:keyframes",
                         "storyboard.keyframes:keyframes"),
    "takes": Command("a shot's takes", "generation:takes", "generation:takes"),
    "take": Command("choose a shot's take", "generation:take", "generation:take"),
    "jobs": Command("the project's generation jobs", "generation:jobs", "generation:jobs"),
    "cancel": Command("cancel generation jobs", "generation:cancel", "generation:cancel"),
    "retry": Command("send failed jobs again", "generation:retry", "generation:retry"),
    "cost": Command("what generating has cost, per shot and in all", "generation:cost", "generation:cost"),
    "budget": Command("cap what the project may spend", "generation:budget", "generation:budget"),
    "clean": Command("remove unused media, stale render segments and leftovers, with sizes", "project:clean",
                     "project:clean"),
    "storyboard": Command("the storyboard for review: a PDF or PNG contact sheet", "storyboard:storyboard",
                          "storyboard.board:storyboard"),
    "render": Command("render the film to a video file", "film:render", "render:render"),
    "export": Command("hand the cut to Final Cut, Resolve or Premiere", "film:export", "interchange:export"),
    "import": Command("make a project from a cut made elsewhere", "film:import_", "interchange:import_"),
    "timecode": Command("the film's start timecode and drop frame, as exports write them", "film:timecode",
                        "interchange:timecode"),
    "assist": Command("the language model of the creative assist", "assist:assist", "assist:assist"),
    "self-test": Command("check that this installation works", "machine:self_test", "self_test:self_test"),
    "character": Command("characters who appear in several shots", "templates:template", "template:template"),
    "style": Command("style templates shared by shots", "templates:template", "template:template"),
    "captions": Command("captions from speech; SRT/WebVTT", "assist:captions", "captions:captions"),
    "plan": Command("plan scenes from a brief with the language model", "assist:plan", "plan:plan"),
    "film": Command("one flow from a brief to a film: plan, look, shots, keyframes, video, music, render",
                    "film_flow:film", "storyboard.film:film"),
    "moodboard": Command("looks for the film from its brief, to choose one as a style", "assist:moodboard",
                         "mood_board:moodboard"),
    "server": Command("the ComfyUI servers of this machine", "machine:server", "comfyui:server"),
    "workflow": Command("ComfyUI workflow templates", "machine:workflow", "comfyui:workflow"),
    "key": Command("cloud API keys (kept in the system's password store)", "machine:key", "cloud:key"),
    "cloud": Command("cloud services' addresses and default models", "machine:cloud", "cloud:cloud"),
    "doctor": Command("show what this machine can do", "machine:doctor", "render:doctor"),
}


class OneLineParser(argparse.ArgumentParser):
    """An argument refused is one line on stderr, like every other refusal of `foundry` (argparse's
    own prints the whole usage first, which buries the reason)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"foundry: error: {message} (see `{self.prog} --help`)\n")


def load(where: str, package: str) -> Callable[..., Any]:
    """The function "module:function" names, its module imported from `package` now."""
    module, _, function = where.partition(":")
    return getattr(importlib.import_module(f"{package}.{module}"), function)


def command_function(name: str) -> Callable[[argparse.Namespace], int]:
    return load(COMMANDS[name].run, "foundry_desktop.cli.commands")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Every command with its options; given the arguments, only the command they name gets its
    options (the rest are listed by name and help, enough for `foundry --help` and errors)."""
    wanted = None if argv is None else next((arg for arg in argv if not arg.startswith("-")), None)
    parser = OneLineParser(
        prog="foundry",
        description="Foundry Desktop from the command line: lay out shots, generate them, render the film.",
    )
    parser.add_argument("--version", action="version", version=f"foundry {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        if argv is None or name == wanted:
            load(command.options, "foundry_desktop.cli.parsers")(commands, name, command.summary)
        else:
            commands.add_parser(name, help=command.summary)
    return parser
