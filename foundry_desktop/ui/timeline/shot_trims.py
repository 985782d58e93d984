"""What dragging a shot's edge on the timeline does when it is let go: the shot's take is trimmed
(in place, the gap taking up the difference, next to empty time), or, before it has a take, its
length changes. Each is one undoable edit through the session.
"""

from __future__ import annotations

from foundry_desktop.domain.cut_plan import CutPlan
from foundry_desktop.ui.project_session import ProjectSession


def finish_trim(session: ProjectSession, plan: CutPlan, kind: str, index: int, frame: int) -> None:
    """Shot `index`'s start ("trim_in") or end ("trim_out") edge let go at film frame `frame`."""
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
            session.edit("Trim shot", lambda: service.trim_end_in_place(index, end))
        elif has_take:
            end = max(shot.trim_in + 1, min(shot.spec.duration, shot.source_end + change))
            session.edit("Trim shot", lambda: service.trim_shot(index, shot.trim_in, end))
        else:
            frames = max(1, shot.spec.duration + change)
            session.edit("Change duration", lambda: service.set_shot_duration(index, frames))
    elif has_take:
        start = max(0, min(shot.source_end - 1, shot.trim_in + frame - placed.record_in))
        if shot.gap_before:  # after empty time the start moves where it is dragged, the end stays
            start = max(start, shot.trim_in - shot.gap_before)
            session.edit("Trim shot", lambda: service.trim_start_in_place(index, start))
        else:
            session.edit("Trim shot", lambda: service.trim_shot(index, start, shot.trim_out))
