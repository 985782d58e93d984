"""probe_media and decode_all_frames on real files, good and bad."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PIL import Image
from video_sources import sine, write_video

from foundry_desktop.errors import MediaError
from foundry_desktop.media.probe import decode_all_frames, probe_media


def test_probe_reads_size_rate_length_and_streams(tmp_path):
    path = write_video(tmp_path / "clip.mp4", width=160, height=90, frame_rate=24, frames=36, tone=sine())
    info = probe_media(path)
    assert (info.width, info.height) == (160, 90)
    assert info.frame_rate == Fraction(24)
    assert info.frame_count == 36
    assert info.duration_s == pytest.approx(1.5, abs=1e-3)
    assert info.video_codec == "h264"
    assert info.has_audio and info.audio_rate == 44100
    assert info.path == path
    assert decode_all_frames(path) == 36


def test_probe_keeps_ntsc_rates_exact(tmp_path):
    path = write_video(tmp_path / "ntsc.mp4", frame_rate=Fraction(30000, 1001), frames=30)
    info = probe_media(path)
    assert info.frame_rate == Fraction(30000, 1001)
    assert info.frame_count == 30
    assert not info.has_audio and info.audio_rate is None


def test_frame_count_comes_from_duration_when_the_container_does_not_say(tmp_path):
    # Matroska stores no frame count.
    path = write_video(tmp_path / "clip.mkv", frames=30, container_format="matroska")
    assert probe_media(path).frame_count == 30


@pytest.mark.parametrize(
    "name, content",
    [
        ("noise.mp4", np.random.default_rng(1).integers(0, 256, 50_000, dtype=np.uint8).tobytes()),
        ("notes.mp4", b"This is a text file, not a video.\n" * 40),
        ("empty.mp4", b""),
    ],
)
def test_a_file_that_is_not_a_video_is_refused_by_name(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MediaError, match=rf"^{name} is not a video Foundry can read: ") as raised:
        probe_media(path)
    assert "\n" not in str(raised.value)


def test_a_truncated_mp4_is_refused(tmp_path):
    good = write_video(tmp_path / "good.mp4", frames=48)
    truncated = tmp_path / "cut.mp4"
    # Without faststart the index sits at the end, so half a file has none.
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(MediaError, match="^cut.mp4 is not a video Foundry can read"):
        probe_media(truncated)


def test_damage_after_the_header_shows_when_decoding(tmp_path):
    # A faststart-style file keeps its index in front: it probes, but does not decode.
    from foundry_desktop.media.encode.video_writer import VideoWriter
    from foundry_desktop.media.encode.yuv_picture import yuv420p_frame

    rng = np.random.default_rng(0)
    path = tmp_path / "front.mp4"
    with VideoWriter(path, width=64, height=36, frame_rate=Fraction(24), keyframe_interval_s=1, faststart=True) as writer:
        for _ in range(48):
            y = rng.integers(16, 235, (36, 64), dtype=np.uint8)
            writer.add_frame(yuv420p_frame(y, np.full((18, 32), 128, np.uint8), np.full((18, 32), 128, np.uint8)))
        writer.finish()
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    assert probe_media(damaged).frame_count == 48
    with pytest.raises(MediaError, match="^damaged.mp4 is not a video Foundry can read"):
        decode_all_frames(damaged)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(MediaError, match=r"^gone.mp4 does not exist"):
        probe_media(tmp_path / "gone.mp4")
    with pytest.raises(MediaError, match=r"^gone.mp4 does not exist"):
        decode_all_frames(tmp_path / "gone.mp4")


def test_a_folder_is_not_a_video(tmp_path):
    folder = tmp_path / "clips.mp4"
    folder.mkdir()
    with pytest.raises(MediaError, match="^clips.mp4 is not a file"):
        probe_media(folder)


def test_a_still_image_is_not_a_video(tmp_path):
    path = tmp_path / "still.png"
    Image.new("RGB", (64, 36), (200, 30, 30)).save(path)
    with pytest.raises(MediaError, match="^still.png is not a video Foundry can read: it is a still image"):
        probe_media(path)
