"""Rendering real timelines through the app: transitions, fades, framing, mixed sources, smart render."""

from __future__ import annotations

import hashlib
import shutil
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from video_sources import decoded_audio, decoded_frames, sine, write_video

from foundry_desktop.app.events import Notice
from foundry_desktop.app.render.film_render import SEGMENT_CACHE, render_film
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.errors import FoundryError, InputFileError
from foundry_desktop.media.probe import decode_all_frames

RED, BLUE, GREEN = (220, 30, 30), (30, 30, 220), (30, 200, 30)


def solid(colour, width=160, height=90):
    return lambda index: np.full((height, width, 3), colour, dtype=np.uint8)


@pytest.fixture
def service(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=160, height=90, frame_rate="24") as service:
        yield service


@pytest.fixture
def clips(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "clips"
    folder.mkdir()
    return {
        "red": write_video(folder / "red.mp4", frames=48, picture=solid(RED)),
        "blue": write_video(folder / "blue.mp4", frames=48, picture=solid(BLUE)),
        "green": write_video(folder / "green.mp4", frames=48, picture=solid(GREEN)),
    }


def centre(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    return frame[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].reshape(-1, 3).mean(axis=0)


def close_to(actual, expected, tolerance=12) -> bool:
    return bool(np.abs(np.asarray(actual, float) - np.asarray(expected, float)).max() <= tolerance)


def frame_hashes(path: Path) -> list[str]:
    return [hashlib.sha256(frame.tobytes()).hexdigest() for frame in decoded_frames(path)]


def test_a_dissolve_blends_its_neighbours_and_says_which_shots_lacked_handles(service, clips, tmp_path):
    add_media_shot(service, clips["red"])
    add_media_shot(service, clips["blue"])
    service.set_transition(0, "dissolve", 12)
    notices = []
    service.events.subscribe(lambda event: notices.append(event.message) if isinstance(event, Notice) else None)
    render = render_film(service, tmp_path / "film.mp4")

    info = render.report.media
    assert info.frame_count == 96 - 12 == decode_all_frames(info.path)
    assert (info.width, info.height, info.frame_rate) == (160, 90, Fraction(24))
    frames = decoded_frames(info.path)
    t = render.plan.transitions[0]
    assert (t.record_in, t.frames) == (36, 12)
    assert close_to(centre(frames[t.record_in - 1]), RED)
    assert close_to(centre(frames[t.record_out]), BLUE)
    # Frames 5 and 6 of 12 sit either side of the middle: near half red, half blue.
    middle = (centre(frames[t.record_in + 5]) + centre(frames[t.record_in + 6])) / 2
    assert close_to(middle, (np.array(RED) + BLUE) / 2, 16)
    # Each step of the dissolve moves from red towards blue.
    reds = [centre(frames[i])[0] for i in range(t.record_in - 1, t.record_out + 1)]
    assert reds == sorted(reds, reverse=True)
    assert any("Shot 1 lacks 6 frames" in n for n in notices) and any("Shot 2 lacks 6 frames" in n for n in notices)


def test_handles_are_used_when_the_takes_have_them(service, clips, tmp_path):
    add_media_shot(service, clips["red"], source_out="1.5")  # 12 frames left after its end
    add_media_shot(service, clips["blue"], source_in="0.5")  # 12 frames before its start
    service.set_transition(0, "dissolve", 12)
    render = render_film(service, tmp_path / "film.mp4")
    assert render.plan.warnings == ()
    assert render.report.media.frame_count == 36 + 36


@pytest.mark.parametrize("kind, colour", [("fade_black", (0, 0, 0)), ("fade_white", (255, 255, 255))])
def test_a_fade_through_a_colour_reaches_it_in_the_middle(service, clips, tmp_path, kind, colour):
    add_media_shot(service, clips["red"])
    add_media_shot(service, clips["blue"])
    service.set_transition(0, kind, 11)
    render = render_film(service, tmp_path / "film.mp4")
    frames = decoded_frames(render.report.media.path)
    t = render.plan.transitions[0]
    assert close_to(centre(frames[t.record_in + 5]), colour, 6)
    assert close_to(centre(frames[t.record_in + 1]), RED, 110) and not close_to(centre(frames[t.record_in + 1]), RED)


def test_the_film_fades_in_from_and_out_to_black(service, clips, tmp_path):
    add_media_shot(service, clips["green"])
    service.set_film_fades(12, 12)
    frames = decoded_frames(render_film(service, tmp_path / "film.mp4").report.media.path)
    assert len(frames) == 48
    assert close_to(centre(frames[0]), (0, 0, 0), 4) and close_to(centre(frames[-1]), (0, 0, 0), 4)
    assert close_to(centre(frames[24]), GREEN)
    brightness = [centre(frame).sum() for frame in frames[:13]]
    assert brightness == sorted(brightness)


def test_fit_shows_bars_and_fill_crops(service, tmp_path):
    square = write_video(tmp_path / "square.mp4", width=90, height=90, frames=6, picture=solid(GREEN, 90, 90))
    add_media_shot(service, square)
    fitted = decoded_frames(render_film(service, tmp_path / "fit.mp4").report.media.path)[2]
    assert close_to(fitted[45, 5], (0, 0, 0), 4) and close_to(fitted[45, 80], GREEN)
    service.set_shot_picture_and_sound(0, fit="fill")
    filled = decoded_frames(render_film(service, tmp_path / "fill.mp4").report.media.path)[2]
    assert close_to(filled[45, 5], GREEN) and close_to(filled[2, 80], GREEN)


def test_a_rotated_phone_clip_is_shown_upright(service, tmp_path):
    # Stored landscape, top half white; tagged to be turned a quarter clockwise (as phones do),
    # it shows portrait with the white half on the right.
    def top_white(index):
        picture = np.zeros((64, 96, 3), dtype=np.uint8)
        picture[:32] = 255
        return picture

    clip = write_video(tmp_path / "phone.mp4", width=96, height=64, frames=4, picture=top_white, rotation=-90)
    add_media_shot(service, clip)
    frame = decoded_frames(render_film(service, tmp_path / "film.mp4").report.media.path)[1]
    # Portrait 60x90 in the middle of 160x90: bars at both sides.
    assert close_to(frame[45, 10], (0, 0, 0), 4) and close_to(frame[45, 150], (0, 0, 0), 4)
    assert frame[45, 95].mean() > 200 and frame[45, 65].mean() < 40


def test_mixed_sizes_rates_codecs_and_a_still_make_one_exact_film(service, tmp_path):
    sources = [
        write_video(tmp_path / "animatediff.webm", width=128, height=128, frame_rate=8, frames=16,
                    codec="libvpx-vp9", container_format="webm"),
        write_video(tmp_path / "svd.mkv", width=256, height=144, frame_rate=6, frames=12, container_format="matroska"),
        write_video(tmp_path / "cloud.mov", width=320, height=180, frame_rate=Fraction(30000, 1001), frames=45,
                    tone=sine(330, 0.3)),
        write_video(tmp_path / "odd.mp4", width=150, height=100, frame_rate=25, frames=25, pix_fmt="yuv444p"),
    ]
    still = tmp_path / "still.png"
    Image.new("RGB", (301, 199), GREEN).save(still)
    for source in sources:
        add_media_shot(service, source)
    add_media_shot(service, still, duration_seconds="1.5")
    expected = service.cut_plan().length
    assert expected == 48 + 48 + 36 + 24 + 36
    info = render_film(service, tmp_path / "film.mp4").report.media
    assert info.frame_count == expected == decode_all_frames(info.path)
    assert (info.width, info.height, info.frame_rate, info.has_audio) == (160, 90, Fraction(24), True)
    samples, rate = decoded_audio(info.path)
    assert abs(samples.shape[1] - expected * rate / 24) <= 1024
    assert close_to(centre(decoded_frames(info.path)[-1]), GREEN)


def test_smart_render_encodes_only_what_changed_and_matches_a_full_render(service, clips, tmp_path):
    for name in ("red", "blue", "green", "red"):
        add_media_shot(service, clips[name])
    service.set_transition(1, "dissolve", 8)
    first = render_film(service, tmp_path / "first.mp4").report
    # Five pieces (red, blue, dissolve, green, red); the two reds are the same frames, encoded once.
    assert (first.segments_encoded, first.segments_reused) == (4, 0)

    again = render_film(service, tmp_path / "again.mp4").report
    assert (again.segments_encoded, again.segments_reused) == (0, first.segments_encoded)
    assert frame_hashes(tmp_path / "again.mp4") == frame_hashes(tmp_path / "first.mp4")

    service.set_shot_picture_and_sound(3, fit="fill")  # only the last shot's frames change
    changed = render_film(service, tmp_path / "changed.mp4").report
    assert changed.segments_encoded == 1
    shutil.rmtree(service.media.path_of(SEGMENT_CACHE))
    scratch = render_film(service, tmp_path / "scratch.mp4").report
    assert scratch.segments_reused == 0
    assert frame_hashes(tmp_path / "changed.mp4") == frame_hashes(tmp_path / "scratch.mp4")


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "missing", "empty"])
def test_a_bad_take_stops_the_render_by_shot_and_leaves_nothing(service, clips, tmp_path, damage):
    add_media_shot(service, clips["red"])
    add_media_shot(service, write_video(tmp_path / "long.mp4", frames=96, gop=24))
    take = service.project.selected_take(service.project.timeline.shots[1])
    path = service.media.path_of(take.media_path)
    project_before = service.path.read_bytes()
    if damage == "corrupt":
        path.write_bytes(np.random.default_rng(1).integers(0, 256, 30_000, dtype=np.uint8).tobytes())
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    elif damage == "missing":
        path.unlink()
    else:
        path.write_bytes(b"")
    film = tmp_path / "out" / "film.mp4"
    film.parent.mkdir()
    with pytest.raises(FoundryError) as raised:
        render_film(service, film)
    message = str(raised.value)
    assert "Shot 2" in message or "shot 2" in message, message
    assert list(film.parent.iterdir()) == []
    assert service.path.read_bytes() == project_before


def test_a_file_that_is_not_media_is_refused_when_added(service, tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with pytest.raises(InputFileError, match="notes.mp4"):
        add_media_shot(service, text)
    assert service.project.timeline.shots == []
