"""Shots copied, cut, pasted and duplicated. What is copied is plain data (the shots with all
their takes, and where the project's media folder is), so a second window of the app, with
another project open, can paste it too: the files it lacks are brought into its own media
folder first (bring_clipboard_media, in a worker thread), then the paste is one undo step.

A paste inserts at the playhead as Resolve's "paste insert" does: on a cut the shots go in
there; inside a shot, that shot is split at the playhead and the shots go in between.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from foundry_desktop.app.edit_base import EditBase
from foundry_desktop.app.events import ShotStatusChanged
from foundry_desktop.domain import timeline_ops
from foundry_desktop.domain.project import CUT, Project, Shot, Take, new_id
from foundry_desktop.errors import InvalidEditError

CLIPBOARD_VERSION = 1
_NOT_SHOTS = "The clipboard holds no shots copied in Foundry: copy a shot on the timeline first."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _media_paths(shot: Shot, takes: list[Take]) -> list[str]:
    """Every file of the media folder a shot needs: its takes, its input image or clip."""
    paths = [take.media_path for take in takes]
    return paths + [path for path in (shot.spec.input_image, shot.spec.input_media) if path]


class ClipboardEdits(EditBase):
    """Copying shots to plain data, and pasting or duplicating them as one undo step each."""

    def copied_shots(self, indexes: list[int]) -> dict[str, Any]:
        """The shots at `indexes` (in timeline order) with all their takes, as JSON-ready data."""
        if not indexes:
            raise InvalidEditError("Select the shots to copy first.")
        shots = [self.shot_at(index) for index in sorted(set(indexes))]
        return {
            "version": CLIPBOARD_VERSION,
            "project": self.project.id,
            "media_folder": str(self._store.media.root.resolve()),
            "shots": [shot.model_dump(mode="json") for shot in shots],
            "takes": {shot.id: [take.model_dump(mode="json") for take in self.project.takes_of(shot.id)]
                      for shot in shots},
        }

    def _read_clipboard(self, payload: object) -> tuple[list[Shot], dict[str, list[Take]]]:
        if not isinstance(payload, dict) or payload.get("version") != CLIPBOARD_VERSION:
            raise InvalidEditError(_NOT_SHOTS)
        try:
            shots = [Shot.model_validate(shot) for shot in payload["shots"]]
            takes = {key: [Take.model_validate(take) for take in value] for key, value in payload["takes"].items()}
        except (KeyError, TypeError, AttributeError, ValidationError):
            raise InvalidEditError(_NOT_SHOTS) from None
        if not shots:
            raise InvalidEditError(_NOT_SHOTS)
        return shots, takes

    def bring_clipboard_media(self, payload: object) -> int:
        """Copy the files the copied shots use that this project's media folder lacks (shots
        copied in another project); returns how many were copied. File work: call it off the
        GUI thread. A file gone from the other project is left out: its take is not pasted."""
        shots, takes = self._read_clipboard(payload)
        source = Path(str(payload["media_folder"]))  # type: ignore[index]
        copied, media = 0, self._store.media
        for shot in shots:
            for relative in _media_paths(shot, takes.get(shot.id, [])):
                if media.exists(relative) or not (source / relative).is_file():
                    continue
                kind = relative.split("/", 1)[0]
                if media.adopt(source / relative, kind, move=False)[0] != relative:
                    raise InvalidEditError(f"{Path(relative).name} changed in the other project while it was copied.")
                copied += 1
        return copied

    def paste_shots(self, payload: object, frame: int) -> list[Shot]:
        """Insert the copied shots at timeline frame `frame` (see the module docstring), each with
        copies of its takes showing the same media; returns the new shots."""
        shots, takes = self._read_clipboard(payload)
        plan = self.cut_plan()  # type: ignore[attr-defined]  # ProjectService's
        placed = next((p for p in plan.shots if p.record_in <= frame < p.record_out), None)
        label = f"Paste {_plural(len(shots), 'shot')}"
        with self.group(label):  # type: ignore[attr-defined]  # ProjectService's
            if placed is None:
                index = len(self.project.timeline.shots)
            elif placed.record_in == frame:
                index = placed.index
            else:
                shot = self.project.timeline.shots[placed.index]
                offset = placed.source_in + frame - placed.record_in - shot.trim_in
                self.split_shot(placed.index, offset)  # type: ignore[attr-defined]  # ShotEdits'
                index = placed.index + 1
            return self._insert_copies(shots, takes, index, label)

    def duplicate_shots(self, indexes: list[int]) -> list[Shot]:
        """Copies of the shots at `indexes`, in order, right after the last of them."""
        payload = self.copied_shots(indexes)
        shots, takes = self._read_clipboard(payload)
        return self._insert_copies(shots, takes, max(indexes) + 1, f"Duplicate {_plural(len(shots), 'shot')}")

    def _insert_copies(self, shots: list[Shot], takes: dict[str, list[Take]], index: int, label: str) -> list[Shot]:
        """New shots and takes from the copied ones, inserted at `index` as one edit. The takes
        follow, outside the undo history as every take (split_shot does the same): after an undo
        and a redo each shot finds the take it showed again by its fingerprint."""
        copies, new_takes = [], []
        for number, shot in enumerate(shots):
            copy, copy_takes = self._copy_of(shot, takes.get(shot.id, []))
            if number == len(shots) - 1:
                copy = copy.model_copy(update={"transition_out": CUT})  # what follows is not what followed
            copies.append(copy)
            new_takes += [(take, take.id == copy.selected_take_id) for take in copy_takes]

        def change(project: Project) -> Project:
            timeline = project.timeline
            for offset, copy in enumerate(copies):
                shown = copy.model_copy(update={"selected_take_id": None})  # the take comes after
                timeline = timeline_ops.insert_shot(timeline, index + offset, shown)
            return project.model_copy(update={"timeline": timeline})

        self._edit(label, change)
        for take, shown in new_takes:
            self.add_take(take, select_it=shown)
            if shown:
                self.events.emit(ShotStatusChanged(take.shot_id))
        return [self.project.timeline.shots[index + offset] for offset in range(len(copies))]

    def _copy_of(self, shot: Shot, takes: list[Take]) -> tuple[Shot, list[Take]]:
        """`shot` under a new id with the takes whose media this project has, under new ids; a
        character or style this project lacks is left off."""
        shot_id = new_id()
        kept = [take for take in takes if self._store.media.exists(take.media_path)]
        new_ids = {take.id: new_id() for take in kept}
        copies = [take.model_copy(update={"id": new_ids[take.id], "shot_id": shot_id}) for take in kept]
        spec = shot.spec
        for kind in ("character", "style"):
            if getattr(spec, kind) is not None and self.project.template(kind, getattr(spec, kind)) is None:
                spec = spec.model_copy(update={kind: None})
        for field in ("input_image", "input_media"):
            if getattr(spec, field) and not self._store.media.exists(getattr(spec, field)):
                raise InvalidEditError(f"{Path(getattr(spec, field)).name}, which a copied shot uses, is gone.")
        selected = new_ids.get(shot.selected_take_id) if shot.selected_take_id else None
        keyframes = {field: new_ids.get(getattr(shot, field)) for field in ("keyframe_take_id", "last_keyframe_take_id")}
        return shot.model_copy(update={"id": shot_id, "spec": spec, "selected_take_id": selected, **keyframes}), copies
