"""Running the film flow: the steps in order up to where the creator asked it to stop, each
reported as it starts and ends; what an earlier run did is found done and not paid for again
(planning_steps.py, making_steps.py).

By default it stops once the keyframes are made, for the creator to review them (the
storyboard) before paying for video; `until="video"` goes on — approving the first keyframe of
each shot that has none approved, and saying which — to animate and add music, `until="render"`
renders the film too. The window stops earlier once ("looks") to show the mood board.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from inspect import isawaitable
from pathlib import Path

from foundry_desktop.app.assist.language_model import LanguageModelSettings
from foundry_desktop.app.film_flow import making_steps, planning_steps
from foundry_desktop.app.film_flow.film_request import DEFAULT_SECONDS, FilmRequest, FilmResult, FilmStep
from foundry_desktop.app.film_flow.flow_state import FilmFlowState, FlowContext, load_state, save_state
from foundry_desktop.app.generation.shot_generation import estimate_generation
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.generation.backend import BackendRegistry

Step = Callable[[FlowContext], Awaitable[str] | str]

# (name, what it does, the step), in the order they run; a step once done finds its work there when
# it cannot change (plan, mood board, scenes) and is run again, cheaply, when it can (generation).
STEPS: tuple[tuple[str, str, Step], ...] = (
    ("plan", "Planning the scenes", planning_steps.plan),
    ("moodboard", "Proposing looks", planning_steps.mood_board),
    ("look", "Choosing the look", planning_steps.look),
    ("scenes", "Laying out the shots", planning_steps.lay_out),
    ("keyframes", "Making keyframes", making_steps.keyframes),
    ("approve", "Approving keyframes", making_steps.approve),
    ("animate", "Animating the shots", making_steps.animate),
    ("music", "Making the music", making_steps.music),
    ("render", "Rendering the film", making_steps.render),
)
# The last step of each stop.
LAST_STEP = {"looks": "moodboard", "keyframes": "keyframes", "video": "music", "render": "render"}


def film_state(service: ProjectService, request: FilmRequest) -> FilmFlowState:
    """The flow's state: the one saved in the project, or a new one for this brief."""
    saved = load_state(service)
    if saved is None:
        if not request.brief or not request.brief.strip():
            raise InvalidEditError("A film starts from a brief: give one (--brief TEXT or a file).")
        seconds = request.seconds or DEFAULT_SECONDS
        if seconds <= 0:
            raise InvalidEditError(f"A film lasts more than {seconds} seconds.")
        return save_state(service, FilmFlowState(brief=request.brief.strip(), target_seconds=str(seconds)))
    if request.brief is not None and request.brief.strip() != saved.brief:
        raise InvalidEditError("This project's film was started from another brief; run it again without a brief "
                               "to go on, or make a new project for the new brief.")
    if request.seconds is not None and str(request.seconds) != saved.target_seconds and saved.plan is not None:
        raise InvalidEditError(f"This project's film was planned for {saved.target_seconds} s; its duration stays "
                               "(change shots' lengths on the timeline).")
    return saved


async def run_film_flow(service: ProjectService, registry: BackendRegistry, request: FilmRequest,
                        settings: LanguageModelSettings | None,
                        on_step: Callable[[FilmStep], None] | None = None) -> FilmResult:
    """Run the flow on `service` up to `request.until`; see the module docstring."""
    for name in (request.backend, request.image_backend, request.music_backend):
        if name is not None:
            registry.get(name)  # an unknown backend is named before anything is asked or changed
    flow = FlowContext(service, registry, request, film_state(service, request), settings)
    result = FilmResult(stopped_after="")
    try:
        await _run_steps(flow, result, on_step)
    finally:
        await flow.close()
    result.notes = flow.notes
    if request.until == "keyframes":  # the creator decides on paying for video next: say what it costs
        result.video_estimate = estimate_generation(service, registry, set(flow.state.shot_ids))
    if request.until == "render" and flow.state.film is not None:
        result.film = Path(flow.state.film)
    return result


async def _run_steps(flow: FlowContext, result: FilmResult, on_step: Callable[[FilmStep], None] | None) -> None:
    last = LAST_STEP[flow.request.until]
    for name, doing, step in STEPS:
        if on_step is not None:
            on_step(FilmStep(name, "started", doing))
        said = step(flow)
        report = FilmStep(name, "done", await said if isawaitable(said) else said)
        result.steps.append(report)
        if on_step is not None:
            on_step(report)
        result.stopped_after = name
        if name == last:
            break
