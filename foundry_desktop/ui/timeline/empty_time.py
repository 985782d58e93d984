"""Empty time on the shot track, in the window: a gap is clicked and selected like a
shot (and drawn so), a shot dragged into empty time lands there (its outline shows
where), and the two deletes: ripple delete closes up (a selected gap closes), lift
leaves the shots' time empty.

The gap is remembered by the shot after it, whose id survives edits; once that shot
has no gap before it, nothing is selected. A selected shot wins over a selected gap.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from foundry_desktop.domain.cut_plan import CutPlan
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.domain.timeline_gaps import fits_in_empty_time
from foundry_desktop.ui import theme
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.timeline.geometry import HEADER_WIDTH, Viewport, row_of, snapped

_SELECTED_FILL = QColor(224, 138, 46, 60)  # the accent, faint: the playhead and ruler show through
_LANDING_FILL = QColor(220, 221, 224, 40)


def gap_under(plan: CutPlan, frame: float) -> int:
    """The index of the shot after the empty time under `frame`, or -1."""
    before = 0
    for placed in plan.shots:
        if before <= frame < placed.record_in:
            return placed.index
        before = placed.record_out
    return -1


class EmptyTime:
    """The canvas's selected gap and the landing place of a shot being dragged."""

    def __init__(self) -> None:
        self.gap_shot_id: str | None = None  # the shot after the selected gap
        self.landing: int | None = None  # where the dragged shot would start in empty time

    def selected_gap(self, session: ProjectSession) -> int:
        """The index of the shot after the selected gap; -1 when none is selected (or a shot is)."""
        if self.gap_shot_id is None or session.selected:
            return -1
        index = session.index_of(self.gap_shot_id)
        shots = session.service.project.timeline.shots
        return index if 0 <= index < len(shots) and shots[index].gap_before else -1

    def click(self, session: ProjectSession, plan: CutPlan, frame: float) -> bool:
        """A click on the shot track away from the shots: selects the gap there, if any."""
        index = gap_under(plan, frame)
        self.gap_shot_id = session.service.project.timeline.shots[index].id if index >= 0 else None
        return index >= 0

    def describe(self, session: ProjectSession, plan: CutPlan, frame: float) -> str | None:
        """The tooltip of the empty time under `frame` (None: there is none)."""
        index = gap_under(plan, frame)
        if index < 0:
            return None
        frames = session.service.project.timeline.shots[index].gap_before
        seconds = float(frames_to_seconds(frames, session.service.project.format.frame_rate))
        return f"Empty time · {seconds:.1f} s (black and silence)\nClick it, then Delete to close it up"

    def follow_drag(self, session: ProjectSession, plan: CutPlan, index: int, start: float, playhead: int,
                    px_per_frame: float) -> None:
        """The shot `index` dragged to start at `start`: where it lands in empty time, snapped
        at either end to the shots' edges and the playhead (None: it does not fit there)."""
        placed = plan.shots[index]
        length = placed.frames
        edges = [edge for other in plan.shots if other.index != index for edge in (other.record_in, other.record_out)]
        targets = [0, playhead, *edges]
        first = snapped(start, targets, px_per_frame)
        if first == round(start):
            first = snapped(start + length, targets, px_per_frame) - length
        lengths = [p.frames for p in plan.shots]
        timeline = session.service.project.timeline
        fits = first != placed.record_in and fits_in_empty_time(timeline, index, first, lengths)
        self.landing = first if fits else None

    def paint(self, painter: QPainter, view: Viewport, plan: CutPlan, session: ProjectSession,
              dragged: int | None, width: int) -> None:
        """The selected gap, and the outline of a dragged shot where it would land."""
        row = row_of("video")
        painter.save()
        painter.setClipRect(QRectF(HEADER_WIDTH, 0, width - HEADER_WIDTH, row.bottom + 4))
        painter.setBrush(Qt.BrushStyle.NoBrush)  # outlines only: the fills are translucent
        index = self.selected_gap(session)
        if index >= 0:
            placed = plan.shots[index]
            left = view.x_of(placed.record_in - session.service.project.timeline.shots[index].gap_before)
            box = QRectF(left, row.top, view.x_of(placed.record_in) - left, row.height)
            painter.fillRect(box, _SELECTED_FILL)
            painter.setPen(QPen(theme.ACCENT, 2))
            painter.drawRect(box.adjusted(1, 1, -1, -1))
        if dragged is not None and self.landing is not None:
            frames = plan.shots[dragged].frames
            box = QRectF(view.x_of(self.landing), row.top, frames * view.px_per_frame, row.height)
            painter.fillRect(box, _LANDING_FILL)
            painter.setPen(QPen(theme.TEXT, 2, Qt.PenStyle.DashLine))
            painter.drawRect(box.adjusted(1, 1, -1, -1))
        painter.restore()


def ripple_delete(session: ProjectSession, empty: EmptyTime, delete_shots: Callable[[], None]) -> None:
    """Delete what is selected so that the film closes up: the selected shots (`delete_shots`,
    the panel's), or else the selected gap."""
    index = empty.selected_gap(session)
    if session.selected or index < 0:
        delete_shots()
        return
    session.edit("Close gap", lambda: session.service.close_gap(index))
    empty.gap_shot_id = None


def lift_selected(session: ProjectSession) -> None:
    """Take the selected shots out, leaving their time empty (one undo step)."""
    if not session.selected:
        return
    indexes = sorted((session.index_of(shot_id) for shot_id in session.selected), reverse=True)
    label = f"Lift {len(indexes)} shots" if len(indexes) > 1 else f"Lift shot {indexes[0] + 1}"

    def lift() -> None:
        with session.service.group(label):
            for index in indexes:  # from the last: each lift leaves the earlier shots where they are
                session.service.lift_shot(index)

    session.edit("Lift", lift)
    session.select([])
