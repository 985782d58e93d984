"""`foundry captions`: captions from speech, and the caption track as SRT or WebVTT.

Two actions under one word, each with its project first:

    foundry captions from PROJECT SOURCE [--language L] [--style NAME] [--at SECONDS] [--replace]
    foundry captions export PROJECT -o FILE.srt|FILE.vtt

(`foundry caption add|list|remove` edits single captions by hand.)
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from foundry_desktop.app.exchange.caption_files import export_captions
from foundry_desktop.app.assist.language_model import load_language_model, require_configured
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.assist.speech_captions import add_transcribed_captions, speech_source, transcribe_speech
from foundry_desktop.cli.common import print_json
from foundry_desktop.domain.time import format_timecode
from foundry_desktop.errors import InvalidEditError


def _transcribe(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project)) as service:
        settings = require_configured(load_language_model(project=service))  # one line when there is none
        if args.at is not None and ":" in args.source and not Path(args.source).is_file():
            raise InvalidEditError("--at places a file's sound; a shot or a music clip is heard where it plays.")
        source = speech_source(service, args.source, at_seconds=args.at)
        rate = service.format.frame_rate
        captions = asyncio.run(transcribe_speech(source, settings, rate, style=args.style, language=args.language))
        add_transcribed_captions(service, captions, source_label=source.label, replace=args.replace)
    if args.json:
        print_json([{"start_frame": c.start, "end_frame": c.end, "text": c.text, "word_starts": c.word_starts}
                    for c in captions])
    elif not captions:
        print(f"No speech heard in {source.label}; no captions added.")
    else:
        print(f"Added {len(captions)} caption{'s' * (len(captions) != 1)} from {source.label}:")
        for caption in captions:
            print(f"  {format_timecode(caption.start, rate)}  {caption.text.replace(chr(10), ' / ')}")
    return 0


def _export(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project), read_only=True) as service:
        written = export_captions(service, Path(args.output))
    print(f"Wrote {written}")
    return 0


def captions(args: argparse.Namespace) -> int:
    return _transcribe(args) if args.captions_command == "from" else _export(args)
