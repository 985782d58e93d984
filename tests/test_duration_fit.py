"""Scene lengths fitted to a film's length in whole frames: they add up exactly, keep the
order of what was proposed, stay within a frame of their share, and leave lengths that
already add up alone."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foundry_desktop.domain.planning.duration_fit import fit_durations, refit_around
from foundry_desktop.domain.errors import DomainError

weights = st.lists(st.one_of(st.integers(0, 10_000), st.floats(0, 120, allow_nan=False),
                             st.fractions(0, 500, max_denominator=1001)), min_size=1, max_size=40)


@settings(max_examples=400, deadline=None)
@given(weights, st.integers(1, 200_000), st.integers(1, 48))
def test_fitted_lengths_add_up_exactly_and_keep_the_proposals_order(proposed, target, minimum):
    if target < len(proposed):
        with pytest.raises(DomainError, match="at least"):
            fit_durations(proposed, target, minimum)
        return
    frames = fit_durations(proposed, target, minimum)
    assert sum(frames) == target and len(frames) == len(proposed)
    floor = max(1, min(minimum, target // len(proposed)))
    assert min(frames) >= floor
    for a in range(len(proposed)):
        for b in range(len(proposed)):
            if Fraction(proposed[a]) > Fraction(proposed[b]):
                assert frames[a] >= frames[b]
    assert fit_durations(proposed, target, minimum) == frames  # deterministic


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 5_000), min_size=1, max_size=30), st.integers(1, 5))
def test_lengths_that_add_up_already_are_kept(lengths, scale):
    exact = [length * scale for length in lengths]
    assert fit_durations(exact, sum(exact)) == exact
    assert fit_durations([Fraction(length, 7) for length in exact], sum(exact)) == exact  # the same shares


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fractions(1, 100, max_denominator=100), min_size=1, max_size=20), st.integers(50, 50_000))
def test_each_length_is_within_a_frame_of_its_share_when_none_is_held_at_the_minimum(proposed, target):
    frames = fit_durations(proposed, target, minimum=1)
    total = sum(proposed)
    shares = [target * weight / total for weight in proposed]
    if all(share >= 1 for share in shares):
        for length, share in zip(frames, shares, strict=True):
            assert math.floor(share) <= length <= math.floor(share) + 1


def test_a_short_proposal_is_held_at_the_minimum_and_the_rest_shared():
    # 30 s at 24 fps, a 0.2 s flash among 10 s scenes: the flash gets a second (24 frames).
    assert fit_durations([10, 0.2, 10, 10], 720, minimum=24) == [232, 24, 232, 232]
    assert fit_durations([0, 0, 0], 10) == [4, 3, 3]  # no proposal at all: equal, the earliest first
    with pytest.raises(DomainError):
        fit_durations([], 10)
    with pytest.raises(DomainError):
        fit_durations([1, float("inf")], 10)
    with pytest.raises(DomainError):
        fit_durations([1, -2], 10)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 500), min_size=1, max_size=15), st.data())
def test_refitting_around_an_edited_scene_keeps_the_total(lengths, data):
    target = sum(lengths)
    index = data.draw(st.integers(0, len(lengths) - 1))
    wanted = data.draw(st.integers(-5, target * 2))
    frames = refit_around(lengths, index, wanted, target)
    assert sum(frames) == target and min(frames) >= 1
    if len(lengths) > 1 and 1 <= wanted <= target - (len(lengths) - 1):
        assert frames[index] == wanted  # kept as typed when the others can make room


def test_refitting_shares_the_change_among_the_others_in_proportion():
    assert refit_around([48, 96, 48], 0, 96, 192) == [96, 64, 32]
    assert refit_around([48, 96, 48], 1, 500, 192, minimum=24) == [24, 144, 24]  # too long: what fits
