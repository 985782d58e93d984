"""The film flow's making steps: keyframes, their approval, the video, the music and the render.
Generation goes through the job machinery, so each step may run again at no cost (what is current
is not made again) and a step cut short by a crash is followed up by the remote ids its jobs
recorded, never sent twice. Each returns a line saying what it did.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from foundry_desktop.app.film_flow.flow_state import FlowContext
from foundry_desktop.app.generation.keyframes import generate_keyframes
from foundry_desktop.app.generation.music_generation import generate_music
from foundry_desktop.app.generation.shot_generation import GenerateReport, generate_shots
from foundry_desktop.app.project_service import new_seed
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.errors import GenerationError

# The bed under the film when the plan suggests no mood.
DEFAULT_MUSIC = "a calm, warm instrumental bed"


async def keyframes(flow: FlowContext) -> str:
    """A keyframe still for each of the film's shots that has none of what it asks for now."""
    report = await generate_keyframes(flow.service, flow.registry, set(flow.state.shot_ids))
    _stop_on_failures(report, "keyframes")
    flow.save(flow.state.with_done("keyframes"))
    return f"made {report.generated} keyframes" + (f", {report.reused} reused" if report.reused else "")


def approve(flow: FlowContext) -> str:
    """Going on to video without a review: each shot with no approved keyframe gets its first one
    approved (one undo step), and the line says which, so the creator knows what was decided."""
    service = flow.service
    shots = service.project.timeline.shots
    chosen = []
    for index in flow.shot_indexes:
        shot = shots[index]
        stills = service.keyframes_of(shot.id)
        if shot.keyframe_take_id is None and stills:
            chosen.append((index, shot.id, stills[0].id))
    if chosen:
        with service.group(f"Approve the first keyframe of {len(chosen)} shot{'s' if len(chosen) != 1 else ''}"):
            for _, shot_id, take_id in chosen:
                service.approve_keyframe(shot_id, take_id)
    flow.save(flow.state.with_done("approve"))
    if not chosen:
        return "every shot's keyframe was approved already"
    numbers = ", ".join(str(index + 1) for index, _, _ in chosen)
    return f"approved the first keyframe of shot{'s' if len(chosen) != 1 else ''} {numbers} (none was approved)"


async def animate(flow: FlowContext) -> str:
    """The film's shots generated (only those not current: a second run pays for nothing again)."""
    report = await generate_shots(flow.service, flow.registry, set(flow.state.shot_ids))
    _stop_on_failures(report, "shots")
    flow.save(flow.state.with_done("animate"))
    return f"made {report.generated} shots" + (f", {report.reused} takes reused" if report.reused else "")


async def music(flow: FlowContext) -> str:
    """A music bed as long as the film, in the plan's mood, made by the built-in backend unless asked."""
    service, state = flow.service, flow.state
    if state.music_clip_id and any(clip.id == state.music_clip_id for clip in service.project.timeline.music):
        return "the music bed made before"
    if state.music_seed is None:
        flow.save(state.model_copy(update={"music_seed": new_seed()}))
    mood = state.plan.music_mood if state.plan is not None else ""
    report = await generate_music(service, flow.registry, prompt=mood or DEFAULT_MUSIC, seconds="auto",
                                  backend=flow.request.music_backend, seed=flow.state.music_seed)
    _stop_on_failures(report.run, "music")
    flow.save(flow.state.with_done("music", music_clip_id=report.clip_id))
    return f"made a music bed: {mood or DEFAULT_MUSIC}"


def _stop_on_failures(report: GenerateReport, what: str) -> None:
    if report.failed:
        first = f": {report.failures[0].rstrip('.')}" if report.failures else ""
        raise GenerationError(f"{report.failed} of the film's {what} could not be made{first}. Run the film "
                              "again to send them again; the others are kept.")


async def render(flow: FlowContext) -> str:
    """The film rendered; segments already encoded by an earlier render are reused."""
    service = flow.service
    output = flow.request.output or service.path.with_suffix(".mp4")
    made = await asyncio.to_thread(render_film, service, Path(output))
    media = made.report.media
    flow.save(flow.state.with_done("render", film=str(media.path)))
    return f"rendered {media.path} ({media.duration_s:.1f} s)"
