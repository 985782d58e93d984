"""The composer on plain cuts: real sources in, a real MP4 out, probed and decoded afterwards."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from video_sources import (
    decoded_audio,
    decoded_frames,
    frame_indices,
    rms,
    sine,
    write_video,
)

import foundry_desktop.media.encode.video_writer as video_writer
from foundry_desktop.errors import MediaError
from foundry_desktop.media.render.audio_mix import AudioPlacement
from foundry_desktop.media.render.film_compose import (
    FilmRecipe,
    compose_film,
    first_sample_of_frame,
)
from foundry_desktop.media.render.film_segment import SourceSpan, VideoSegment
from foundry_desktop.media.probe import MediaInfo, decode_all_frames, probe_media
from foundry_desktop.media.encode.video_encoding import VideoFormat
from foundry_desktop.store.media_cache import sha256_of_file

SMALL = VideoFormat(width=160, height=90, frame_rate=Fraction(24))
AUDIO_RATE = 48000
AAC_FRAME = 1024
# A 0.5 sine has RMS 0.5/sqrt(2); a mono source reaches each stereo channel at
# -3 dB (FFmpeg's centre-channel mix), another 1/sqrt(2).
MONO_TONE_RMS = 0.5 / np.sqrt(2) / np.sqrt(2)


def CutSegment(path: Path, start_frame: int, frames: int) -> tuple[Path, int, int]:
    return (path, start_frame, frames)


def cut_recipe(segments, fmt: VideoFormat = SMALL) -> FilmRecipe:
    """Spans of sources end to end, each with its own sound, as the app lays out plain cuts."""
    video, audio, film_frame = [], [], 0
    for path, start, frames in segments:
        content = sha256_of_file(path) if path.is_file() else "missing"
        video.append(VideoSegment(frames, SourceSpan(path, content, start)))
        if path.is_file() and path.stat().st_size and _has_audio(path):
            first = first_sample_of_frame(film_frame, fmt.frame_rate, AUDIO_RATE)
            last = first_sample_of_frame(film_frame + frames, fmt.frame_rate, AUDIO_RATE)
            audio.append(AudioPlacement(path, first, last - first, Fraction(start) / fmt.frame_rate))
        film_frame += frames
    return FilmRecipe(fmt, AUDIO_RATE, tuple(video), tuple(audio), loudness_lufs=None)


def _has_audio(path: Path) -> bool:
    try:
        return probe_media(path).has_audio
    except MediaError:
        return False


def render_cut(segments, output: Path, fmt: VideoFormat = SMALL, on_progress=None, cancel=None) -> MediaInfo:
    cache = output.parent.parent / "segment-cache"
    progress = None if on_progress is None else (lambda update: on_progress(update.fraction))
    return compose_film(cut_recipe(segments, fmt), output, cache, on_progress=progress, cancel=cancel).media


@pytest.fixture
def sources(tmp_path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    return folder


@pytest.fixture
def out_dir(tmp_path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def assert_audio_matches_video(path: Path, fmt: VideoFormat) -> np.ndarray:
    info = probe_media(path)
    samples, rate = decoded_audio(path)
    assert rate == AUDIO_RATE
    assert samples.shape[0] == 2
    expected = info.frame_count * AUDIO_RATE / fmt.frame_rate
    assert abs(samples.shape[1] - expected) <= AAC_FRAME
    return samples


def test_frames_size_rate_duration_and_audio_are_exact(sources, out_dir):
    a = write_video(sources / "a.mp4", frames=30)
    b = write_video(sources / "b.mp4", frames=20)
    segments = [CutSegment(a, 0, 30), CutSegment(b, 0, 20), CutSegment(a, 5, 13)]
    info = render_cut(segments, out_dir / "film.mp4", SMALL)

    assert info.path == out_dir / "film.mp4"
    assert info.frame_count == 63
    assert decode_all_frames(info.path) == 63
    assert (info.width, info.height, info.frame_rate) == (160, 90, Fraction(24))
    assert info.duration_s == pytest.approx(63 / 24, abs=1e-3)
    assert info.video_codec == "h264" and info.has_audio and info.audio_rate == 48000
    samples = assert_audio_matches_video(info.path, SMALL)
    assert rms(samples) < 1e-3  # no source had sound: silence
    assert sorted(p.name for p in out_dir.iterdir()) == ["film.mp4"]


def test_ntsc_rate_is_exact(sources, out_dir):
    source = write_video(sources / "a.mp4", frames=24)
    fmt = VideoFormat(width=160, height=90, frame_rate=Fraction(30000, 1001))
    info = render_cut([CutSegment(source, 0, 50), CutSegment(source, 0, 47)], out_dir / "ntsc.mp4", fmt)
    assert info.frame_rate == Fraction(30000, 1001)
    assert info.frame_count == 97
    assert decode_all_frames(info.path) == 97
    assert info.duration_s == pytest.approx(97 * 1001 / 30000, abs=1e-3)
    assert_audio_matches_video(info.path, fmt)


def test_twelve_fps_source_doubles_its_frames_at_twenty_four(sources, out_dir):
    source = write_video(sources / "twelve.mp4", frame_rate=12, frames=12)
    info = render_cut([CutSegment(source, 0, 24)], out_dir / "film.mp4", SMALL)
    assert frame_indices(info.path) == [j // 2 for j in range(24)]


def test_sixty_fps_source_keeps_every_frame_at_its_time(sources, out_dir):
    source = write_video(sources / "sixty.mp4", frame_rate=60, frames=30)
    fmt = VideoFormat(width=160, height=90, frame_rate=Fraction(24))
    info = render_cut([CutSegment(source, 0, 12)], out_dir / "film.mp4", fmt)
    # Output frame j is at j/24 s; the latest 60 fps frame at or before it is floor(j * 2.5).
    assert frame_indices(info.path) == [(j * 5) // 2 for j in range(12)]


def test_trim_start_is_respected_across_keyframes(sources, out_dir):
    source = write_video(sources / "coded.mp4", frames=30, gop=8)
    info = render_cut([CutSegment(source, 13, 6), CutSegment(source, 2, 3)], out_dir / "film.mp4", SMALL)
    assert frame_indices(info.path) == [13, 14, 15, 16, 17, 18, 2, 3, 4]


def test_a_short_source_holds_its_last_frame(sources, out_dir):
    source = write_video(sources / "short.mp4", frames=10)
    info = render_cut([CutSegment(source, 6, 8)], out_dir / "film.mp4", SMALL)
    assert frame_indices(info.path) == [6, 7, 8, 9, 9, 9, 9, 9]


def bright(width: int, height: int, colour=(230, 230, 230)):
    return lambda index: np.full((height, width, 3), colour, dtype=np.uint8)


def test_narrower_source_is_pillarboxed(sources, out_dir):
    # 4:3 into 16:9: a 120x90 picture centred, black bars of 20 columns each side.
    source = write_video(sources / "square.mp4", width=120, height=90, frames=4, picture=bright(120, 90))
    info = render_cut([CutSegment(source, 0, 4)], out_dir / "film.mp4", SMALL)
    assert (info.width, info.height) == (160, 90)
    frame = decoded_frames(info.path)[0].astype(int)
    assert frame[:, :16].max() < 30 and frame[:, -16:].max() < 30  # bars: black
    assert frame[:, 24:136].min() > 200  # picture: bright, full height
    assert frame[:2, 80].min() > 200 and frame[-2:, 80].min() > 200


def test_wider_source_is_letterboxed(sources, out_dir):
    # 4:1 into 16:9: 160x40 centred, bars of 25 rows top and bottom.
    source = write_video(sources / "wide.mp4", width=160, height=40, frames=4, picture=bright(160, 40))
    info = render_cut([CutSegment(source, 0, 4)], out_dir / "film.mp4", SMALL)
    frame = decoded_frames(info.path)[0].astype(int)
    assert frame[:20].max() < 30 and frame[-20:].max() < 30
    assert frame[30:60].min() > 200
    assert frame[30:60, :2].min() > 200 and frame[30:60, -2:].min() > 200  # full width


def test_larger_source_with_other_pixel_format_is_scaled_and_converted(sources, out_dir):
    red = (200, 40, 30)
    source = write_video(
        sources / "big444.mp4", width=320, height=180, frames=3, pix_fmt="yuv444p", picture=bright(320, 180, red)
    )
    info = render_cut([CutSegment(source, 0, 3)], out_dir / "film.mp4", SMALL)
    assert (info.width, info.height) == (160, 90)
    centre = decoded_frames(info.path)[1][45, 80].astype(int)
    assert np.abs(centre - np.array(red)).max() <= 8


def test_audio_of_a_source_plays_in_its_span_and_nowhere_else(sources, out_dir):
    silent = write_video(sources / "silent.mp4", frames=24)
    toned = write_video(sources / "tone.mp4", frames=24, tone=sine(440, 0.5), audio_rate=44100)
    segments = [CutSegment(silent, 0, 24), CutSegment(toned, 0, 24), CutSegment(silent, 0, 24)]
    info = render_cut(segments, out_dir / "film.mp4", SMALL)
    samples = assert_audio_matches_video(info.path, SMALL)
    second = 48000
    margin = 2 * AAC_FRAME  # AAC smears a little across a hard cut
    assert rms(samples[:, : second - margin]) < 0.01
    assert rms(samples[:, second + margin : 2 * second - margin]) == pytest.approx(MONO_TONE_RMS, rel=0.1)
    assert rms(samples[:, 2 * second + margin :]) < 0.01
    # In sync: the tone starts within a few milliseconds of the cut.
    loud = np.flatnonzero(np.abs(samples[0]) > 0.25)
    assert abs(int(loud[0]) - second) < 0.005 * second
    assert abs(int(loud[-1]) - 2 * second) < 0.005 * second


def test_audio_follows_the_trim(sources, out_dir):
    # Silent for the first second, a tone in the second: trimming one second in
    # must start the film on the tone.
    tone = sine(440, 0.5)
    source = write_video(
        sources / "late.mp4", frames=48, tone=lambda t: np.where(t >= 1.0, tone(t), 0.0), audio_rate=48000
    )
    info = render_cut([CutSegment(source, 24, 12)], out_dir / "film.mp4", SMALL)
    samples = assert_audio_matches_video(info.path, SMALL)
    assert rms(samples[:, AAC_FRAME : 24000 - AAC_FRAME]) == pytest.approx(MONO_TONE_RMS, rel=0.1)


def test_nothing_to_render(out_dir):
    with pytest.raises(MediaError, match=r"^Nothing to render: the film has no frames\.$"):
        render_cut([], out_dir / "film.mp4", SMALL)
    assert list(out_dir.iterdir()) == []


def test_cancel_removes_the_partial_file(sources, out_dir):
    source = write_video(sources / "a.mp4", frames=24)
    cancel = threading.Event()
    seen: list[float] = []

    def progress(fraction: float) -> None:
        seen.append(fraction)
        if fraction >= 0.2:
            cancel.set()

    with pytest.raises(MediaError, match=r"^Render cancelled\.$"):
        render_cut([CutSegment(source, 0, 24)] * 10, out_dir / "film.mp4", SMALL, on_progress=progress, cancel=cancel)
    assert seen and seen[-1] < 1.0
    assert list(out_dir.iterdir()) == []


def test_progress_runs_to_one(sources, out_dir):
    source = write_video(sources / "a.mp4", frames=24)
    seen: list[float] = []
    render_cut([CutSegment(source, 0, 24)] * 3, out_dir / "film.mp4", SMALL, on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 5


def test_a_corrupt_source_is_named_and_nothing_is_left(sources, out_dir):
    good = write_video(sources / "good.mp4", frames=12)
    bad = sources / "take-7.mp4"
    bad.write_bytes(np.random.default_rng(3).integers(0, 256, 40_000, dtype=np.uint8).tobytes())
    with pytest.raises(MediaError, match="^take-7.mp4 is not a video Foundry can read"):
        render_cut([CutSegment(good, 0, 12), CutSegment(bad, 0, 12)], out_dir / "film.mp4", SMALL)
    assert list(out_dir.iterdir()) == []


def test_a_source_damaged_mid_way_fails_cleanly_and_keeps_the_old_film(sources, out_dir):
    good = write_video(sources / "good.mp4", frames=12)
    damaged = sources / "damaged.mp4"
    # Index in front (faststart), pictures cut off: it probes, then fails while decoding.
    render_cut([CutSegment(good, 0, 12)] * 4, damaged, SMALL)
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    film = out_dir / "film.mp4"
    film.write_bytes(b"the previous render")
    with pytest.raises(MediaError, match="^damaged.mp4 is not a video Foundry can read"):
        render_cut([CutSegment(good, 0, 12), CutSegment(damaged, 0, 48)], film, SMALL)
    assert film.read_bytes() == b"the previous render"
    assert [p.name for p in out_dir.iterdir()] == ["film.mp4"]


def test_a_missing_source_is_named(sources, out_dir):
    with pytest.raises(MediaError, match="^gone.mp4 does not exist"):
        render_cut([CutSegment(sources / "gone.mp4", 0, 12)], out_dir / "film.mp4", SMALL)
    assert list(out_dir.iterdir()) == []


def test_a_full_disk_is_reported_as_such(sources, out_dir, monkeypatch):
    source = write_video(sources / "a.mp4", frames=24)
    real_open = video_writer._open_container
    # /dev/full accepts the open and fails every write with ENOSPC, like a full disk.
    monkeypatch.setattr(video_writer, "_open_container", lambda path, container, options: real_open(Path("/dev/full"), container, options))
    with pytest.raises(MediaError, match=r"^The disk is full: there is no room to write film\.mp4"):
        render_cut([CutSegment(source, 0, 24)] * 4, out_dir / "film.mp4", SMALL)
    assert list(out_dir.iterdir()) == []
