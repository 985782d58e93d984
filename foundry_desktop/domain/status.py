"""Shot status: is the selected take what the shot's spec would generate now?"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from foundry_desktop.domain.fingerprint import fingerprint_of_spec, generation_spec
from foundry_desktop.domain.project import Project, Shot

StatusKind = Literal["current", "stale", "missing", "generating", "failed"]

# Spec key -> the reason a creator reads. Listed in the order reasons are shown.
_REASONS: dict[str, str] = {
    "prompt": "prompt changed",
    "negative_prompt": "negative prompt changed",
    "seed": "seed changed",
    "frames": "duration changed",
    # The input image is the approved keyframe (fingerprint.generation_spec).
    "input_image": "keyframe changed",
    "last_image": "last-frame keyframe changed",
    "continue_from": "previous shot's take changed",
    "input_media": "media file changed",
    "backend": "backend changed",
    "model": "model changed",
    "workflow": "workflow changed",
    "params": "parameters changed",
    "character": "character changed",
    "style": "style changed",
    "width": "output size changed",
    "height": "output size changed",
    "frame_rate": "frame rate changed",
    "version": "generator version changed",
}


@dataclass(frozen=True)
class GenerationState:
    """What the generation layer last reported for a shot (not part of undo)."""

    state: Literal["generating", "failed"]
    fingerprint: str
    message: str = ""


@dataclass(frozen=True)
class ShotStatus:
    kind: StatusKind
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return f"{self.kind} ({', '.join(self.reasons)})" if self.reasons else self.kind


def _template_id(entry: Any) -> str | None:
    return entry.get("id") if isinstance(entry, Mapping) else entry


def _template_reason(kind: str, old: Any, new: Any, names: Mapping[str, str]) -> str:
    """'character Mara changed' (edited), 'character now Tom' (another one), 'character removed'."""
    old_id, new_id = _template_id(old), _template_id(new)
    if new_id is None:
        return f"{kind} removed"
    name = names.get(new_id)
    if old_id == new_id:
        return f"{kind} {name} changed" if name else f"{kind} changed"
    return f"{kind} now {name}" if name else f"{kind} changed"


def staleness_reasons(
    take_spec: dict[str, Any], current_spec: dict[str, Any], names: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """Why a take made from `take_spec` is not what `current_spec` would make, in words.
    `names` (template id -> name) names the character or style that changed."""
    reasons: list[str] = []
    for key, reason in _REASONS.items():
        if take_spec.get(key) == current_spec.get(key):
            continue
        if key in ("character", "style"):
            reason = _template_reason(key, take_spec.get(key), current_spec.get(key), names or {})
        if reason not in reasons:
            reasons.append(reason)
    if not reasons and take_spec != current_spec:
        reasons.append("generation settings changed")
    return tuple(reasons)


def shot_status(
    project: Project,
    shot: Shot,
    generation: GenerationState | None = None,
    media_present: bool = True,
) -> ShotStatus:
    current_spec = generation_spec(shot, project)
    fingerprint = fingerprint_of_spec(current_spec)
    take = project.selected_take(shot)
    take_is_current = take is not None and take.fingerprint == fingerprint and media_present

    if generation is not None and generation.fingerprint == fingerprint and not take_is_current:
        if generation.state == "generating":
            return ShotStatus("generating")
        return ShotStatus("failed", (generation.message,) if generation.message else ())
    if take is None:
        if "continue_from" in current_spec and current_spec["continue_from"] is None:
            return ShotStatus("missing", ("waits for the previous shot's take",))  # it starts from its last frame
        return ShotStatus("missing", ("not generated yet",))
    if not media_present:
        return ShotStatus("missing", ("take file is missing",))
    if take.fingerprint == fingerprint:
        return ShotStatus("current")
    names = {template.id: template.name for template in [*project.characters, *project.styles]}
    return ShotStatus("stale", staleness_reasons(take.spec, current_spec, names))
