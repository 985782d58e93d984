"""Encoders: which work here (tried in a child process, remembered), `auto`, presets and containers."""

from __future__ import annotations

import json
from fractions import Fraction

import av
import pytest
from crashing_jobs import misbehaving_encoder_trials
from video_sources import sine, write_video

import foundry_desktop.media.encode.encoder_survey as encoder_survey
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.render.output_presets import RenderSettings
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.errors import FoundryError, InvalidEditError, MediaError
from foundry_desktop.media.encode.encoder_survey import (
    EncoderCheck,
    choose_encoder,
    survey_encoders,
)
from foundry_desktop.media.probe import decode_all_frames
from foundry_desktop.media.encode.video_encoding import VideoEncoding


def test_software_encoders_work_and_hardware_ones_say_why_not(tmp_path):
    checks = {check.encoder: check for check in survey_encoders(tmp_path / "encoders.json")}
    for software in ("libx264", "libx265", "prores_ks", "libvpx-vp9", "libsvtav1"):
        assert checks[software].works and not checks[software].hardware
    for check in checks.values():
        assert check.works or check.reason  # a failure always says why
    # Without the hardware (as on CI), FFmpeg's own words come through, not the call that failed.
    nvenc = checks.get("h264_nvenc")
    if nvenc is not None and not nvenc.works:
        assert "avcodec_open2" not in nvenc.reason


def test_the_survey_is_remembered_until_refreshed(tmp_path, monkeypatch):
    cache = tmp_path / "encoders.json"
    first = survey_encoders(cache)
    assert json.loads(cache.read_text())["encoders"]["libx264"]["works"] is True

    def no_trials(*args, **kwargs):
        raise AssertionError("the trials ran again")

    monkeypatch.setattr(encoder_survey, "_run_trials", no_trials)
    assert survey_encoders(cache) == first
    with pytest.raises(AssertionError, match="ran again"):
        survey_encoders(cache, refresh=True)
    cache.write_text("{ not json")
    with pytest.raises(AssertionError, match="ran again"):
        survey_encoders(cache)


def test_an_encoder_that_crashes_or_hangs_its_trial_is_marked_and_the_rest_go_on():
    # The hang is found by the survey's own timeout, which every other step (a worker process
    # starting, an answer) must beat: 10 s, far beyond what those take even on a loaded machine.
    results = encoder_survey._run_trials(
        ["first", "crashy", "middle", "hangs", "last"], timeout_s=10, worker=misbehaving_encoder_trials
    )
    assert results["first"] is None and results["middle"] is None and results["last"] is None
    assert "crashed" in results["crashy"]
    assert "no answer within 10 s" in results["hangs"]


def test_auto_prefers_working_hardware_and_falls_back_to_software():
    checks = [
        EncoderCheck("h264_nvenc", False, "Cannot load libcuda.so.1", True),
        EncoderCheck("h264_qsv", True, "", True),
        EncoderCheck("libx264", True),
    ]
    assert choose_encoder("h264", "auto", checks) == "h264_qsv"
    assert choose_encoder("h264", "auto", checks[:1] + checks[2:]) == "libx264"
    with pytest.raises(MediaError, match="h264_nvenc does not work on this machine .Cannot load libcuda"):
        choose_encoder("h264", "h264_nvenc", checks)
    with pytest.raises(MediaError, match="does not encode H.264"):
        choose_encoder("h264", "libx265", checks)
    with pytest.raises(MediaError, match="nvenc does not encode H.264; choose auto or one of h264_nvenc"):
        choose_encoder("h264", "nvenc", checks)


def test_quality_is_a_crf_or_a_bitrate_never_both():
    assert VideoEncoding("libx264", crf=18).options()["crf"] == "18"
    assert "crf" not in VideoEncoding("libx264", crf=None, bitrate_kbps=4000).options()
    with pytest.raises(ValueError, match="not both"):
        VideoEncoding("libx264", crf=20, bitrate_kbps=4000)
    with pytest.raises(ValueError, match="unknown video encoder"):
        VideoEncoding("h264_magic")


@pytest.fixture
def project(tmp_path):
    """Two shots of a 29.97 fps clip with sound, dissolving into each other."""
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=160, height=90, frame_rate="30000/1001") as service:
        clip = write_video(tmp_path / "clip.mp4", frames=30, frame_rate=Fraction(30000, 1001), tone=sine())
        add_media_shot(service, clip)
        add_media_shot(service, clip)
        service.set_transition(0, "dissolve", 6)
    return path


@pytest.fixture
def service(project):
    with ProjectService.open(project) as service:
        yield service


@pytest.mark.parametrize(
    ("preset", "name", "codec", "pix_fmt", "audio"),
    [
        ("hevc", "film.mp4", "hevc", "yuv420p", "aac"),
        ("prores", "film.mov", "prores", "yuv422p10le", "aac"),
        ("webm-vp9", "film.webm", "vp9", "yuv420p", "opus"),
        ("webm-av1", "film.webm", "av1", "yuv420p", "opus"),
    ],
)
def test_each_codec_renders_the_same_cut(service, tmp_path, preset, name, codec, pix_fmt, audio):
    render = render_film(service, tmp_path / name, settings=RenderSettings(preset=preset))
    media = render.report.media
    assert decode_all_frames(media.path) == 54 == media.frame_count
    assert media.frame_rate == Fraction(30000, 1001)
    with av.open(str(media.path)) as container:
        video = container.streams.video[0]
        decoder = video.codec_context.name
        assert ({"libdav1d": "av1"}.get(decoder, decoder), video.codec_context.format.name) == (codec, pix_fmt)
        assert (video.width, video.height) == (160, 90)
        assert container.streams.audio[0].codec_context.name == audio
        if codec == "hevc":
            assert video.codec_tag == "hvc1"  # Apple's players need this tag


def test_a_sized_preset_conforms_every_take_to_it(service, tmp_path):
    render = render_film(service, tmp_path / "square.mp4", settings=RenderSettings(preset="square", crf=30))
    media = render.report.media
    assert (media.width, media.height, media.frame_count) == (1080, 1080, 54)


def test_a_container_that_cannot_hold_the_codec_says_what_to_name_the_film(service, tmp_path):
    with pytest.raises(InvalidEditError, match=r"cannot hold ProRes 422; name the film film.mov"):
        render_film(service, tmp_path / "film.mp4", settings=RenderSettings(preset="prores"))
    with pytest.raises(InvalidEditError, match="ProRes 422's quality is set by its profile"):
        render_film(service, tmp_path / "film.mov", settings=RenderSettings(preset="prores", crf=18))
    with pytest.raises(InvalidEditError, match="film.avi is none of those"):
        render_film(service, tmp_path / "film.avi")
    assert not (tmp_path / "film.mp4").exists() and not (tmp_path / "film.avi").exists()


def test_render_by_bitrate_and_doctor_on_the_command_line(project, tmp_path, capsys):
    assert main(["render", str(project), "-o", str(tmp_path / "film.mp4"), "--bitrate", "300", "--json"]) == 0
    rendered = json.loads(capsys.readouterr().out)
    assert rendered["encoder"] in {"libx264", "h264_nvenc", "h264_qsv", "h264_amf"}
    assert main(["doctor", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {"libx264", "libsvtav1"} <= {e["name"] for e in found["encoders"] if e["works"]}
    assert found["auto"]["h264"] in {"libx264", "h264_nvenc", "h264_qsv", "h264_amf"}
    assert main(["doctor"]) == 0
    assert "--encoder auto uses: H.264" in capsys.readouterr().out


def test_naming_an_encoder_that_does_not_encode_the_codec_is_refused(service, tmp_path):
    with pytest.raises(FoundryError, match="libx265 does not encode H.264"):
        render_film(service, tmp_path / "film.mp4", settings=RenderSettings(encoder="libx265"))
