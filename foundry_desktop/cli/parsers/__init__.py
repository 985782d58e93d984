"""The options of each `foundry` command, one small builder per command, grouped by area.

Each builder is called as builder(commands, name, summary): it adds the command `name` to
`commands` (the top-level subparsers) with `summary` as its help, and gives it a description and
its options. cli.parser calls only the builder of the command being run, so these modules import
only what their help texts and choices list (no SQLAlchemy, PyAV, numpy, keyring, httpx).
"""

from __future__ import annotations

import argparse

Commands = argparse._SubParsersAction  # what add_subparsers returns
