"""Putting a scene plan on the timeline: one new shot and one scene of the film per planned
scene (its title and description), as one undo step. A plan put inside a scene of the film
cannot cut it in two: its shots join that scene instead, and a note says so.

The shots are added after the existing ones, or inserted at an index; the
shots already there are never replaced or changed (a plan is a suggestion,
applied on the creator's terms), with one exception the timeline's rules force: a
transition from the shot before into a first scene too short for it is shortened
(timeline_ops.normalize), and a note names it. Each scene's length is its frames exactly,
fitted to the plan's target if an edit made them drift, then converted to the
project's rate if the plan was written at another (its target kept in seconds).
A transition longer than the timeline allows (half the shorter of the
two shots it joins) is shortened, and the last scene's transition, with no
shot after it, becomes a cut; each such change is a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.planning.scene_plan import ASPECTS, PlannedScene, ScenePlan, nearest_aspect
from foundry_desktop.domain.timeline_ops import max_transition_frames
from foundry_desktop.errors import InvalidEditError


@dataclass(frozen=True)
class AppliedPlan:
    first: int  # the index of the first new shot
    shot_ids: list[str]
    plan: ScenePlan  # as applied: at the project's rate, fitted to its target
    notes: list[str] = field(default_factory=list)


def _planned_limit(service: ProjectService, index: int) -> int:
    """A planned transition takes at most half the shorter shot it joins, so each scene is
    seen mostly on its own, and never more than the timeline allows."""
    shots = service.project.timeline.shots
    allowed = max_transition_frames(service.project.timeline, index)
    return min(allowed, shots[index].length // 2, shots[index + 1].length // 2) if allowed else 0


def apply_plan(service: ProjectService, plan: ScenePlan, at: int | None = None) -> AppliedPlan:
    """Add the plan's scenes as shots at index `at` (default: after the last shot); see the module docstring."""
    count = len(service.project.timeline.shots)
    first = count if at is None else at
    if not 0 <= first <= count:
        raise InvalidEditError(f"A plan can go at positions 1 to {count + 1}; there is no position {first + 1}.")
    fmt = service.format
    applied = plan.fitted().at_rate(fmt.frame_rate)
    notes = list(applied.notes[len(plan.notes):])
    if nearest_aspect(fmt.width, fmt.height) != plan.aspect:
        notes.append(f"The plan was written for {plan.aspect} ({ASPECTS[plan.aspect][2]}); the project is "
                     f"{fmt.width}×{fmt.height}, and stays so.")
    before = service.project.timeline.shots[first - 1] if first > 0 else None
    scenes = applied.scenes
    shot_ids = []
    with service.group(f"Apply a plan of {len(scenes)} scene{'s' if len(scenes) != 1 else ''}"):
        for offset, scene in enumerate(scenes):
            shot = service.add_shot(at=first + offset, name=scene.title, prompt=scene.prompt,
                                    duration_frames=scene.frames)
            shot_ids.append(shot.id)
        for offset, scene in enumerate(scenes):
            if scene.transition == "cut":
                continue
            index, number, kind = first + offset, offset + 1, scene.transition.replace("_", " ")
            limit = _planned_limit(service, index)
            if limit == 0:
                notes.append(f"Scene {number}'s {kind} has no shot after it to lead into; it ends on a cut.")
                continue
            frames = min(scene.transition_frames, limit)
            if frames < scene.transition_frames:
                notes.append(f"Scene {number}'s {kind} was {_seconds(scene.transition_frames, fmt.frame_rate)}; "
                             f"a transition may take half the shorter shot it joins, so it is "
                             f"{_seconds(frames, fmt.frame_rate)}.")
            service.set_transition(index, scene.transition, frames)
        notes += _scenes_for(service, scenes, first)
    if before is not None:
        after = service.project.timeline.shots[first - 1]
        if after.transition_out != before.transition_out:
            notes.append(f"The {before.transition_out.kind.replace('_', ' ')} after shot {first} into the plan's "
                         f"first scene was shortened to {after.transition_out.duration} frames to fit it.")
    return AppliedPlan(first, shot_ids, applied, notes)


def _scenes_for(service: ProjectService, planned: list[PlannedScene], first: int) -> list[str]:
    """One scene of the film per planned scene, holding its shot; or a note when the plan went
    between two shots of one scene (which its shots have joined)."""
    shots = service.project.timeline.shots
    after = first + len(planned)
    joined = shots[first].scene_id
    if joined is not None and 0 < first and after < len(shots) and shots[first - 1].scene_id == joined \
            and shots[after].scene_id == joined:
        name = service.scene_of(shots[first]).name  # type: ignore[union-attr]
        return [f'The plan went inside scene "{name}", so its shots are in that scene '
                "rather than in scenes of their own."]
    # At a scene's edge the new shots joined it: out of it first (an edge gives shots up), then their own.
    if any(shot.scene_id is not None for shot in shots[first:after]):
        service.set_shots_scene(range(first, after), None)
    for offset, scene in enumerate(planned):
        service.add_scene(scene.title or f"Scene {offset + 1}", shot_indexes=[first + offset],
                          description=scene.description)
    return []


def _seconds(frames: int, rate: Fraction) -> str:
    return f"{float(Fraction(frames) / rate):.2f} s"
