"""Generate brings the Jobs tab to the front of the window's bottom area, where the timeline and
the storyboard share its tabs; when the run ends, the tab the creator was on comes back (the
timeline was left hidden behind the finished jobs), unless they chose a tab themselves meanwhile:
then they keep what they chose."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget


def in_front(dock: QDockWidget) -> bool:
    """A dock tabbed with others is shown (not hidden behind another tab). Each tabbed dock counts
    as visible to Qt; only the one in front has any region on screen."""
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


class JobsInFront(QObject):
    """Brings `jobs` to the front for a run and puts back whichever of `neighbours` it hid."""

    def __init__(self, jobs: QDockWidget, neighbours: list[QDockWidget]) -> None:
        super().__init__(jobs)
        self.jobs, self.neighbours = jobs, neighbours
        self.back_to: QDockWidget | None = None  # what the run hid, while no other tab was chosen
        self._raising = False
        for dock in (jobs, *neighbours):
            dock.visibilityChanged.connect(lambda visible, dock=dock: self._shown(dock, visible))

    def show_jobs(self) -> None:
        """A run is starting: the jobs in front, remembering what they cover (a second run
        started before the first ends keeps what the first covered)."""
        if not in_front(self.jobs):
            self.back_to = next((dock for dock in self.neighbours if in_front(dock)), None)
        self._raise(self.jobs)

    def run_ended(self) -> None:
        back_to, self.back_to = self.back_to, None
        if back_to is not None and in_front(self.jobs):
            self._raise(back_to)

    def _raise(self, dock: QDockWidget) -> None:
        self._raising = True
        try:
            dock.raise_()  # tells the docks' visibility at once (_shown below)
        finally:
            self._raising = False

    def _shown(self, dock: QDockWidget, visible: bool) -> None:
        if visible and not self._raising:  # the creator chose a tab: theirs stays in front
            self.back_to = None
