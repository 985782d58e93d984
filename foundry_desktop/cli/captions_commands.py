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
from foundry_desktop.cli.commands import print_json
from foundry_desktop.domain.captions.styles import CAPTION_STYLES
from foundry_desktop.domain.time import format_timecode
from foundry_desktop.errors import InvalidEditError


def add_parsers(commands: argparse._SubParsersAction) -> None:
    captions = commands.add_parser("captions", help="captions from speech; SRT/WebVTT", description=(
        "Transcribe speech into word-timed captions through the assist's endpoint (foundry assist set), "
        "or write the caption track as subtitles."
    ))
    actions = captions.add_subparsers(dest="captions_command", metavar="ACTION", required=True)
    transcribe = actions.add_parser("from", help="caption what is said in a shot, a music clip or a file",
                                    description=(
        "Transcribe SOURCE with word times and add captions split for reading (at most two lines of 42 "
        "characters, a new caption at each pause and sentence), as one undo step. SOURCE is shot:N (shot N's "
        "take, as the cut plays it), music:N (the Nth music clip) or an audio/video file (placed at --at). "
        "Captions that would overlap existing ones are refused unless --replace."
    ))
    transcribe.add_argument("project", metavar="PROJECT")
    transcribe.add_argument("source", metavar="SOURCE", help="shot:N, music:N or a file")
    transcribe.add_argument("--language", metavar="L", help="the spoken language, ISO-639-1 (en, de, fr...)")
    transcribe.add_argument("--style", default="subtitle", choices=list(CAPTION_STYLES),
                            help="the look (default subtitle; social highlights each word as it is said)")
    transcribe.add_argument("--at", metavar="SECONDS", help="where a file's sound starts in the film (default 0)")
    transcribe.add_argument("--replace", action="store_true", help="replace the captions the new ones overlap")
    transcribe.add_argument("--json", action="store_true", help="print the captions added as JSON")
    export = actions.add_parser("export", help="write the captions as SRT or WebVTT", description=(
        "Write the film's captions as SubRip (.srt) or WebVTT (.vtt), timed to the frames they show on; "
        "the same files a render writes beside the film."
    ))
    export.add_argument("project", metavar="PROJECT")
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.srt or FILE.vtt")


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


HANDLERS = {"captions": captions}
