"""The cut as it plays: where each shot sits in the film, which take frames it
shows, and where each transition lies. The render, the preview and the NLE
exports all read the film from here, so they always describe the same cut.

The rule is Final Cut's. Shots butt end to end at cuts (or follow a gap: see
below); a transition of d frames is centred on its cut, starting d // 2 frames
before it. During it the outgoing shot plays on past its out point and the
incoming one starts before its in point, on media beyond the clips' edges
(handles). Where a take has no
such media, the shot is trimmed to make room — the outgoing one ends earlier,
the incoming one starts later — so the film gets shorter by what was missing,
and the plan says which shot lacked handles.

A shot may have empty time before it (a gap): black and silence in the film.
A transition needs two shots that touch, so none crosses a gap (timeline_ops
turns one into a cut when a gap opens; here it is simply not placed).

The film may also fade in from black at its start and out to black at its end;
those fades lie within the first and last shots and need no handles.

All positions are whole frames at the project's rate: source frames count
from the take's first frame, record frames from the film's first frame.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from foundry_desktop.domain.project import Shot, Timeline

TRANSITION_NAMES = {"dissolve": "dissolve", "fade_black": "fade through black", "fade_white": "fade through white"}


@dataclass(frozen=True)
class PlacedShot:
    index: int
    shot_id: str
    source_in: int
    source_out: int  # exclusive
    record_in: int
    record_out: int  # exclusive

    @property
    def frames(self) -> int:
        return self.record_out - self.record_in


@dataclass(frozen=True)
class PlacedTransition:
    """Between shot `outgoing` and shot `outgoing + 1`."""

    outgoing: int
    kind: str
    frames: int
    record_in: int
    outgoing_source_in: int  # the outgoing take's frame at record_in
    incoming_source_in: int  # the incoming take's frame at record_in

    @property
    def record_out(self) -> int:
        return self.record_in + self.frames

    @property
    def cut(self) -> int:
        return self.record_in + self.frames // 2


Blend = Literal["none", "dissolve", "fade_black", "fade_white", "from_black", "to_black", "gap"]


@dataclass(frozen=True)
class FilmPiece:
    """A run of film frames made one way: one shot plain, one shot fading in or
    out of black, a transition between two shots, or a gap (black; `shot` is the
    shot after it and `source_in` means nothing).

    `source_in` is the frame of `shot`'s take at record_in; for a transition,
    `incoming_source_in` is the frame of shot + 1's take at record_in.
    """

    record_in: int
    frames: int
    shot: int
    source_in: int
    blend: Blend = "none"
    incoming_source_in: int | None = None

    @property
    def record_out(self) -> int:
        return self.record_in + self.frames


@dataclass(frozen=True)
class CutPlan:
    shots: tuple[PlacedShot, ...]
    transitions: tuple[PlacedTransition, ...]
    fade_in: int
    fade_out: int
    warnings: tuple[str, ...]

    @property
    def length(self) -> int:
        return self.shots[-1].record_out if self.shots else 0

    def pieces(self) -> Iterator[FilmPiece]:
        """The whole film, in order, as consecutive pieces (the timeline's gaps among them)."""
        incoming: dict[int, PlacedTransition] = {t.outgoing + 1: t for t in self.transitions}
        outgoing: dict[int, PlacedTransition] = {t.outgoing: t for t in self.transitions}
        last = len(self.shots) - 1
        film_so_far = 0
        for placed in self.shots:
            index = placed.index
            if placed.record_in > film_so_far:
                yield FilmPiece(film_so_far, placed.record_in - film_so_far, index, 0, "gap")
            film_so_far = placed.record_out
            start = incoming[index].record_out if index in incoming else placed.record_in
            end = outgoing[index].record_in if index in outgoing else placed.record_out
            fade_in_end = start + self.fade_in if index == 0 else start
            fade_out_start = end - self.fade_out if index == last else end

            def piece(record_in: int, record_out: int, blend: Blend, placed=placed) -> FilmPiece:
                return FilmPiece(record_in, record_out - record_in, placed.index,
                                 placed.source_in + record_in - placed.record_in, blend)

            if fade_in_end > start:
                yield piece(start, fade_in_end, "from_black")
            if fade_out_start > fade_in_end:
                yield piece(fade_in_end, fade_out_start, "none")
            if end > fade_out_start:
                yield piece(max(fade_out_start, fade_in_end), end, "to_black")
            if index in outgoing:
                t = outgoing[index]
                yield FilmPiece(t.record_in, t.frames, index, t.outgoing_source_in, t.kind, t.incoming_source_in)


def _lengths_and_transitions(timeline: Timeline, take_frames: Mapping[str, int]):
    shots = timeline.shots
    available = [max(1, take_frames.get(shot.id, shot.spec.duration)) for shot in shots]
    source_in = [min(shot.trim_in, available[i] - 1) for i, shot in enumerate(shots)]
    source_out = [max(source_in[i] + 1, min(shot.source_end, available[i])) for i, shot in enumerate(shots)]
    durations = [
        shot.transition_out.duration if i < len(shots) - 1 and not shots[i + 1].gap_before else 0
        for i, shot in enumerate(shots)
    ]
    return available, source_in, source_out, durations


def plan_cut(timeline: Timeline, take_frames: Mapping[str, int] | None = None) -> CutPlan:
    """Place every shot and transition. `take_frames` gives, per shot id, how many
    frames its selected take really has (default: what its spec generates)."""
    take_frames = take_frames or {}
    shots = timeline.shots
    warnings: list[str] = []
    available, base_in, base_out, durations = _lengths_and_transitions(timeline, take_frames)
    for i, shot in enumerate(shots):
        if shot.source_end > available[i]:
            warnings.append(
                f"Shot {i + 1}'s take has only {available[i]} frames; the shot ends where the take does."
            )

    # Trim for missing handles; where even that leaves a shot too short for its
    # transitions, shorten the transition and try again (each round shortens one).
    while True:
        source_in, source_out, handle_notes = _trimmed_for_handles(shots, available, base_in, base_out, durations)
        too_long = _first_transition_that_does_not_fit(source_in, source_out, durations)
        if too_long is None:
            break
        index, fits = too_long
        warnings.append(
            f"The {TRANSITION_NAMES[shots[index].transition_out.kind]} after shot {index + 1} was shortened "
            f"from {durations[index]} to {fits} frames to fit the shots' media."
        )
        durations[index] = fits
    warnings.extend(handle_notes)

    placed: list[PlacedShot] = []
    record = 0
    for i, shot in enumerate(shots):
        record += shot.gap_before
        frames = source_out[i] - source_in[i]
        placed.append(PlacedShot(i, shot.id, source_in[i], source_out[i], record, record + frames))
        record += frames

    transitions = []
    for i, frames in enumerate(durations):
        if frames == 0:
            continue
        cut = placed[i].record_out
        transitions.append(
            PlacedTransition(
                outgoing=i,
                kind=shots[i].transition_out.kind,
                frames=frames,
                record_in=cut - frames // 2,
                outgoing_source_in=source_out[i] - frames // 2,
                incoming_source_in=source_in[i + 1] - frames // 2,
            )
        )

    fade_in, fade_out = _fit_film_fades(timeline, placed, transitions, warnings)
    return CutPlan(tuple(placed), tuple(transitions), fade_in, fade_out, tuple(warnings))


def _trimmed_for_handles(
    shots: Sequence[Shot], available: list[int], base_in: list[int], base_out: list[int], durations: list[int]
) -> tuple[list[int], list[int], list[str]]:
    """Each shot's source in and out, trimmed where its take lacks the media a transition
    needs beyond the cut (a handle), and a note for each trim."""
    source_in, source_out = list(base_in), list(base_out)
    handle_notes: list[str] = []
    for i, frames in enumerate(durations):
        if frames == 0:
            continue
        kind = TRANSITION_NAMES[shots[i].transition_out.kind]
        tail_missing = max(0, frames - frames // 2 - (available[i] - source_out[i]))
        head_missing = max(0, frames // 2 - source_in[i + 1])
        if tail_missing:
            source_out[i] -= tail_missing
            handle_notes.append(
                f"Shot {i + 1} lacks {tail_missing} frame{'s' * (tail_missing != 1)} of media after its end "
                f"for the {kind} into shot {i + 2}; it was shortened to make room."
            )
        if head_missing:
            source_in[i + 1] += head_missing
            handle_notes.append(
                f"Shot {i + 2} lacks {head_missing} frame{'s' * (head_missing != 1)} of media before its start "
                f"for the {kind} from shot {i + 1}; it was shortened to make room."
            )
    return source_in, source_out, handle_notes


def _first_transition_that_does_not_fit(
    source_in: list[int], source_out: list[int], durations: list[int]
) -> tuple[int, int] | None:
    """(index, the longest duration that fits) of the first transition that overlaps
    another inside a shot or leaves a shot with no frame of its own; None if all fit."""
    for i in range(len(source_in)):
        frames = source_out[i] - source_in[i]
        incoming = durations[i - 1] if i > 0 else 0
        outgoing = durations[i]
        # Inside shot i the incoming transition covers its first incoming - incoming // 2
        # frames and the outgoing one its last outgoing // 2.
        if frames >= 1 and incoming - incoming // 2 + outgoing // 2 <= frames:
            continue
        culprit = i if outgoing else i - 1
        # Shrinking by two frames at a time loses one frame on each side of the cut.
        return culprit, max(0, durations[culprit] - 2)
    return None


def _fit_film_fades(
    timeline: Timeline, placed: list[PlacedShot], transitions: list[PlacedTransition], warnings: list[str]
) -> tuple[int, int]:
    if not placed:
        return 0, 0
    first_end = transitions[0].record_in if transitions and transitions[0].outgoing == 0 else placed[0].record_out
    last_start = (
        transitions[-1].record_out if transitions and transitions[-1].outgoing == len(placed) - 2 else placed[-1].record_in
    )
    fade_in = min(timeline.fade_in, first_end - placed[0].record_in)
    fade_out = min(timeline.fade_out, placed[-1].record_out - last_start)
    if len(placed) == 1 and fade_in + fade_out > placed[0].frames:
        fade_out = placed[0].frames - fade_in
    if (fade_in, fade_out) != (timeline.fade_in, timeline.fade_out):
        warnings.append("The film's fade in or out was shortened to fit within its first and last shots.")
    return fade_in, fade_out
