"""Shots the film cannot show yet (never generated, or their take's file is gone), and the
slates that stand in for them when the creator renders anyway.

A slate is black with "Shot 3 · not generated" (or "· offline") for the shot's length, so
the film keeps its timing and the creator sees at once what is still to come. Slates are
kept in the media folder by what they show, so a second render reuses them.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.project import Project, Take
from foundry_desktop.media.render.slate_clip import write_slate

SLATE_FOLDER = "renders/slates"
SLATE_BACKEND = "slate"  # the backend a slate's stand-in take names, so it is never taken for a real one


@dataclass(frozen=True)
class UnrenderableShot:
    number: int  # from 1, as the timeline shows it
    shot_id: str
    reason: Literal["not generated", "offline"]

    @property
    def slate_text(self) -> str:
        return f"Shot {self.number} · {self.reason}"


def unrenderable_shots(service: ProjectService) -> list[UnrenderableShot]:
    """The shots of `service.project` with no picture to render, in timeline order."""
    found = []
    for number, (shot, status) in enumerate(zip(service.project.timeline.shots, service.statuses(), strict=True), 1):
        take = service.project.selected_take(shot)
        if take is None:
            found.append(UnrenderableShot(number, shot.id, "not generated"))
        elif status.kind == "missing":
            found.append(UnrenderableShot(number, shot.id, "offline"))
    return found


def with_slates(service: ProjectService, cancel: threading.Event | None = None) -> Project:
    """`service.project` with a slate selected for each shot that cannot render, each as long as
    the shot's take would be (an offline take's length, or what the shot is set to generate).
    Encodes the slates not made before: call it off the GUI thread."""
    project = service.project
    fmt = project.format
    for missing in unrenderable_shots(service):
        shot = next(s for s in project.timeline.shots if s.id == missing.shot_id)
        take = project.selected_take(shot)
        frames = take.frames if take is not None else shot.spec.duration
        key = hashlib.sha256(
            f"{missing.slate_text}|{fmt.width}x{fmt.height}|{fmt.frame_rate}|{frames}".encode()).hexdigest()
        relative = f"{SLATE_FOLDER}/{key[:32]}.mp4"
        path = service.media.path_of(relative)
        if not path.is_file():
            write_slate(path, missing.slate_text, width=fmt.width, height=fmt.height, frame_rate=fmt.frame_rate,
                        frames=frames, cancel=cancel)
        slate = Take(shot_id=shot.id, media_path=relative, content_hash=key, fingerprint=SLATE_BACKEND, spec={},
                     backend=SLATE_BACKEND, seed=0, frames=frames, width=fmt.width, height=fmt.height,
                     created_at=datetime.now(UTC).isoformat(), elapsed_s=0.0)
        project = project.with_take(slate, select_it=True)
    return project
