"""What the commands share: JSON output, shot numbers as creators count them, notes on stderr, and
the desktop program beside this one (for the work that needs Qt, which this program never imports)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from foundry_desktop.app.events import Notice
from foundry_desktop.errors import InvalidEditError

if TYPE_CHECKING:
    from foundry_desktop.app.project_service import ProjectService


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


def to_index(number: int, what: str = "shot") -> int:
    """Creators count shots from 1; the app from 0."""
    if number < 1:
        raise InvalidEditError(f"Shots are numbered from 1; there is no {what} {number}.")
    return number - 1


# The options that name a backend or a ComfyUI workflow, in whichever command has them.
BACKEND_OPTIONS = ("backend", "image_backend", "music_backend")
WORKFLOW_OPTIONS = ("workflow", "image_workflow")


def check_named_generators(args: argparse.Namespace) -> None:
    """Refuse a backend or workflow that does not exist before the command changes anything. The
    generation modules are imported only when such an option is given."""
    backends = tuple(getattr(args, option, None) for option in BACKEND_OPTIONS)
    workflows = tuple(getattr(args, option, None) for option in WORKFLOW_OPTIONS)
    if any(backends) or any(workflows):
        from foundry_desktop.app.generation.generator_names import check_generator_names

        check_generator_names(backends=backends, workflows=workflows)


def notices_to_stderr(service: ProjectService) -> None:
    service.events.subscribe(
        lambda event: print(f"foundry: note: {event.message}", file=sys.stderr) if isinstance(event, Notice) else None
    )


def desktop_program() -> list[str]:
    """How to run the desktop program of this installation: the bundle's own beside this one
    when frozen, this Python's package otherwise."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).with_name("foundry-desktop" + Path(sys.executable).suffix))]
    return [sys.executable, "-m", "foundry_desktop.ui.main"]
