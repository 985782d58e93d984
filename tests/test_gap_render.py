"""Empty time in the render: black pictures and silence, the film as long as the
timeline with its gaps, and smart render keeping the shots' segments."""

from __future__ import annotations

import numpy as np
import pytest
from video_sources import decoded_audio, decoded_frames, rms, sine, write_video

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.media.probe import decode_all_frames

RED, GREEN, BLUE = (220, 30, 30), (30, 200, 30), (30, 30, 220)
RATE = 48000


def solid(colour):
    return lambda index: np.full((90, 160, 3), colour, dtype=np.uint8)


@pytest.fixture
def service(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=160, height=90, frame_rate="24") as service:
        for name, colour in (("red", RED), ("green", GREEN), ("blue", BLUE)):
            clip = write_video(tmp_path / f"{name}.mp4", frames=24, picture=solid(colour), tone=sine(440, 0.5),
                               audio_rate=RATE)
            add_media_shot(service, clip)
        yield service


def test_a_lifted_shot_renders_as_black_and_silence_for_its_length(service, tmp_path):
    service.lift_shot(1)
    render = render_film(service, tmp_path / "gap.mp4", loudness_lufs=None)
    info = render.report.media
    assert info.frame_count == 72 == decode_all_frames(info.path) == render.plan.length
    frames = decoded_frames(info.path)
    assert np.abs(frames[23][30:60, 50:110].astype(int) - RED).max() < 16
    assert all(frames[i].max() <= 20 for i in range(24, 48))  # black, edge to edge
    assert np.abs(frames[48][30:60, 50:110].astype(int) - BLUE).max() < 16

    samples, rate = decoded_audio(info.path)
    second = rate  # one second of film: 24 frames at 24 fps
    assert rms(samples[:, : second - 2400]) > 0.1
    assert rms(samples[:, second + 2400 : 2 * second - 2400]) < 1e-3  # the gap is silent
    assert rms(samples[:, 2 * second + 2400 :]) > 0.1


def test_the_shots_segments_are_reused_when_a_gap_opens_and_closes(service, tmp_path):
    first = render_film(service, tmp_path / "first.mp4", loudness_lufs=None).report
    service.lift_shot(1)
    lifted = render_film(service, tmp_path / "lifted.mp4", loudness_lufs=None).report
    assert lifted.segments_encoded == 1  # only the black; red and blue are the same frames as before
    service.close_gap(1)
    closed = render_film(service, tmp_path / "closed.mp4", loudness_lufs=None).report
    assert closed.media.frame_count == 48 and closed.segments_encoded == 0
    assert first.media.frame_count == 72
