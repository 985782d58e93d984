"""The film flow's steps, each a function of the flow's context that does its part once: run
again, a step finds its work in the project (the flow's state, the shots' takes, the jobs) and
does only what is missing. Generation goes through the job machinery, so a step cut short by a
crash is followed up by the remote ids its jobs recorded, never sent twice.

Each step returns a line saying what it did (or found done), for the CLI and the window.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from foundry_desktop.app.assist.language_model import LanguageModelSettings, require_configured
from foundry_desktop.app.assist.mood_board_styles import style_from_direction
from foundry_desktop.app.assist.mood_boards import propose_mood_board
from foundry_desktop.app.assist.scene_plan_proposal import PlanRequest, propose_plan
from foundry_desktop.app.film_flow.film_request import FilmRequest
from foundry_desktop.app.film_flow.flow_state import FilmFlowState, SavedLook, save_state
from foundry_desktop.app.generation.shot_generation import generate_shots
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.shots.scene_plan_placement import apply_plan
from foundry_desktop.domain.planning.scene_plan import Brief, nearest_aspect
from foundry_desktop.domain.prompt_templates import StyleTemplate
from foundry_desktop.errors import GenerationError, InvalidEditError
from foundry_desktop.generation.backend import BackendRegistry

# Mood board pictures per look, when a picture model is set up: enough to judge a look by.
PICTURES_PER_LOOK = 2


@dataclass
class FlowContext:
    service: ProjectService
    registry: BackendRegistry
    request: FilmRequest
    state: FilmFlowState
    settings: LanguageModelSettings | None  # None: none set up (the steps that need one say so)
    notes: list[str] = field(default_factory=list)

    def save(self, state: FilmFlowState) -> None:
        self.state = save_state(self.service, state)

    def language_model(self) -> LanguageModelSettings:
        return require_configured(self.settings or LanguageModelSettings(), chat=True)

    @property
    def shot_indexes(self) -> list[int]:
        """Where the flow's shots are on the timeline now (the creator may have moved some)."""
        ours = set(self.state.shot_ids)
        return [index for index, shot in enumerate(self.service.project.timeline.shots) if shot.id in ours]


async def plan(flow: FlowContext) -> str:
    state = flow.state
    if state.plan is not None:
        return f"the plan of {len(state.plan.scenes)} scenes, written before"
    fmt = flow.service.format
    request = PlanRequest(brief=Brief(text=state.brief), target_seconds=Fraction(state.target_seconds),
                          frame_rate=fmt.frame_rate, aspect=nearest_aspect(fmt.width, fmt.height))
    written = await propose_plan(flow.language_model(), request)
    flow.notes.extend(written.notes)
    flow.save(state.with_done("plan", plan=written))
    return f"planned {len(written.scenes)} scenes; music: {written.music_mood or 'none suggested'}"


async def mood_board(flow: FlowContext) -> str:
    """The mood board's looks, asked for once."""
    service, state = flow.service, flow.state
    if state.looks:
        return f"{len(state.looks)} looks, proposed before"
    fmt = service.format
    settings = flow.language_model()
    board = await propose_mood_board(settings, Brief(text=state.brief), service.media, directions=flow.request.looks,
                                     pictures_each=PICTURES_PER_LOOK if settings.image_model else 0,
                                     aspect=nearest_aspect(fmt.width, fmt.height))
    flow.notes.extend(board.notes)
    looks = [SavedLook(direction=chosen.direction, pictures=chosen.pictures) for chosen in board.directions]
    flow.save(state.with_done("moodboard", looks=looks))
    return f"{len(looks)} looks: " + ", ".join(f"{n}. {saved.direction.name}" for n, saved in enumerate(looks, 1))


def look(flow: FlowContext) -> str:
    """The look asked for (else the one chosen before, else the first) made the film's style."""
    service, state = flow.service, flow.state
    number = flow.request.look or state.look or 1
    if not 1 <= number <= len(state.looks):
        raise InvalidEditError(f"There is no look {number}: the mood board has {len(state.looks)} "
                               f"(numbered 1 to {len(state.looks)}).")
    name = state.looks[number - 1].direction.name
    chosen = "chosen" if flow.request.look else "the first, recommended one" if number == 1 else "chosen before"
    style = service.project.template("style", state.style_id) if state.style_id else None
    if state.look == number and style is not None:
        return f"look {number}, {name} ({chosen})"
    style = _style_of_look(service, state.looks[number - 1])
    if "scenes" in state.done:  # a look changed after the shots were laid out: they take the new one
        with service.group(f"Give the film look {number}, {name}"):
            for index in flow.shot_indexes:
                service.update_shot(index, style=style.id)
    flow.save(state.with_done("look", look=number, style_id=style.id))
    return f"look {number}, {name} ({chosen}), is the style '{style.name}'"


def _style_of_look(service: ProjectService, saved: SavedLook) -> StyleTemplate:
    """The style made from this look before (a run stopped before it was recorded), else a new one."""
    direction = saved.direction
    for style in service.project.styles:
        if style.prompt_prefix == direction.prompt_prefix and style.name.startswith(direction.name.strip()):
            return style
    return style_from_direction(service, saved.as_direction())


def lay_out(flow: FlowContext) -> str:
    """The plan applied as shots with the chosen look and the asked backends, as one undo step."""
    service, state, request = flow.service, flow.state, flow.request
    assert state.plan is not None
    if "scenes" in state.done:
        return f"{len(flow.shot_indexes)} shots, laid out before"
    count = len(state.plan.scenes)
    shots = service.project.timeline.shots
    if state.shots_before is not None and len(shots) == state.shots_before + count:
        # Applied by a run that stopped before it could record so: one undo step, so whole or not at all.
        shot_ids = [shot.id for shot in shots[state.shots_before:]]
    else:
        flow.save(state.model_copy(update={"shots_before": len(shots)}))
        with service.group(f"Lay out the film: {count} shot{'s' if count != 1 else ''}"):
            applied = apply_plan(service, state.plan)
            generator = {"backend": request.backend, "model": request.model, "workflow": request.workflow}
            for index in range(applied.first, applied.first + len(applied.shot_ids)):
                service.update_shot(index, style=state.style_id, **generator)
        flow.notes.extend(applied.notes)
        shot_ids = applied.shot_ids
    flow.save(flow.state.with_done("scenes", shot_ids=shot_ids))
    return f"laid out {len(shot_ids)} shots"


async def animate(flow: FlowContext) -> str:
    """The film's shots generated (only those not current: a second run pays for nothing again)."""
    report = await generate_shots(flow.service, flow.registry, set(flow.state.shot_ids))
    if report.failed:
        first = f": {report.failures[0].rstrip('.')}" if report.failures else ""
        raise GenerationError(f"{report.failed} of the film's shots could not be made{first}. Run the film again "
                              "to send them again; the others are kept.")
    flow.save(flow.state.with_done("animate"))
    return f"made {report.generated} shots" + (f", {report.reused} takes reused" if report.reused else "")


async def render(flow: FlowContext) -> str:
    """The film rendered; segments already encoded by an earlier render are reused."""
    service = flow.service
    output = flow.request.output or service.path.with_suffix(".mp4")
    made = await asyncio.to_thread(render_film, service, Path(output))
    media = made.report.media
    flow.save(flow.state.with_done("render", film=str(media.path)))
    return f"rendered {media.path} ({media.duration_s:.1f} s)"
