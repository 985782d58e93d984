"""Every timeline operation: what it does, what it refuses, and the invariants it keeps."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foundry_desktop.domain import timeline_ops as ops
from foundry_desktop.domain.cut_plan import plan_cut
from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.project import (
    AudioClip,
    Caption,
    Marker,
    Shot,
    ShotSpec,
    Timeline,
    Transition,
)


def shot(prompt: str, frames: int = 48) -> Shot:
    return Shot(spec=ShotSpec(prompt=prompt, duration=frames))


def prompts(timeline: Timeline) -> list[str]:
    return [s.spec.prompt for s in timeline.shots]


@pytest.fixture
def abc() -> Timeline:
    timeline = Timeline()
    for name in "abc":
        timeline = ops.append_shot(timeline, shot(name))
    return timeline


def test_append_and_insert(abc):
    assert prompts(abc) == ["a", "b", "c"]
    assert prompts(ops.insert_shot(abc, 0, shot("x"))) == ["x", "a", "b", "c"]
    assert prompts(ops.insert_shot(abc, 3, shot("x"))) == ["a", "b", "c", "x"]
    with pytest.raises(DomainError, match="no shot 5"):
        ops.insert_shot(abc, 4, shot("x"))
    with pytest.raises(DomainError):
        ops.insert_shot(abc, -1, shot("x"))
    with pytest.raises(DomainError, match="already"):
        ops.insert_shot(abc, 0, abc.shots[0])


def test_operations_do_not_mutate_their_input(abc):
    before = abc.model_dump()
    ops.move_shot(abc, 0, 2)
    ops.remove_shot(abc, 1)
    ops.trim_shot(abc, 0, 2, 10)
    ops.set_transition(abc, 0, Transition(kind="dissolve", duration=6))
    assert abc.model_dump() == before


def test_move(abc):
    assert prompts(ops.move_shot(abc, 0, 2)) == ["b", "c", "a"]
    assert prompts(ops.move_shot(abc, 2, 0)) == ["c", "a", "b"]
    assert prompts(ops.move_shot(abc, 1, 1)) == ["a", "b", "c"]
    with pytest.raises(DomainError):
        ops.move_shot(abc, 0, 3)
    with pytest.raises(DomainError, match="has no shots"):
        ops.move_shot(Timeline(), 0, 0)


def test_remove(abc):
    assert prompts(ops.remove_shot(abc, 1)) == ["a", "c"]
    with pytest.raises(DomainError, match="no shot 4"):
        ops.remove_shot(abc, 3)


def test_trim(abc):
    trimmed = ops.trim_shot(abc, 0, 4, 40)
    assert (trimmed.shots[0].trim_in, trimmed.shots[0].trim_out, trimmed.shots[0].length) == (4, 40, 36)
    to_end = ops.trim_shot(abc, 0, 4, 48)
    assert to_end.shots[0].trim_out is None and to_end.shots[0].length == 44
    assert plan_cut(trimmed).length == 36 + 48 + 48
    for bad in ((-1, 10), (10, 10), (20, 10), (0, 49)):
        with pytest.raises(DomainError):
            ops.trim_shot(abc, 0, *bad)


def test_split(abc):
    timeline = ops.set_transition(ops.trim_shot(abc, 1, 4, 40), 1, Transition(kind="dissolve", duration=6))
    bladed = ops.split_shot(timeline, 1, 10, timeline.shots[1].model_copy(update={"id": "rest"}), has_take=True)
    first, rest = bladed.shots[1:3]
    assert (first.trim_in, first.trim_out, first.transition_out.kind) == (4, 14, "cut")
    assert (rest.id, rest.trim_in, rest.trim_out, rest.transition_out.duration) == ("rest", 14, 40, 6)
    assert first.spec == rest.spec  # the same take, trimmed at the split
    assert plan_cut(bladed).length == plan_cut(timeline).length

    planned = ops.split_shot(abc, 0, 20, abc.shots[0].model_copy(update={"id": "rest"}), has_take=False)
    assert [(s.spec.duration, s.trim_in, s.trim_out) for s in planned.shots[:2]] == [(20, 0, None), (28, 0, None)]

    for offset in (0, 36, -1):
        with pytest.raises(DomainError):
            ops.split_shot(timeline, 1, offset, shot("x"), has_take=True)
    with pytest.raises(DomainError):  # the new half needs an id of its own
        ops.split_shot(abc, 0, 10, abc.shots[2], has_take=True)


def test_set_duration_clamps_trim_and_refuses_non_positive(abc):
    trimmed = ops.trim_shot(abc, 0, 30, 40)
    shorter = ops.set_shot_duration(trimmed, 0, 20)
    s = shorter.shots[0]
    assert s.spec.duration == 20 and s.trim_out is None and s.trim_in == 19 and s.length == 1
    for bad in (0, -5):
        with pytest.raises(DomainError, match="positive"):
            ops.set_shot_duration(abc, 0, bad)


def test_transitions(abc):
    dissolved = ops.set_transition(abc, 0, Transition(kind="dissolve", duration=12))
    assert dissolved.shots[0].transition_out.kind == "dissolve"
    # Generated takes have no media beyond their ends: the shots give up half the
    # dissolve each, and the film is shorter by its length.
    plan = plan_cut(dissolved)
    assert plan.length == 3 * 48 - 12
    assert plan.shots[1].record_in == 42 and plan.transitions[0].record_in == 36
    # A transition may cover each shot up to the shot's other transition: here nothing
    # else, so all 48 frames of each side; with a 40-frame dissolve out of shot 2, which
    # covers its last 20, the first may take 28 of shot 2's frames (56 in all).
    with pytest.raises(DomainError, match="at most 96"):
        ops.set_transition(abc, 0, Transition(kind="dissolve", duration=97))
    second = ops.set_transition(abc, 1, Transition(kind="dissolve", duration=40))
    assert ops.max_transition_frames(second, 0) == 56
    with pytest.raises(DomainError, match="at most 56"):
        ops.set_transition(second, 0, Transition(kind="dissolve", duration=57))
    with pytest.raises(DomainError, match="last shot"):
        ops.set_transition(abc, 2, Transition(kind="fade_white", duration=4))
    # A cut is always allowed, also after the last shot.
    assert ops.set_transition(abc, 2, Transition()).shots[2].transition_out.kind == "cut"
    with pytest.raises(ValueError):
        Transition(kind="cut", duration=3)
    with pytest.raises(ValueError):
        Transition(kind="dissolve", duration=0)


def test_reorder_normalises_transitions(abc):
    timeline = ops.set_transition(abc, 1, Transition(kind="dissolve", duration=10))
    # Shot b (with the dissolve) becomes the last shot: it can only end on a cut.
    moved = ops.move_shot(timeline, 1, 2)
    assert prompts(moved) == ["a", "c", "b"]
    assert moved.shots[2].transition_out.kind == "cut"
    # Removing the last shot leaves b last: same.
    assert ops.remove_shot(timeline, 2).shots[1].transition_out.kind == "cut"


def test_shortening_a_shot_shortens_a_transition_that_no_longer_fits(abc):
    timeline = ops.set_transition(abc, 0, Transition(kind="dissolve", duration=20))
    # The dissolve covers the incoming shot's first 10 frames: at 8 frames long, it keeps 16.
    shorter = ops.set_shot_duration(timeline, 1, 8)
    assert shorter.shots[0].transition_out == Transition(kind="dissolve", duration=16)
    # With a 4-frame dissolve out of it (its last 2 frames), a 2-frame shot leaves none.
    tiny = ops.set_shot_duration(ops.set_transition(timeline, 1, Transition(kind="dissolve", duration=4)), 1, 2)
    assert tiny.shots[0].transition_out.kind == "cut"


def test_music_captions_markers(abc):
    clip = AudioClip(media_path="audio/x.wav", content_hash="x", start=10, source_out=96)
    timeline = ops.add_audio_clip(abc, clip)
    assert timeline.music == [clip]
    assert ops.remove_audio_clip(timeline, clip.id).music == []
    timeline = ops.add_caption(abc, Caption(text="late", start=50, end=60))
    timeline = ops.add_caption(timeline, Caption(text="early", start=0, end=10))
    assert [c.text for c in timeline.captions] == ["early", "late"]
    timeline = ops.add_marker(timeline, Marker(frame=5, label="beat"))
    assert ops.remove_marker(timeline, timeline.markers[0].id).markers == []
    with pytest.raises(DomainError):
        ops.remove_caption(timeline, "nope")
    with pytest.raises(ValueError):
        Caption(text="x", start=10, end=10)
    with pytest.raises(ValueError):
        AudioClip(media_path="a", content_hash="x", source_in=10, source_out=5)


operations = st.one_of(
    st.tuples(st.just("insert"), st.integers(-1, 8), st.integers(1, 100)),
    st.tuples(st.just("move"), st.integers(-1, 8), st.integers(-1, 8)),
    st.tuples(st.just("remove"), st.integers(-1, 8)),
    st.tuples(st.just("trim"), st.integers(-1, 8), st.integers(-2, 100), st.integers(-2, 101)),
    st.tuples(st.just("duration"), st.integers(-1, 8), st.integers(-3, 100)),
    st.tuples(st.just("transition"), st.integers(-1, 8), st.sampled_from(["dissolve", "fade_white", "fade_black"]), st.integers(1, 60)),
)


def apply(timeline: Timeline, op: tuple) -> Timeline:
    kind, *args = op
    if kind == "insert":
        return ops.insert_shot(timeline, args[0], shot("n", args[1]))
    if kind == "move":
        return ops.move_shot(timeline, *args)
    if kind == "remove":
        return ops.remove_shot(timeline, *args)
    if kind == "trim":
        return ops.trim_shot(timeline, *args)
    if kind == "duration":
        return ops.set_shot_duration(timeline, *args)
    return ops.set_transition(timeline, args[0], Transition(kind=args[1], duration=args[2]))


@settings(max_examples=300, deadline=None)
@given(st.lists(operations, max_size=30))
def test_any_sequence_of_operations_keeps_the_timeline_valid(sequence):
    timeline = Timeline()
    for op in sequence:
        try:
            timeline = apply(timeline, op)
        except DomainError:
            pass  # refused edits change nothing; the next one applies to the same timeline
        shots = timeline.shots
        assert len({s.id for s in shots}) == len(shots)
        for index, s in enumerate(shots):
            assert 0 <= s.trim_in < s.source_end <= s.spec.duration
            assert s.length >= 1
            limit = ops.max_transition_frames(timeline, index)
            assert s.transition_out.duration <= limit
            if index == len(shots) - 1:
                assert s.transition_out.kind == "cut"
        # Incoming and outgoing transitions never overlap inside a shot: a centred transition
        # covers the incoming shot's first d - d // 2 frames and the outgoing one's last d // 2.
        for index in range(1, len(shots)):
            incoming, outgoing = shots[index - 1].transition_out.duration, shots[index].transition_out.duration
            assert incoming - incoming // 2 + outgoing // 2 <= shots[index].length
        # A transition shortens the film by at most its length (less where trims left handles).
        length = plan_cut(timeline).length
        total = sum(s.length for s in shots)
        assert total - sum(s.transition_out.duration for s in shots) <= length <= total
