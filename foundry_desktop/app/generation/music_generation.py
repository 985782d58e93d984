"""Generated music: a music clip made by a backend, with sound takes, through the shots' job machinery.

A generated clip is an AudioClip with a MusicSpec; each generation is a persisted job whose
owner is the clip (its id in the job's `shot_id`) and whose spec says `"output": "sound"`.
Jobs run, resume after a crash by their remote id, are costed and held against the budget
exactly as a shot's are (shot_generation's run, with this module's requests and takes). Only
what changed is generated: a clip whose take matches its fingerprint is left alone, and a sound
take of the same fingerprint, from any clip, comes back without generating.

A new clip does not exist until its first take does (a clip is its sound): the job is made for
the id the clip will have, and the clip appears, at the asked frame, with that take. A job an
earlier run left unfinished for a clip that never appeared places its clip at the film's start.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from foundry_desktop.app.generation.cost import cost_unit, estimated_amount, project_ledger
from foundry_desktop.app.generation.plan import GenerationPlan, now_stamp
from foundry_desktop.app.generation.shot_generation import GenerateReport, _Run, run_plan
from foundry_desktop.app.project_service import ProjectService, new_seed
from foundry_desktop.domain.fingerprint import fingerprint_of_spec
from foundry_desktop.domain.generation_job import UNFINISHED, GenerationJob
from foundry_desktop.domain.music_fingerprint import SECONDS_PARAM, clip_fingerprint, music_generation_spec
from foundry_desktop.domain.project import AudioClip, MusicSpec, Take, new_id
from foundry_desktop.domain.time import frames_in_duration, frames_to_seconds, parse_frame_rate
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.generation.backend import BackendRegistry, GenerationRequest, GenerationResult
from foundry_desktop.media.probe import probe_audio_seconds

MAX_MUSIC_SECONDS = 20 * 60


@dataclass
class MusicReport(GenerateReport):
    clip_id: str | None = None  # the clip generated (or chosen again); None when nothing was

    def as_json(self) -> dict:
        return {**super().as_json(), "clip_id": self.clip_id}


@dataclass
class MusicEstimate:
    jobs: int
    reused: int
    unit: str | None  # None: free
    total: float  # the known amounts
    unknown: int  # jobs whose cost is not known beforehand
    overruns: list[str] = field(default_factory=list)  # why the budget would stop a job


@dataclass
class _MusicPlan:
    owner_id: str
    spec: MusicSpec
    clip: AudioClip | None  # None: a new clip
    plan: GenerationPlan
    reused: Take | None = None


def music_spec_for(service: ProjectService, *, prompt: str | None, seconds: float | str | None, backend: str | None,
                   model: str | None, seed: int | None, clip: AudioClip | None = None) -> MusicSpec:
    """The MusicSpec asked for: a new clip's from the arguments, or an existing clip's with the given
    ones changed. `seconds` None or "auto" is the film's length."""
    base = clip.spec if clip is not None and clip.spec is not None else MusicSpec(seed=new_seed())
    text = (prompt if prompt is not None else base.prompt).strip()
    if not text:
        raise InvalidEditError("Say what the music should be like (a prompt such as \"calm piano, warm, slow\").")
    if seconds in (None, "auto") and clip is not None and base.params.get(SECONDS_PARAM):
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
    return MusicSpec(prompt=text, backend=backend or base.backend, model=model if model is not None else base.model,
                     workflow=base.workflow, seed=seed if seed is not None else base.seed,
                     params={**base.params, SECONDS_PARAM: round(float(length), 3)})


def _plan(service: ProjectService, spec: MusicSpec, clip: AudioClip | None, variants: int) -> _MusicPlan:
    owner_id = clip.id if clip is not None else new_id()
    fmt = service.format
    canonical = music_generation_spec(spec, fmt)
    wanted = fingerprint_of_spec(canonical)
    result = _MusicPlan(owner_id, spec, clip, GenerationPlan())
    # Every unfinished music job is followed (sent ones are paid for; queued ones are still wanted).
    result.plan.followed = [job for job in service.jobs(UNFINISHED) if job.spec.get("output") == "sound"]
    pending = {(job.shot_id, job.fingerprint) for job in result.plan.followed}
    selected = next((t for t in service.project.takes_of(owner_id) if clip and t.id == clip.selected_take_id), None)
    current = selected is not None and selected.fingerprint == wanted and service.media.exists(selected.media_path)
    if not current and (owner_id, wanted) not in pending:
        result.reused = _reusable_take(service, owner_id, wanted)
        if result.reused is None:
            result.plan.new.append(_new_job(owner_id, wanted, canonical))
    for _ in range(variants):
        variant = music_generation_spec(spec.model_copy(update={"seed": new_seed()}), fmt)
        result.plan.new.append(_new_job(owner_id, fingerprint_of_spec(variant), variant))
    return result


def _reusable_take(service: ProjectService, owner_id: str, fingerprint: str) -> Take | None:
    """The newest sound take of this fingerprint whose file is there, the clip's own first."""
    everything = [take for takes in service.project.takes.values() for take in takes if take.kind == "sound"]
    ordered = [*reversed(service.project.takes_of(owner_id)), *reversed(everything)]
    return next((t for t in ordered if t.fingerprint == fingerprint and service.media.exists(t.media_path)), None)


def _new_job(owner_id: str, fingerprint: str, spec: dict) -> GenerationJob:
    now = now_stamp()
    return GenerationJob(shot_id=owner_id, fingerprint=fingerprint, backend=spec["backend"], spec=spec,
                         created_at=now, updated_at=now)


def music_request(service: ProjectService, job: GenerationJob, *, to_send: bool = True) -> GenerationRequest:
    """The backend request for a music job: sound, as long as its spec's frames."""
    spec = job.spec
    return GenerationRequest(
        shot_id=job.shot_id, prompt=spec["prompt"], negative_prompt="", seed=spec["seed"], width=0, height=0,
        frame_rate=parse_frame_rate(spec["frame_rate"]), frames=spec["frames"],
        output_dir=service.media.scratch_dir(create=to_send), model=spec["model"], workflow=spec["workflow"],
        params=dict(spec["params"]), output="sound",
    )


def music_spec_of(canonical: dict) -> MusicSpec:
    """The MusicSpec a canonical music spec (a job's, a take's) was made from."""
    return MusicSpec(prompt=canonical["prompt"], backend=canonical["backend"], model=canonical["model"],
                     workflow=canonical["workflow"], seed=canonical["seed"],
                     params={**canonical["params"], SECONDS_PARAM: float(Fraction(canonical["seconds"]))})


def clip_name(prompt: str) -> str:
    words = " ".join(prompt.split())
    return f"Music: {words[:40]}{'…' if len(words) > 40 else ''}"


class _MusicRun(_Run):
    """shot_generation's run, making sound requests and keeping sound takes on music clips."""

    def __init__(self, service: ProjectService, registry: BackendRegistry, report: GenerateReport,
                 placement: dict[str, int]) -> None:
        super().__init__(service, registry, report)
        self.placement = placement  # new clips: owner id -> the frame the clip starts at

    def request_for(self, job: GenerationJob) -> GenerationRequest:
        return music_request(self.service, job)

    def _adopt(self, job: GenerationJob, backend: str, request: GenerationRequest, result: GenerationResult,
               elapsed_s: float) -> None:
        service = self.service
        seconds = probe_audio_seconds(Path(result.path))  # what arrived, whatever the service rounded to
        relative, content_hash = service.media.adopt(Path(result.path), "takes", move=True)
        cost = result.cost
        take = Take(
            shot_id=job.shot_id, kind="sound", media_path=relative, content_hash=content_hash,
            fingerprint=job.fingerprint, spec=job.spec, backend=backend,
            request={**request.describe(), "backend_info": result.backend_info,
                     "cost": {"amount": cost.amount, "unit": cost.unit} if cost else None},
            seed=job.spec["seed"], frames=max(1, frames_in_duration(seconds, service.format.frame_rate)),
            width=0, height=0, created_at=now_stamp(), elapsed_s=round(elapsed_s, 3),
        )
        if cost is not None:
            job = job.model_copy(update={"cost_actual": cost.amount, "cost_unit": cost.unit})
        service.finish_job(job, take, select_it=False)
        self.ledger.settle(job.id, cost)
        _show_take(service, take, self.placement.get(job.shot_id, 0))


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
    elif clip_fingerprint(clip, service.format) == take.fingerprint:
        service.choose_music_take(clip.id, take.id)



async def generate_music(
    service: ProjectService, registry: BackendRegistry, *, prompt: str | None = None,
    seconds: float | str | None = None, backend: str | None = None, model: str | None = None,
    seed: int | None = None, variants: int = 0, clip_id: str | None = None, at_frame: int = 0,
) -> MusicReport:
    """Generate music: a new clip at `at_frame` on the music track (made by `backend`, the built-in
    one by default), or (`clip_id`) the clip again with whatever of prompt, length, backend, model
    and seed is given changed (one undo step). `seconds`
    None or "auto": the film's length (an existing clip keeps its own). `variants` more takes, each
    with a new seed, are kept beside it to choose from. Music jobs an earlier run left unfinished
    are followed to the end first, never submitted twice."""
    if variants < 0:
        raise InvalidEditError("Variants count takes: 0 or more.")
    clip = service.music_clip(clip_id) if clip_id is not None else None
    if clip is not None and clip.spec is None:
        raise InvalidEditError(f"{clip.name or 'This music clip'} was brought in as a file; it cannot be generated "
                               f"again. Generate new music instead.")
    spec = music_spec_for(service, prompt=prompt, seconds=seconds, backend=backend, model=model, seed=seed, clip=clip)
    registry.get(spec.backend)  # an unknown backend is named before anything changes
    if clip is not None and clip.spec != spec:
        clip = service.update_music_clip(clip.id, f"Change music {clip.name}".strip(), spec=spec)
    planned = _plan(service, spec, clip, variants)
    report = MusicReport()
    if planned.reused is not None:
        _reuse(service, planned, at_frame)
        report.reused += 1
    placement = {planned.owner_id: at_frame} if clip is None else {}
    ran = await run_plan(service, registry, planned.plan,
                         lambda s, r, rep: _MusicRun(s, r, rep, placement))
    report.generated, report.failed, report.cancelled, report.failures = (
        ran.generated, ran.failed, ran.cancelled, ran.failures)
    made = any(c.id == planned.owner_id for c in service.project.timeline.music)
    report.clip_id = planned.owner_id if made else None
    return report


def _reuse(service: ProjectService, planned: _MusicPlan, at_frame: int) -> None:
    take = planned.reused
    assert take is not None
    if take.shot_id != planned.owner_id:  # another clip's take of the same music: this clip gets its own record
        take = take.model_copy(update={"id": new_id(), "shot_id": planned.owner_id})
        service.add_take(take, select_it=False)
    _show_take(service, take, at_frame)


def estimate_music(service: ProjectService, registry: BackendRegistry, *, prompt: str | None = None,
                   seconds: float | str | None = None, backend: str | None = None, model: str | None = None,
                   seed: int | None = None, variants: int = 0, clip_id: str | None = None) -> MusicEstimate:
    """What generate_music would send and cost, doing none of it."""
    clip = service.music_clip(clip_id) if clip_id is not None else None
    spec = music_spec_for(service, prompt=prompt, seconds=seconds, backend=backend, model=model, seed=seed, clip=clip)
    planned = _plan(service, spec, clip, max(0, variants))
    backend_used = registry.get(spec.backend)
    unit = cost_unit(backend_used)
    done = service.jobs(("done",))
    ledger = project_ledger(service, done)
    estimate = MusicEstimate(len(planned.plan.jobs), int(planned.reused is not None), unit, 0.0, 0)
    totals: dict[str, float] = defaultdict(float)
    for job in planned.plan.new:
        if unit is None:
            continue
        amount = estimated_amount(backend_used, music_request(service, job, to_send=False), job, unit, done)
        overrun = ledger.reserve(job.id, unit, amount)
        if overrun is not None:
            estimate.overruns.append(overrun.words())
        elif amount is None:
            estimate.unknown += 1
        else:
            totals[unit] += amount
    estimate.total = round(totals.get(unit or "", 0.0), 3)
    return estimate
