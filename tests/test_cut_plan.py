"""The one rule of the cut (Final Cut's): transitions centred on cuts, handles used where they exist."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foundry_desktop.domain import timeline_ops as ops
from foundry_desktop.domain.cut_plan import plan_cut
from foundry_desktop.domain.project import Shot, ShotSpec, Timeline, Transition


def timeline_of(*lengths: int) -> Timeline:
    timeline = Timeline()
    for number, frames in enumerate(lengths):
        timeline = ops.append_shot(timeline, Shot(spec=ShotSpec(prompt=f"s{number}", duration=frames)))
    return timeline


def test_cuts_butt_shots_end_to_end():
    plan = plan_cut(ops.trim_shot(timeline_of(48, 30), 0, 4, 40))
    assert [(p.source_in, p.source_out, p.record_in, p.record_out) for p in plan.shots] == [(4, 40, 0, 36), (0, 30, 36, 66)]
    assert plan.length == 66 and plan.transitions == () and plan.warnings == ()
    assert [(p.record_in, p.frames, p.shot, p.source_in, p.blend) for p in plan.pieces()] == [
        (0, 36, 0, 4, "none"), (36, 30, 1, 0, "none")
    ]


def test_a_transition_with_handles_keeps_the_film_length():
    # Shot 0 uses [0, 40) of 48 frames: 8 frames after its end. Shot 1 starts 10 frames in.
    timeline = ops.trim_shot(ops.trim_shot(timeline_of(48, 48), 0, 0, 40), 1, 10, None)
    plan = plan_cut(ops.set_transition(timeline, 0, Transition(kind="dissolve", duration=12)))
    assert plan.length == 40 + 38 and plan.warnings == ()
    (t,) = plan.transitions
    # Centred on the cut at 40: six frames before, six after.
    assert (t.record_in, t.record_out, t.cut) == (34, 46, 40)
    assert (t.outgoing_source_in, t.incoming_source_in) == (34, 4)
    pieces = list(plan.pieces())
    assert [(p.record_in, p.frames, p.blend) for p in pieces] == [(0, 34, "none"), (34, 12, "dissolve"), (46, 32, "none")]
    assert pieces[2].source_in == 16  # shot 1 at film frame 46 = 10 + (46 - 40)


def test_missing_handles_shorten_the_shots_and_say_which():
    plan = plan_cut(ops.set_transition(timeline_of(48, 48, 48), 1, Transition(kind="fade_black", duration=13)))
    # 13 frames: 6 before the cut, 7 after. Shot 2 lacks 7 after its end, shot 3 lacks 6 before its start.
    assert plan.length == 3 * 48 - 13
    assert [(p.source_in, p.source_out) for p in plan.shots] == [(0, 48), (0, 41), (6, 48)]
    assert any("Shot 2 lacks 7 frames" in w for w in plan.warnings)
    assert any("Shot 3 lacks 6 frames" in w for w in plan.warnings)


def test_a_take_shorter_than_its_shot_ends_the_shot_early():
    timeline = timeline_of(48, 48)
    plan = plan_cut(timeline, {timeline.shots[0].id: 30})
    assert plan.shots[0].source_out == 30 and plan.length == 78
    assert "only 30 frames" in plan.warnings[0]


def test_a_transition_that_cannot_fit_the_media_is_shortened():
    timeline = ops.set_transition(timeline_of(40, 40), 0, Transition(kind="dissolve", duration=20))
    # The first take turns out to have only 8 frames: no room for 20 frames of dissolve.
    plan = plan_cut(timeline, {timeline.shots[0].id: 8})
    assert plan.transitions[0].frames < 20 and any("shortened from 20" in w for w in plan.warnings)
    check(plan, {timeline.shots[0].id: 8, timeline.shots[1].id: 40}, timeline)


def test_film_fades_lie_in_the_first_and_last_shots():
    timeline = ops.set_film_fades(timeline_of(24, 24), 12, 30)
    plan = plan_cut(timeline)
    assert (plan.fade_in, plan.fade_out) == (12, 24)  # the fade out cannot be longer than the last shot
    assert [(p.record_in, p.frames, p.blend) for p in plan.pieces()] == [
        (0, 12, "from_black"), (12, 12, "none"), (24, 24, "to_black")
    ]
    assert plan.warnings


def check(plan, available, timeline):
    """Pieces cover the film without gaps, and every frame they show exists in its take."""
    position = 0
    for piece in plan.pieces():
        assert piece.record_in == position and piece.frames > 0
        position = piece.record_out
        shot_id = timeline.shots[piece.shot].id
        assert 0 <= piece.source_in and piece.source_in + piece.frames <= available[shot_id]
        if piece.incoming_source_in is not None:
            incoming_id = timeline.shots[piece.shot + 1].id
            assert 0 <= piece.incoming_source_in and piece.incoming_source_in + piece.frames <= available[incoming_id]
    assert position == plan.length
    for placed in plan.shots:
        assert placed.frames >= 1


shot_lengths = st.lists(st.integers(1, 60), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    shot_lengths,
    st.lists(st.tuples(st.sampled_from(["cut", "dissolve", "fade_black", "fade_white"]), st.integers(1, 40)), max_size=6),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=6),
    st.lists(st.integers(1, 70), max_size=6),
    st.integers(0, 30),
    st.integers(0, 30),
)
def test_any_timeline_plans_into_a_gapless_film_within_its_media(lengths, transitions, trims, takes, fade_in, fade_out):
    timeline = timeline_of(*lengths)
    for index, (head, tail) in enumerate(trims[: len(lengths)]):
        frames = lengths[index]
        if head + tail < frames:
            timeline = ops.trim_shot(timeline, index, head, frames - tail)
    for index, (kind, frames) in enumerate(transitions[: len(lengths) - 1]):
        frames = min(frames, ops.max_transition_frames(timeline, index))
        if kind != "cut" and frames > 0:
            timeline = ops.set_transition(timeline, index, Transition(kind=kind, duration=frames))
    timeline = ops.set_film_fades(timeline, fade_in, fade_out)
    # Some takes turn out shorter or longer than their specs.
    available = {shot.id: shot.spec.duration for shot in timeline.shots}
    for shot, frames in zip(timeline.shots, takes, strict=False):
        available[shot.id] = frames
    plan = plan_cut(timeline, available)
    check(plan, available, timeline)
    assert plan.fade_in <= fade_in and plan.fade_out <= fade_out


@pytest.mark.parametrize("frames", [1, 2, 3, 11, 12])
def test_odd_and_even_transitions_split_around_the_cut(frames):
    timeline = ops.set_transition(timeline_of(48, 48), 0, Transition(kind="dissolve", duration=frames))
    (t,) = plan_cut(timeline).transitions
    assert t.cut - t.record_in == frames // 2 and t.record_out - t.cut == frames - frames // 2
