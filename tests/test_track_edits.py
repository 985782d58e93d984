"""The service's edits of music clips and captions by id: changed, split and removed as one
undo step each, refused in words a creator understands; overlapping clips both heard."""

from __future__ import annotations

import numpy as np
import pytest
from video_sources import decoded_audio, write_video, write_wav

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.shots.music_clips import add_music
from foundry_desktop.errors import InvalidEditError


@pytest.fixture
def service(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24") as opened:
        opened.add_shot(prompt="a shot", duration_seconds="4")
        yield opened


def test_a_music_clip_is_changed_split_and_removed_by_id(service, tmp_path):
    clip = add_music(service, write_wav(tmp_path / "bed.wav", 3.0, 0.5), fade_in_seconds="1", fade_out_seconds="1")
    moved = service.update_music_clip(clip.id, "Move music", start=12, gain_db=-3.0)
    assert (moved.start, moved.gain_db, moved.id) == (12, -3.0, clip.id)
    second = service.split_music_clip(clip.id, 12 + 30)
    first = service.music_clip(clip.id)
    assert (first.source_out, first.fade_in, first.fade_out) == (30, 24, 0)
    assert (second.start, second.source_in, second.source_out, second.fade_in, second.fade_out) == (42, 30, 72, 0, 24)
    service.undo()
    assert [c.id for c in service.project.timeline.music] == [clip.id]
    service.remove_music_clip(clip.id)
    assert service.project.timeline.music == [] and service.undo_label() == "Remove music bed.wav"


def test_music_clip_edits_are_refused_in_words(service, tmp_path):
    clip = add_music(service, write_wav(tmp_path / "bed.wav", 1.0, 0.5))
    with pytest.raises(InvalidEditError, match=r"The fades \(0.83 s in, 0.83 s out\) are longer than the clip \(1.00 s\)"):
        service.update_music_clip(clip.id, "Fade", fade_in=20, fade_out=20)
    with pytest.raises(InvalidEditError, match="no field media_path"):
        service.update_music_clip(clip.id, "Swap", media_path="elsewhere.wav")
    with pytest.raises(InvalidEditError, match="inside the music clip"):
        service.split_music_clip(clip.id, 24)
    service.update_music_clip(clip.id, "Loop", loop=True)
    with pytest.raises(InvalidEditError, match="turn Loop off"):
        service.split_music_clip(clip.id, 12)
    with pytest.raises(InvalidEditError, match="no such music clip"):
        service.remove_music_clip("gone")


def test_a_caption_splits_between_its_words(service):
    caption = service.add_caption("one two three four", "0", "2")
    second = service.split_caption(caption.id, 12)  # words spread by length: "three" starts at frame 19
    first = service.project.timeline.captions[0]
    assert (first.text, first.end, second.text, second.start, second.end) == ("one two", 12, "three four", 12, 48)
    assert service.undo_label() == 'Split caption "one two three four"'
    single = service.add_caption("Hello", "3", "4")
    service.split_caption(single.id, 80)
    assert [c.text for c in service.project.timeline.captions[2:]] == ["Hello", "Hello"]  # one word: both keep it
    with pytest.raises(InvalidEditError, match="inside the caption"):
        service.split_caption(single.id, 10)


def test_overlapping_music_clips_are_both_heard(service, tmp_path):
    service.remove_shot(0)
    add_media_shot(service, write_video(tmp_path / "grey.mp4", frames=48, width=320, height=180))
    add_music(service, write_wav(tmp_path / "low.wav", 2.0, 0.3, hz=220))
    add_music(service, write_wav(tmp_path / "high.wav", 1.0, 0.3, hz=880), at_seconds="1")
    film = render_film(service, tmp_path / "film.mp4", loudness_lufs=None).report.media.path
    samples, rate = decoded_audio(film)
    mono = samples.mean(axis=0) if samples.ndim == 2 else samples

    def strength(first_s: float, hz: float) -> float:
        part = mono[int(first_s * rate): int((first_s + 0.5) * rate)]
        spectrum = np.abs(np.fft.rfft(part))
        return spectrum[round(hz * len(part) / rate)] / len(part)

    assert strength(0.25, 220) > 0.05 and strength(0.25, 880) < 0.01  # the low clip alone
    assert strength(1.25, 220) > 0.05 and strength(1.25, 880) > 0.05  # both where they overlap
