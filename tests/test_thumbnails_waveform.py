"""Thumbnails and waveform outlines of real files, their caches, and the files they refuse."""

from __future__ import annotations

import math
import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from video_sources import (
    GREY_LEVELS,
    decoded_audio,
    grey_of,
    index_of_grey,
    sine,
    write_video,
)

from foundry_desktop.errors import MediaError
from foundry_desktop.media.previews.thumbnails import thumbnail, thumbnail_strip
from foundry_desktop.media.previews.waveform import waveform_peaks

FPS = 24
GOP = 12  # a keyframe every half second


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """Two seconds of grey_of(i) frames, 160x90."""
    return write_video(tmp_path_factory.mktemp("clip") / "clip.mp4", frames=48, gop=GOP)


def picture_of(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.format == "JPEG"
        return np.asarray(image.convert("RGB"))


def index_shown(path: Path) -> int:
    """Which frame a thumbnail of a grey_of(i) video shows (grey levels repeat: frame 47 reads 16)."""
    picture = picture_of(path)
    h, w, _ = picture.shape
    return index_of_grey(float(picture[h // 3 : 2 * h // 3, w // 3 : 2 * w // 3].mean()))


def fail_to_open(*args, **kwargs):
    raise AssertionError("the source was opened on a cache hit")


TIMES = [0.0, 0.3, 0.5, 0.9, 1.26, 1.99]


@pytest.mark.parametrize("at_s", TIMES)
def test_exact_mode_shows_the_frame_on_screen_at_that_time(clip, tmp_path, at_s):
    # The frame on screen at t is the latest that starts at or before t (as in the render).
    assert index_shown(thumbnail(clip, at_s, tmp_path, exact=True)) == math.floor(at_s * FPS) % GREY_LEVELS


@pytest.mark.parametrize("at_s", TIMES)
def test_fast_mode_shows_the_keyframe_at_or_before_that_time(clip, tmp_path, at_s):
    exact_index = math.floor(at_s * FPS)
    shown = index_shown(thumbnail(clip, at_s, tmp_path))
    assert shown == exact_index // GOP * GOP % GREY_LEVELS  # within a GOP before the exact frame


def test_past_the_end_the_last_frame_holds(clip, tmp_path):
    assert index_shown(thumbnail(clip, 60.0, tmp_path, exact=True)) == 47 % GREY_LEVELS
    assert index_shown(thumbnail(clip, 60.0, tmp_path)) == 36 % GREY_LEVELS


def test_exact_mode_finds_frames_far_from_a_keyframe(tmp_path):
    # One keyframe for the whole clip: the frame is reached by decoding forward.
    path = write_video(tmp_path / "long_gop.mp4", frames=48, gop=48)
    assert index_shown(thumbnail(path, 1.5, tmp_path / "cache", exact=True)) == 36 % GREY_LEVELS
    assert index_shown(thumbnail(path, 1.5, tmp_path / "cache")) == 0


def test_a_grey_frame_level_round_trips(tmp_path):
    # The thumbnails' colours are the video's, not shifted by a range conversion.
    path = write_video(tmp_path / "grey.mp4", frames=1, picture=lambda i: np.full((90, 160, 3), grey_of(20), np.uint8))
    assert abs(float(picture_of(thumbnail(path, 0, tmp_path / "cache")).mean()) - grey_of(20)) < 3


@pytest.mark.parametrize(
    "name, container_format, codec",
    [
        ("clip.mkv", "matroska", "libx264"),
        ("clip.mov", None, "libx264"),
        ("clip.webm", "webm", "libvpx-vp9"),
        ("clip.ts", "mpegts", "libx264"),
    ],
)
def test_other_containers_and_codecs_find_the_same_frames(tmp_path, name, container_format, codec):
    source = write_video(tmp_path / name, frames=48, gop=GOP, container_format=container_format, codec=codec)
    cache = tmp_path / "cache"
    assert index_shown(thumbnail(source, 1.3, cache, exact=True)) == 31 % GREY_LEVELS
    assert index_shown(thumbnail(source, 1.3, cache)) in {0, 12, 24}  # a keyframe at or before frame 31
    strip = thumbnail_strip(source, 4, cache, 80, exact=True)
    assert [index_shown(path) for path in strip] == [i % GREY_LEVELS for i in (0, 12, 24, 36)]


@pytest.mark.parametrize(
    "size, width, expected",
    [
        ((320, 180), 160, (160, 90)),
        ((160, 90), 64, (64, 36)),
        ((160, 120), 100, (100, 76)),  # 4:3 gives 75 lines; the height is kept even
        ((90, 160), 90, (90, 160)),
    ],
)
def test_the_picture_is_as_wide_as_asked_with_its_shape_kept(tmp_path, size, width, expected):
    source = write_video(tmp_path / "shape.mp4", width=size[0], height=size[1], frames=2)
    with Image.open(thumbnail(source, 0, tmp_path / "cache", width)) as image:
        assert image.size == expected


def test_a_rotated_phone_clip_is_shown_upright(tmp_path):
    # Stored landscape with the top half white, tagged to turn a quarter clockwise:
    # upright it is portrait with the white half on the right (as the render shows it).
    def top_white(index):
        picture = np.zeros((64, 96, 3), dtype=np.uint8)
        picture[:32] = 255
        return picture

    phone = write_video(tmp_path / "phone.mp4", width=96, height=64, frames=4, picture=top_white, rotation=-90)
    picture = picture_of(thumbnail(phone, 0, tmp_path / "cache", 64))
    assert picture.shape == (96, 64, 3)
    assert picture[48, 56].mean() > 200 and picture[48, 8].mean() < 40


def test_a_still_image_is_its_own_thumbnail_at_any_time(tmp_path):
    still = tmp_path / "still.png"
    Image.new("RGB", (301, 199), (200, 30, 30)).save(still)
    for at_s in (0.0, 3.0):
        picture = picture_of(thumbnail(still, at_s, tmp_path / "cache", 100))
        assert picture.shape == (66, 100, 3)
        assert np.abs(picture[33, 50].astype(int) - (200, 30, 30)).max() <= 6
    paths = thumbnail_strip(still, 3, tmp_path / "cache", 100)
    assert len(set(paths)) == 3 and all(picture_of(path).shape == (66, 100, 3) for path in paths)


def test_a_second_call_is_a_cache_hit_that_opens_nothing(clip, tmp_path, monkeypatch):
    first = thumbnail(clip, 0.9, tmp_path, exact=True)
    written = first.stat().st_mtime_ns
    monkeypatch.setattr(av, "open", fail_to_open)
    again = thumbnail(clip, 0.9, tmp_path, exact=True)
    assert again == first and again.stat().st_mtime_ns == written
    # Anything else asked is another picture, which needs the source.
    for other in ({"at_s": 1.0}, {"width": 80}, {"exact": False}):
        arguments = {"at_s": 0.9, "width": 160, "exact": True} | other
        with pytest.raises(AssertionError, match="opened on a cache hit"):
            thumbnail(clip, arguments["at_s"], tmp_path, arguments["width"], exact=arguments["exact"])
    assert [path.name for path in tmp_path.iterdir()] == [first.name]  # no temporary left behind


def test_a_rewritten_file_gets_a_new_picture(tmp_path):
    cache = tmp_path / "cache"
    source = write_video(tmp_path / "take.mp4", frames=4)
    before = thumbnail(source, 0, cache)
    write_video(source, frames=4, picture=lambda index: np.full((90, 160, 3), 230, dtype=np.uint8))
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 1_000_000))
    after = thumbnail(source, 0, cache)
    assert after != before and picture_of(after).mean() > 200 > picture_of(before).mean() + 150


def test_a_content_hash_names_the_picture_wherever_the_file_is(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    source = write_video(tmp_path / "take.mp4", frames=4)
    made = thumbnail(source, 0, cache, content_hash="ab12")
    moved = source.rename(tmp_path / "moved.mp4")
    monkeypatch.setattr(av, "open", fail_to_open)
    assert thumbnail(moved, 0, cache, content_hash="ab12") == made


def test_a_strip_is_evenly_spaced_and_opens_the_source_once(tmp_path, monkeypatch):
    source = write_video(tmp_path / "strip.mp4", frames=48, gop=48)
    opened = []
    real_open = av.open
    monkeypatch.setattr(av, "open", lambda *args, **kwargs: opened.append(args) or real_open(*args, **kwargs))
    paths = thumbnail_strip(source, 4, tmp_path / "cache", 80, exact=True)
    assert [index_shown(path) for path in paths] == [i % GREY_LEVELS for i in (0, 12, 24, 36)]  # the start of each quarter
    assert len(opened) == 1
    assert all(Image.open(path).size == (80, 44) for path in paths)
    monkeypatch.setattr(av, "open", fail_to_open)
    assert thumbnail_strip(source, 4, tmp_path / "cache", 80, exact=True) == paths
    assert thumbnail_strip(source, 0, tmp_path / "cache", 80) == []


def test_a_fast_strip_shows_keyframes(clip, tmp_path):
    paths = thumbnail_strip(clip, 5, tmp_path, 80)
    # Slices start at frames 0, 9.6, 19.2, 28.8 and 38.4; keyframes every 12 frames.
    assert [index_shown(path) for path in paths] == [i % GREY_LEVELS for i in (0, 0, 12, 24, 36)]


@pytest.mark.parametrize(
    "name, content",
    [
        ("noise.mp4", np.random.default_rng(1).integers(0, 256, 50_000, dtype=np.uint8).tobytes()),
        ("empty.mp4", b""),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),
    ],
)
def test_a_file_that_is_not_a_picture_is_refused_by_name(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MediaError, match=rf"^{name} is not a video Foundry can read: ") as raised:
        thumbnail(path, 0, tmp_path / "cache")
    assert "\n" not in str(raised.value)
    with pytest.raises(MediaError, match=rf"^{name} "):
        thumbnail_strip(path, 3, tmp_path / "cache")
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(MediaError, match=r"^gone.mp4 does not exist"):
        thumbnail(tmp_path / "gone.mp4", 0, tmp_path / "cache")
    with pytest.raises(MediaError, match=r"^gone.mp4 does not exist"):
        waveform_peaks(tmp_path / "gone.mp4", 10, tmp_path / "cache")


def test_a_cache_that_cannot_be_written_is_named(clip, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    with pytest.raises(MediaError, match="thumbnail of clip.mp4"):
        thumbnail(clip, 0, blocked)


# Sound


def write_sound(path: Path, channels: np.ndarray, rate: int, codec: str = "pcm_s16le") -> Path:
    """Float samples shaped (channels, n) as a sound file."""
    layout = {1: "mono", 2: "stereo"}[channels.shape[0]]
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=rate, layout=layout)
        chunk = 1024
        for start in range(0, channels.shape[1], chunk):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(channels[:, start : start + chunk], dtype=np.float32), format="fltp", layout=layout
            )
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def tone_between(start_s: float, end_s: float, level: float, rate: int, length_s: float) -> np.ndarray:
    times = np.arange(round(length_s * rate)) / rate
    return np.where((times >= start_s) & (times < end_s), level * np.sin(2 * np.pi * 440 * times), 0.0)


def test_a_tone_shows_its_level_where_it_plays_and_silence_elsewhere(tmp_path):
    rate = 48000
    burst = tone_between(1.0, 2.0, 1.0, rate, 3.0)
    # The mono mix is the channels' mean: 0.6 and 0.4 of the same tone make 0.5.
    path = write_sound(tmp_path / "burst.wav", np.stack([0.6 * burst, 0.4 * burst]), rate)
    peaks = waveform_peaks(path, 10, tmp_path / "cache")
    assert peaks.sample_rate == rate and peaks.duration_s == pytest.approx(3.0)
    assert len(peaks.minima) == len(peaks.maxima) == 30
    assert peaks.minima.dtype == peaks.maxima.dtype == np.float32
    assert np.allclose(peaks.maxima[10:20], 0.5, atol=0.01) and np.allclose(peaks.minima[10:20], -0.5, atol=0.01)
    assert np.abs(peaks.maxima[:10]).max() < 1e-3 and np.abs(peaks.minima[20:]).max() < 1e-3


def test_buckets_match_the_whole_sound_bucketed_at_once(tmp_path):
    # 44100 / 7 is not a whole number of samples, and 1.5 s is 10.5 buckets: rounded up.
    rate = 44100
    noise = np.random.default_rng(3).uniform(-0.9, 0.9, (2, round(1.5 * rate)))
    path = write_sound(tmp_path / "noise.wav", noise, rate)
    peaks = waveform_peaks(path, 7, tmp_path / "cache")
    assert len(peaks.maxima) == math.ceil(1.5 * 7) == 11
    interleaved, _ = decoded_audio(path)  # WAV holds 16-bit samples, left and right taking turns
    mono = interleaved.reshape(-1, 2).T.mean(axis=0) / 32768
    bucket_of = np.arange(mono.shape[0]) * 7 // rate
    expected_max = np.array([mono[bucket_of == b].max() for b in range(11)])
    expected_min = np.array([mono[bucket_of == b].min() for b in range(11)])
    assert np.allclose(peaks.maxima, expected_max, atol=1e-6) and np.allclose(peaks.minima, expected_min, atol=1e-6)


def test_the_sound_of_a_video_lines_up_with_its_picture(tmp_path):
    # AAC in an MP4, a tone from 0.5 s to 1.5 s of 2 s; buckets next to the edges are
    # left out (AAC smears a sudden start over a few milliseconds).
    burst = write_video(
        tmp_path / "burst.mp4", frames=48, tone=lambda t: np.where((t >= 0.5) & (t < 1.5), sine(440, 0.5)(t), 0)
    )
    peaks = waveform_peaks(burst, 20, tmp_path / "cache")
    assert len(peaks.maxima) == 40 and peaks.duration_s == pytest.approx(2.0, abs=0.03)
    assert np.allclose(peaks.maxima[11:29], 0.5, atol=0.05) and np.allclose(peaks.minima[11:29], -0.5, atol=0.05)
    assert np.abs(peaks.maxima[:9]).max() < 0.02 and np.abs(peaks.maxima[31:]).max() < 0.02


def test_a_second_call_reads_the_cache(tmp_path, monkeypatch):
    path = write_sound(tmp_path / "tone.wav", tone_between(0, 1, 0.5, 8000, 1.0)[None, :], 8000)
    first = waveform_peaks(path, 50, tmp_path / "cache")
    monkeypatch.setattr(av, "open", fail_to_open)
    again = waveform_peaks(path, 50, tmp_path / "cache")
    assert np.array_equal(again.minima, first.minima) and np.array_equal(again.maxima, first.maxima)
    assert (again.sample_rate, again.duration_s, again.buckets_per_second) == (8000, 1.0, 50)
    assert [path.suffix for path in (tmp_path / "cache").iterdir()] == [".npz"]


def test_a_file_without_sound_says_so(clip, tmp_path):
    with pytest.raises(MediaError, match=r"^clip.mp4 has no sound\.$"):
        waveform_peaks(clip, 10, tmp_path / "cache")


def test_a_damaged_sound_file_is_named(tmp_path):
    path = tmp_path / "song.mp3"
    path.write_bytes(b"ID3" + bytes(range(256)) * 40)
    with pytest.raises(MediaError, match=r"^song.mp3 "):
        waveform_peaks(path, 10, tmp_path / "cache")
