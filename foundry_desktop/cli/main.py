"""Entry point of `foundry`: run a command; user errors are one line on stderr.

The arguments are parsed before the command's module is imported (see cli.parser), so
`foundry --version`, `--help` and a mistyped option answer without loading the heavy
libraries the commands use.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from foundry_desktop.cli.common import check_named_generators
from foundry_desktop.cli.parser import build_parser, command_function
from foundry_desktop.domain.errors import DomainError
from foundry_desktop.errors import FoundryError

# The exit status of a command whose reader went away (`foundry info P | head`): as a shell reports a
# program that SIGPIPE ended, 128 + 13.
BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    if getattr(sys, "frozen", False):
        # Render workers are spawned processes; a frozen bundle must hand them over here.
        import multiprocessing

        multiprocessing.freeze_support()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        try:
            args = build_parser(argv).parse_args(argv)
        except SystemExit as exc:  # --help, --version, or an argument refused (status 2), already said
            return exc.code if isinstance(exc.code, int) else 2
        check_named_generators(args)
        from foundry_desktop.app.project_access.project_lock_words import name_this_process

        name_this_process(f"foundry {args.command}")  # what a refusal elsewhere says is holding the project
        code = command_function(args.command)(args)
        sys.stdout.flush()  # here, where a reader that went away (BrokenPipeError) is caught, not at exit
        return code
    except (FoundryError, DomainError) as exc:  # a DomainError is the model's refusal, in the creator's words
        print(f"foundry: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("foundry: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return BROKEN_PIPE


def _quiet_stdout() -> None:
    """The reader of our output has gone: what is still buffered for it goes nowhere, so that Python's
    flush at exit does not fail a second time with a traceback (the recipe of Python's signal docs)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # in-process callers (tests) may hold a stdout with no file descriptor
        pass


if __name__ == "__main__":
    sys.exit(main())
