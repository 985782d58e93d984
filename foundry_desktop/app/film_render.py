"""Rendering the timeline's selected takes into one film (cuts only for now).

Until the composer draws transitions, a transition renders as a cut at its
midpoint: the film then has exactly the timeline's length, and every shot
keeps the timing it will have once transitions are drawn.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from foundry_desktop.app.events import Notice, RenderProgress
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.errors import TimelineNotReadyError
from foundry_desktop.media.cut_render import CutSegment, OutputFormat, render_cut
from foundry_desktop.media.probe import MediaInfo


def cut_segments(service: ProjectService) -> list[CutSegment]:
    shots = service.project.timeline.shots
    if not shots:
        raise TimelineNotReadyError("Nothing to render: the timeline has no shots.")
    segments = []
    for index, (shot, status) in enumerate(zip(shots, service.statuses(), strict=True)):
        take = service.project.selected_take(shot)
        if take is None or status.kind == "missing":
            raise TimelineNotReadyError(
                f"Shot {index + 1} has no take to render ({', '.join(status.reasons)}); generate it first."
            )
        if status.kind != "current":
            service.events.emit(Notice(f"Shot {index + 1} is {status.text}; rendering its current take."))
        incoming = shots[index - 1].transition_out.duration if index > 0 else 0
        outgoing = shot.transition_out.duration
        head, tail = incoming // 2, outgoing - outgoing // 2
        segments.append(
            CutSegment(
                path=service.store.media.path_of(take.media_path),
                start_frame=shot.trim_in + head,
                frames=shot.length - head - tail,
            )
        )
    return segments


def render_film(
    service: ProjectService,
    output: Path,
    *,
    cancel: threading.Event | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> MediaInfo:
    """Render to `output` (written whole or not at all). Safe to call from a worker thread."""
    segments = cut_segments(service)
    fmt = service.format
    output_format = OutputFormat(
        width=fmt.width, height=fmt.height, frame_rate=fmt.frame_rate, audio_rate=fmt.audio_rate
    )

    def progress(fraction: float) -> None:
        if on_progress is not None:
            on_progress(fraction)
        service.events.emit(RenderProgress(fraction))

    return render_cut(segments, Path(output), output_format, on_progress=progress, cancel=cancel)
