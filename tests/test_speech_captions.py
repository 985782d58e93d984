"""Captions from speech, end to end: sound with known words (tests/spoken_audio.py) sent through the
real openai package to the transcription test server on 127.0.0.1, which hears it; the words become
word-timed captions at the frames the server heard them, burnt into the render there, and written as
SRT and WebVTT that strict readers accept. Also: a 429, a timeout, a wrong key, a model without word
times, and no model at all."""

from __future__ import annotations

import asyncio
import time
from fractions import Fraction

import keyring
import numpy as np
import pytest
from servers.openai_audio import OpenAIAudioServer
from spoken_audio import Speech
from strict_subtitles import parse_srt, parse_webvtt
from video_sources import decoded_frames

from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.assist.language_model import (
    LanguageModelSettings,
    NoLanguageModelError,
    save_language_model,
)
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.shots.music_clips import add_music
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.assist.speech_captions import (
    add_transcribed_captions,
    speech_source,
    transcribe_speech,
)
from foundry_desktop.app.assist.speech_transcription import TranscriptionError
from foundry_desktop.cli.main import main
from foundry_desktop.domain.captions.styles import CAPTION_STYLES
from foundry_desktop.domain.time import seconds_to_frames
from foundry_desktop.errors import InvalidEditError

RATE = Fraction(24)
# Shot 2's take: 4 s; the shot is trimmed to start 0.5 s in, so "Skip" (0.1-0.4 s) is not in the film.
SHOT_SPEECH = Speech([
    ("Skip", 0.1, 0.4),
    ("Hello,", 0.75, 1.05), ("there.", 1.2, 1.55),
    ("How", 2.2, 2.4), ("are", 2.5, 2.7), ("you?", 2.8, 3.2),
])


@pytest.fixture
def machine(tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    password_store.set_password("foundry-desktop", "assist", "test-key")


@pytest.fixture
def server():
    with OpenAIAudioServer(vocabulary=SHOT_SPEECH.vocabulary) as server:
        yield server


# A try's timeout where a test is about timeouts: far beyond a local transcription (a fraction of
# a second, even on a loaded machine), so that only an answer held back on purpose runs into it.
# Elsewhere the timeout only stops a broken test hanging.
TRY_TIMEOUT_S = 3.0
WAIT_S = 60


def settings_for(server, **changes) -> LanguageModelSettings:
    return LanguageModelSettings(base_url=server.base_url, timeout_s=changes.pop("timeout_s", WAIT_S), **changes)


@pytest.fixture
def film(tmp_path, machine):
    """Shot 1: 2 s of silence; shot 2: the speech, from 0.5 s into its take."""
    with ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24") as service:
        add_media_shot(service, Speech([]).write_video(tmp_path / "quiet.mp4", frames=48))
        add_media_shot(service, SHOT_SPEECH.write_video(tmp_path / "speech.mp4", frames=96), source_in="0.5")
        yield service


def heard_frames(server, record_in: int, source_in: int) -> list[tuple[str, int]]:
    """Where the server's word times put each word in the film, by the project's rule (nearest frame)."""
    return [(word, record_in + seconds_to_frames(Fraction(str(start)), RATE) - source_in)
            for word, start, _ in server.heard
            if seconds_to_frames(Fraction(str(start)), RATE) >= source_in]


def test_a_spoken_take_becomes_captions_timed_to_the_words_and_burnt_in_there(film, server, tmp_path):
    source = speech_source(film, "shot:2")
    assert (source.film_start, source.source_in, source.frames) == (48, 12, 84)
    captions = asyncio.run(transcribe_speech(source, settings_for(server), RATE, style="social"))
    add_transcribed_captions(film, captions, source_label=source.label)

    # The server heard every word at the times the sound has them (to its 10 ms rounding).
    assert [(w, s, e) for w, s, e in server.heard] == [
        (w.text.strip(",.?"), float(w.start), float(w.end)) for w in SHOT_SPEECH.words]
    # Two sentences, two captions; the trimmed-off word is not among them; punctuation is back.
    stored = film.project.timeline.captions
    assert [c.text for c in stored] == ["Hello, there.", "How are you?"]
    expected = heard_frames(server, record_in=48, source_in=12)
    assert [w.strip(",.?") for c in stored for w in c.text.split()] == [w for w, _ in expected]
    assert [f for c in stored for f in c.word_starts] == [f for _, f in expected]
    assert [f for _, f in expected] == [48 + 18 - 12, 48 + 29 - 12, 48 + 53 - 12, 48 + 60 - 12, 48 + 67 - 12]
    first, second = stored
    assert first.start == 54 and second.start == 89
    # "Hello, there." is said by frame 37 into the film's shot; it stays up 5/6 s at least, until 74.
    assert first.end == 54 + 20
    assert second.end == 113  # "you?" ends 3.2 s into the take: frame 77, film frame 48 + 77 - 12
    assert all(c.style == CAPTION_STYLES["social"] for c in stored)

    render = render_film(film, tmp_path / "film.mp4")
    frames = decoded_frames(render.report.media.path)

    def ink(frame: np.ndarray) -> bool:
        return bool((frame.mean(axis=2) > 200).any())

    def yellow_columns(frame: np.ndarray) -> np.ndarray:
        r, g, b = (frame[..., channel].astype(int) for channel in range(3))
        return np.flatnonzero(((r > 180) & (g > 150) & (b < 90)).any(axis=0))

    for index in (0, 30, 53, 74, 88, 113, len(frames) - 1):
        assert not ink(frames[index]), index
    for index in (54, 73, 89, 112):
        assert ink(frames[index]), index
    # The spoken word is the yellow one: "Hello," on the left at first, "there." on the right later.
    hello, there = yellow_columns(frames[first.word_starts[0]]), yellow_columns(frames[first.word_starts[1]])
    assert hello.size and there.size and hello.mean() < 160 < there.mean()

    # The render's sidecars are the export's files, and strict readers accept both.
    assert main(["captions", "export", str(film.path), "-o", str(tmp_path / "out.srt")]) == 0
    assert main(["captions", "export", str(film.path), "-o", str(tmp_path / "out.vtt")]) == 0
    srt, vtt = render.subtitles
    assert (tmp_path / "out.srt").read_text() == srt.read_text()
    assert (tmp_path / "out.vtt").read_text() == vtt.read_text()
    srt_cues, vtt_cues = parse_srt(srt.read_text()), parse_webvtt(vtt.read_text())
    frame_ms = [(round(c.start * 1000 / RATE), round(c.end * 1000 / RATE)) for c in stored]
    assert [(c.start_ms, c.end_ms) for c in srt_cues] == frame_ms == [(c.start_ms, c.end_ms) for c in vtt_cues]
    assert [c.text for c in srt_cues] == ["Hello, there.", "How are you?"] == [c.text for c in vtt_cues]
    # WebVTT carries each later word's time (karaoke), on the word's frame.
    assert vtt_cues[1].word_times_ms == [round(f * 1000 / RATE) for f in second.word_starts[1:]]


def test_the_cli_transcribes_a_file_at_a_time_and_one_undo_takes_it_all_away(film, server, tmp_path, capsys):
    save_language_model(settings_for(server))
    speech = SHOT_SPEECH.write_wav(tmp_path / "voice.wav", 4)
    project = str(film.path)
    film.close()
    assert main(["captions", "from", project, str(speech), "--at", "1.5", "--language", "en"]) == 0
    out = capsys.readouterr().out
    assert "Added 2 captions from voice.wav" in out
    request = server.requests_to("POST", "/v1/audio/transcriptions")[-1]
    assert request.form["model"] == "whisper-1" and request.form["language"] == "en"
    assert request.form["response_format"] == "verbose_json" and request.form["file"]["filename"].endswith(".wav")
    with ProjectService.open(film.path) as service:
        captions = service.project.timeline.captions
        # "Skip" and "Hello," are 0.35 s apart, less than a pause: one caption.
        assert [c.text for c in captions] == ["Skip Hello, there.", "How are you?"]
        at = seconds_to_frames("1.5", RATE)
        assert captions[0].word_starts == [at + seconds_to_frames(w.start, RATE) for w in SHOT_SPEECH.words[:3]]
        # Again over the same place: refused, naming what is there; --replace swaps them.
    assert main(["captions", "from", project, str(speech), "--at", "1.5"]) == 1
    assert "would overlap 2 captions already there" in capsys.readouterr().err
    assert main(["captions", "from", project, str(speech), "--at", "1.5", "--replace", "--style", "title"]) == 0
    with ProjectService.open(film.path) as service:
        assert [c.style for c in service.project.timeline.captions] == [CAPTION_STYLES["title"]] * 2
        assert service.undo() == "Captions from voice.wav"
        assert len(service.project.timeline.captions) == 2  # the first transcription's, as they were
        assert service.undo() == "Captions from voice.wav"
        assert service.project.timeline.captions == []


def test_music_is_captioned_from_the_clip_start_and_long_sound_goes_in_pieces(film, server, tmp_path):
    voice = SHOT_SPEECH.write_wav(tmp_path / "voice.wav", 4)
    add_music(film, voice, at_seconds="2")
    source = speech_source(film, "music:1")
    assert (source.film_start, source.source_in) == (48, 0)
    # Pieces of at most 2 s: the sound is cut at a quiet point, and the words keep their times.
    captions = asyncio.run(transcribe_speech(source, settings_for(server), RATE, max_piece_seconds=2))
    assert server.transcriptions >= 2
    words = [(w, f) for c in captions for w, f in zip(c.text.split(), c.word_starts, strict=True)]
    assert words == [(w.text, 48 + seconds_to_frames(w.start, RATE)) for w in SHOT_SPEECH.words]


def test_a_429_is_waited_out_and_a_timeout_tried_again(film, server):
    source = speech_source(film, "shot:2")
    server.rate_limit_next(1, retry_after_s=0.3)
    began = time.monotonic()
    captions = asyncio.run(transcribe_speech(source, settings_for(server), RATE))
    assert time.monotonic() - began >= 0.3
    assert len(captions) == 2 and server.transcriptions == 1
    assert len(server.requests_to("POST", "/v1/audio/transcriptions")) == 2

    server.slow_next(1, seconds=3600)  # never in time: the captions are the second try's
    again = asyncio.run(transcribe_speech(source, settings_for(server, timeout_s=TRY_TIMEOUT_S), RATE))
    assert [c.text for c in again] == [c.text for c in captions]
    assert len(server.requests_to("POST", "/v1/audio/transcriptions")) == 4

    server.rate_limit_next(3, retry_after_s=0.05)
    with pytest.raises(TranscriptionError, match=r"busy \(429\) after 3 tries"):
        asyncio.run(transcribe_speech(source, settings_for(server), RATE))


def test_refusals_are_said_in_words(film, server, capsys):
    source = speech_source(film, "shot:2")
    keyring.set_password("foundry-desktop", "assist", "sk-wrong-key-1234")
    with pytest.raises(TranscriptionError, match="refused the key .*Incorrect API key.*foundry key set assist"):
        asyncio.run(transcribe_speech(source, settings_for(server), RATE))
    keyring.set_password("foundry-desktop", "assist", "test-key")
    for model in ("gpt-4o-transcribe", "gpt-4o-mini-transcribe"):
        with pytest.raises(TranscriptionError, match=f"'{model}' gives no word times.*use 'whisper-1'"):
            asyncio.run(transcribe_speech(source, settings_for(server, transcription_model=model), RATE))
    server.lenient = True  # a local server that answers text alone whatever is asked
    with pytest.raises(TranscriptionError, match="gives no word times"):
        asyncio.run(transcribe_speech(source, settings_for(server, transcription_model="gpt-4o-transcribe"), RATE))
    with pytest.raises(TranscriptionError, match="refused the sound .*Invalid model"):
        asyncio.run(transcribe_speech(source, settings_for(server, transcription_model="whisper-9"), RATE))
    server.stop()
    with pytest.raises(TranscriptionError, match="Cannot reach the transcription endpoint"):
        asyncio.run(transcribe_speech(source, settings_for(server), RATE))
    assert film.project.timeline.captions == []
    with pytest.raises(InvalidEditError, match="no music clip 1"):
        speech_source(film, "music:1")


def test_with_no_model_set_up_it_says_so_in_one_line_and_the_rest_works(film, tmp_path, capsys):
    film.add_caption("By hand", "0.5", "1.5")
    project = str(film.path)
    film.close()
    assert main(["captions", "from", project, "shot:2"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "No language model is set up" in error
    with ProjectService.open(tmp_path / "film.foundry", read_only=True) as service:
        source = speech_source(service, "shot:2")
    with pytest.raises(NoLanguageModelError):
        asyncio.run(transcribe_speech(source, LanguageModelSettings(), RATE))
    assert main(["caption", "list", project]) == 0 and "By hand" in capsys.readouterr().out
    assert main(["captions", "export", project, "-o", str(tmp_path / "hand.srt")]) == 0
    assert [c.text for c in parse_srt((tmp_path / "hand.srt").read_text())] == ["By hand"]
    assert main(["captions", "export", project, "-o", str(tmp_path / "hand.txt")]) == 1
    assert ".srt or .vtt" in capsys.readouterr().err
