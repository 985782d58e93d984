"""`foundry storyboard export`: the contact sheet, painted by the desktop program beside this one
(this program holds no Qt), which answers in one JSON line."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path

from foundry_desktop.app.child_program import run_owned_program
from foundry_desktop.cli.common import desktop_program, print_json
from foundry_desktop.errors import InvalidEditError

EXPORT_TIMEOUT_S = 300


def storyboard(args: argparse.Namespace) -> int:
    project, output = Path(args.project), Path(args.output).absolute()
    if not project.is_file():
        raise InvalidEditError(f"There is no project {project}.")
    if output.suffix.lower() not in (".pdf", ".png"):
        raise InvalidEditError(f"Cannot write a storyboard as {output.name}: name a .pdf or a .png file.")
    if args.per_page < 1:
        raise InvalidEditError("A page holds at least one shot (--per-page 1 or more).")
    # Headless unless told otherwise: the sheet is painted, never shown.
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    command = [*desktop_program(), "--export-storyboard", str(project.absolute()), str(output), str(args.per_page)]
    try:
        done = run_owned_program(command, timeout=EXPORT_TIMEOUT_S, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InvalidEditError(f"The desktop program that paints the storyboard did not run: {exc}") from None
    lines = done.stdout.strip().splitlines() or done.stderr.strip().splitlines() or ["no answer"]
    if done.returncode != 0:
        raise InvalidEditError(lines[-1])
    written = json.loads(lines[-1])
    if args.json:
        print_json(written)
    else:
        files = ", ".join(written["files"])
        print(f"Wrote {files}: {written['shots']} shots on {written['pages']} page"
              f"{'s' if written['pages'] != 1 else ''}.")
    return 0
