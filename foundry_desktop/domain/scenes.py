"""Scenes: named runs of consecutive shots, listed in film order, whose defaults their shots inherit.

The rules every edit keeps:
* a shot belongs to one scene (Shot.scene_id) or to none, and a scene's shots follow one another;
* Timeline.scenes lists the scenes in film order; a scene emptied of its shots stays listed
  where it was, empty, until it is removed;
* a shot in a scene holds the scene's defaults in its own spec (copied down by
  timeline_ops.in_scene), except the fields named in its overrides.
timeline_ops keeps them for the shots it adds and moves (a shot joins its neighbours' scene), at
constant cost. The edits of scenes here look at the whole timeline: they are rare, and finding a
scene's shots means walking the shots.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from foundry_desktop.domain import timeline_ops
from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.project import SCENE_DEFAULT_FIELDS, Scene, Shot, Timeline


def called(scene: Scene, timeline: Timeline) -> str:
    """How a message names a scene: by its name, or by its number when it has none."""
    if scene.name.strip():
        return f'scene "{scene.name.strip()}"'
    return f"scene {timeline.scenes.index(scene) + 1}"


def shot_ranges(timeline: Timeline) -> dict[str, tuple[int, int]]:
    """Scene id -> (index of its first shot, index after its last) for each scene that has shots."""
    ranges: dict[str, tuple[int, int]] = {}
    for index, shot in enumerate(timeline.shots):
        if shot.scene_id is not None:
            start = ranges.get(shot.scene_id, (index, index))[0]
            ranges[shot.scene_id] = (start, index + 1)
    return ranges


def _first_break(timeline: Timeline, *, in_order: bool = True) -> str | None:
    """What breaks the rules in `timeline`, in words, or None when nothing does (the list's order
    only if `in_order`)."""
    scenes = {scene.id: scene for scene in timeline.scenes}
    finished: set[str] = set()
    order: list[str] = []
    current: str | None = None
    for number, shot in enumerate(timeline.shots, 1):
        if shot.scene_id == current:
            continue
        if current is not None:
            finished.add(current)
        current = shot.scene_id
        if current is None:
            continue
        if current not in scenes:
            return f"Shot {number} is in a scene the film does not have."
        if current in finished:
            name = called(scenes[current], timeline)
            return (f"{name[0].upper()}{name[1:]} would not be one run of shots: shot {number} "
                    "would be apart from its other shots. A scene's shots follow one another; take shots at the "
                    "start or the end of a scene, or move them first.")
        order.append(current)
    members = set(order)
    if in_order and [scene.id for scene in timeline.scenes if scene.id in members] != order:
        return "The scenes are not listed in the order the film plays them."
    return None


def scene_runs_are_consecutive(timeline: Timeline) -> bool:
    """Whether each scene's shots follow one another, every scene id on a shot is a scene of the film,
    and the scenes with shots are listed in the order the film plays them."""
    return _first_break(timeline) is None


def _runs_checked(timeline: Timeline) -> Timeline:
    problem = _first_break(timeline, in_order=False)
    if problem is not None:
        raise DomainError(problem)
    return timeline


def in_film_order(timeline: Timeline) -> Timeline:
    """`timeline` with its scenes listed as the film plays them. An empty scene keeps its place
    after the scene listed before it (or at the top)."""
    first = {scene_id: start for scene_id, (start, _) in shot_ranges(timeline).items()}
    leading: list[Scene] = []
    groups: list[tuple[int, list[Scene]]] = []
    for scene in timeline.scenes:
        if scene.id in first:
            groups.append((first[scene.id], [scene]))
        elif groups:
            groups[-1][1].append(scene)
        else:
            leading.append(scene)
    groups.sort(key=lambda group: group[0])
    scenes = leading + [scene for _, group in groups for scene in group]
    if scenes == timeline.scenes:
        return timeline
    return timeline.model_copy(update={"scenes": scenes})


def repaired(timeline: Timeline) -> Timeline:
    """A timeline whose scenes break the rules (an old or hand-edited file) made whole: a shot in an
    unknown scene, or apart from its scene's first run of shots, is in no scene; the scenes are put
    in film order. `timeline` itself when nothing breaks them, found in one walk."""
    if scene_runs_are_consecutive(timeline):
        return timeline
    known = {scene.id for scene in timeline.scenes}
    finished: set[str] = set()
    current: str | None = None
    shots = list(timeline.shots)
    for index, shot in enumerate(shots):
        if shot.scene_id != current and current is not None:
            finished.add(current)
        current = shot.scene_id
        if current is not None and (current not in known or current in finished):
            shots[index] = shot.model_copy(update={"scene_id": None})
    return in_film_order(timeline.model_copy(update={"shots": shots}))


def scene_by_id(timeline: Timeline, scene_id: str) -> Scene:
    scene = next((scene for scene in timeline.scenes if scene.id == scene_id), None)
    if scene is None:
        raise DomainError("There is no such scene in the film.")
    return scene


def find_scene(timeline: Timeline, key: str) -> Scene:
    """The scene called `key`, or numbered `key` (from 1, in film order); a message naming those there are."""
    scenes = timeline.scenes
    if key.strip().isdigit() and 1 <= int(key) <= len(scenes):
        return scenes[int(key) - 1]
    named = [scene for scene in scenes if scene.name.strip().casefold() == key.strip().casefold()]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise DomainError(f'{len(named)} scenes are called "{key}": name the one you mean by its number.')
    if not scenes:
        raise DomainError(f"There is no scene {key}: the film has no scenes yet.")
    known = ", ".join(f"{number} {scene.name}".strip() for number, scene in enumerate(scenes, 1))
    raise DomainError(f"There is no scene {key} (the film's scenes: {known}).")


def _shot_indexes(timeline: Timeline, indexes: Iterable[int]) -> list[int]:
    chosen = sorted(set(indexes))
    for index in chosen:
        timeline_ops._check_index(timeline, index)
    return chosen


def set_shots_scene(timeline: Timeline, indexes: Iterable[int], scene_id: str | None) -> Timeline:
    """The shots at `indexes` in scene `scene_id` (None: in none), taking its defaults; refused when
    a scene's shots would no longer follow one another."""
    scene = scene_by_id(timeline, scene_id) if scene_id is not None else None
    shots = list(timeline.shots)
    for index in _shot_indexes(timeline, indexes):
        shots[index] = timeline_ops.in_scene(shots[index], scene)
    return in_film_order(_runs_checked(timeline.model_copy(update={"shots": shots})))


def add_scene(timeline: Timeline, scene: Scene, shot_indexes: Iterable[int] = (), at: int | None = None) -> Timeline:
    """`scene` added with the shots at `shot_indexes` (they must follow one another, and may leave a
    scene only at its start or end). A scene with no shots goes at place `at` of the list (default:
    the end); one with shots goes where the film plays them."""
    if any(existing.id == scene.id for existing in timeline.scenes):
        raise DomainError("That scene is already in the film.")
    place = len(timeline.scenes) if at is None else at
    if not 0 <= place <= len(timeline.scenes):
        raise DomainError(
            f"A new scene can go at places 1 to {len(timeline.scenes) + 1}; there is no place {place + 1}.")
    scenes = list(timeline.scenes)
    scenes.insert(place, scene)
    timeline = timeline.model_copy(update={"scenes": scenes})
    indexes = list(shot_indexes)
    return set_shots_scene(timeline, indexes, scene.id) if indexes else timeline


def update_scene(timeline: Timeline, scene_id: str, changes: dict[str, Any]) -> Timeline:
    """The scene with `changes` (name, description, location, time_of_day, notes, color, defaults);
    new defaults reach its shots that do not override them."""
    old = scene_by_id(timeline, scene_id)
    new = Scene.model_validate({**old.__dict__, **changes, "id": old.id})
    scenes = [new if scene.id == scene_id else scene for scene in timeline.scenes]
    timeline = timeline.model_copy(update={"scenes": scenes})
    if new.defaults == old.defaults:
        return timeline
    shots = [timeline_ops.in_scene(shot, new) if shot.scene_id == scene_id else shot for shot in timeline.shots]
    return timeline.model_copy(update={"shots": shots})


def move_scene(timeline: Timeline, scene_id: str, to_index: int) -> Timeline:
    """Put the scene at place `to_index` of the list, its shots moving with it as one block: after
    the shots of the scene before it in the new order (or before those of the scene after it)."""
    scene = scene_by_id(timeline, scene_id)
    if not 0 <= to_index < len(timeline.scenes):
        raise DomainError(f"A scene can move to places 1 to {len(timeline.scenes)}; there is no place {to_index + 1}.")
    scenes = [other for other in timeline.scenes if other.id != scene_id]
    scenes.insert(to_index, scene)
    moved = timeline.model_copy(update={"scenes": scenes})
    ranges = shot_ranges(timeline)
    if scene_id not in ranges:
        return moved
    start, stop = ranges[scene_id]
    earlier = [other.id for other in scenes[:to_index] if other.id in ranges]
    later = [other.id for other in scenes[to_index + 1:] if other.id in ranges]
    if earlier:
        anchor = ranges[earlier[-1]][1]
    elif later:
        anchor = ranges[later[0]][0]
    else:
        return moved  # no other scene has shots: there is nothing to move them past
    destination = anchor if anchor <= start else anchor - (stop - start)
    if destination == start:
        return moved
    return timeline_ops.move_shots(moved, start, stop - start, destination)


def remove_scene(timeline: Timeline, scene_id: str, *, with_shots: bool = False) -> Timeline:
    """The scene gone from the list; its shots go too (`with_shots`, a ripple delete) or stay, in no
    scene, keeping what they inherited."""
    scene_by_id(timeline, scene_id)
    ranges = shot_ranges(timeline)
    timeline = timeline.model_copy(update={"scenes": [s for s in timeline.scenes if s.id != scene_id]})
    if scene_id not in ranges:
        return timeline
    start, stop = ranges[scene_id]
    if with_shots:
        return timeline_ops.remove_shots(timeline, start, stop - start)
    shots = list(timeline.shots)
    shots[start:stop] = [shot.model_copy(update={"scene_id": None}) for shot in shots[start:stop]]
    return timeline.model_copy(update={"shots": shots})


def _field_names(fields: Iterable[str]) -> list[str]:
    names = [field.replace("-", "_") for field in fields]
    unknown = [name for name in names if name not in SCENE_DEFAULT_FIELDS]
    if unknown:
        allowed = ", ".join(field.replace("_", "-") for field in SCENE_DEFAULT_FIELDS)
        raise DomainError(f"A shot can inherit only {allowed} from its scene, not {unknown[0].replace('_', '-')}.")
    return names


def overriding(timeline: Timeline, index: int, fields: Iterable[str]) -> Timeline:
    """Shot `index` setting `fields` itself (those of SceneDefaults among them), so it no longer
    inherits them, with what it still inherits from its scene copied down again."""
    shot = timeline.shots[index]
    added = {field for field in fields if field in SCENE_DEFAULT_FIELDS} - set(shot.overrides)
    if added:
        overrides = tuple(field for field in SCENE_DEFAULT_FIELDS if field in added or field in shot.overrides)
        shot = shot.model_copy(update={"overrides": overrides})
    if shot.scene_id is not None:
        shot = timeline_ops.in_scene(shot, next((s for s in timeline.scenes if s.id == shot.scene_id), None))
    if shot is timeline.shots[index]:
        return timeline
    shots = list(timeline.shots)
    shots[index] = shot
    return timeline.model_copy(update={"shots": shots})


def inheriting(timeline: Timeline, indexes: Iterable[int], fields: Iterable[str]) -> Timeline:
    """The shots at `indexes` inheriting `fields` from their scene again (its value, where it sets one)."""
    names = set(_field_names(fields))
    scenes = {scene.id: scene for scene in timeline.scenes}
    shots = list(timeline.shots)
    for index in _shot_indexes(timeline, indexes):
        shot = shots[index]
        kept = tuple(field for field in shot.overrides if field not in names)
        if kept != shot.overrides:
            shot = shot.model_copy(update={"overrides": kept})
        shots[index] = timeline_ops.in_scene(shot, scenes.get(shot.scene_id)) if shot.scene_id else shot
    return timeline.model_copy(update={"shots": shots})
