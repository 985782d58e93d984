"""The service's edits of shots: adding, changing, moving, removing, splitting and
trimming them, their transitions, framing and sound, and which take each shows.
"""

from __future__ import annotations

import secrets
from fractions import Fraction
from pathlib import Path
from typing import Any

from foundry_desktop.app.edit_base import EditBase, edit_errors
from foundry_desktop.app.events import ProjectChanged, ShotStatusChanged
from foundry_desktop.app.shots.input_images import picture_keyframe
from foundry_desktop.domain import scenes, timeline_ops
from foundry_desktop.domain.fingerprint import generation_spec
from foundry_desktop.domain.project import SCENE_DEFAULT_FIELDS, Shot, ShotSpec, Transition, new_id
from foundry_desktop.errors import InvalidEditError

DEFAULT_SHOT_SECONDS = Fraction(3)

# Spec fields a shot edit may set directly (duration and image are converted first).
_SPEC_FIELDS = {
    "prompt", "negative_prompt", "backend", "model", "workflow", "params", "seed", "character", "style", "input_media",
    "image_backend", "image_model", "image_workflow",
}


def _set_directly(spec_fields: dict[str, Any]) -> tuple[str, ...]:
    """The scene defaults among the fields a shot edit sets (a shot then overrides its scene's)."""
    return tuple(field for field in SCENE_DEFAULT_FIELDS if spec_fields.get(field) is not None)


def new_seed() -> int:
    return secrets.randbelow(2**31)


class ShotEdits(EditBase):
    """Shots are addressed by their index on the timeline (from 0); each edit is one undo step."""

    def _spec_with(self, base: ShotSpec, changes: dict[str, Any]) -> ShotSpec:
        """A copy of `base` with creator-level changes applied and validated."""
        update: dict[str, Any] = {}
        for key, value in changes.items():
            if value is None:
                continue
            if key == "duration_seconds":
                update["duration"] = self.frames_from_seconds(value)
            elif key == "duration_frames":
                update["duration"] = value
            elif key in ("model", "workflow", "image_model", "image_workflow", "character", "style") and value == "":
                update[key] = None  # cleared (None itself means "unchanged" here)
            elif key in ("character", "style"):
                update[key] = self.template(key, value).id
            elif key in _SPEC_FIELDS:
                update[key] = value
            else:
                raise TypeError(f"unknown shot field {key!r}")
        # A newly attached template brings its preferred generator, unless this edit names one.
        for kind in ("style", "character"):  # the character's preference wins over the style's
            if update.get(kind) is not None and update[kind] != getattr(base, kind):
                template = self.project.template(kind, update[kind])
                for field in ("backend", "model", "workflow"):
                    if getattr(template, field) is not None and changes.get(field) is None:
                        update[field] = getattr(template, field)
        with edit_errors():
            return ShotSpec.model_validate({**base.model_dump(), **update})

    def add_shot(self, *, at: int | None = None, name: str = "", **spec_fields: Any) -> Shot:
        """Add a shot (at index `at`, default the end). Fields: prompt, duration_seconds, image, seed..."""
        if spec_fields.get("seed") is None:  # a caller's seed=None (the CLI without --seed) means "a new one" too
            spec_fields["seed"] = new_seed()
        if spec_fields.get("duration_seconds") is None and spec_fields.get("duration_frames") is None:
            spec_fields["duration_seconds"] = DEFAULT_SHOT_SECONDS
        image = spec_fields.pop("image", None)
        spec = self._spec_with(ShotSpec(), spec_fields)
        # What the creator sets on the shot is its own; the rest it inherits from the scene it joins.
        shot = Shot(name=name, spec=spec, overrides=_set_directly(spec_fields))
        if image:
            shot = shot.model_copy(update={"keyframe_take_id": self._picture_as_keyframe(shot.id, image)})
        index = len(self.project.timeline.shots) if at is None else at
        self._edit(
            f"Add shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_ops.insert_shot(timeline, index, shot)),
        )
        return shot

    def update_shot(self, index: int, *, name: str | None = None, **spec_fields: Any) -> None:
        """Change shot `index`'s generation fields; `image` (a picture's path; "" for none) approves that
        picture as its keyframe, in the same undo step."""
        shot = self.shot_at(index)
        changed = [key for key, value in spec_fields.items() if value is not None]
        image = spec_fields.pop("image", None)
        spec = self._spec_with(shot.spec, spec_fields)
        keyframe = shot.keyframe_take_id if image is None else self._picture_as_keyframe(shot.id, image)

        def change(timeline):
            timeline = timeline_ops.set_shot_spec(timeline, index, spec)
            if keyframe != shot.keyframe_take_id:
                shots = list(timeline.shots)
                shots[index] = shots[index].model_copy(update={"keyframe_take_id": keyframe})
                timeline = timeline.model_copy(update={"shots": shots})
            timeline = scenes.overriding(timeline, index, _set_directly(spec_fields))
            return timeline_ops.rename_shot(timeline, index, name) if name is not None else timeline

        if name is not None:
            changed.append("name")
        what = ", ".join(key.replace("_", " ").removesuffix(" seconds") for key in changed) or "nothing"
        self._edit(f"Change shot {index + 1}: {what}", self._with_timeline(change))

    def _picture_as_keyframe(self, shot_id: str, image: str | Path) -> str | None:
        """The creator's picture as a keyframe take of the shot (recorded now, like every take: takes
        live outside undo), its id to approve; the shot's take of the same picture where it has one.
        "" : no picture, so no keyframe."""
        if image == "":
            return None
        take = picture_keyframe(Path(image), self._store.media, shot_id)
        held = next((t for t in self.project.takes_of(shot_id) if t.fingerprint == take.fingerprint), None)
        if held is not None:
            return held.id
        self.add_take(take, select_it=False)
        return take.id

    def move_shot(self, source: int, destination: int) -> None:
        self._edit(
            f"Move shot {source + 1} to {destination + 1}",
            self._with_timeline(lambda timeline: timeline_ops.move_shot(timeline, source, destination)),
        )

    def remove_shot(self, index: int) -> None:
        self._edit(
            f"Remove shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_ops.remove_shot(timeline, index)),
        )

    def split_shot(self, index: int, offset: int) -> Shot:
        """Cut shot `index` in two, `offset` frames after its start (timeline_ops.split_shot);
        the new second half shows the rest of the same take. Returns the second half."""
        shot = self.shot_at(index)
        take = self.project.selected_take(shot)
        second = shot.model_copy(update={"id": new_id(), "selected_take_id": None})
        self._edit(
            f"Split shot {index + 1}",
            self._with_timeline(
                lambda timeline: timeline_ops.split_shot(timeline, index, offset, second, has_take=take is not None)),
        )
        if take is not None:
            # Takes live outside the undo history (they are never lost); after an undo and a
            # redo, the half finds this copy again by its fingerprint.
            copy = take.model_copy(update={"id": new_id(), "shot_id": second.id})
            self.add_take(copy, select_it=True)
            self.events.emit(ShotStatusChanged(second.id))
        return self.project.timeline.shots[index + 1]

    def trim_shot(self, index: int, trim_in: int, trim_out: int | None) -> None:
        self._edit(
            f"Trim shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_ops.trim_shot(timeline, index, trim_in, trim_out)),
        )

    def set_shot_duration(self, index: int, frames: int) -> None:
        self._edit(
            f"Set duration of shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_ops.set_shot_duration(timeline, index, frames)),
        )

    def set_transition(self, index: int, kind: str, frames: int = 0) -> None:
        def change(timeline):
            return timeline_ops.set_transition(timeline, index, Transition(kind=kind, duration=frames))

        self._edit(f"Set transition after shot {index + 1}", self._with_timeline(change))

    def set_shot_picture_and_sound(
        self, index: int, *, fit: str | None = None, audio_gain_db: float | None = None, audio_muted: bool | None = None
    ) -> None:
        def change(timeline):
            return timeline_ops.set_shot_picture_and_sound(
                timeline, index, fit=fit, audio_gain_db=audio_gain_db, audio_muted=audio_muted
            )

        self._edit(f"Change picture and sound of shot {index + 1}", self._with_timeline(change))

    def select_take(self, index: int, take_id: str) -> None:
        """Show take `take_id` in shot `index`. A variant (the shot's spec with another seed)
        brings its seed along, as an undoable edit, so the shot stays current and an undo
        shows the take before again."""
        shot = self.shot_at(index)
        take = next((t for t in self.project.takes_of(shot.id) if t.id == take_id), None)
        if take is None:
            raise InvalidEditError(f"Shot {index + 1} has no such take.")
        if take.kind == "still":
            raise InvalidEditError(f"That take is a keyframe of shot {index + 1}: approve it as the shot's keyframe instead.")
        current = generation_spec(shot, self.project)
        if take.spec != current and {**take.spec, "seed": current["seed"]} == current:
            self.update_shot(index, seed=take.seed)  # the take then matches, and is selected on undo/redo too
        self._store.select_take(shot.id, take_id)
        self.project = self.project.with_selected_take(shot.id, take_id)
        self.events.emit(ProjectChanged(f"Select take for shot {index + 1}"))
