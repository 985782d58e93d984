"""Entry point of `foundry`: run a command; user errors are one line on stderr.

The arguments are parsed before the command's module is imported (see cli.parser), so
`foundry --version`, `--help` and a mistyped option answer without loading the heavy
libraries the commands use.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from foundry_desktop.cli.parser import build_parser, command_function
from foundry_desktop.errors import FoundryError


def main(argv: Sequence[str] | None = None) -> int:
    if getattr(sys, "frozen", False):
        # Render workers are spawned processes; a frozen bundle must hand them over here.
        import multiprocessing

        multiprocessing.freeze_support()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    run = command_function(args.command)
    from foundry_desktop.app.project_lock_words import name_this_process

    name_this_process(f"foundry {args.command}")  # what a refusal elsewhere says is holding the project
    try:
        return run(args)
    except FoundryError as exc:
        print(f"foundry: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("foundry: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
