"""What dragging a shot's edge on the timeline does: while it is dragged, a readout by the pointer
says how far the edge has moved and how long the shot becomes (as Resolve shows "+12" by the
edge), and when it is let go the shot's take is trimmed (in place, the gap taking up the
difference, next to empty time), or, before it has a take, its length changes. Each is one
undoable edit through the session; the readout shows the same clamped result the edit makes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from foundry_desktop.domain.cut_plan import CutPlan
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.ui import theme
from foundry_desktop.ui.project_session import ProjectSession


@dataclass(frozen=True)
class PlannedTrim:
    """What letting go of a dragged edge would do."""

    label: str  # the undo step's name
    apply: Callable[[], object]
    moved: int  # how far the edge moves, in frames (later is positive)
    length: int  # the shot's length afterwards, in frames


def planned_trim(session: ProjectSession, plan: CutPlan, kind: str, index: int, frame: int) -> PlannedTrim | None:
    """Shot `index`'s start ("trim_in") or end ("trim_out") edge dragged to film frame `frame`;
    None where that edge does nothing (the start of a shot without a take)."""
    service = session.service
    shot = service.project.timeline.shots[index]
    placed = plan.shots[index]
    has_take = service.project.selected_take(shot) is not None
    if kind == "trim_out":
        change = frame - placed.record_out
        shots = service.project.timeline.shots
        room = shots[index + 1].gap_before if index + 1 < len(shots) else 0  # empty time after it
        if has_take and room:  # before empty time the end moves where it is dragged, the next shot stays
            end = max(shot.trim_in + 1, min(shot.spec.duration, shot.source_end + min(change, room)))
            return PlannedTrim("Trim shot", lambda: service.trim_end_in_place(index, end),
                               end - shot.source_end, end - shot.trim_in)
        if has_take:
            end = max(shot.trim_in + 1, min(shot.spec.duration, shot.source_end + change))
            return PlannedTrim("Trim shot", lambda: service.trim_shot(index, shot.trim_in, end),
                               end - shot.source_end, end - shot.trim_in)
        frames = max(1, shot.spec.duration + change)
        return PlannedTrim("Change duration", lambda: service.set_shot_duration(index, frames),
                           frames - shot.spec.duration, frames)
    if not has_take:
        return None
    start = max(0, min(shot.source_end - 1, shot.trim_in + frame - placed.record_in))
    if shot.gap_before:  # after empty time the start moves where it is dragged, the end stays
        start = max(start, shot.trim_in - shot.gap_before)
        return PlannedTrim("Trim shot", lambda: service.trim_start_in_place(index, start),
                           start - shot.trim_in, shot.source_end - start)
    return PlannedTrim("Trim shot", lambda: service.trim_shot(index, start, shot.trim_out),
                       start - shot.trim_in, shot.source_end - start)


def finish_trim(session: ProjectSession, plan: CutPlan, kind: str, index: int, frame: int) -> None:
    """Shot `index`'s start or end edge let go at film frame `frame`: the trim, as one undo step."""
    trim = planned_trim(session, plan, kind, index, frame)
    if trim is not None and trim.moved:
        session.edit(trim.label, trim.apply)


def trim_readout(session: ProjectSession, trim: PlannedTrim | None) -> str:
    """"+12 frames  ·  4.5 s": how far the edge has moved and the shot's length after."""
    if trim is None:
        return ""
    seconds = float(frames_to_seconds(trim.length, session.service.format.frame_rate))
    return f"{trim.moved:+d} frame{'' if abs(trim.moved) == 1 else 's'}  ·  {seconds:.1f} s"


def paint_readout(painter: QPainter, text: str, x: float, y: float, width: int) -> None:
    """`text` in a small dark box just above and right of the pointer, kept inside the widget."""
    if not text:
        return
    metrics = painter.fontMetrics()
    box = QRectF(0, 0, metrics.horizontalAdvance(text) + 12, metrics.height() + 6)
    box.moveTopLeft(QPointF(min(x + 12, width - box.width() - 2), max(2.0, y - box.height() - 10)))
    painter.fillRect(box, QColor(20, 21, 24, 230))
    painter.setPen(theme.TEXT)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
