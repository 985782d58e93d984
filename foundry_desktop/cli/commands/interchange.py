"""`foundry export` and `foundry import`: cuts to and from Final Cut, Resolve and Premiere."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from foundry_desktop.app.exchange.conform_keys import film_drop_frame, film_timecode_label, timecode_frames
from foundry_desktop.app.exchange.cut_export import export_cut
from foundry_desktop.app.exchange.cut_import import import_cut
from foundry_desktop.app.exchange.retime_report import grouped_retimes
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.common import print_json
from foundry_desktop.errors import CutChoiceError


def export(args: argparse.Namespace) -> int:
    with ProjectService.open(Path(args.project), read_only=True) as service:
        report = export_cut(service, Path(args.output), fcpxml_version=args.fcpxml_version, drop_frame=args.drop_frame,
                            edl_names=args.edl_names)
    if args.json:
        print_json({"files": [str(path) for path in report.files], "warnings": list(report.warnings)})
        return 0
    for warning in report.warnings:
        print(f"foundry: note: {warning}", file=sys.stderr)
    print("Exported " + ", ".join(str(path) for path in report.files))
    return 0


CHOOSE_A_SEQUENCE = 2  # the exit status of an import that needs --sequence: the file holds several timelines


def import_(args: argparse.Namespace) -> int:
    try:
        report = import_cut(Path(args.file), Path(args.output), frame_rate=args.rate, sequence=args.sequence)
    except CutChoiceError as exc:
        if args.json:
            print_json({"error": str(exc), "sequences": list(exc.names)})
        else:
            print(f"foundry: {exc}", file=sys.stderr)
            print("\n".join(exc.names))
        return CHOOSE_A_SEQUENCE
    if args.json:
        print_json({"project": str(report.project), "shots": report.shots, "offline": report.offline,
                    "warnings": list(report.warnings)})
        return 0
    for warning in grouped_retimes(report.warnings):  # --json keeps every line
        print(f"foundry: warning: {warning}", file=sys.stderr)
    offline = f"; {report.offline} without media, to generate or replace" if report.offline else ""
    print(f"Imported {report.shots} shot{'s' if report.shots != 1 else ''} into {report.project}{offline}")
    return 0


def timecode(args: argparse.Namespace) -> int:
    """Show the film's timecode, or set it (one undo step) when --start or a drop-frame flag is given."""
    read_only = args.start is None and args.drop_frame is None
    with ProjectService.open(Path(args.project), read_only=read_only) as service:
        if not read_only:
            drop_frame = service.project.timeline.drop_frame if args.drop_frame is None else args.drop_frame
            counted = film_drop_frame(service.project) if drop_frame is None else drop_frame
            start = service.project.timeline.start_timecode if args.start is None else (
                timecode_frames(args.start, service.format.frame_rate, counted))
            service.set_film_timecode(start, drop_frame)
        label, drop_frame = film_timecode_label(service.project)
    if args.json:
        print_json({"start": label, "drop_frame": drop_frame})
    else:
        print(f"The film starts at {label} ({'drop' if drop_frame else 'non-drop'} frame)")
    return 0
