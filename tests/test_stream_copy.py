"""Takes already encoded as the film would be are copied into it, picture for picture."""

from __future__ import annotations

import hashlib
import shutil
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from video_sources import decoded_frames

from foundry_desktop.app.render.film_render import SEGMENT_CACHE, render_film
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.render.output_presets import RenderSettings
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.media.render.stream_copy import CopyableTake, split_for_copy
from foundry_desktop.media.encode.video_encoding import (
    DEFAULT_KEYFRAME_INTERVAL_S,
    VideoEncoding,
)
from foundry_desktop.media.encode.video_writer import VideoWriter


def film_like_take(path: Path, frames: int, crf: int = 20, size=(320, 180)) -> Path:
    """A take encoded with the film's own settings (as the built-in generator makes them)."""
    width, height = size
    rng = np.random.default_rng(frames)
    with VideoWriter(path, width=width, height=height, frame_rate=Fraction(24),
                     keyframe_interval_s=DEFAULT_KEYFRAME_INTERVAL_S, encoding=VideoEncoding(crf=crf)) as writer:
        for index in range(frames):
            picture = np.zeros((height, width, 3), np.uint8)
            picture[:, (index * 5) % width] = 255
            picture[: height // 2] = rng.integers(0, 40, (height // 2, width, 3), dtype=np.uint8) + index % 200
            writer.add_frame(av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(format="yuv420p"))
        writer.finish()
    return path


def hashes(frames):
    return [hashlib.sha256(frame.tobytes()).hexdigest() for frame in frames]


def test_runs_copy_whole_groups_of_pictures_only():
    take = CopyableTake(frames=100, keyframes=(0, 48, 96))
    assert split_for_copy(take, 0, 100) == [(0, 100, True)]
    assert split_for_copy(take, 6, 80) == [(6, 80, False)]  # no whole group inside
    assert split_for_copy(take, 6, 94) == [(6, 42, False), (48, 52, True)]  # to the take's end
    assert split_for_copy(take, 10, 90) == [(10, 38, False), (48, 52, True)]
    assert split_for_copy(take, 0, 60) == [(0, 48, True), (48, 12, False)]
    assert split_for_copy(take, 0, 96) == [(0, 96, True)]  # up to the next group's keyframe
    assert split_for_copy(take, 50, 20) == [(50, 20, False)]
    assert split_for_copy(None, 0, 100) == [(0, 100, False)]


@pytest.fixture
def service(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24") as service:
        yield service


def test_a_take_made_like_the_film_is_copied_picture_for_picture(service, tmp_path):
    first = film_like_take(tmp_path / "first.mp4", 120)
    second = film_like_take(tmp_path / "second.mp4", 96)
    add_media_shot(service, first)
    add_media_shot(service, second)
    service.set_transition(0, "dissolve", 12)
    render = render_film(service, tmp_path / "film.mp4")
    report = render.report
    assert report.segments_copied >= 2 and report.media.frame_count == render.plan.length == 204

    film = hashes(decoded_frames(report.media.path))
    # Shot 1 plays frames 0-113 of its take, then the dissolve; the first 96 are copied groups.
    assert film[:96] == hashes(decoded_frames(first))[:96]
    # Shot 2's take from frame 48 (a keyframe) to its end is copied too.
    assert film[-48:] == hashes(decoded_frames(second))[48:]

    # Copied or encoded, the same cut from an empty cache gives the same frames.
    shutil.rmtree(service.media.path_of(SEGMENT_CACHE))
    again = render_film(service, tmp_path / "again.mp4").report
    assert hashes(decoded_frames(again.media.path)) == film


def test_a_take_encoded_differently_is_encoded_again(service, tmp_path):
    add_media_shot(service, film_like_take(tmp_path / "crf18.mp4", 96, crf=18))
    add_media_shot(service, film_like_take(tmp_path / "big.mp4", 96, size=(640, 360)))
    assert render_film(service, tmp_path / "film.mp4").report.segments_copied == 0
    # Another quality for the film: nothing matches it.
    add_media_shot(service, film_like_take(tmp_path / "same.mp4", 96))
    assert render_film(service, tmp_path / "crf.mp4", settings=RenderSettings(crf=23)).report.segments_copied == 0
    assert render_film(service, tmp_path / "default.mp4").report.segments_copied == 1
