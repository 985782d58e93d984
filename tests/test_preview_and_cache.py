"""The preview render, long shots in chunks, and keeping the render cache to a size."""

from __future__ import annotations

import hashlib
import os
import shutil

import av
import numpy as np
import pytest
from video_sources import decoded_frames, sine, write_video

from foundry_desktop.app.render.film_render import (
    PREVIEW_FOLDER,
    SEGMENT_CACHE,
    render_film,
    render_preview,
)
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.media.cache_pruning import prune_cache


def frame_hashes(path):
    return [hashlib.sha256(frame.tobytes()).hexdigest() for frame in decoded_frames(path)]


def moving(index: int) -> np.ndarray:
    picture = np.zeros((90, 160, 3), np.uint8)
    picture[:, (index * 3) % 160] = 255
    picture[..., 2] = index % 256
    return picture


@pytest.fixture
def service(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=1280, height=720, frame_rate="24") as service:
        yield service


def test_the_preview_is_small_quick_to_scrub_and_incremental(service, tmp_path):
    red = write_video(tmp_path / "red.mp4", frames=48, tone=sine(), picture=lambda i: np.full((90, 160, 3), (200, 30, 30), np.uint8))
    blue = write_video(tmp_path / "blue.mp4", frames=48, picture=lambda i: np.full((90, 160, 3), (30, 30, 200), np.uint8))
    add_media_shot(service, red)
    add_media_shot(service, blue)
    service.set_transition(0, "dissolve", 12)
    service.add_caption("Preview", "0.5", "1.5")

    first = render_preview(service)
    media = first.report.media
    assert (media.width, media.height, media.frame_count) == (640, 360, first.plan.length)
    assert media.path.parent == service.media.path_of(PREVIEW_FOLDER) and media.has_audio
    with av.open(str(media.path)) as container:
        stream = container.streams.video[0]
        times = [float(p.pts * stream.time_base) for p in container.demux(stream) if p.size and p.is_keyframe]
    assert max(b - a for a, b in zip(times, times[1:])) <= 1.0  # a keyframe at least every second

    # Nothing changed: the same file, at once.
    again = render_preview(service)
    assert again.report.media.path == media.path and again.report.segments_encoded == 0

    service.set_shot_picture_and_sound(1, fit="fill")
    changed = render_preview(service)
    assert changed.report.media.path != media.path and media.path.exists()  # the player may still show it
    assert changed.report.segments_encoded == 2  # the blue shot's body and the dissolve into it
    for gain in range(4):  # new sound, same pictures: new previews, nothing encoded
        service.set_shot_picture_and_sound(0, audio_gain_db=float(-gain))
        assert render_preview(service).report.segments_encoded == 0
    assert len(list(service.media.path_of(PREVIEW_FOLDER).glob("*.mp4"))) <= 4


def test_a_long_shot_is_encoded_in_chunks_and_a_new_trim_touches_only_the_ends(tmp_path):
    with ProjectService.create(tmp_path / "long.foundry", width=160, height=90, frame_rate="24") as service:
        clip = write_video(tmp_path / "long.mp4", frames=600, gop=48, picture=moving)
        add_media_shot(service, clip)
        first = render_film(service, tmp_path / "first.mp4").report
        assert first.segments_encoded == 3  # 25 s: 10 + 10 + 5
        service.trim_shot(0, 30, 590)
        trimmed = render_film(service, tmp_path / "trimmed.mp4").report
        assert (trimmed.segments_encoded, trimmed.segments_reused) == (2, 1)
        shutil.rmtree(service.media.path_of(SEGMENT_CACHE))
        render_film(service, tmp_path / "scratch.mp4")
    assert frame_hashes(tmp_path / "trimmed.mp4") == frame_hashes(tmp_path / "scratch.mp4")
    assert len(frame_hashes(tmp_path / "trimmed.mp4")) == 560


def test_pruning_removes_the_least_recently_used_first_and_never_what_is_kept(tmp_path):
    files = []
    for age, name in enumerate(["newest", "middle", "oldest", "kept-but-old"]):
        path = tmp_path / "ab" / f"{name}.mp4"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x" * 1000)
        when = 1_700_000_000 - age * 100
        os.utime(path, (when, when))
        files.append(path)
    freed = prune_cache(tmp_path, 2000, keep=[files[3]])
    assert freed == 2000
    assert sorted(p.stem for p in tmp_path.rglob("*.mp4")) == ["kept-but-old", "newest"]
    assert prune_cache(tmp_path / "absent", 0) == 0
