"""`foundry assist`: which language model the creative assist uses, on this machine or for one
project (whose own settings win over the machine's, field by field)."""

from __future__ import annotations

import argparse
from pathlib import Path

from foundry_desktop.app.assist.language_model import (
    FIELD_LABELS,
    LanguageModelSettings,
    load_language_model,
    project_override,
    save_language_model,
    set_project_override,
)
from foundry_desktop.app.generation.service_address import service_address
from foundry_desktop.app.project_service import ProjectService, edit_errors
from foundry_desktop.cli.common import print_json

def assist(args: argparse.Namespace) -> int:
    changes = {}
    if args.assist_command == "set":
        given = {"base_url": args.base_url, "model": args.model, "transcription_model": args.transcription_model,
                 "image_model": args.image_model, "timeout_s": args.timeout_seconds}
        changes = {key: (None if value == "" else value) for key, value in given.items() if value is not None}
        if changes.get("base_url"):
            with edit_errors():
                changes["base_url"] = service_address(changes["base_url"], service="assist",
                                                      allow_insecure=args.allow_insecure)
    if args.project is None:
        settings, own = load_language_model(), set()
        if changes:
            with edit_errors():
                settings = LanguageModelSettings.model_validate({**settings.model_dump(), **changes})
            save_language_model(settings)
    else:
        with ProjectService.open(Path(args.project), read_only=args.assist_command == "show") as service:
            if args.assist_command == "set":
                kept = {} if getattr(args, "follow_machine", False) else project_override(service)
                set_project_override(service, {**kept, **changes})
            own = set(project_override(service))
            settings = load_language_model(project=service)
    if getattr(args, "json", False):
        print_json({**settings.model_dump(), "project_sets": sorted(own)})
        return 0
    if not settings.configured:
        print("No language model is set up (foundry assist set --base-url URL --model NAME).")
        return 0
    for field, label in FIELD_LABELS.items():
        value = getattr(settings, field)
        shown = value if value is not None else "(none)"
        print(f"{label + ':':<15}{shown}{'  (this project)' if field in own else ''}")
    return 0
