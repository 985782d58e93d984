"""Entry point of `foundry`: run a command; user errors are one line on stderr."""

from __future__ import annotations

import multiprocessing
import sys

from foundry_desktop.cli import (
    assist_commands,
    captions_commands,
    commands,
    generation_commands,
    interchange_commands,
    mood_board_commands,
    plan_commands,
    self_test_commands,
    template_commands,
)
from foundry_desktop.cli.parser import build_parser
from foundry_desktop.errors import FoundryError

HANDLERS = {
    **commands.HANDLERS, **generation_commands.HANDLERS, **interchange_commands.HANDLERS, **template_commands.HANDLERS,
    **assist_commands.HANDLERS, **plan_commands.HANDLERS, **mood_board_commands.HANDLERS,
    **captions_commands.HANDLERS, **self_test_commands.HANDLERS,
}


def main(argv: list[str] | None = None) -> int:
    # Render workers are spawned processes; a frozen bundle must hand them over here.
    multiprocessing.freeze_support()
    args = build_parser().parse_args(argv)
    try:
        return HANDLERS[args.command](args)
    except FoundryError as exc:
        print(f"foundry: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("foundry: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
