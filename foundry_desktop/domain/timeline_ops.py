"""Timeline operations that keep the timeline valid.

Each takes a Timeline and returns a new one; the input is never mutated, so
the app can diff old against new for the store and for undo. An edit the
creator asks for that cannot be done raises DomainError; knock-on effects of a
valid edit (a transition that no longer fits, the last shot ending on a
dissolve after a reorder) are normalised instead of refused.
"""

from __future__ import annotations

from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.project import (
    CUT,
    AudioClip,
    Caption,
    Marker,
    Shot,
    ShotSpec,
    Timeline,
    Transition,
)


def _copy(timeline: Timeline) -> Timeline:
    return timeline.model_copy(deep=True)


def _check_index(timeline: Timeline, index: int, *, allow_end: bool = False) -> None:
    count = len(timeline.shots)
    limit = count if allow_end else count - 1
    if not 0 <= index <= limit:
        if count == 0 and not allow_end:
            raise DomainError("The timeline has no shots.")
        raise DomainError(
            f"There is no shot {index + 1}: the timeline has {count} shot{'s' if count != 1 else ''}."
        )


def max_transition_frames(timeline: Timeline, index: int) -> int:
    """A transition may take at most half of each shot it joins, so that the
    incoming and outgoing transitions of one shot never overlap."""
    if index >= len(timeline.shots) - 1:
        return 0
    return min(timeline.shots[index].length, timeline.shots[index + 1].length) // 2


def normalize(timeline: Timeline) -> Timeline:
    """Repair what a valid edit may have knocked out of shape (mutates and returns its argument)."""
    for shot in timeline.shots:
        if shot.trim_out is not None and shot.trim_out >= shot.spec.duration:
            shot.trim_out = None
        if shot.trim_in >= shot.source_end:
            shot.trim_in = shot.source_end - 1
    for index, shot in enumerate(timeline.shots):
        limit = max_transition_frames(timeline, index)
        if shot.transition_out.duration > limit:
            shot.transition_out = (
                Transition(kind=shot.transition_out.kind, duration=limit) if limit > 0 else CUT
            )
    return timeline


def insert_shot(timeline: Timeline, index: int, shot: Shot) -> Timeline:
    _check_index(timeline, index, allow_end=True)
    if any(existing.id == shot.id for existing in timeline.shots):
        raise DomainError("That shot is already on the timeline.")
    result = _copy(timeline)
    result.shots.insert(index, shot.model_copy(deep=True))
    return normalize(result)


def append_shot(timeline: Timeline, shot: Shot) -> Timeline:
    return insert_shot(timeline, len(timeline.shots), shot)


def move_shot(timeline: Timeline, source: int, destination: int) -> Timeline:
    """Move the shot at `source` so that it ends up at index `destination`."""
    _check_index(timeline, source)
    _check_index(timeline, destination)
    result = _copy(timeline)
    shot = result.shots.pop(source)
    result.shots.insert(destination, shot)
    return normalize(result)


def remove_shot(timeline: Timeline, index: int) -> Timeline:
    _check_index(timeline, index)
    result = _copy(timeline)
    del result.shots[index]
    return normalize(result)


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
    result = _copy(timeline)
    shot = result.shots[index]
    shot.trim_in = trim_in
    shot.trim_out = None if end == duration else end
    return normalize(result)


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
    result = _copy(timeline)
    first = result.shots[index]
    if has_take:
        split_at = first.trim_in + offset
        rest = second.model_copy(deep=True, update={"trim_in": split_at, "trim_out": first.trim_out})
        first.trim_out = split_at
    else:
        rest = second.model_copy(deep=True, update={
            "trim_in": 0, "trim_out": None, "spec": first.spec.model_copy(update={"duration": shot.length - offset})})
        first.trim_in, first.trim_out = 0, None
        first.spec = first.spec.model_copy(update={"duration": offset})
    result.shots.insert(index + 1, rest.model_copy(update={"transition_out": first.transition_out}))
    first.transition_out = CUT
    return normalize(result)


def set_shot_spec(timeline: Timeline, index: int, spec: ShotSpec) -> Timeline:
    """Replace a shot's generation spec (prompt, seed, duration...)."""
    _check_index(timeline, index)
    result = _copy(timeline)
    result.shots[index].spec = spec
    return normalize(result)


def set_shot_duration(timeline: Timeline, index: int, frames: int) -> Timeline:
    if frames <= 0:
        raise DomainError("A shot's duration must be positive.")
    _check_index(timeline, index)
    spec = timeline.shots[index].spec.model_copy(update={"duration": frames})
    return set_shot_spec(timeline, index, spec)


def rename_shot(timeline: Timeline, index: int, name: str) -> Timeline:
    _check_index(timeline, index)
    result = _copy(timeline)
    result.shots[index].name = name
    return result


def set_transition(timeline: Timeline, index: int, transition: Transition) -> Timeline:
    """Set the transition from shot `index` into the next one."""
    _check_index(timeline, index)
    if transition.kind != "cut":
        if index == len(timeline.shots) - 1:
            raise DomainError("The last shot has no next shot to transition into.")
        limit = max_transition_frames(timeline, index)
        if transition.duration > limit:
            raise DomainError(
                f"That transition is too long: between these shots it can last at most {limit} frames."
            )
    result = _copy(timeline)
    result.shots[index].transition_out = transition
    return result


def set_shot_picture_and_sound(
    timeline: Timeline,
    index: int,
    *,
    fit: str | None = None,
    audio_gain_db: float | None = None,
    audio_muted: bool | None = None,
) -> Timeline:
    """How the shot's take is framed (fit with bars, or fill and crop) and how its sound plays."""
    _check_index(timeline, index)
    result = _copy(timeline)
    shot = result.shots[index]
    if fit is not None:
        shot.fit = fit
    if audio_gain_db is not None:
        shot.audio_gain_db = audio_gain_db
    if audio_muted is not None:
        shot.audio_muted = audio_muted
    return result


def set_film_fades(timeline: Timeline, fade_in: int, fade_out: int) -> Timeline:
    """Fade the film in from black over its first `fade_in` frames and out over its last `fade_out`."""
    if fade_in < 0 or fade_out < 0:
        raise DomainError("A fade cannot last a negative number of frames.")
    result = _copy(timeline)
    result.fade_in, result.fade_out = fade_in, fade_out
    return result


def add_audio_clip(timeline: Timeline, clip: AudioClip) -> Timeline:
    result = _copy(timeline)
    result.music.append(clip)
    result.music.sort(key=lambda c: c.start)
    return result


def remove_audio_clip(timeline: Timeline, clip_id: str) -> Timeline:
    return _remove_by_id(timeline, "music", clip_id, "music clip")


def add_caption(timeline: Timeline, caption: Caption) -> Timeline:
    result = _copy(timeline)
    result.captions.append(caption)
    result.captions.sort(key=lambda c: c.start)
    return result


def remove_caption(timeline: Timeline, caption_id: str) -> Timeline:
    return _remove_by_id(timeline, "captions", caption_id, "caption")


def replace_captions(timeline: Timeline, removed_ids: list[str], added: list[Caption]) -> Timeline:
    """Take the captions `removed_ids` away and put `added` in, in one change."""
    known = {caption.id for caption in timeline.captions}
    if any(caption_id not in known for caption_id in removed_ids):
        raise DomainError("There is no such caption on the timeline.")
    result = _copy(timeline)
    gone = set(removed_ids)
    result.captions = sorted([c for c in result.captions if c.id not in gone] + list(added), key=lambda c: c.start)
    return result


def update_caption(timeline: Timeline, caption: Caption) -> Timeline:
    """The caption with `caption`'s id, replaced by `caption`."""
    if not any(old.id == caption.id for old in timeline.captions):
        raise DomainError("There is no such caption on the timeline.")
    result = _copy(timeline)
    result.captions = sorted([caption if c.id == caption.id else c for c in result.captions], key=lambda c: c.start)
    return result


def add_marker(timeline: Timeline, marker: Marker) -> Timeline:
    result = _copy(timeline)
    result.markers.append(marker)
    result.markers.sort(key=lambda m: m.frame)
    return result


def remove_marker(timeline: Timeline, marker_id: str) -> Timeline:
    return _remove_by_id(timeline, "markers", marker_id, "marker")


def _remove_by_id(timeline: Timeline, track: str, item_id: str, what: str) -> Timeline:
    items = getattr(timeline, track)
    if not any(item.id == item_id for item in items):
        raise DomainError(f"There is no such {what} on the timeline.")
    result = _copy(timeline)
    setattr(result, track, [item for item in getattr(result, track) if item.id != item_id])
    return result
