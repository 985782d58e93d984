"""The media a cut's transitions need beyond its clips' ends (handles), and the cut
fitted to the media it really has, every cut kept in place.

A transition of d frames centred on its cut plays the outgoing clip past its source
out and the incoming one before its source in by about half of d each: a cut file
puts the odd frame of an odd length before the cut (film_cut.frames_before_cut),
Foundry's plan after it (domain.cut_plan), so each clip gets the larger half
(d - d // 2), enough for both. A clip whose media is offline gets exactly those
handles (implied_handles), so the film keeps the cut's timing until the media
arrives. Where the media is there and too short, the transition loses only the
frames the media lacks, on the side that lacks them: it keeps its other end, the
edit between the clips moves within it, and no other record time changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from foundry_desktop.domain.cut_plan import TRANSITION_NAMES
from foundry_desktop.interchange.film_cut import CutTransition, FilmCut, frames_before_cut


@dataclass(frozen=True)
class Handles:
    """Frames of media a clip needs before its source in and after its source out."""

    head: int = 0
    tail: int = 0


def implied_handles(cut: FilmCut) -> list[Handles]:
    """Per clip, the handles its transitions need."""
    heads, tails = [0] * len(cut.clips), [0] * len(cut.clips)
    for transition in cut.transitions:
        tails[transition.outgoing] = heads[transition.outgoing + 1] = transition.frames - transition.frames // 2
    return [Handles(head, tail) for head, tail in zip(heads, tails, strict=True)]


def fitted_to_media(cut: FilmCut, media_frames: Sequence[int | None]) -> tuple[FilmCut, list[str]]:
    """The cut with each transition shortened by what its clips' media lacks, and a note per
    shortened one. `media_frames[i]` is how long clip i's media is; None where it has no end
    to run out of (a still, or offline media that will be made with its handles)."""
    clips = list(cut.clips)
    transitions: list[CutTransition] = []
    notes: list[str] = []
    for transition in cut.transitions:
        outgoing, incoming = clips[transition.outgoing], clips[transition.outgoing + 1]
        tail_needed = head_needed = transition.frames - transition.frames // 2
        tail_frames, head_frames = media_frames[transition.outgoing], media_frames[transition.outgoing + 1]
        # Media may even end before the clip's own end (the importer then ends the shot with it).
        tail_room = tail_needed if tail_frames is None else tail_frames - outgoing.source_out
        head_room = head_needed if head_frames is None else incoming.source_in
        ends_early, starts_late = max(0, tail_needed - tail_room), max(0, head_needed - head_room)
        if not ends_early and not starts_late:
            transitions.append(transition)
            continue
        record_in, record_out = transition.record_in + starts_late, transition.record_out - ends_early
        frames = max(0, record_out - record_in)
        # The edit moves to the middle of what is left; with nothing left, to the nearest
        # frame both clips' media reach (or as near as there is one).
        edit = record_in + frames_before_cut(frames) if frames else max(min(transition.cut, record_out), record_in)
        shift = edit - transition.cut
        clips[transition.outgoing] = replace(outgoing, source_out=outgoing.source_out + shift,
                                             record_out=outgoing.record_out + shift)
        clips[transition.outgoing + 1] = replace(incoming, source_in=incoming.source_in + shift,
                                                 record_in=incoming.record_in + shift)
        if frames:
            transitions.append(replace(transition, record_in=record_in, frames=frames))
        notes.append(_shortened_note(transition, frames, ends_early, starts_late))
    return replace(cut, clips=tuple(clips), transitions=tuple(transitions)), notes


def _shortened_note(transition: CutTransition, frames: int, ends_early: int, starts_late: int) -> str:
    outgoing, incoming = transition.outgoing + 1, transition.outgoing + 2
    why = []
    if ends_early:
        why.append(f"shot {outgoing}'s media ends {_frames(ends_early)} too early")
    if starts_late:
        why.append(f"shot {incoming}'s media starts {_frames(starts_late)} too late")
    now = (f"is {_frames(frames)} instead of {transition.frames}" if frames
           else f"is a cut instead of {_frames(transition.frames)}")
    kind = TRANSITION_NAMES[transition.kind]
    return f"The {kind} between shots {outgoing} and {incoming} {now}: {' and '.join(why)}."


def _frames(count: int) -> str:
    return f"{count} frame{'s' * (count != 1)}"
