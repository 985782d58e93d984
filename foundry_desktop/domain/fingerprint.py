"""The shot fingerprint: a hash of everything that determines a generation.

Two shots with the same fingerprint would be generated identically, so a take
made for one fingerprint can be reused whenever the shot comes back to it
(an undo, a revert, a duplicate). Input files enter by content hash, so
replacing an image with a different one under the same name changes it.

A shot's character and style enter by what they add to the generation (their
prompt fields and reference images, see prompt_composition), so editing a
character changes the fingerprints of exactly the shots that use it, and a
shot without one hashes as it did before characters existed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from foundry_desktop.domain.keyframe_spec import approved_keyframe
from foundry_desktop.domain.project import Project, Shot
from foundry_desktop.domain.prompt_composition import template_spec

# Bump when the canonical form changes meaning, so old takes read as stale.
FINGERPRINT_VERSION = 1


def _template_entry(project: Project, shot: Shot, kind: str) -> Any:
    template_id = getattr(shot.spec, kind)
    template = project.template(kind, template_id)  # type: ignore[arg-type]
    # No template: the bare id (None when the shot has none), exactly as before templates were stored.
    return template_spec(template) if template is not None else template_id


def generation_spec(shot: Shot, project: Project) -> dict[str, Any]:
    """The canonical spec: plain JSON values only. `project` gives the format and the
    shot's character and style."""
    spec, fmt = shot.spec, project.format
    canonical = {
        "version": FINGERPRINT_VERSION,
        "backend": spec.backend,
        "model": spec.model,
        "workflow": spec.workflow,
        "prompt": spec.prompt,
        "negative_prompt": spec.negative_prompt,
        "seed": spec.seed,
        "params": spec.params,
        "width": fmt.width,
        "height": fmt.height,
        "frame_rate": str(fmt.frame_rate),
        "frames": spec.duration,
        "input_image": _first_frame(shot, project),
        "character": _template_entry(project, shot, "character"),
        "style": _template_entry(project, shot, "style"),
    }
    # Added after version 1 shipped: present only when used, so every earlier
    # fingerprint stays what it was.
    if spec.input_media is not None:
        canonical["input_media"] = spec.input_media
    last = approved_keyframe(project, shot, last=True)
    if last is not None:
        canonical["last_image"] = last.media_path
    if shot.continue_from_previous:
        canonical["continue_from"] = _previous_take_path(shot, project)
    return canonical


def _first_frame(shot: Shot, project: Project) -> str | None:
    """The picture the video starts from: the approved keyframe's (or, in a project not yet
    migrated to keyframes, the spec's own), none when it continues the previous shot (that
    shot's last frame is the start, and enters as continue_from)."""
    if shot.continue_from_previous:
        return None
    keyframe = approved_keyframe(project, shot)
    return keyframe.media_path if keyframe is not None else shot.spec.input_image


def _previous_take_path(shot: Shot, project: Project) -> str | None:
    """The take whose last frame a continuing shot starts from (its path names its content);
    None when there is no previous shot or it has no take yet."""
    shots = project.timeline.shots
    index = next(i for i, s in enumerate(shots) if s.id == shot.id)
    if index == 0:
        return None
    take = project.selected_take(shots[index - 1])
    return take.media_path if take is not None else None


def fingerprint_of_spec(spec: dict[str, Any]) -> str:
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def shot_fingerprint(shot: Shot, project: Project) -> str:
    return fingerprint_of_spec(generation_spec(shot, project))
