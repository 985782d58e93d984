"""The caption track as a SubRip or WebVTT file of its own, the same file a render writes beside the film."""

from __future__ import annotations

from pathlib import Path

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.errors import ExportError
from foundry_desktop.interchange.subtitles import write_subtitle_file


def export_captions(service: ProjectService, output: Path) -> Path:
    """Write the captions to `output` (.srt or .vtt), timed to the frames they show on."""
    captions = service.project.timeline.captions
    if not captions:
        raise ExportError("The project has no captions to write.")
    plan = service.cut_plan()
    # The film's length cuts captions off as the render's sidecars do; with no shots yet,
    # the captions themselves say how long the film is.
    film_frames = plan.length if plan.shots else max(caption.end for caption in captions)
    write_subtitle_file(Path(output), captions, service.format.frame_rate, film_frames)
    return Path(output)
