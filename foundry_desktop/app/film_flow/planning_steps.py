"""The film flow's planning steps: the plan, the mood board, the look, and the shots laid out.
Each is a function of the flow's context that does its part once: run again, it finds its work in
the flow's state and returns at once. Each returns a line saying what it did (or found done).
"""

from __future__ import annotations

from fractions import Fraction

from foundry_desktop.app.assist.mood_board_styles import style_from_direction
from foundry_desktop.app.assist.mood_boards import propose_mood_board
from foundry_desktop.app.assist.scene_plan_proposal import PlanRequest, propose_plan
from foundry_desktop.app.film_flow.flow_state import FlowContext, SavedLook
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.scene_plan_placement import apply_plan
from foundry_desktop.domain.planning.scene_plan import Brief, nearest_aspect
from foundry_desktop.domain.prompt_templates import StyleTemplate
from foundry_desktop.errors import InvalidEditError

# Mood board pictures per look, when a picture model is set up: enough to judge a look by.
PICTURES_PER_LOOK = 2
# What makes the film's videos and keyframes, as the request names them and the scenes' defaults do.
GENERATORS = ("backend", "model", "workflow", "image_backend", "image_model", "image_workflow")


async def plan(flow: FlowContext) -> str:
    state = flow.state
    if state.plan is not None:
        return f"the plan of {len(state.plan.scenes)} scenes, written before"
    fmt = flow.service.format
    request = PlanRequest(brief=Brief(text=state.brief), target_seconds=Fraction(state.target_seconds),
                          frame_rate=fmt.frame_rate, aspect=nearest_aspect(fmt.width, fmt.height))
    settings, client = await flow.language_model()
    written = await propose_plan(settings, request, client)
    flow.notes.extend(written.notes)
    flow.save(state.with_done("plan", plan=written))
    return f"planned {len(written.scenes)} scenes; music: {written.music_mood or 'none suggested'}"


async def mood_board(flow: FlowContext) -> str:
    """The mood board's looks, asked for once."""
    service, state = flow.service, flow.state
    if state.looks:
        return f"{len(state.looks)} looks, proposed before"
    fmt = service.format
    settings, client = await flow.language_model()
    board = await propose_mood_board(settings, Brief(text=state.brief), service.media, directions=flow.request.looks,
                                     pictures_each=PICTURES_PER_LOOK if settings.image_model else 0,
                                     aspect=nearest_aspect(fmt.width, fmt.height), client=client)
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
            _set_defaults(flow, {"style": style.id})
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
        asked = [f"--{name.replace('_', '-')}" for name in GENERATORS if getattr(request, name) is not None]
        if asked:
            flow.notes.append(f"{', '.join(asked)} set the backends of a film's new shots; these were laid out "
                              "before, so they keep theirs (change a scene's with `foundry scene set`).")
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
            flow.save(flow.state.model_copy(update={"shot_ids": applied.shot_ids}))
            _set_defaults(flow, {"style": state.style_id, **{name: getattr(request, name) for name in GENERATORS}})
        flow.notes.extend(applied.notes)
        shot_ids = applied.shot_ids
    flow.save(flow.state.with_done("scenes", shot_ids=shot_ids))
    scenes = len({shot.scene_id for shot in service.project.timeline.shots if shot.id in set(shot_ids)} - {None})
    return f"laid out {len(shot_ids)} shots in {scenes} scene{'s' if scenes != 1 else ''}"


def _set_defaults(flow: FlowContext, defaults: dict[str, str | None]) -> None:
    """The look and generators given to the film's scenes, for their shots to inherit (a shot the
    plan put in no scene of its own gets them itself)."""
    service = flow.service
    chosen = {key: value for key, value in defaults.items() if value is not None}
    if not chosen:
        return
    shots = service.project.timeline.shots
    scene_ids = list(dict.fromkeys(shots[index].scene_id for index in flow.shot_indexes))
    for scene_id in scene_ids:
        if scene_id is not None:
            service.update_scene(scene_id, defaults=chosen)
    for index in flow.shot_indexes:
        if service.project.timeline.shots[index].scene_id is None:
            service.update_shot(index, **chosen)
