"""The table of bad arguments that tests/test_cli_arguments.py runs, built from `foundry`'s own parser: every
command's every option (a new option cannot be missed), each with the wrong values of its kind."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass

from foundry_desktop.cli.parser import build_parser

NUMBERS = ("-1", "0", "1e9", "inf", "nan", "abc")


@dataclass(frozen=True)
class Case:
    command: tuple[str, ...]  # ("shot", "add")
    option: str  # "--gain", or a positional's metavar
    value: str


def leaf_parsers() -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command and action (`shot add`), with its parser."""

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]):
        subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subparsers:
            yield path, parser
            return
        for name, sub in subparsers[0].choices.items():
            yield from walk(sub, (*path, name))

    yield from walk(build_parser(), ())


def value_options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The options and positionals that take a value (not --help, not the flags)."""
    return [a for a in parser._actions
            if not isinstance(a, (argparse._HelpAction, argparse._VersionAction)) and a.nargs != 0]


def name_of(action: argparse.Action) -> str:
    return action.option_strings[-1] if action.option_strings else action.metavar or action.dest


def bad_values(action: argparse.Action) -> tuple[str, ...]:
    """The wrong values for an option of this kind ("FOLDER" and "MISSING" stand for paths)."""
    kind = getattr(action.type, "__name__", None)
    if action.choices is not None:
        return ("nope",)
    if kind in ("whole_value", "number_value", "seconds_value", "auto_or_seconds_value", "_frame_rate_value"):
        return NUMBERS
    if kind == "_picture_size_value":
        return ("0x0", "17x9", "1e9x2", "abc")
    if kind == "existing_file":
        return ("FOLDER", "MISSING")
    if kind == "existing_folder":
        return ("FILE", "MISSING")
    if action.metavar == "TIMECODE":
        return ("99:99:99:99", "abc", "-1")
    if action.metavar in ("SHOTS", "LIST"):
        return ("0", "abc", "99")
    if action.metavar == "#RRGGBB":
        return ("red",)
    if action.metavar == "URL":
        return ("notaurl",)
    if action.metavar == "KEY=VALUE":
        return ("noequals",)
    if action.dest == "output" or action.metavar == "FILE":
        return ("FOLDER",)  # an output (or input) that is a folder
    if action.metavar in ("SECONDS", "S"):
        return NUMBERS
    return ("nope",)  # a name: of a shot, take, scene, template, backend, workflow, server, job...


def cases() -> Iterator[Case]:
    for command, parser in leaf_parsers():
        for action in value_options(parser):
            for value in bad_values(action):
                yield Case(command, name_of(action), value)
