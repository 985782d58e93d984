"""Generated music: the built-in bed, music clips with sound takes through the job machinery,
placed on the music track, chosen, rendered, and the CLI's `music generate` and `music:N`."""

from __future__ import annotations

import asyncio
import json

import av
import numpy as np
import pytest
from servers.comfyui import ComfyUIServer
from servers.replicate import ReplicateServer
from video_sources import decoded_audio, rms, write_video

from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.music_generation import estimate_music, estimate_words, generate_music
from foundry_desktop.app.playback.film_sound import film_sound
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.cli.main import main
from foundry_desktop.domain.cost import Cost
from foundry_desktop.domain.music_fingerprint import clip_fingerprint
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.generation.local.music_bed import make_bed, plan_bed


def decoded(path) -> tuple[np.ndarray, int, int]:
    """All the samples of the first audio stream (channels, n), its rate and channel count."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = np.concatenate([frame.to_ndarray() for frame in container.decode(stream)], axis=1)
        return samples, stream.rate, stream.channels


def test_the_bed_lasts_as_asked_in_stereo_at_48k_is_heard_and_variants_differ(tmp_path):
    first, plan = make_bed(tmp_path, "clip", "calm ambient night rain", 1, 6.0)
    second, _ = make_bed(tmp_path, "clip", "calm ambient night rain", 2, 6.0)
    samples, rate, channels = decoded(first)
    assert (rate, channels) == (48_000, 2)
    assert abs(samples.shape[1] / rate - 6.0) < 0.05
    assert 0.03 < rms(samples) < 0.3 and np.abs(samples).max() < 1.0  # heard, not clipped
    middle = samples[:, rate * 2: rate * 4]
    assert rms(middle) > 4 * rms(samples[:, :480])  # fades in
    windows = [rms(samples[:, i:i + rate // 20]) for i in range(rate, samples.shape[1] - 2 * rate, rate // 20)]
    assert min(windows) > np.median(windows) / 3  # chords join: no bar falls silent between them
    other, _, _ = decoded(second)
    length = min(samples.shape[1], other.shape[1])
    assert np.abs(samples[:, :length] - other[:, :length]).mean() > 0.01  # another seed, another bed
    assert plan.minor and plan.tempo_bpm < 84  # "night", "calm": slow and minor
    assert not plan_bed("upbeat happy summer", 1).minor and plan_bed("upbeat happy summer", 1).tempo_bpm >= 112


def generate(path, **options):
    async def run(service):
        async with generation_backends() as registry:
            return await generate_music(service, registry, **options)

    with ProjectService.open(path) as service:
        return asyncio.run(run(service))


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=160, height=90, frame_rate="24") as service:
        service.add_shot(prompt="dawn over the valley", duration_seconds="2", seed=1)
        service.add_shot(prompt="the river", duration_seconds="1.5", seed=2)
    return path


def test_generated_music_is_placed_with_its_take_and_only_what_changed_is_generated_again(project):
    report = generate(project, prompt="warm calm piano bed", seed=5, variants=1)
    assert (report.run.generated, report.run.failed) == (2, 0), report.run.failures
    with ProjectService.open(project) as service:
        (clip,) = service.project.timeline.music
        assert clip.id == report.clip_id and clip.start == 0 and clip.spec.prompt == "warm calm piano bed"
        assert clip.source_out == 84  # auto: the film's 3.5 s at 24 fps
        takes = service.project.takes_of(clip.id)
        assert [t.kind for t in takes] == ["sound", "sound"] and {t.width for t in takes} == {0}
        chosen = next(t for t in takes if t.id == clip.selected_take_id)
        assert chosen.seed == 5 and chosen.fingerprint == clip_fingerprint(clip, service.format)
        assert clip.media_path == chosen.media_path and service.media.exists(clip.media_path)
        assert {job.spec["output"] for job in service.jobs()} == {"sound"}
    again = generate(project, clip_id=report.clip_id)
    assert (again.run.generated, again.run.reused) == (0, 0)  # current: nothing sent
    changed = generate(project, clip_id=report.clip_id, seconds="2")
    assert changed.run.generated == 1
    with ProjectService.open(project) as service:
        (clip,) = service.project.timeline.music
        assert clip.source_out == 48 and len(service.project.takes_of(clip.id)) == 3
        # The new take came in as its own step, after the change that asked for it.
        assert service.undo() == "Choose take of music Music: warm calm piano bed"
        assert service.undo() == "Change music Music: warm calm piano bed"
        (clip,) = service.project.timeline.music
        assert clip.spec.params["seconds"] == 3.5 and clip.source_out == 84
    back = generate(project, clip_id=report.clip_id)
    assert (back.run.generated, back.run.reused) == (0, 0)  # the undo brought the clip's own take back


def test_choosing_another_take_keeps_where_the_clip_starts_and_its_gain(project):
    report = generate(project, prompt="dark synth", seconds=3, variants=1, at_frame=12)
    with ProjectService.open(project) as service:
        clip = service.music_clip(report.clip_id)
        service.update_music_clip(clip.id, "Gain", gain_db=-6.0, fade_out=24)
        other = next(t for t in service.project.takes_of(clip.id) if t.id != clip.selected_take_id)
        service.choose_music_take(clip.id, other.id)
    with ProjectService.open(project) as service:
        clip = service.music_clip(report.clip_id)
        assert (clip.start, clip.gain_db, clip.fade_out, clip.selected_take_id) == (12, -6.0, 24, other.id)
        assert clip.media_path == other.media_path and clip.source_out == other.frames
        with pytest.raises(InvalidEditError, match="not a take of this music clip"):
            service.choose_music_take(clip.id, "nope")


def test_bad_music_requests_say_what_to_do(project, tmp_path):
    with pytest.raises(InvalidEditError, match="Say what the music"):
        generate(project, prompt="  ")
    with pytest.raises(InvalidEditError, match="at most 20 minutes"):
        generate(project, prompt="x", seconds=5000)
    empty = tmp_path / "empty.foundry"
    ProjectService.create(empty, width=160, height=90, frame_rate="24").close()
    with pytest.raises(InvalidEditError, match="no shots yet"):
        generate(empty, prompt="x")
    with ProjectService.open(project) as service:
        async def run():
            async with generation_backends() as registry:
                return estimate_music(service, registry, prompt="x", seconds=2, variants=2)
        estimate = asyncio.run(run())
        assert [job.unit for job in estimate.jobs] == [None] * 3 and estimate_words(estimate) == "3 takes, free"
        assert service.project.timeline.music == [] and service.jobs() == []


def test_generated_music_plays_in_the_render_and_the_preview(tmp_path, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    path = tmp_path / "silent.foundry"
    with ProjectService.create(path, width=160, height=90, frame_rate="24") as service:
        add_media_shot(service, write_video(tmp_path / "a.mp4", frames=72))  # silent pictures
    report = generate(path, prompt="soft strings", seed=3)
    with ProjectService.open(path) as service:
        rendered = render_film(service, tmp_path / "film.mp4", loudness_lufs=None).report.media.path
        with film_sound(service, service.cut_plan()).mixer_from(24) as preview:  # the window plays it too
            assert rms(preview.read(48_000)) > 0.03
    samples, rate = decoded_audio(rendered)
    assert report.run.generated == 1 and abs(samples.shape[1] / rate - 3.0) < 0.05
    assert rms(samples[:, rate:2 * rate]) > 0.03  # the bed sounds in the middle of the film
    assert rms(samples[:, :rate // 50]) < rms(samples[:, rate:2 * rate]) / 4  # and fades in


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_music_generate_and_its_takes_from_the_command_line(project, capsys):
    path = str(project)
    code, out, _ = cli(capsys, "music", "generate", path, "--prompt", "calm piano", "--estimate")
    assert code == 0 and "1 take, free." in out
    code, out, _ = cli(capsys, "music", "generate", path, "--prompt", "calm piano", "--duration", "2.5",
                       "--seed", "4", "--variants", "1", "--json")
    assert code == 0 and json.loads(out)["generated"] == 2 and json.loads(out)["clip"] == 1
    code, out, _ = cli(capsys, "takes", path, "music:1", "--json")
    listed = json.loads(out)
    assert [(t["kind"], t["selected"]) for t in listed] == [("sound", True), ("sound", False)]
    assert listed[0]["seed"] == 4 and listed[0]["frames"] == 60
    code, out, _ = cli(capsys, "jobs", path, "--all")
    assert out.count("music:1  builtin  done") == 2
    code, out, _ = cli(capsys, "take", "select", path, "music:1", "2")
    assert code == 0 and out.startswith(f"Music clip 1 plays take {listed[1]['id'][:8]}")
    with ProjectService.open(project) as service:  # the project file has it
        (clip,) = service.project.timeline.music
        assert clip.selected_take_id == listed[1]["id"] and clip.media_path == listed[1]["media_path"]
    code, out, _ = cli(capsys, "music", "generate", path, "--clip", "1", "--seed", "4")
    assert code == 0 and "generated 0, reused 1" in out  # the first take comes back, nothing is sent
    code, _, err = cli(capsys, "takes", path, "music:2")
    assert code != 0 and "no music clip 2" in err
    code, _, err = cli(capsys, "music", "generate", path, "--prompt", "x", "--duration", "soon")
    assert code != 0 and "a number of seconds or auto" in err


@pytest.fixture
def replicate(capsys, password_store, project):
    """A Replicate test server set up as this machine's (key in the password store)."""
    with ReplicateServer(api_key="r8-music", task_seconds=0.3) as server:
        password_store.set_password("foundry-desktop", "replicate", "r8-music")
        assert cli(capsys, "cloud", "set", "replicate", "--base-url", server.url, "--poll-seconds", "0.1")[0] == 0
        yield server


def test_musicgen_on_replicate_makes_a_take_as_long_as_asked_with_its_cost(project, replicate):
    report = generate(project, prompt="lo-fi piano, rain", seconds=5, backend="replicate", seed=7)
    assert (report.run.generated, report.run.failed) == (1, 0), report.run.failures
    (created,) = [r.json for r in replicate.requests_to("POST", "/v1/")]
    assert replicate.requests_to("POST", "/v1/models/meta/musicgen/predictions")  # the default music model
    assert created["input"] == {"prompt": "lo-fi piano, rain", "seed": 7, "duration": 5}
    with ProjectService.open(project) as service:
        (clip,) = service.project.timeline.music
        take = service.project.takes_of(clip.id)[0]
        assert (clip.spec.model, take.kind, take.frames, clip.source_out) == ("meta/musicgen", "sound", 120, 120)
        assert take.request["cost"]["unit"] == "replicate-seconds" and take.request["cost"]["amount"] > 0
        samples, rate, channels = decoded(service.media.path_of(clip.media_path))  # the WAV musicgen sent
        assert channels == 2 and abs(samples.shape[-1] / channels / rate - 5.0) < 0.01 and np.abs(samples).max() > 0


def test_a_stopped_music_run_is_followed_to_its_take_without_a_second_submission(project, replicate):
    replicate.task_seconds = 600  # the prediction runs until the test moves its clock on

    async def stopped_after_sending(service):
        async with generation_backends() as registry:
            run = asyncio.create_task(generate_music(service, registry, prompt="tense strings", seconds=4,
                                                     backend="replicate"))
            while not [job for job in service.jobs() if job.state == "submitted"]:
                await asyncio.sleep(0.02)
            run.cancel()  # the app quits with the job on Replicate
            with pytest.raises(asyncio.CancelledError):
                await run

    with ProjectService.open(project) as service:
        asyncio.run(stopped_after_sending(service))
        (job,) = service.jobs()
        assert job.state == "submitted" and job.remote_id and service.project.timeline.music == []
    replicate.advance_tasks(600)
    report = generate(project, prompt="tense strings", seconds=4, backend="replicate")  # the same, asked again
    assert (report.run.generated, replicate.submissions) == (1, 1)
    with ProjectService.open(project) as service:
        (clip,) = service.project.timeline.music
        assert clip.id == job.shot_id and clip.spec.seed == job.spec["seed"] and [j.state for j in service.jobs()] == ["done"]


def test_music_is_estimated_from_earlier_runs_and_kept_to_the_budget(project, replicate, capsys):
    asked = ("music", "generate", str(project), "--prompt", "another", "--duration", "4", "--backend", "replicate",
             "--estimate")
    with ProjectService.open(project) as service:
        service.set_budget("replicate-seconds", 100)
    code, out, _ = cli(capsys, *asked)  # a first run: its cost is not known, and the budget is told so
    assert code == 0 and ("Warning: The cost of 1 music take in Replicate seconds cannot be estimated beforehand, "
                          "so the budget of 100 Replicate seconds cannot guard it") in out, out
    with ProjectService.open(project) as service:
        service.set_budget("replicate-seconds", None)
    assert generate(project, prompt="warm synth pad", seconds=4, backend="replicate").run.generated == 1
    code, out, _ = cli(capsys, *asked)
    with ProjectService.open(project) as service:
        spent = service.jobs(("done",))[0].cost_actual
        assert out == f"1 take, about {Cost(round(spent, 3), 'replicate-seconds')}.\n"  # as much as the first, a second
        service.set_budget("replicate-seconds", spent * 1.5)  # room for half the next one's estimate
    code, out, _ = cli(capsys, *asked)
    assert code == 0 and out.startswith("1 take; not sent: the project's budget")  # estimated from the first
    report = generate(project, prompt="another", seconds=4, backend="replicate")
    assert report.run.failed == 1 and "budget" in report.run.failures[0].lower() and report.clip_id is None
    assert replicate.submissions == 1  # the budget stopped it before it was sent


def test_music_on_comfyui_runs_the_stable_audio_template_and_plays_as_long_as_asked(project, capsys):
    with ComfyUIServer(name="studio", job_seconds=0.1) as server:
        assert cli(capsys, "server", "add", "studio", server.url)[0] == 0
        report = generate(project, prompt="warm synth pads", seconds=6, backend="comfyui", seed=3)
        (submitted,) = server.submitted
    assert (report.run.generated, report.run.failed) == (1, 0), report.run.failures
    seconds = [node["inputs"]["seconds"] for node in submitted.graph.values() if node["class_type"] == "EmptyLatentAudio"]
    assert seconds == [6.0]
    with ProjectService.open(project) as service:
        (clip,) = service.project.timeline.music
        (take,) = service.project.takes_of(clip.id)
        assert (clip.spec.workflow, take.kind, take.media_path.endswith(".flac")) == (
            "stable-audio-text-to-audio", "sound", True)
        assert (take.width, take.height) == (0, 0)
        assert abs(clip.source_out - 144) <= 1  # 6 s at 24 fps, as long as the server's FLAC holds
        samples, rate, channels = decoded(service.media.path_of(clip.media_path))
        assert abs(samples.shape[-1] / channels / rate - 6.0) < 0.05
