"""`foundry moodboard`: three or four looks for a film from its brief, with reference pictures
(kept in the project's media folder), shown or saved as JSON; choosing one makes it a style."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from foundry_desktop.app.assist.language_model import load_language_model, require_configured
from foundry_desktop.app.assist.mood_board_styles import style_from_direction
from foundry_desktop.app.assist.mood_boards import propose_mood_board
from foundry_desktop.app.project_service import ProjectService, edit_errors
from foundry_desktop.cli.common import print_json, to_index
from foundry_desktop.cli.commands.plan import brief_text
from foundry_desktop.domain.planning.mood_board import MoodBoardDirection, StyleDirection
from foundry_desktop.domain.planning.scene_plan import Brief, nearest_aspect
from foundry_desktop.errors import InputFileError, InvalidEditError


def moodboard(args: argparse.Namespace) -> int:
    if args.from_json:
        directions, notes = _read(Path(args.from_json)), []
    else:
        with ProjectService.open(Path(args.project)) as service:  # the pictures go into its media folder
            settings = require_configured(load_language_model(project=service), chat=True)
            fmt = service.format
            with edit_errors():
                brief = Brief(text=brief_text(args.brief))
            board = asyncio.run(propose_mood_board(settings, brief, service.media, directions=args.directions,
                                                   pictures_each=args.pictures,
                                                   aspect=args.aspect or nearest_aspect(fmt.width, fmt.height)))
        directions, notes = board.directions, board.notes
    if args.choose is not None:
        index = to_index(args.choose, "look")
        if not 0 <= index < len(directions):
            raise InvalidEditError(f"There is no look {args.choose}: the mood board has {len(directions)}.")
        with ProjectService.open(Path(args.project)) as service:
            style = style_from_direction(service, directions[index])
        print(f"Added style {style.name} (attach it with `foundry shot set PROJECT N --style \"{style.name}\"`)",
              file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print_json({"directions": [{**chosen.direction.model_dump(), "pictures": chosen.pictures}
                                   for chosen in directions], "notes": notes})
    elif args.choose is None:
        for number, chosen in enumerate(directions, start=1):
            look = chosen.direction
            print(f"{number}. {look.name} — {look.description}")
            print(f"   palette {' '.join(look.palette)}; {', '.join(look.keywords)}")
            print(f"   prompt prefix: {look.prompt_prefix}")
            for picture in chosen.pictures:
                print(f"   picture: {picture}")
    for note in notes:
        print(f"foundry: note: {note}", file=sys.stderr)
    return 0


def _read(path: Path) -> list[MoodBoardDirection]:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        return [MoodBoardDirection(StyleDirection.model_validate({k: v for k, v in look.items() if k != "pictures"}),
                                   [str(picture) for picture in look.get("pictures", [])])
                for look in saved["directions"]]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"The mood board {path} cannot be read: {exc}.") from None
    except (ValueError, KeyError, TypeError, AttributeError, ValidationError) as exc:
        raise InputFileError(f"{path} is not a mood board printed by `foundry moodboard --json` ({exc}).") from None
