"""The service's keyframe edits: approving one of a shot's still takes as the first frame of its
video (or the last), and starting a shot from the last frame of the previous shot instead. Each
is one undo step, and the video's fingerprint follows the approved keyframe."""

from __future__ import annotations

from foundry_desktop.app.edit_base import EditBase
from foundry_desktop.app.events import ProjectChanged
from foundry_desktop.domain.keyframe_spec import keyframes_of
from foundry_desktop.domain.project import Shot, Take
from foundry_desktop.errors import InvalidEditError


class KeyframeEdits(EditBase):
    """Mixed into ProjectService, whose select_take_of and _matching_takes it uses."""

    def keyframes_of(self, shot_id: str) -> list[Take]:
        """The shot's keyframe stills, oldest first."""
        shot = self._shot_by_id(shot_id)
        return keyframes_of(self.project, shot)

    def approve_keyframe(self, shot_id: str, take_id: str | None, *, last: bool = False) -> None:
        """Approve one of the shot's keyframes as its first frame (`last`: its last frame), or none
        (None), as one undo step: the video starts from it, so the video's fingerprint changes
        with it. A video take made from it earlier is shown again."""
        shot = self._shot_by_id(shot_id)
        if take_id is not None and not any(t.id == take_id for t in keyframes_of(self.project, shot)):
            raise InvalidEditError("That is not a keyframe of this shot: approve one of its keyframe stills.")
        field = "last_keyframe_take_id" if last else "keyframe_take_id"
        if getattr(shot, field) == take_id:
            return
        number = self.project.timeline.shots.index(shot) + 1
        which = "last-frame keyframe" if last else "keyframe"
        label = f"Approve the {which} of shot {number}" if take_id else f"Clear the {which} of shot {number}"
        changed = self._replace_shot(label, shot.model_copy(update={field: take_id}))
        for shown_id, video_id in self._matching_takes(self.project, [changed]).items():
            self.select_take_of(shown_id, video_id)
            self.events.emit(ProjectChanged(label))

    def set_continue_from_previous(self, shot_id: str, on: bool) -> None:
        """Start the shot's video from the last frame of the previous shot's take (instead of its
        keyframe), for continuity; one undo step."""
        shot = self._shot_by_id(shot_id)
        if shot.continue_from_previous == on:
            return
        number = self.project.timeline.shots.index(shot) + 1
        if on and number == 1:
            raise InvalidEditError("Shot 1 is the first shot: there is no previous shot to continue from.")
        label = f"Continue shot {number} from the previous shot" if on else f"Start shot {number} from its keyframe"
        self._replace_shot(label, shot.model_copy(update={"continue_from_previous": on}))

    def _replace_shot(self, label: str, changed: Shot) -> Shot:
        """Put `changed` in place of the shot with its id, as one undo step; returns it."""
        self._edit(label, self._with_timeline(lambda timeline: timeline.model_copy(update={
            "shots": [changed if s.id == changed.id else s for s in timeline.shots]})))
        return changed

    def _shot_by_id(self, shot_id: str) -> Shot:
        shot = next((s for s in self.project.timeline.shots if s.id == shot_id), None)
        if shot is None:
            raise InvalidEditError("That shot is no longer in the film.")
        return shot
