"""A shot's keyframe stills: what makes one, and which are approved.

A keyframe is a still take of the shot made by a text-to-image backend (the
shot's image backend, model and workflow) from the shot's composed prompt
(style + character + prompt, as prompt_composition composes it), at the
film's size, with the character's reference pictures where the backend takes
them. Its canonical spec says "output": "still", so it never hashes like a
video take of the same shot, and a still made for the same spec (by any shot)
is reused instead of paid for twice.

The approved keyframe is the shot's first frame for image to video: its
picture is the video's input image (fingerprint.generation_spec), so
approving another one makes the video stale ("keyframe changed"). A picture the
creator gives a shot is a keyframe take of its own, approved (one source of truth).
"""

from __future__ import annotations

from typing import Any

from foundry_desktop.domain.project import Project, Shot, Take
from foundry_desktop.domain.prompt_composition import composed_prompt

# Bump when the keyframe spec changes meaning, so old keyframes read as made for something else.
KEYFRAME_SPEC_VERSION = 1


def keyframe_spec(shot: Shot, project: Project) -> dict[str, Any]:
    """The canonical spec of the shot's keyframe (plain JSON): what the fingerprint hashes
    and what the job sends. Reference pictures enter by path, which names their content
    (the media folder is content-addressed)."""
    spec, fmt = shot.spec, project.format
    prompt, negative = composed_prompt(shot, project)
    character = project.character_of(shot)
    return {
        "version": KEYFRAME_SPEC_VERSION,
        "output": "still",
        "backend": spec.image_backend,
        "model": spec.image_model,
        "workflow": spec.image_workflow,
        "prompt": prompt,
        "negative_prompt": negative,
        "seed": spec.seed,
        "width": fmt.width,
        "height": fmt.height,
        "frame_rate": str(fmt.frame_rate),
        "frames": 1,
        "reference_images": [image.path for image in character.reference_images] if character else [],
    }


def picture_keyframe_spec(media_path: str) -> dict[str, Any]:
    """The spec of a keyframe that is the creator's own picture (`shot set --image`): made by no
    generator, so its content alone (the path names it) is what it is."""
    return {"version": KEYFRAME_SPEC_VERSION, "output": "still", "backend": "media", "input_media": media_path}


def approved_keyframe(project: Project, shot: Shot, *, last: bool = False) -> Take | None:
    """The shot's approved first-frame keyframe (its last-frame one: `last`); None when none
    is approved or the take is not the shot's still."""
    take_id = shot.last_keyframe_take_id if last else shot.keyframe_take_id
    if take_id is None:
        return None
    return next((t for t in project.takes_of(shot.id) if t.id == take_id and t.kind == "still"), None)


def keyframes_of(project: Project, shot: Shot) -> list[Take]:
    """The shot's keyframe stills, oldest first."""
    return [take for take in project.takes_of(shot.id) if take.kind == "still"]
