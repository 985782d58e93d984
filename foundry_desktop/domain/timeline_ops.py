"""Timeline operations that keep the timeline valid.

Each takes a Timeline and returns a new one; the input is never mutated. The new
timeline shares every shot, clip, caption and marker the operation left alone
(models on a timeline are never mutated, so sharing is safe): an edit then costs
the same at 10 shots as at 10,000, and the store finds what changed by identity.
An edit the creator asks for that cannot be done raises DomainError; knock-on
effects of a valid edit (a transition that no longer fits, the last shot ending
on a dissolve after a reorder) are normalised instead of refused.

Scenes are runs of consecutive shots (domain.scenes); a shot these operations put
somewhere new joins the scene of the shot before it (at the film's start, of the one
after it) and takes that scene's defaults, so the runs stay whole at constant cost.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable
from typing import Any

from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.project import (
    CUT,
    SCENE_DEFAULT_FIELDS,
    AudioClip,
    Caption,
    Marker,
    Scene,
    Shot,
    ShotSpec,
    Timeline,
    Transition,
)


def _check_index(timeline: Timeline, index: int, *, allow_end: bool = False) -> None:
    count = len(timeline.shots)
    limit = count if allow_end else count - 1
    if not 0 <= index <= limit:
        if count == 0 and not allow_end:
            raise DomainError("The timeline has no shots.")
        raise DomainError(
            f"There is no shot {index + 1}: the timeline has {count} shot{'s' if count != 1 else ''}."
        )


def _transition_limit(shots: list[Shot], index: int) -> int:
    if index >= len(shots) - 1 or shots[index + 1].gap_before:
        return 0  # a transition needs a next shot that touches this one
    # A centred transition of d frames covers the outgoing shot's last d // 2 frames and the
    # incoming one's first d - d // 2 (domain.cut_plan); each shot's other transition covers
    # its own part from the other end, and the two may meet but not overlap.
    before = shots[index - 1].transition_out.duration if index > 0 else 0
    after = shots[index + 1].transition_out.duration
    outgoing_room = max(0, shots[index].length - (before - before // 2))
    incoming_room = max(0, shots[index + 1].length - after // 2)
    return 2 * min(outgoing_room, incoming_room) + (incoming_room > outgoing_room)


def max_transition_frames(timeline: Timeline, index: int) -> int:
    """The longest transition shot `index` may have into the next: as long as it never
    overlaps the outgoing shot's incoming transition or the incoming shot's outgoing one
    (a 30-frame dissolve at each end of a 40-frame shot, as cuts from other editors have)."""
    return _transition_limit(timeline.shots, index)


def normalize(shots: list[Shot], around: Iterable[int]) -> None:
    """Repair what a valid edit at the indexes `around` may have knocked out of shape, in
    `shots` (the edit's own new list; a repaired shot is replaced by a copy). Only the
    edited shots and their neighbours can be affected, so the rest is not looked at."""
    near = sorted({k for index in around for k in (index - 1, index, index + 1) if 0 <= k < len(shots)})
    for k in near:  # trims first: the transition limits below depend on the lengths
        shot = shots[k]
        trim_out = None if shot.trim_out is not None and shot.trim_out >= shot.spec.duration else shot.trim_out
        end = shot.spec.duration if trim_out is None else trim_out
        trim_in = min(shot.trim_in, end - 1)
        if (trim_in, trim_out) != (shot.trim_in, shot.trim_out):
            shots[k] = shot.with_changes(trim_in=trim_in, trim_out=trim_out)
    for k in near:
        transition, limit = shots[k].transition_out, _transition_limit(shots, k)
        if transition.duration > limit:
            fitted = Transition(kind=transition.kind, duration=limit) if limit > 0 else CUT
            shots[k] = shots[k].with_changes(transition_out=fitted)


MEDIA_BACKEND = "media"  # the backend of footage and stills used as they are: nothing to generate


def in_scene(shot: Shot, scene: Scene | None) -> Shot:
    """`shot` as a member of `scene` (None: of none): the scene's defaults copied into its spec,
    except the fields it overrides and those the scene leaves unset (footage and stills used as they
    are take none: they are not generated). Copied down, not looked up,
    so fingerprints, generation and exports read the spec alone. `shot` itself if nothing changes."""
    if scene is None:
        return shot if shot.scene_id is None else shot.with_changes(scene_id=None)
    inherited = {
        field: value for field in SCENE_DEFAULT_FIELDS
        if field not in shot.overrides and shot.spec.backend != MEDIA_BACKEND  # footage is used as it is
        and (value := getattr(scene.defaults, field)) is not None and value != getattr(shot.spec, field)
    }
    if shot.scene_id == scene.id and not inherited:
        return shot
    spec = ShotSpec.model_validate({**shot.spec.__dict__, **inherited}) if inherited else shot.spec
    return shot.with_changes(scene_id=scene.id, spec=spec)


def join_neighbours_scene(timeline: Timeline, shots: list[Shot], index: int) -> None:
    """The shot put at `index` of `shots` (the edit's new list) joins the scene of the shot before
    it, or at the film's start of the one after it: between two shots of a scene it is in that
    scene, at a scene's boundary in the earlier one."""
    neighbour = shots[index - 1] if index > 0 else shots[index + 1] if index + 1 < len(shots) else None
    scene_id = neighbour.scene_id if neighbour is not None else None
    scene = next((s for s in timeline.scenes if s.id == scene_id), None) if scene_id else None
    shots[index] = in_scene(shots[index], scene)


def _with_shots(timeline: Timeline, shots: list[Shot], around: Iterable[int] = ()) -> Timeline:
    """`timeline` with the new list `shots`, normalised where the edit touched it (`around`)."""
    normalize(shots, around)
    return timeline.model_copy(update={"shots": shots})


def insert_shot(timeline: Timeline, index: int, shot: Shot) -> Timeline:
    _check_index(timeline, index, allow_end=True)
    if any(existing.id == shot.id for existing in timeline.shots):
        raise DomainError("That shot is already on the timeline.")
    shots = list(timeline.shots)
    shots.insert(index, shot.model_copy())  # the caller's object stays its own
    join_neighbours_scene(timeline, shots, index)
    return _with_shots(timeline, shots, (index,))


def append_shot(timeline: Timeline, shot: Shot) -> Timeline:
    return insert_shot(timeline, len(timeline.shots), shot)


def move_shot(timeline: Timeline, source: int, destination: int) -> Timeline:
    """Move the shot at `source` so that it ends up at index `destination`."""
    _check_index(timeline, source)
    _check_index(timeline, destination)
    shots = list(timeline.shots)
    moved = take_out_shot(shots, source)
    shots.insert(destination, moved.with_changes(gap_before=0) if moved.gap_before else moved)
    join_neighbours_scene(timeline, shots, destination)
    # The shots that gained a new neighbour sit around both ends of the move.
    return _with_shots(timeline, shots, (source, destination))


def move_shots(timeline: Timeline, start: int, count: int, destination: int) -> Timeline:
    """Move the `count` shots from `start` as one block, so that its first shot ends up at index
    `destination` of the new list. The block keeps its shots' scenes (a whole scene moving); its
    gap stays where it was, as move_shot leaves it."""
    _check_index(timeline, start)
    _check_index(timeline, start + count - 1)
    if not 0 <= destination <= len(timeline.shots) - count:
        raise DomainError(f"The {count} shots cannot go to position {destination + 1}.")
    shots = list(timeline.shots)
    block = _take_out_block(shots, start, count)
    block[0] = block[0].with_changes(gap_before=0) if block[0].gap_before else block[0]
    shots[destination:destination] = block
    return _with_shots(timeline, shots, (start, start + count - 1, destination, destination + count - 1))


def remove_shots(timeline: Timeline, start: int, count: int) -> Timeline:
    """Ripple delete of the `count` shots from `start` (a gap before the first of them stays)."""
    _check_index(timeline, start)
    _check_index(timeline, start + count - 1)
    shots = list(timeline.shots)
    _take_out_block(shots, start, count)
    return _with_shots(timeline, shots, (start,))


def _take_out_block(shots: list[Shot], start: int, count: int) -> list[Shot]:
    """Remove and return shots[start:start + count]; the gap before the first goes to the shot after them."""
    block = shots[start:start + count]
    del shots[start:start + count]
    if block[0].gap_before and start < len(shots):
        shots[start] = shots[start].with_changes(gap_before=shots[start].gap_before + block[0].gap_before)
    return block


def take_out_shot(shots: list[Shot], index: int, leave_frames: int = 0) -> Shot:
    """Remove and return shots[index]; the gap before it, and `leave_frames` more of
    empty time, go to the shot after it (at the film's end, empty time is dropped)."""
    shot = shots.pop(index)
    left = shot.gap_before + leave_frames
    if left and index < len(shots):
        shots[index] = shots[index].with_changes(gap_before=shots[index].gap_before + left)
    return shot


def remove_shot(timeline: Timeline, index: int) -> Timeline:
    """Ripple delete: the shot goes and everything after it closes up (a gap before it stays)."""
    _check_index(timeline, index)
    shots = list(timeline.shots)
    take_out_shot(shots, index)
    return _with_shots(timeline, shots, (index,))


def trim_shot(timeline: Timeline, index: int, trim_in: int, trim_out: int | None) -> Timeline:
    """Use frames [trim_in, trim_out) of the take; trim_out None means to its end."""
    _check_index(timeline, index)
    duration = timeline.shots[index].spec.duration
    end = duration if trim_out is None else trim_out
    if trim_in < 0:
        raise DomainError("A trim cannot start before the take begins.")
    if end > duration:
        raise DomainError(f"The take has only {duration} frames; the trim cannot end after it.")
    if end <= trim_in:
        raise DomainError("A trim must keep at least one frame of the take.")
    shots = list(timeline.shots)
    shots[index] = shots[index].with_changes(trim_in=trim_in, trim_out=None if end == duration else end)
    return _with_shots(timeline, shots, (index,))


def split_shot(timeline: Timeline, index: int, offset: int, second: Shot, *, has_take: bool) -> Timeline:
    """Cut shot `index` in two, `offset` frames after its start. It keeps its first
    `offset` frames and ends on a cut; `second` (a copy of it under a new id, made by
    the caller) shows the rest and hands over to the next shot as the original did.

    A shot with a take is bladed: both halves keep its spec and show the same take,
    trimmed at the split. One still to be generated becomes two shorter generations,
    so neither makes frames the other shows."""
    _check_index(timeline, index)
    shot = timeline.shots[index]
    if not 0 < offset < shot.length:
        raise DomainError(f"Shot {index + 1} can only be split inside it, between its first and last frame.")
    if any(existing.id == second.id for existing in timeline.shots):
        raise DomainError("That shot is already on the timeline.")
    if has_take:
        split_at = shot.trim_in + offset
        rest = second.model_copy(update={"trim_in": split_at, "trim_out": shot.trim_out})
        first = shot.with_changes(trim_out=split_at, transition_out=CUT)
    else:
        rest = second.model_copy(update={
            "trim_in": 0, "trim_out": None, "spec": shot.spec.model_copy(update={"duration": shot.length - offset})})
        first = shot.with_changes(trim_in=0, trim_out=None, transition_out=CUT,
                         spec=shot.spec.model_copy(update={"duration": offset}))
    shots = list(timeline.shots)
    shots[index] = first
    shots.insert(index + 1, rest.model_copy(update={"transition_out": shot.transition_out, "gap_before": 0}))
    join_neighbours_scene(timeline, shots, index + 1)
    return _with_shots(timeline, shots, (index, index + 1))


def set_shot_specs(timeline: Timeline, specs: dict[int, ShotSpec]) -> Timeline:
    """Replace the generation specs (prompt, seed, duration...) of the shots at the given indexes."""
    for index in specs:
        _check_index(timeline, index)
    shots = list(timeline.shots)
    for index, spec in specs.items():
        shots[index] = shots[index].with_changes(spec=spec)
    return _with_shots(timeline, shots, specs)


def set_shot_spec(timeline: Timeline, index: int, spec: ShotSpec) -> Timeline:
    """Replace a shot's generation spec (prompt, seed, duration...)."""
    return set_shot_specs(timeline, {index: spec})


def set_shot_duration(timeline: Timeline, index: int, frames: int) -> Timeline:
    if frames <= 0:
        raise DomainError("A shot's duration must be positive.")
    _check_index(timeline, index)
    spec = timeline.shots[index].spec.model_copy(update={"duration": frames})
    return set_shot_spec(timeline, index, spec)


def _with_shot_changed(timeline: Timeline, index: int, **changes: Any) -> Timeline:
    """One shot's fields that no neighbour depends on (its name, transition, framing, sound)."""
    _check_index(timeline, index)
    shots = list(timeline.shots)
    shots[index] = shots[index].with_changes(**changes)
    return timeline.model_copy(update={"shots": shots})


def rename_shot(timeline: Timeline, index: int, name: str) -> Timeline:
    return _with_shot_changed(timeline, index, name=name)


def set_transition(timeline: Timeline, index: int, transition: Transition) -> Timeline:
    """Set the transition from shot `index` into the next one."""
    _check_index(timeline, index)
    if index == len(timeline.shots) - 1 and transition != timeline.shots[index].transition_out:
        raise DomainError(f"Shot {index + 1} is the last shot: it has no next shot to transition into.")
    if transition.kind != "cut":
        if timeline.shots[index + 1].gap_before:
            raise DomainError(
                f"There is empty time between shots {index + 1} and {index + 2}: a transition needs two shots "
                "that touch. Close the gap first."
            )
        limit = max_transition_frames(timeline, index)
        if transition.duration > limit:
            raise DomainError(
                f"That transition is too long: between these shots it can last at most {limit} frames."
            )
    return _with_shot_changed(timeline, index, transition_out=transition)


def set_shot_picture_and_sound(
    timeline: Timeline,
    index: int,
    *,
    fit: str | None = None,
    audio_gain_db: float | None = None,
    audio_muted: bool | None = None,
) -> Timeline:
    """How the shot's take is framed (fit with bars, or fill and crop) and how its sound plays."""
    changes = {"fit": fit, "audio_gain_db": audio_gain_db, "audio_muted": audio_muted}
    return _with_shot_changed(timeline, index, **{key: value for key, value in changes.items() if value is not None})


def set_film_fades(timeline: Timeline, fade_in: int, fade_out: int) -> Timeline:
    """Fade the film in from black over its first `fade_in` frames and out over its last `fade_out`."""
    if fade_in < 0 or fade_out < 0:
        raise DomainError("A fade cannot last a negative number of frames.")
    return Timeline.model_validate({**timeline.__dict__, "fade_in": fade_in, "fade_out": fade_out})


def add_audio_clip(timeline: Timeline, clip: AudioClip) -> Timeline:
    music = list(timeline.music)
    insort(music, clip, key=lambda c: c.start)  # after the clips starting at the same frame, as a stable sort puts it
    return timeline.model_copy(update={"music": music})


def remove_audio_clip(timeline: Timeline, clip_id: str) -> Timeline:
    return _remove_by_id(timeline, "music", clip_id, "music clip")


def add_caption(timeline: Timeline, caption: Caption) -> Timeline:
    captions = list(timeline.captions)
    insort(captions, caption, key=lambda c: c.start)
    return timeline.model_copy(update={"captions": captions})


def remove_caption(timeline: Timeline, caption_id: str) -> Timeline:
    return _remove_by_id(timeline, "captions", caption_id, "caption")


def replace_captions(timeline: Timeline, removed_ids: list[str], added: list[Caption]) -> Timeline:
    """Take the captions `removed_ids` away and put `added` in, in one change."""
    known = {caption.id for caption in timeline.captions}
    if any(caption_id not in known for caption_id in removed_ids):
        raise DomainError("There is no such caption on the timeline.")
    gone = set(removed_ids)
    captions = sorted([c for c in timeline.captions if c.id not in gone] + list(added), key=lambda c: c.start)
    return timeline.model_copy(update={"captions": captions})


def update_caption(timeline: Timeline, caption: Caption) -> Timeline:
    """The caption with `caption`'s id, replaced by `caption`."""
    if not any(old.id == caption.id for old in timeline.captions):
        raise DomainError("There is no such caption on the timeline.")
    captions = sorted([caption if c.id == caption.id else c for c in timeline.captions], key=lambda c: c.start)
    return timeline.model_copy(update={"captions": captions})


def add_marker(timeline: Timeline, marker: Marker) -> Timeline:
    markers = list(timeline.markers)
    insort(markers, marker, key=lambda m: m.frame)
    return timeline.model_copy(update={"markers": markers})


def remove_marker(timeline: Timeline, marker_id: str) -> Timeline:
    return _remove_by_id(timeline, "markers", marker_id, "marker")


def rename_marker(timeline: Timeline, marker_id: str, label: str) -> Timeline:
    if not any(marker.id == marker_id for marker in timeline.markers):
        raise DomainError("There is no such marker on the timeline.")
    markers = [m.model_copy(update={"label": label}) if m.id == marker_id else m for m in timeline.markers]
    return timeline.model_copy(update={"markers": markers})


def _remove_by_id(timeline: Timeline, track: str, item_id: str, what: str) -> Timeline:
    items = getattr(timeline, track)
    if not any(item.id == item_id for item in items):
        raise DomainError(f"There is no such {what} on the timeline.")
    return timeline.model_copy(update={track: [item for item in items if item.id != item_id]})
