"""The film's sound: a music bed placed, looped and faded, take sound mixed, loudness normalised."""

from __future__ import annotations

import wave

import numpy as np
import pyloudnorm
import pytest
from video_sources import decoded_audio, rms, sine, write_video, write_wav

from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.shots.music_clips import add_music
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.errors import InputFileError

RATE = 48000


@pytest.fixture
def film(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=160, height=90, frame_rate="24") as service:
        add_media_shot(service, write_video(tmp_path / "a.mp4", frames=48))
        add_media_shot(service, write_video(tmp_path / "b.mp4", frames=48))
        yield service


def integrated(samples: np.ndarray) -> float:
    return pyloudnorm.Meter(RATE).integrated_loudness(samples.T.astype(np.float64))


def test_a_short_bed_loops_fades_and_is_normalised_to_the_target(film, tmp_path):
    add_music(film, write_wav(tmp_path / "bed.wav", 1.0, 0.1), fade_in_seconds="0.5", fade_out_seconds="0.5", loop=True)
    report = render_film(film, tmp_path / "film.mp4").report
    samples, rate = decoded_audio(report.media.path)
    assert rate == RATE and abs(samples.shape[1] - 4 * RATE) <= 1024
    # Measured by an independent meter, the mix sits at -14 LUFS.
    assert integrated(samples) == pytest.approx(-14.0, abs=1.0)
    assert report.mix_loudness.integrated_lufs < -20 and report.mix_gain_db > 6
    assert np.abs(samples).max() <= 10 ** (-1 / 20) + 0.02
    # It plays through the whole film (looped four times), faded in and out.
    seconds = [rms(samples[:, int(s * RATE) : int((s + 0.25) * RATE)]) for s in (0, 1.25, 2.25, 3.25, 3.75)]
    assert seconds[0] < seconds[1] / 2 and seconds[4] < seconds[3] / 2
    assert seconds[1] == pytest.approx(seconds[2], rel=0.05) == pytest.approx(seconds[3], rel=0.05)


def test_without_normalising_the_mix_keeps_the_gains_it_was_given(film, tmp_path):
    add_music(film, write_wav(tmp_path / "bed.wav", 2.0, 0.5), at_seconds="1", gain_db=-6.0)
    samples, _ = decoded_audio(render_film(film, tmp_path / "film.mp4", loudness_lufs=None).report.media.path)
    assert rms(samples[:, : RATE - 2048]) < 0.001  # nothing before it starts
    # A 0.5 sine, mono to stereo (-3 dB), then -6 dB; it stops after its two seconds.
    expected = 0.5 / np.sqrt(2) / np.sqrt(2) * 10 ** (-6 / 20)
    assert rms(samples[:, int(1.5 * RATE) : int(2.5 * RATE)]) == pytest.approx(expected, rel=0.05)
    assert rms(samples[:, int(3.1 * RATE) :]) < 0.001


def test_the_true_peak_ceiling_wins_over_the_loudness_target(film, tmp_path):
    # A quiet bed with one loud click: raising it to -14 LUFS would clip the click.
    path = tmp_path / "click.wav"
    write_wav(path, 3.0, 0.02)
    with wave.open(str(path), "rb") as source:
        frames = np.frombuffer(source.readframes(source.getnframes()), dtype=np.int16).copy()
    frames[44100:44110] = 30000
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(frames.tobytes())
    add_music(film, path)
    report = render_film(film, tmp_path / "film.mp4").report
    samples, _ = decoded_audio(report.media.path)
    assert integrated(samples) < -15
    assert np.abs(samples).max() <= 10 ** (-1 / 20) + 0.03


def test_take_sound_follows_gain_and_mute(film, tmp_path):
    toned = write_video(tmp_path / "tone.mp4", frames=24, tone=sine(440, 0.5), audio_rate=RATE)
    add_media_shot(film, toned)
    film.set_shot_picture_and_sound(2, audio_gain_db=-6.0)
    samples, _ = decoded_audio(render_film(film, tmp_path / "gain.mp4", loudness_lufs=None).report.media.path)
    expected = 0.5 / np.sqrt(2) / np.sqrt(2) * 10 ** (-6 / 20)
    assert rms(samples[:, int(4.2 * RATE) : int(4.8 * RATE)]) == pytest.approx(expected, rel=0.1)
    film.set_shot_picture_and_sound(2, audio_muted=True)
    samples, _ = decoded_audio(render_film(film, tmp_path / "muted.mp4", loudness_lufs=None).report.media.path)
    assert rms(samples) < 0.001


def test_a_file_without_sound_is_refused_as_music(film, tmp_path):
    silent_video = write_video(tmp_path / "silent.mp4", frames=12)
    with pytest.raises(InputFileError, match="silent.mp4 has no sound"):
        add_music(film, silent_video)
    assert film.project.timeline.music == []
