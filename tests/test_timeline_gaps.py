"""Empty time on the video track: lift, ripple delete, closing a gap, dropping a shot
into empty time, and how the cut plan places shots after their gaps."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foundry_desktop.domain import timeline_ops as ops
from foundry_desktop.domain.cut_plan import plan_cut
from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.project import Shot, ShotSpec, Timeline, Transition
from foundry_desktop.domain.timeline_gaps import (
    close_gap,
    fits_in_empty_time,
    gap_starts,
    lift_shot,
    move_shot_to_frame,
    trim_end_in_place,
    trim_start_in_place,
)


def timeline_of(*lengths: int) -> Timeline:
    timeline = Timeline()
    for number, frames in enumerate(lengths):
        timeline = ops.append_shot(timeline, Shot(name=f"s{number}", spec=ShotSpec(duration=frames)))
    return timeline


def layout(timeline: Timeline) -> list[tuple[str, int, int]]:
    """(name, record in, record out) of each shot as the cut plays it."""
    plan = plan_cut(timeline)
    return [(timeline.shots[p.index].name, p.record_in, p.record_out) for p in plan.shots]


def test_lift_leaves_the_shot_s_time_empty_and_nothing_after_it_moves():
    timeline = lift_shot(timeline_of(10, 20, 30), 1)
    assert layout(timeline) == [("s0", 0, 10), ("s2", 30, 60)]
    assert [s.gap_before for s in timeline.shots] == [0, 20]
    assert plan_cut(timeline).length == 60


def test_lifted_time_merges_with_the_gaps_around_it():
    timeline = lift_shot(lift_shot(timeline_of(10, 20, 30, 40), 1), 1)  # s1 then s2 lifted
    assert layout(timeline) == [("s0", 0, 10), ("s3", 60, 100)]
    assert timeline.shots[1].gap_before == 50


def test_lifting_the_last_shot_drops_the_empty_time_at_the_film_s_end():
    timeline = lift_shot(lift_shot(timeline_of(10, 20, 30), 1), 1)
    assert layout(timeline) == [("s0", 0, 10)] and plan_cut(timeline).length == 10


def test_lifting_the_first_shot_starts_the_film_with_black():
    timeline = lift_shot(timeline_of(10, 20), 0)
    assert layout(timeline) == [("s1", 10, 30)]
    assert [(p.record_in, p.frames, p.blend) for p in plan_cut(timeline).pieces()] == [(0, 10, "gap"), (10, 20, "none")]


def test_ripple_delete_closes_up_but_keeps_the_gap_before_the_shot():
    timeline = ops.remove_shot(lift_shot(timeline_of(10, 20, 30, 40), 1), 1)  # gap of 20, then s2 deleted
    assert layout(timeline) == [("s0", 0, 10), ("s3", 30, 70)]


def test_closing_a_gap_moves_everything_after_it_up():
    timeline = close_gap(lift_shot(timeline_of(10, 20, 30), 1), 1)
    assert layout(timeline) == [("s0", 0, 10), ("s2", 10, 40)]
    with pytest.raises(DomainError, match="no empty time before shot 2"):
        close_gap(timeline, 1)


def test_a_gap_turns_a_transition_into_a_cut_and_none_can_cross_one():
    timeline = ops.set_transition(timeline_of(20, 20, 20), 0, Transition(kind="dissolve", duration=6))
    lifted = lift_shot(timeline, 1)
    assert lifted.shots[0].transition_out.kind == "cut"
    with pytest.raises(DomainError, match="empty time between shots 1 and 2"):
        ops.set_transition(lifted, 0, Transition(kind="dissolve", duration=6))


def test_a_shot_dropped_into_a_gap_splits_it():
    timeline = lift_shot(timeline_of(10, 20, 30, 5), 1)  # empty 10..30
    moved = move_shot_to_frame(timeline, 2, 14)  # s3 (5 frames) to 14..19
    assert layout(moved) == [("s0", 0, 10), ("s3", 14, 19), ("s2", 30, 60)]
    assert [s.gap_before for s in moved.shots] == [0, 4, 11]


def test_a_shot_moved_within_its_own_gap_leaves_its_old_place_empty():
    timeline = lift_shot(timeline_of(10, 20, 30), 1)  # empty 10..30, s2 at 30..60
    moved = move_shot_to_frame(timeline, 1, 70)  # after the film's end
    assert layout(moved) == [("s0", 0, 10), ("s2", 70, 100)]
    back = move_shot_to_frame(moved, 1, 12)  # its own old place counts as empty: 10..100
    assert layout(back) == [("s0", 0, 10), ("s2", 12, 42)]


def test_a_drop_that_does_not_fit_or_lands_on_a_shot_is_refused():
    timeline = lift_shot(timeline_of(10, 20, 30, 40), 1)  # s0 0..10, empty 10..30, s2 30..60, s3 60..100
    with pytest.raises(DomainError, match="40 frames long; the empty time there holds only 20"):
        move_shot_to_frame(timeline, 2, 10)
    with pytest.raises(DomainError, match="only be dropped into empty time"):
        move_shot_to_frame(timeline, 2, 35)
    with pytest.raises(DomainError, match="only be dropped into empty time"):
        move_shot_to_frame(timeline, 0, 62)
    with pytest.raises(DomainError, match="before the film"):
        move_shot_to_frame(timeline, 0, -1)


def test_reordering_leaves_a_moved_shot_s_gap_where_it_was():
    timeline = lift_shot(timeline_of(10, 20, 30, 5), 1)
    reordered = ops.move_shot(timeline, 1, 2)  # s2 after s3
    assert layout(reordered) == [("s0", 0, 10), ("s3", 30, 35), ("s2", 35, 65)]


def test_a_split_shot_s_second_half_follows_the_first_without_a_gap():
    timeline = lift_shot(timeline_of(10, 20, 30), 1)
    second = timeline.shots[1].model_copy(update={"id": "second"})
    split = ops.split_shot(timeline, 1, 10, second, has_take=True)
    assert layout(split) == [("s0", 0, 10), ("s2", 30, 40), ("s2", 40, 60)]


def test_gap_starts_and_lengths_measured_by_the_plan():
    timeline = lift_shot(timeline_of(10, 20, 30), 1)
    assert gap_starts(timeline) == [(0, 0), (10, 20)]
    assert gap_starts(timeline, [4, 30]) == [(0, 0), (4, 20)]  # s0's take plays only 4 frames


def test_film_fades_stay_inside_the_first_shot_after_a_leading_gap():
    timeline = ops.set_film_fades(lift_shot(timeline_of(10, 20), 0), 30, 0)
    plan = plan_cut(timeline)
    assert plan.fade_in == 20
    assert [(p.record_in, p.frames, p.blend) for p in plan.pieces()] == [(0, 10, "gap"), (10, 20, "from_black")]


def test_fits_in_empty_time_agrees_with_the_move():
    timeline = lift_shot(timeline_of(10, 20, 30, 40), 1)  # s0 0..10, empty 10..30, s2 30..60, s3 60..100
    for index in range(3):
        for frame in range(-2, 130, 3):
            try:
                move_shot_to_frame(timeline, index, frame)
                moved = True
            except DomainError:
                moved = False
            assert fits_in_empty_time(timeline, index, frame) == moved, (index, frame)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(1, 40), min_size=2, max_size=7),
    st.lists(st.integers(0, 12), max_size=6),  # a dissolve of this many frames after shot i (0: a cut)
    st.lists(st.tuples(st.sampled_from(["lift", "ripple", "close", "move"]), st.integers(0, 6), st.integers(0, 300)),
             max_size=6),
)
def test_any_run_of_gap_edits_plays_as_one_unbroken_film(lengths, dissolves, edits):
    timeline = timeline_of(*lengths)
    for index, frames in enumerate(dissolves[: len(lengths) - 1]):
        frames = min(frames, ops.max_transition_frames(timeline, index))
        if frames:
            timeline = ops.set_transition(timeline, index, Transition(kind="dissolve", duration=frames))
    for action, index, frame in edits:
        if not timeline.shots:
            break
        index %= len(timeline.shots)
        try:
            timeline = {
                "lift": lambda: lift_shot(timeline, index),
                "ripple": lambda: ops.remove_shot(timeline, index),
                "close": lambda: close_gap(timeline, index),
                "move": lambda: move_shot_to_frame(timeline, index, frame),
            }[action]()
        except DomainError:
            assert action in ("close", "move")  # no gap there; no room there
    plan = plan_cut(timeline)
    position = 0
    for piece in plan.pieces():  # every frame of the film is made once, in order
        assert piece.record_in == position and piece.frames > 0
        if piece.blend == "gap":
            assert piece.frames == timeline.shots[piece.shot].gap_before
        position = piece.record_out
    assert position == plan.length
    lengths = [p.frames for p in plan.shots]  # shortened where a dissolve lacked handles
    assert [p.record_in for p in plan.shots] == [start + gap for start, gap in gap_starts(timeline, lengths)]
    for transition in plan.transitions:  # none crosses empty time
        assert not timeline.shots[transition.outgoing + 1].gap_before
    for before, after in zip(timeline.shots, timeline.shots[1:]):
        assert not after.gap_before or before.transition_out.kind == "cut"


def test_a_shot_after_a_gap_trims_its_start_in_place():
    timeline = lift_shot(timeline_of(10, 20, 30), 1)  # s2 at 30..60 after 20 empty frames
    shorter = trim_start_in_place(timeline, 1, 5)
    assert layout(shorter) == [("s0", 0, 10), ("s2", 35, 60)] and shorter.shots[1].gap_before == 25
    longer = trim_start_in_place(shorter, 1, 0)
    assert layout(longer) == layout(timeline)
    late = lift_shot(ops.trim_shot(timeline_of(10, 20, 30), 2, 25, None), 1)  # s2 shows take frames 25..30
    with pytest.raises(DomainError, match="at most 20 frames earlier"):
        trim_start_in_place(late, 1, 2)  # 23 frames earlier: more than the empty time before it


def test_a_shot_before_a_gap_trims_its_end_in_place():
    timeline = lift_shot(ops.trim_shot(timeline_of(40, 5, 30), 0, 0, 6), 1)  # s0 0..6, 5 empty, s2 at 11..41
    assert layout(timeline) == [("s0", 0, 6), ("s2", 11, 41)]
    assert layout(trim_end_in_place(timeline, 0, 9)) == [("s0", 0, 9), ("s2", 11, 41)]  # into the gap
    assert layout(trim_end_in_place(timeline, 0, 3)) == [("s0", 0, 3), ("s2", 11, 41)]  # the gap grows
    assert layout(ops.trim_shot(timeline, 0, 0, 3)) == [("s0", 0, 3), ("s2", 8, 38)]  # a ripple trim moves s2
    with pytest.raises(DomainError, match="at most 5 frames later"):
        trim_end_in_place(timeline, 0, 12)
    with pytest.raises(DomainError, match="the last"):
        trim_end_in_place(timeline, 1, 20)
