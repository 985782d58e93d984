"""What differs between the kinds of take one job machinery makes: video takes and keyframe
stills of a shot (and sound takes of a music clip, which plug in here the same way).

Each kind says how a job's request is built from the spec the job carries (the
shot may have changed since), and how a finished take is recorded. Everything
else — persisted jobs, following a sent job after a crash by its remote id,
budgets and costs, cancelling — is the same for every kind (shot_generation.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.fingerprint import fingerprint_of_spec, generation_spec
from foundry_desktop.domain.generation_job import GenerationJob
from foundry_desktop.domain.project import Take
from foundry_desktop.domain.prompt_composition import input_image_of_spec, prompts_of_spec
from foundry_desktop.domain.time import parse_frame_rate
from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.store.media_cache import MediaCache


@dataclass(frozen=True)
class TakeMaker:
    """How one kind of take is asked for and kept."""

    # The backend request for a job; not `to_send` (an estimate): nothing is made on disk for it.
    request: Callable[[ProjectService, GenerationJob, bool], GenerationRequest]
    # Record the finished take and the job done (in one transaction: ProjectService.finish_job).
    adopt: Callable[[ProjectService, GenerationJob, Take], None]
    # Whether the job's progress and failure show as its shot's status (a video's do; a keyframe's
    # must not hide or clear what the shot's video is doing).
    marks_shot: bool


def video_request(service: ProjectService, job: GenerationJob, to_send: bool = True) -> GenerationRequest:
    """The video of a shot: the prompt composed with its character and style; its first frame the
    previous shot's last one (continue_from), else its approved keyframe, else its character's or
    style's reference picture (prompt_composition); its last frame the approved last keyframe."""
    spec = job.spec
    media = service.media
    prompt, negative = prompts_of_spec(spec)
    if spec.get("continue_from"):
        first = media.path_of(continuation_frame(media, spec["continue_from"]) if to_send else spec["continue_from"])
    else:
        picture = input_image_of_spec(spec)
        first = media.path_of(picture) if picture else None
    return GenerationRequest(
        shot_id=job.shot_id,
        prompt=prompt,
        negative_prompt=negative,
        seed=spec["seed"],
        width=spec["width"],
        height=spec["height"],
        frame_rate=parse_frame_rate(spec["frame_rate"]),
        frames=spec["frames"],
        output_dir=media.scratch_dir(create=to_send),
        model=spec["model"],
        workflow=spec["workflow"],
        input_image=first,
        input_media=media.path_of(spec["input_media"]) if spec.get("input_media") else None,
        params=dict(spec["params"]),
        last_image=media.path_of(spec["last_image"]) if spec.get("last_image") else None,
    )


def continuation_frame(media: MediaCache, take_path: str) -> str:
    """The last frame of the take at `take_path`, as a picture in the media folder (by content,
    so the same take always gives the same file). Decodes: never on the GUI thread."""
    from foundry_desktop.media.last_frame import write_last_frame  # PyAV: only when a shot continues

    scratch = media.scratch_dir() / f"{uuid.uuid4().hex}.png"
    write_last_frame(media.path_of(take_path), scratch)
    relative, _ = media.adopt(scratch, "inputs", move=True)
    return relative


def still_request(service: ProjectService, job: GenerationJob, to_send: bool = True) -> GenerationRequest:
    """A keyframe: text to image from the composed prompt the spec carries (keyframe_spec), with
    the character's reference pictures for backends that take them."""
    spec = job.spec
    media = service.media
    return GenerationRequest(
        shot_id=job.shot_id,
        prompt=spec["prompt"],
        negative_prompt=spec["negative_prompt"],
        seed=spec["seed"],
        width=spec["width"],
        height=spec["height"],
        frame_rate=parse_frame_rate(spec["frame_rate"]),
        frames=1,
        output_dir=media.scratch_dir(create=to_send),
        model=spec["model"],
        workflow=spec["workflow"],
        output="still",
        reference_images=tuple(media.path_of(path) for path in spec["reference_images"]),
    )


def adopt_video(service: ProjectService, job: GenerationJob, take: Take) -> None:
    """Shown in its shot if the shot still asks for it: the creator may have edited the shot meanwhile
    (through this service: the file is locked to it), and the take is kept either way."""
    current = next((s for s in service.project.timeline.shots if s.id == job.shot_id), None)
    still_wanted = current is not None and fingerprint_of_spec(generation_spec(current, service.project)) == job.fingerprint
    service.finish_job(job, take, select_it=still_wanted)


def adopt_still(service: ProjectService, job: GenerationJob, take: Take) -> None:
    """Kept beside the shot's other keyframes for the creator to approve: a keyframe never becomes
    the shot's video, and approving one is the creator's choice, not a run's."""
    service.finish_job(job, take, select_it=False, mark=False)


TAKE_MAKERS: dict[str, TakeMaker] = {
    "video": TakeMaker(video_request, adopt_video, marks_shot=True),
    "still": TakeMaker(still_request, adopt_still, marks_shot=False),
}


def take_maker(job: GenerationJob) -> TakeMaker:
    maker = TAKE_MAKERS.get(job.output)
    if maker is None:
        raise GenerationError(f"This Foundry cannot make {job.output} takes; a newer version made this job.")
    return maker
