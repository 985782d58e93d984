"""`foundry render` and `foundry doctor`: the film, and what this machine can encode it with."""

from __future__ import annotations

import argparse
from pathlib import Path

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.render.film_render import FilmRender, render_film
from foundry_desktop.app.render.output_presets import RenderSettings
from foundry_desktop.app.setup.machine_report import machine_report
from foundry_desktop.cli.common import notices_to_stderr, print_json

def render_json(render: FilmRender) -> dict:
    report, media = render.report, render.report.media
    return {
        "path": str(media.path),
        "width": media.width,
        "height": media.height,
        "frame_rate": str(media.frame_rate),
        "frames": media.frame_count,
        "duration_s": round(media.duration_s, 3),
        "video_codec": media.video_codec,
        "has_audio": media.has_audio,
        "encoder": report.encoder,
        "segments_encoded": report.segments_encoded,
        "segments_reused": report.segments_reused,
        "segments_copied": report.segments_copied,
        "mix_loudness_lufs": report.mix_loudness.integrated_lufs if report.mix_loudness else None,
        "mix_gain_db": round(report.mix_gain_db, 2),
        "warnings": list(render.plan.warnings),
        "subtitles": [str(path) for path in render.subtitles],
    }


def render(args: argparse.Namespace) -> int:
    # A render only reads the project: it holds no lock, so edits and a generate go on beside it.
    with ProjectService.open(Path(args.project), read_only=True) as service:
        notices_to_stderr(service)
        loudness = None if args.no_normalise else args.loudness
        settings = RenderSettings(preset=args.preset, encoder=args.encoder, crf=args.crf, bitrate_kbps=args.bitrate)
        render = render_film(
            service, Path(args.output), loudness_lufs=loudness, true_peak_dbtp=args.true_peak, settings=settings
        )
    if args.json:
        print_json(render_json(render))
    else:
        media, report = render.report.media, render.report
        print(
            f"Rendered {media.path} ({media.width}x{media.height}, {media.frame_rate} fps, {media.frame_count} frames, "
            f"{media.duration_s:.2f} s; "
            f"{report.segments_encoded} segments encoded, {report.segments_copied} copied, "
            f"{report.segments_reused} reused; {report.encoder})"
        )
        if render.subtitles:
            print("Subtitles: " + ", ".join(str(path) for path in render.subtitles))
    return 0


def doctor(args: argparse.Namespace) -> int:
    report = machine_report(refresh=args.refresh)
    if args.json:
        print_json({
            "versions": report.versions,
            "encoders": [{"name": c.encoder, "works": c.works, "hardware": c.hardware, "reason": c.reason}
                         for c in report.checks],
            "auto": report.auto,
        })
        return 0
    print("  ".join(f"{name} {version}" for name, version in report.versions.items()))
    print("Video encoders (each tried on one frame):")
    for check in report.checks:
        kind = "hardware" if check.hardware else "software"
        verdict = "works" if check.works else f"does not work: {check.reason.strip().splitlines()[0][:120]}"
        print(f"  {check.encoder:<20} {kind:<9} {verdict}")
    picks = (f"{report.codec_labels[codec]} {name}" for codec, name in report.auto.items())
    print("--encoder auto uses: " + ", ".join(picks))
    return 0
