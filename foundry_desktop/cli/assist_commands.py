"""`foundry assist`: which language model the creative assist uses on this machine."""

from __future__ import annotations

import argparse

from foundry_desktop.app.language_model import (
    LanguageModelSettings,
    load_language_model,
    save_language_model,
)
from foundry_desktop.app.project_service import edit_errors
from foundry_desktop.cli.commands import print_json


def add_parsers(commands: argparse._SubParsersAction) -> None:
    assist = commands.add_parser("assist", help="the language model of the creative assist", description=(
        "Plans from a brief, mood boards and captions from speech use an OpenAI-compatible endpoint: OpenAI, or "
        "a local server such as Ollama (http://localhost:11434/v1), LM Studio or vLLM. Its key, if it needs one: "
        "`foundry key set assist`."
    ))
    assist_commands = assist.add_subparsers(dest="assist_command", metavar="ACTION", required=True)
    assist_set = assist_commands.add_parser("set", help="set the endpoint and its models")
    assist_set.add_argument("--base-url", metavar="URL", help="the endpoint ('' to forget it)")
    assist_set.add_argument("--model", metavar="NAME", help="the chat model that writes plans")
    assist_set.add_argument("--transcription-model", metavar="NAME", help="speech to text (default whisper-1)")
    assist_set.add_argument("--image-model", metavar="NAME", help="the picture model for mood boards")
    assist_set.add_argument("--timeout-seconds", type=float, metavar="S", help="how long one request may take")
    assist_commands.add_parser("show", help="how the assist is set up").add_argument("--json", action="store_true")


def assist(args: argparse.Namespace) -> int:
    settings = load_language_model()
    if args.assist_command == "set":
        changes = {"base_url": args.base_url, "model": args.model, "transcription_model": args.transcription_model,
                   "image_model": args.image_model, "timeout_s": args.timeout_seconds}
        update = {key: (None if value == "" else value) for key, value in changes.items() if value is not None}
        with edit_errors():
            settings = LanguageModelSettings.model_validate({**settings.model_dump(), **update})
        save_language_model(settings)
    if getattr(args, "json", False):
        print_json(settings.model_dump())
        return 0
    if not settings.configured:
        print("No language model is set up (foundry assist set --base-url URL --model NAME).")
        return 0
    print(f"Endpoint:      {settings.base_url}")
    print(f"Chat model:    {settings.model or '(none: plans cannot be written)'}")
    print(f"Transcription: {settings.transcription_model}")
    print(f"Pictures:      {settings.image_model or '(none: mood boards come without pictures)'}")
    return 0


HANDLERS = {"assist": assist}
