"""The service's edits of scenes: adding one (with shots), changing its notes, colour and the
defaults its shots inherit, moving it with its shots, removing it, which shots are in which
scene, and a shot inheriting a field from its scene again. Each is one undo step; the rules
they keep are domain.scenes'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from foundry_desktop.app.edit_base import EditBase, edit_errors
from foundry_desktop.domain import scenes
from foundry_desktop.domain.project import SCENE_DEFAULT_FIELDS, Scene, SceneDefaults, Shot
from foundry_desktop.errors import InvalidEditError

# What update_scene may change besides the defaults.
_SCENE_FIELDS = ("name", "description", "location", "time_of_day", "notes", "color")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")  # domain.project.Color's


def _shots_words(indexes: list[int]) -> str:
    numbers = sorted(index + 1 for index in indexes)
    if len(numbers) == 1:
        return f"shot {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"shots {numbers[0]}–{numbers[-1]}"
    return "shots " + ", ".join(str(number) for number in numbers)


class SceneEdits(EditBase):
    """Scenes are addressed by id (`scene(key)` finds one by number or name); shots by index."""

    def scene(self, key: str) -> Scene:
        """The scene numbered `key` (from 1, in film order) or called `key`."""
        with edit_errors():
            return scenes.find_scene(self.project.timeline, key)

    def scene_of(self, shot: Shot) -> Scene | None:
        if shot.scene_id is None:
            return None
        return next((scene for scene in self.project.timeline.scenes if scene.id == shot.scene_id), None)

    def scene_shot_indexes(self, scene_id: str) -> range:
        """The indexes of the scene's shots (empty for an empty scene)."""
        start, stop = scenes.shot_ranges(self.project.timeline).get(scene_id, (0, 0))
        return range(start, stop)

    def _called(self, scene_id: str) -> str:
        with edit_errors():
            return scenes.called(scenes.scene_by_id(self.project.timeline, scene_id), self.project.timeline)

    def _defaults_with(self, base: SceneDefaults, changes: dict[str, Any]) -> SceneDefaults:
        """`base` with `changes` (a style or character by name or id; None or "": the scene sets none)."""
        update: dict[str, Any] = {}
        for key, value in changes.items():
            if key not in SCENE_DEFAULT_FIELDS:
                raise TypeError(f"unknown scene default {key!r}")
            if value in (None, ""):
                update[key] = None
            elif key in ("style", "character"):
                update[key] = self.template(key, value).id
            else:
                update[key] = value
        with edit_errors():
            return SceneDefaults.model_validate({**base.model_dump(), **update})

    def _scene_changes(self, base: Scene, fields: dict[str, Any]) -> dict[str, Any]:
        changes = {key: value for key, value in fields.items() if key in _SCENE_FIELDS and value is not None}
        unknown = set(fields) - set(_SCENE_FIELDS) - {"defaults"}
        if unknown:
            raise TypeError(f"unknown scene field {sorted(unknown)[0]!r}")
        if isinstance(changes.get("name"), str):
            changes["name"] = changes["name"].strip()
        if "color" in changes and not _COLOR.match(str(changes["color"])):
            raise InvalidEditError(f"A scene's colour is written #rrggbb (for example #4a7fb5); "
                                   f"{changes['color']!r} is not.")
        if fields.get("defaults") is not None:
            defaults = fields["defaults"]
            given = defaults.model_dump(exclude_unset=True) if isinstance(defaults, SceneDefaults) else dict(defaults)
            changes["defaults"] = self._defaults_with(base.defaults, given)
        return changes

    def add_scene(self, name: str, *, shot_indexes: Iterable[int] | None = None, at: int | None = None,
                  **fields: Any) -> Scene:
        """A new scene called `name` with the shots at `shot_indexes` (which must follow one another);
        with no shots it goes at place `at` of the scenes (default: last). Fields as update_scene's."""
        with edit_errors():
            scene = Scene.model_validate({**self._scene_changes(Scene(), fields), "name": name.strip()})
        indexes = list(shot_indexes or ())
        label = f'Add scene "{scene.name}"' if scene.name else "Add a scene"
        if indexes:
            label += f" with {_shots_words(indexes)}"
        self._edit(label, self._with_timeline(lambda timeline: scenes.add_scene(timeline, scene, indexes, at)))
        return scenes.scene_by_id(self.project.timeline, scene.id)

    def update_scene(self, scene_id: str, **fields: Any) -> None:
        """Change the scene's name, description, location, time_of_day, notes, color, or defaults
        (a dict of SceneDefaults fields, or a SceneDefaults whose set fields change). New defaults
        reach its shots that do not override them."""
        with edit_errors():
            scene = scenes.scene_by_id(self.project.timeline, scene_id)
        changes = self._scene_changes(scene, fields)
        what = ", ".join(key.replace("_", " ") for key in changes) or "nothing"
        self._edit(f"Change {self._called(scene_id)}: {what}",
                   self._with_timeline(lambda timeline: scenes.update_scene(timeline, scene_id, changes)))

    def move_scene(self, scene_id: str, to_index: int) -> None:
        """Put the scene at place `to_index` (from 0) among the scenes; its shots move with it."""
        self._edit(f"Move {self._called(scene_id)} to place {to_index + 1}",
                   self._with_timeline(lambda timeline: scenes.move_scene(timeline, scene_id, to_index)))

    def remove_scene(self, scene_id: str, *, with_shots: bool = False) -> None:
        """Remove the scene; its shots stay, in no scene, unless `with_shots`."""
        count = len(self.scene_shot_indexes(scene_id))
        label = f"Remove {self._called(scene_id)}"
        if with_shots and count:
            label += f" and its {count} shot{'s' if count != 1 else ''}"
        self._edit(label, self._with_timeline(
            lambda timeline: scenes.remove_scene(timeline, scene_id, with_shots=with_shots)))

    def set_shots_scene(self, shot_indexes: Iterable[int], scene_id: str | None) -> None:
        """Put the shots in the scene (None: in no scene); they take its defaults."""
        indexes = list(shot_indexes)
        for index in indexes:
            self.shot_at(index)
        where = f"in {self._called(scene_id)}" if scene_id is not None else "in no scene"
        self._edit(f"Put {_shots_words(indexes)} {where}",
                   self._with_timeline(lambda timeline: scenes.set_shots_scene(timeline, indexes, scene_id)))

    def inherit_from_scene(self, shot_indexes: Iterable[int], fields: Iterable[str]) -> None:
        """The shots take `fields` (SceneDefaults names) from their scene again instead of setting them."""
        indexes, names = list(shot_indexes), list(fields)
        for index in indexes:
            self.shot_at(index)
        words = ", ".join(name.replace("_", " ") for name in names)
        self._edit(f"{_shots_words(indexes).capitalize()}: {words} from the scene",
                   self._with_timeline(lambda timeline: scenes.inheriting(timeline, indexes, names)))
