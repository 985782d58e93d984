"""Plain Python events the app emits; the GUI adapts them to Qt signals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProjectChanged:
    """The project model changed (an edit, an undo, a redo); `label` names the edit."""

    label: str


@dataclass(frozen=True)
class ShotStatusChanged:
    """A shot's takes or generation state changed."""

    shot_id: str


@dataclass(frozen=True)
class GenerationProgress:
    shot_id: str
    progress: float
    message: str
    job_id: str = ""  # the job this is about (a shot may have several: variants)


@dataclass(frozen=True)
class RenderProgress:
    fraction: float
    frames_done: int = 0
    frames_total: int = 0
    eta_s: float | None = None


@dataclass(frozen=True)
class Notice:
    """Something the creator should know that did not stop the work."""

    message: str


@dataclass(frozen=True)
class ChangedElsewhere:
    """An edit was refused because another process changed the file since it was read: whoever
    reads it again off the editing thread (the window) should look now."""


Event = ProjectChanged | ShotStatusChanged | GenerationProgress | RenderProgress | Notice | ChangedElsewhere
Listener = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns the function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)
