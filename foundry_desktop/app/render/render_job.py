"""A render of the film as a background job: the cut as it was when the creator asked for it,
rendered in a process of its own while editing goes on, with its progress, its end and
a way to stop it.

The job holds the project as it was at the start (the service replaces its project on
every edit and never changes one in place, so keeping the object is a snapshot). What to
check before starting (an empty timeline, a file type Foundry cannot write, a folder it
may not write in) is here too: a background render must refuse before the creator turns
away, not minutes later in a notice.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.render.film_render import FilmRender
from foundry_desktop.app.render.output_presets import CONTAINERS, RenderSettings
from foundry_desktop.app.render.render_process import render_in_process
from foundry_desktop.domain.project import Project
from foundry_desktop.errors import FoundryError
from foundry_desktop.media.render.film_compose import ComposeProgress

RenderState = Literal["queued", "running", "done", "failed", "cancelled"]


def refusal_before_render(service: ProjectService, output: Path) -> str | None:
    """Why `service`'s film cannot be rendered to `output`, in words; None when it can."""
    if not service.project.timeline.shots:
        return "There is nothing to render yet: the timeline has no shots. Add or import a shot first."
    if output.is_dir():
        return f"{output} is a folder; name the film's file."
    if output.suffix.lower() not in CONTAINERS:
        return f"Foundry writes films as {', '.join(CONTAINERS)}; {output.name} is none of those."
    folder = output.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the render makes the folders that are missing
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        return f"Foundry may not write in {folder}; choose another folder."
    if output.exists() and not os.access(output, os.W_OK):
        return f"{output.name} is read-only; choose another name."
    return None


@dataclass(eq=False)
class RenderJob:
    project_path: Path
    snapshot: Project  # the project as it was when the render was asked for
    output: Path
    settings: RenderSettings = RenderSettings()
    loudness_lufs: float | None = -14.0
    slates: bool = False  # shots without a picture rendered as slates (else they stop the render)
    state: RenderState = "queued"
    fraction: float = 0.0
    seconds_left: float | None = None
    error: str = ""
    result: FilmRender | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def of(cls, service: ProjectService, output: Path, **options) -> RenderJob:
        """A job for the film as `service` holds it now."""
        return cls(service.path, service.project, Path(output), **options)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    def run(self, on_progress: Callable[[RenderJob], None] | None = None) -> FilmRender:
        """Render (blocking: call it from a worker thread); `on_progress` hears each step, from
        that thread. A refusal is raised and kept in `error`; a cancel raises too."""
        if self.cancel.is_set():
            self.state = "cancelled"
            raise FoundryError("The render was cancelled before it began.")
        self.state = "running"

        def progressed(step: ComposeProgress) -> None:
            self.fraction, self.seconds_left = step.fraction, step.eta_s
            if on_progress is not None:
                on_progress(self)

        try:
            self.result = render_in_process(self.project_path, self.output, settings=self.settings,
                                            loudness_lufs=self.loudness_lufs, on_progress=progressed,
                                            cancel=self.cancel, snapshot=self.snapshot, slates=self.slates)
        except FoundryError as exc:
            self.state = "cancelled" if self.cancel.is_set() else "failed"
            self.error = "Cancelled; nothing was written." if self.cancel.is_set() else str(exc)
            raise
        self.state, self.fraction = "done", 1.0
        return self.result
