"""Making keyframe stills: the shots' first frames, made and approved before any video.

The same job machinery as video takes (plan.plan_takes, shot_generation.run_plan):
jobs kept in the project file and followed after a crash by their remote id,
costs estimated and held against the budget, a still made for the same spec
(keyframe_spec) reused instead of paid for twice, variants with new seeds.
A made keyframe waits for the creator's approval (ProjectService.approve_keyframe).
"""

from __future__ import annotations

from foundry_desktop.app.generation.plan import GenerationPlan, plan_takes
from foundry_desktop.app.generation.shot_generation import (
    GenerateReport,
    GenerationEstimate,
    estimate_plan,
    run_plan,
)
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.keyframe_spec import keyframe_spec
from foundry_desktop.domain.project import Shot
from foundry_desktop.generation.backend import BackendRegistry


def shots_for_keyframes(service: ProjectService, shot_ids: set[str] | None) -> list[Shot]:
    """The shots `shot_ids` names (None: every generated shot without an approved keyframe), in
    timeline order; a shot that shows the creator's own media has no keyframe to make."""
    shots = [shot for shot in service.project.timeline.shots if shot.spec.backend != "media"]
    if shot_ids is None:
        return [shot for shot in shots if shot.keyframe_take_id is None]
    return [shot for shot in shots if shot.id in shot_ids]


def plan_keyframes(
    service: ProjectService, shot_ids: set[str] | None = None, variants: int = 0, priority: int = 0
) -> GenerationPlan:
    """What making keyframes for `shot_ids` (see shots_for_keyframes) with `variants` more each
    would do: a shot that has a keyframe of what it asks for now gets none, unless variants."""
    project = service.project
    specs = {shot.id: keyframe_spec(shot, project) for shot in project.timeline.shots}

    def has_it(shot: Shot, fingerprint: str) -> bool:
        return any(take.kind == "still" and take.fingerprint == fingerprint and service.media.exists(take.media_path)
                   for take in project.takes_of(shot.id))

    return plan_takes(service, "still", specs, shots_for_keyframes(service, shot_ids), variants, priority, has_it)


async def generate_keyframes(
    service: ProjectService, registry: BackendRegistry, shot_ids: set[str] | None = None, variants: int = 0,
    priority: int = 0,
) -> GenerateReport:
    """Make the keyframes plan_keyframes plans (and finish keyframe jobs an earlier run left)."""
    return await run_plan(service, registry, plan_keyframes(service, shot_ids, variants, priority))


def estimate_keyframes(
    service: ProjectService, registry: BackendRegistry, shot_ids: set[str] | None = None, variants: int = 0
) -> GenerationEstimate:
    """What making keyframes would do and cost, without doing any of it."""
    return estimate_plan(service, registry, plan_keyframes(service, shot_ids, variants))
