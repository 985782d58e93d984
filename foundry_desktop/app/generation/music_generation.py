"""Generated music: a music clip made by a backend, with sound takes, through the shots' job machinery.

A generated clip is an AudioClip with a MusicSpec; each generation is a persisted job whose
owner is the clip (its id in the job's `shot_id`) and whose spec says `"output": "sound"`.
Jobs are planned by plan.plan_takes and run by shot_generation.run_plan like a shot's: they
resume after a crash by their remote id, are costed and held against the budget, and only
what changed is generated (a clip whose take matches its fingerprint is left alone; a sound
take of the same fingerprint, from any clip, comes back without generating). This module is
the "sound" kind of output_kinds: its request, and where a finished take goes.

A new clip does not exist until its first take does (a clip is its sound): the job is made for
the id the clip will have, and the clip appears, at the asked frame, with that take. A job an
earlier run left unfinished for a clip that never appeared places its clip at the film's start.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from foundry_desktop.app.generation.plan import GenerationPlan, plan_takes
from foundry_desktop.app.project_service import ProjectService, new_seed
from foundry_desktop.domain.cost import Cost, unit_words
from foundry_desktop.domain.generation_job import UNFINISHED, GenerationJob
from foundry_desktop.domain.music_fingerprint import SECONDS_PARAM, clip_fingerprint, music_generation_spec
from foundry_desktop.domain.project import AudioClip, MusicSpec, Take, new_id
from foundry_desktop.domain.time import frames_to_seconds, parse_frame_rate
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.generation.backend import BackendRegistry, GenerationRequest

if TYPE_CHECKING:
    from foundry_desktop.app.generation.shot_generation import GenerateReport, GenerationEstimate

MAX_MUSIC_SECONDS = 20 * 60
# What music is made with where the creator names no model or workflow: a music model on
# Replicate, the Stable Audio Open template on ComfyUI (workflows/).
DEFAULT_MODELS = {"replicate": "meta/musicgen"}
DEFAULT_WORKFLOWS = {"comfyui": "stable-audio-text-to-audio"}

# Where each new clip of a run goes (owner id -> its first frame), per open project, until its take arrives.
_PLACEMENTS: weakref.WeakKeyDictionary[ProjectService, dict[str, int]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _NewClip:
    """The owner of a new clip's jobs before the clip exists: plan_takes needs only its id."""

    id: str


def music_spec_for(service: ProjectService, *, prompt: str | None = None, seconds: float | str | None = None,
                   backend: str | None = None, model: str | None = None, workflow: str | None = None,
                   seed: int | None = None, clip: AudioClip | None = None) -> MusicSpec:
    """The MusicSpec asked for: a new clip's from the arguments, or an existing clip's with the given
    ones changed. `seconds` "auto" is the film's length, None too except for a clip (it keeps its
    own); a backend without a model or
    workflow named gets its default one (DEFAULT_MODELS, DEFAULT_WORKFLOWS)."""
    base = clip.spec if clip is not None and clip.spec is not None else MusicSpec(seed=new_seed())
    text = (prompt if prompt is not None else base.prompt).strip()
    if not text:
        raise InvalidEditError("Say what the music should be like (a prompt such as \"calm piano, warm, slow\").")
    if seconds is None and clip is not None and base.params.get(SECONDS_PARAM):
        length = Fraction(str(base.params[SECONDS_PARAM]))
    elif seconds in (None, "auto"):
        frames = service.cut_plan().length
        if not frames:
            raise InvalidEditError("The film has no shots yet, so its length cannot set the music's: "
                                   "give the length in seconds.")
        length = frames_to_seconds(frames, service.format.frame_rate)
    else:
        try:
            length = Fraction(str(seconds))
        except (ValueError, ZeroDivisionError):
            raise InvalidEditError(f"The music's length is a number of seconds or auto, not {seconds!r}.") from None
    if not 0 < length <= MAX_MUSIC_SECONDS:
        raise InvalidEditError(f"Music lasts more than 0 and at most {MAX_MUSIC_SECONDS // 60} minutes, "
                               f"not {float(length):g} s.")
    name = backend or base.backend
    same = name == base.backend and clip is not None  # a clip kept on its backend keeps its model and workflow
    return MusicSpec(prompt=text, backend=name,
                     model=model if model is not None else base.model if same else DEFAULT_MODELS.get(name),
                     workflow=workflow if workflow is not None else base.workflow if same else
                     DEFAULT_WORKFLOWS.get(name), seed=seed if seed is not None else base.seed,
                     params={**base.params, SECONDS_PARAM: round(float(length), 3)})


def plan_music(service: ProjectService, spec: MusicSpec, clip: AudioClip | None, variants: int = 0,
               owner_id: str | None = None) -> tuple[str, GenerationPlan]:
    """The clip's owner id (a new clip's: `owner_id`, or a new one) and the plan for it to sound as
    `spec` asks."""
    owner = clip if clip is not None else _NewClip(owner_id or new_id())
    fmt = service.format
    # Every generated clip's spec as it is now, so that a never-sent job for what a clip no
    # longer asks for is dropped, and one for what it still asks for followed.
    specs = {c.id: music_generation_spec(c.spec, fmt) for c in service.project.timeline.music if c.spec is not None}
    specs[owner.id] = music_generation_spec(spec, fmt)

    def is_current(_owner: object, fingerprint: str) -> bool:
        take = next((t for t in service.project.takes_of(owner.id) if clip and t.id == clip.selected_take_id), None)
        return take is not None and take.fingerprint == fingerprint and service.media.exists(take.media_path)

    return owner.id, plan_takes(service, "sound", specs, [owner], variants, 0, is_current)  # type: ignore[list-item]


def music_request(service: ProjectService, job: GenerationJob, to_send: bool = True) -> GenerationRequest:
    """The backend request for a music job: sound as long as its spec's frames. Not `to_send` (an
    estimate): nothing is made on disk for it."""
    spec = job.spec
    return GenerationRequest(
        shot_id=job.shot_id, prompt=spec["prompt"], negative_prompt="", seed=spec["seed"], width=0, height=0,
        frame_rate=parse_frame_rate(spec["frame_rate"]), frames=spec["frames"],
        output_dir=service.media.scratch_dir(create=to_send), model=spec["model"], workflow=spec["workflow"],
        params=dict(spec["params"]), output="sound",
    )


def adopt_sound(service: ProjectService, job: GenerationJob, take: Take) -> None:
    """A finished sound take (as long as the sound that arrived: the backend measured it, see
    frames_made), kept with its clip, and heard there when it is what the clip asks for (a new clip
    appears with it)."""
    take = take.model_copy(update={"width": 0, "height": 0})
    service.finish_job(job, take, select_it=False, mark=False)
    _show_take(service, take, _PLACEMENTS.get(service, {}).pop(job.shot_id, 0))


def _show_take(service: ProjectService, take: Take, start: int) -> None:
    """The take on its clip: a new clip made with it, or an existing clip's chosen take when it is
    what the clip asks for now (a variant, or a take for what the clip used to be, is only kept)."""
    clip = next((c for c in service.project.timeline.music if c.id == take.shot_id), None)
    if clip is None:
        spec = music_spec_of(take.spec)
        service.add_music_clip(AudioClip(
            id=take.shot_id, media_path=take.media_path, content_hash=take.content_hash, name=clip_name(spec.prompt),
            start=start, source_out=take.frames, spec=spec, selected_take_id=take.id,
        ))
    elif clip_fingerprint(clip, service.format) == take.fingerprint and clip.selected_take_id != take.id:
        service.choose_music_take(clip.id, take.id)


def music_spec_of(canonical: dict) -> MusicSpec:
    """The MusicSpec a canonical music spec (a job's, a take's) was made from."""
    return MusicSpec(prompt=canonical["prompt"], backend=canonical["backend"], model=canonical["model"],
                     workflow=canonical["workflow"], seed=canonical["seed"],
                     params={**canonical["params"], SECONDS_PARAM: float(Fraction(canonical["seconds"]))})


def clip_name(prompt: str) -> str:
    words = " ".join(prompt.split())
    return f"Music: {words[:40]}{'…' if len(words) > 40 else ''}"


@dataclass
class MusicReport:
    """What generate_music did: its run's report, and the clip it placed or gave a take
    (None when none was: the generation failed, or only stopped runs were followed)."""

    run: GenerateReport
    clip_id: str | None

    def as_json(self) -> dict:
        return {**self.run.as_json(), "clip_id": self.clip_id}


async def generate_music(
    service: ProjectService, registry: BackendRegistry, *, prompt: str | None = None,
    seconds: float | str | None = None, backend: str | None = None, model: str | None = None,
    workflow: str | None = None, seed: int | None = None, variants: int = 0, clip_id: str | None = None,
    at_frame: int = 0,
) -> MusicReport:
    """Generate music: a new clip at `at_frame` on the music track (made by `backend`, the built-in
    one by default), or (`clip_id`) the clip again with whatever of prompt, length, backend, model,
    workflow and seed is given changed (one undo step). `seconds` None or "auto": the film's length
    (an existing clip keeps its own). `variants` more takes, each with a new seed, are kept beside
    it to choose from. Music jobs an earlier run left unfinished are followed to the end first,
    never submitted twice."""
    # Here, not above: shot_generation reaches this module through output_kinds.
    from foundry_desktop.app.generation.shot_generation import run_plan

    clip, spec, owner_id = _asked(service, registry, clip_id, variants, prompt=prompt, seconds=seconds,
                                  backend=backend, model=model, workflow=workflow, seed=seed)
    if clip is not None and clip.spec != spec:
        clip = service.update_music_clip(clip.id, f"Change music {clip.name}".strip(), spec=spec)
    owner_id, plan = plan_music(service, spec, clip, variants, owner_id)
    placements = _PLACEMENTS.setdefault(service, {})
    if clip is None:
        placements[owner_id] = at_frame
    try:
        ran = await run_plan(service, registry, plan)
    finally:
        placements.pop(owner_id, None)
    for owner, reused in plan.reused:  # its own record of the take (plan.apply_plan made one if it was another's)
        take = next(t for t in reversed(service.project.takes_of(owner.id)) if t.fingerprint == reused.fingerprint)
        _show_take(service, take, at_frame)
    made = any(c.id == owner_id for c in service.project.timeline.music)
    return MusicReport(ran, owner_id if made else None)


def _asked_before(service: ProjectService, spec: MusicSpec, *, seed_given: bool) -> tuple[str, MusicSpec] | None:
    """The owner and spec of an unfinished job for this music whose clip never appeared (a run that
    stopped before its take came): the same prompt, length, backend, model and workflow, and the
    same seed where one is given."""
    on_track = {clip.id for clip in service.project.timeline.music}
    for job in service.jobs(UNFINISHED):
        if job.output != "sound" or job.shot_id in on_track:
            continue
        earlier = music_spec_of(job.spec)
        if earlier.model_copy(update={"seed": spec.seed}) == spec and (not seed_given or earlier.seed == spec.seed):
            return job.shot_id, earlier
    return None


def _asked(service: ProjectService, registry: BackendRegistry, clip_id: str | None, variants: int,
           **asked: Any) -> tuple[AudioClip | None, MusicSpec, str | None]:
    """The clip asked for (None: a new one), the spec it is to have, and for a new clip the owner id
    an earlier, stopped run gave the same music (None: none did); refused in words when wrong."""
    if variants < 0:
        raise InvalidEditError("Variants count takes: 0 or more.")
    clip = service.music_clip(clip_id) if clip_id is not None else None
    if clip is not None and clip.spec is None:
        raise InvalidEditError(f"{clip.name or 'This music clip'} was brought in as a file; it cannot be generated "
                               f"again. Generate new music instead.")
    spec = music_spec_for(service, clip=clip, **asked)
    registry.get(spec.backend)  # an unknown backend is named before anything changes
    earlier = _asked_before(service, spec, seed_given=asked.get("seed") is not None) if clip is None else None
    if earlier is not None:  # asked for again after a crash: its job is followed, not sent again
        return clip, earlier[1], earlier[0]
    return clip, spec, None


def estimate_music(service: ProjectService, registry: BackendRegistry, *, variants: int = 0,
                   clip_id: str | None = None, **asked: Any) -> GenerationEstimate:
    """What generate_music would send and cost, doing none of it."""
    from foundry_desktop.app.generation.shot_generation import estimate_plan  # see generate_music

    clip, spec, owner_id = _asked(service, registry, clip_id, variants, **asked)
    return estimate_plan(service, registry, plan_music(service, spec, clip, variants, owner_id)[1])


def estimate_words(estimate: GenerationEstimate) -> str:
    """The estimate as the dialog and `music generate --estimate` say it: "2 takes, free"."""
    count = len(estimate.jobs)
    if not count:
        return "Nothing to generate: the music is current" + (" (an earlier take comes back)." if estimate.reused
                                                             else ".")
    words = f"{count} take{'s' if count != 1 else ''}"
    known = [str(Cost(amount, unit)) for unit, amount in estimate.totals.items()]
    unknown = [f"cost in {unit_words(unit)} not known until one has run" if n == count else
               f"{n} of them in {unit_words(unit)} not known yet" for unit, n in estimate.unknown.items()]
    paid = any(job.unit for job in estimate.jobs)
    words += f", about {', '.join(known)}" if known else ("" if paid else ", free")
    words += f", {'; '.join(unknown)}" if unknown else ""
    for _, overrun in estimate.overruns:
        words += f"; not sent: {overrun.words()}"
    return words
