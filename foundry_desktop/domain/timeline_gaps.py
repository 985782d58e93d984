"""Empty time on the video track: lifting a shot out (leaving a gap), closing a
gap, dropping a shot into empty time, and trimming a shot's ends into it.

A gap is the `gap_before` of the shot after it, so it moves with that shot when
earlier shots ripple, and there is never a gap after the last shot: the film
ends where its last shot does.

Positions are worked out from the shots' lengths on the timeline, which the
caller may give as the cut plan measured them (a take shorter than its shot's
spec plays shorter); by default they are the shots' own lengths.
"""

from __future__ import annotations

from collections.abc import Sequence

from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.project import Timeline
from foundry_desktop.domain.timeline_ops import (
    _check_index,
    _with_shots,
    join_neighbours_scene,
    take_out_shot,
    trim_shot,
)


def _lengths(timeline: Timeline, lengths: Sequence[int] | None) -> list[int]:
    return list(lengths) if lengths is not None else [shot.length for shot in timeline.shots]


def lift_shot(timeline: Timeline, index: int, lengths: Sequence[int] | None = None) -> Timeline:
    """Take shot `index` out and leave its time empty, so nothing after it moves
    (merged with the gaps around it; at the film's end there is nothing to keep)."""
    _check_index(timeline, index)
    shots = list(timeline.shots)
    take_out_shot(shots, index, leave_frames=_lengths(timeline, lengths)[index])
    return _with_shots(timeline, shots, (index,))


def close_gap(timeline: Timeline, index: int) -> Timeline:
    """Remove the empty time before shot `index`: it and everything after it move up."""
    _check_index(timeline, index)
    if not timeline.shots[index].gap_before:
        raise DomainError(f"There is no empty time before shot {index + 1}.")
    shots = list(timeline.shots)
    shots[index] = shots[index].with_changes(gap_before=0)
    return _with_shots(timeline, shots, (index,))


def insert_gap(timeline: Timeline, index: int, frames: int) -> Timeline:
    """Open `frames` of empty time before shot `index`: it and everything after it move later."""
    _check_index(timeline, index)
    if frames <= 0:
        raise DomainError("Empty time lasts at least one frame.")
    shots = list(timeline.shots)
    shots[index] = shots[index].with_changes(gap_before=shots[index].gap_before + frames)
    return _with_shots(timeline, shots, (index,))


def trim_start_in_place(timeline: Timeline, index: int, trim_in: int) -> Timeline:
    """Start shot `index` at take frame `trim_in` with its end where it is: the empty time
    before it grows or shrinks by as much, so nothing after it moves. It can grow only into
    the empty time there is."""
    _check_index(timeline, index)
    shot = timeline.shots[index]
    gap = shot.gap_before + trim_in - shot.trim_in
    if gap < 0:
        raise DomainError(f"Shot {index + 1} can start at most {shot.gap_before} frames earlier: "
                          "that is the empty time before it.")
    trimmed = trim_shot(timeline, index, trim_in, shot.trim_out)
    shots = list(trimmed.shots)
    shots[index] = shots[index].with_changes(gap_before=gap)
    return _with_shots(trimmed, shots, (index,))


def trim_end_in_place(timeline: Timeline, index: int, trim_out: int) -> Timeline:
    """End shot `index` at take frame `trim_out` (exclusive) with the shot after it where it is:
    the empty time between them shrinks or grows by as much. It can grow only into the empty
    time there is."""
    _check_index(timeline, index)
    if index == len(timeline.shots) - 1:
        raise DomainError(f"Shot {index + 1} is the last: there is no empty time after it to trim into.")
    shot, after = timeline.shots[index], timeline.shots[index + 1]
    gap = after.gap_before - (trim_out - shot.source_end)
    if gap < 0:
        raise DomainError(f"Shot {index + 1} can end at most {after.gap_before} frames later: "
                          "that is the empty time after it.")
    trimmed = trim_shot(timeline, index, shot.trim_in, trim_out)
    shots = list(trimmed.shots)
    shots[index + 1] = shots[index + 1].with_changes(gap_before=gap)
    return _with_shots(trimmed, shots, (index, index + 1))


def gap_starts(timeline: Timeline, lengths: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """(first frame, frames) of the gap before each shot; (its start, 0) where there is none."""
    frames = _lengths(timeline, lengths)
    gaps, end = [], 0
    for shot, length in zip(timeline.shots, frames, strict=True):
        gaps.append((end, shot.gap_before))
        end += shot.gap_before + length
    return gaps


def fits_in_empty_time(timeline: Timeline, index: int, frame: int, lengths: Sequence[int] | None = None) -> bool:
    """Whether shot `index` could move to start at `frame`: all the time it would cover is
    empty once it has left its place (what move_shot_to_frame accepts)."""
    frames = _lengths(timeline, lengths)
    if not 0 <= index < len(frames) or frame < 0:
        return False
    end = frame + frames[index]
    for k, (start, gap) in enumerate(gap_starts(timeline, frames)):
        if k != index and start + gap < end and frame < start + gap + frames[k]:
            return False
    return True


def move_shot_to_frame(timeline: Timeline, index: int, frame: int, lengths: Sequence[int] | None = None) -> Timeline:
    """Move shot `index` into empty time so that it starts at film frame `frame`; the
    gap it lands in splits around it, and the place it left becomes a gap. After the
    film's last shot all time is empty: the shot goes to the end, after a gap."""
    _check_index(timeline, index)
    if frame < 0:
        raise DomainError("A shot cannot start before the film does.")
    frames = _lengths(timeline, lengths)
    length = frames[index]
    lifted = lift_shot(timeline, index, frames)
    del frames[index]
    shots = list(lifted.shots)
    moving = timeline.shots[index].with_changes(gap_before=0)
    film_end = 0
    for k, (start, gap) in enumerate(gap_starts(lifted, frames)):
        if frame < start + gap:  # the drop lands before shot k: in its gap, or on a shot before it
            if frame < start:
                raise DomainError(f"Shot {index + 1} can only be dropped into empty time; that time holds a shot.")
            if frame + length > start + gap:
                raise DomainError(
                    f"Shot {index + 1} is {length} frames long; the empty time there holds only "
                    f"{start + gap - frame} frames from that point."
                )
            shots[k] = shots[k].with_changes(gap_before=start + gap - frame - length)
            shots.insert(k, moving.with_changes(gap_before=frame - start))
            join_neighbours_scene(lifted, shots, k)
            return _with_shots(lifted, shots, (k, k + 1))
        film_end = start + gap + frames[k]
    if frame < film_end:
        raise DomainError(f"Shot {index + 1} can only be dropped into empty time; that time holds a shot.")
    shots.append(moving.with_changes(gap_before=frame - film_end))
    join_neighbours_scene(lifted, shots, len(shots) - 1)
    return _with_shots(lifted, shots, (len(shots) - 1,))
