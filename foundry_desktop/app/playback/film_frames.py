"""What each frame of the film shows while it plays in the window: a take's frame, a blend
of two at a transition or a film fade, or a slate for a shot that has no usable take.

Built from the same cut plan the render and the exports read (domain.cut_plan), so the
preview never shows a different cut. Building it is pure: no file is touched here (the
reader finds out which takes are offline, on its own thread). A shot without a take still
has its length in the plan (what it will generate), so the film plays through it as a slate
and never stops.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction
from pathlib import Path

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.cut_plan import FilmPiece
from foundry_desktop.domain.project import Caption

# The preview's picture height: enough for a docked panel, small enough to decode faster
# than the film plays on a laptop.
PREVIEW_HEIGHT = 360


@dataclass(frozen=True)
class ShotSource:
    """Where one shot's pictures come from: its selected take's file, or None (a slate)."""

    number: int  # as the creator counts: shot 1 is the first
    shot_id: str
    path: Path | None
    fit: str

    @property
    def key(self) -> tuple[str, str, str] | None:
        """Names an open decoder; the same while an edit leaves this shot's take alone."""
        return None if self.path is None else (self.shot_id, str(self.path), self.fit)


@dataclass(frozen=True)
class FilmFrames:
    pieces: tuple[FilmPiece, ...]
    sources: tuple[ShotSource, ...]
    length: int
    frame_rate: Fraction
    width: int
    height: int
    captions: tuple[Caption, ...] = ()  # drawn over the pictures as the render draws them

    def piece_at(self, frame: int) -> FilmPiece:
        """The piece that film frame `frame` lies in (0 <= frame < length)."""
        return self.pieces[bisect.bisect_right(self._starts, frame) - 1]

    @cached_property
    def _starts(self) -> list[int]:
        return [piece.record_in for piece in self.pieces]

    def clamp(self, frame: int) -> int:
        return max(0, min(frame, self.length - 1))


def preview_size(width: int, height: int) -> tuple[int, int]:
    """The film's shape at the preview's height (never larger than the film), in even numbers."""
    shown = min(height, PREVIEW_HEIGHT)
    return max(2, 2 * round(width * shown / height / 2)), max(2, 2 * round(shown / 2))


def film_frames(service: ProjectService) -> FilmFrames:
    """The open project's cut as the preview plays it."""
    project = service.project
    plan = service.cut_plan()
    sources = []
    for number, shot in enumerate(project.timeline.shots, start=1):
        take = project.selected_take(shot)
        path = None if take is None else service.media.path_of(take.media_path)
        sources.append(ShotSource(number, shot.id, path, shot.fit))
    fmt = service.format
    width, height = preview_size(fmt.width, fmt.height)
    pieces = tuple(piece for piece in plan.pieces() if piece.frames > 0)
    captions = tuple(project.timeline.captions)
    return FilmFrames(pieces, tuple(sources), plan.length, fmt.frame_rate, width, height, captions)
