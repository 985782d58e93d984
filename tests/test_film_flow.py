"""`foundry film`: one flow from a brief to a film against the OpenAI-compatible test server —
it stops for review by default with scenes, shots and keyframes, goes on (approving the first
keyframes) to video, music and render when run again without asking the model or generating
anything twice, survives a kill while animating without a second submission and a stop inside
the layout without laying out twice, picks the look asked for, and without a language model
says how to set one up, making nothing."""

from __future__ import annotations

import asyncio
import json
import sys
from fractions import Fraction

import pytest
from killed_runs import kill_once_recorded
from servers.openai_chat import LOOKS, OpenAIChatServer
from servers.runway import RunwayServer
from still_painter import StillPainter

from foundry_desktop.app.assist.language_model import LanguageModelSettings, load_language_model, save_language_model
from foundry_desktop.app.film_flow.film_flow import run_film_flow
from foundry_desktop.app.film_flow.film_request import FilmRequest
from foundry_desktop.app.film_flow.flow_state import load_state, save_state
from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.scene_plan_placement import apply_plan
from foundry_desktop.app.generation import backends
from foundry_desktop.cli.main import main
from foundry_desktop.domain.generation_job import UNFINISHED
from foundry_desktop.media.probe import probe_media

BRIEF = "Waves hit the pier at night. A lighthouse turns slowly. The keeper pours hot tea.\nTone: quiet\n"


@pytest.fixture(autouse=True)
def machine(tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def painter(monkeypatch):
    """The keyframes' image backend (`--image-backend painter`), among the machine's backends."""
    painter, machine_registry = StillPainter(), backends.default_registry

    def with_painter():
        registry = machine_registry()
        registry.register(painter)
        return registry

    monkeypatch.setattr(backends, "default_registry", with_painter)
    return painter


@pytest.fixture
def chat_server(monkeypatch):
    with OpenAIChatServer(api_key="sk-film") as server:
        save_language_model(LanguageModelSettings(base_url=server.base_url, model="llama3.1", timeout_s=60))
        monkeypatch.setenv("FOUNDRY_ASSIST_API_KEY", "sk-film")
        yield server


@pytest.fixture
def brief(tmp_path):
    path = tmp_path / "brief.txt"
    path.write_text(BRIEF)
    return str(path)


def test_a_brief_becomes_a_storyboard_then_a_film_without_paying_twice(tmp_path, chat_server, painter, brief,
                                                                      capsys):
    project = str(tmp_path / "harbour.foundry")
    assert main(["film", project, "--brief", brief, "--duration", "9", "--size", "320x180", "--name", "Harbour",
                 "--image-backend", "painter"]) == 0
    out = capsys.readouterr().out
    assert f"Created {project}" in out and "planned 3 scenes; music: quiet" in out
    assert "moodboard: 3 looks: 1. Warm Documentary, 2. Bold Graphic, 3. Dreamlike Pastel" in out
    assert "look 1, Warm Documentary (the first, recommended one)" in out
    assert "laid out 3 shots in 3 scenes" in out and "keyframes: made 3 keyframes" in out
    assert "shot 3: " in out and "shot ?" not in out  # each keyframe's progress under its new shot's number
    assert f"run `foundry film {project} --until video` (or --until render). " \
           "Animating then sends 3 videos, free." in out
    assert chat_server.completions == 2  # the plan and the mood board
    with ProjectService.open(tmp_path / "harbour.foundry") as service:
        shots = service.project.timeline.shots
        assert service.project.name == "Harbour" and service.format.width == 320
        assert [shot.name for shot in shots] == ["Waves Hit The Pier", "A Lighthouse Turns Slowly",
                                                 "The Keeper Pours Hot"]
        assert sum(shot.spec.duration for shot in shots) == 9 * 24
        style = service.project.style_of(shots[0])
        assert style is not None and style.name == LOOKS[0]
        scenes = service.project.timeline.scenes
        assert [scene.name for scene in scenes] == [shot.name for shot in shots]
        assert all(scene.defaults.style == style.id and scene.defaults.image_backend == "painter" for scene in scenes)
        assert all(shot.spec.style == style.id and shot.scene_id for shot in shots)  # inherited, not overridden
        assert all(len(service.keyframes_of(shot.id)) == 1 and shot.keyframe_take_id is None for shot in shots)
        assert {job.spec["output"] for job in service.jobs()} == {"still"}  # stopped for review: no video yet
        assert service.undo_label() == "Lay out the film: 3 shots"
        state = load_state(service)
        assert state.done == ["plan", "moodboard", "look", "scenes", "keyframes"] and state.look == 1
    assert painter.submissions == 3

    assert main(["film", project, "--until", "render", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    said = {step["step"]: step["result"] for step in result["steps"]}
    assert list(said) == ["plan", "moodboard", "look", "scenes", "keyframes", "approve", "animate", "music", "render"]
    assert said["plan"] == "the plan of 3 scenes, written before" and said["keyframes"] == "made 0 keyframes"
    assert said["approve"] == "approved the first keyframe of shots 1, 2, 3 (none was approved)"
    assert said["animate"] == "made 3 shots" and said["music"] == "made a music bed: quiet"
    film = tmp_path / "harbour.mp4"
    assert result["film"] == str(film)
    rendered = probe_media(film)
    assert rendered.duration_s == pytest.approx(9, abs=0.6) and rendered.has_audio  # dissolves overlap shots
    assert chat_server.completions == 2 and painter.submissions == 3  # nothing asked for again

    assert main(["film", project, "--until", "render", "--json", "--backend", "runway", "--image-model", "x"]) == 0
    result = json.loads(capsys.readouterr().out)
    said = {step["step"]: step["result"] for step in result["steps"]}
    assert said["animate"] == "made 0 shots" and said["music"] == "the music bed made before"
    assert result["notes"] == ["--backend, --image-model set the backends of a film's new shots; these were laid out "
                               "before, so they keep theirs (change a scene's with `foundry scene set`)."]
    with ProjectService.open(tmp_path / "harbour.foundry") as service:
        done = [job.spec.get("output", "video") for job in service.jobs(("done",))]
        assert sorted(done) == ["sound", "still", "still", "still", "video", "video", "video"]  # each made once
        assert all(status.kind == "current" for status in service.statuses())
        shots = service.project.timeline.shots
        assert all(service.project.selected_take(shot).spec["input_image"] for shot in shots)  # from the keyframes
        assert [clip.spec.prompt for clip in service.project.timeline.music] == ["quiet"]
        assert load_state(service).film == str(film)


def test_look_n_is_numbered_as_the_mood_board_shows_them(tmp_path, chat_server, brief, capsys):
    project = str(tmp_path / "film.foundry")
    assert main(["film", project, "--brief", brief, "--duration", "6", "--look", "5"]) == 1
    assert "There is no look 5: the mood board has 3 (numbered 1 to 3)." in capsys.readouterr().err
    assert main(["film", project, "--look", "2"]) == 0  # the plan and looks made before are kept
    assert "look 2, Bold Graphic (chosen), is the style 'Bold Graphic'" in capsys.readouterr().out
    assert chat_server.completions == 2
    assert main(["film", project, "--look", "3"]) == 0  # another look later: the shots take it
    with ProjectService.open(tmp_path / "film.foundry") as service:
        names = {service.project.style_of(shot).name for shot in service.project.timeline.shots}
        assert names == {LOOKS[2]}
        assert service.undo_label() == f"Give the film look 3, {LOOKS[2]}"


def test_without_a_language_model_it_says_how_and_makes_nothing(tmp_path, brief, capsys):
    project = tmp_path / "film.foundry"
    assert main(["film", str(project), "--brief", brief]) == 1
    err = capsys.readouterr().err
    assert err.startswith("foundry: error: No language model is set up") and "foundry assist set" in err
    assert not project.exists() and list(tmp_path.iterdir()) == [tmp_path / "brief.txt"]


def test_a_film_needs_a_brief_and_keeps_its_own(tmp_path, chat_server, brief, capsys):
    project = str(tmp_path / "film.foundry")
    assert main(["film", project]) == 1
    assert "A film starts from a brief" in capsys.readouterr().err
    assert main(["film", project, "--brief", brief, "--image-backend", "paintbrush"]) == 1
    assert "No generation backend called 'paintbrush'" in capsys.readouterr().err
    assert chat_server.completions == 0
    assert main(["film", project, "--brief", brief, "--duration", "6"]) == 0
    assert main(["film", project, "--brief", "Another film altogether."]) == 1
    assert "started from another brief" in capsys.readouterr().err


def test_a_film_killed_while_animating_goes_on_without_a_second_submission(tmp_path, chat_server, painter, brief,
                                                                           capsys, monkeypatch):
    monkeypatch.setenv("FOUNDRY_RUNWAY_API_KEY", "rk-test")
    project = tmp_path / "film.foundry"
    # Hour-long tasks: none can end before the kill, however slow the child; moved on after it.
    with RunwayServer(api_key="rk-test", task_seconds=3600) as runway:
        assert main(["cloud", "set", "runway", "--base-url", runway.url, "--poll-seconds", "0.2"]) == 0
        capsys.readouterr()
        assert main(["film", str(project), "--brief", brief, "--duration", "9", "--backend", "runway",
                     "--image-backend", "painter", "--json"]) == 0
        asked = json.loads(capsys.readouterr().out)["video_estimate"]
        assert asked["jobs"] == 3 and asked["totals"]["runway-credits"] > 0  # said before anything is paid for
        # All three tasks going at Runway, their ids recorded: killed there.
        kill_once_recorded(project, 3, "film", str(project), "--until", "video")
        assert runway.submissions == 3
        with ProjectService.open(project) as service:
            assert [job.state for job in service.jobs(UNFINISHED)] == ["submitted"] * 3
            assert all(shot.keyframe_take_id for shot in service.project.timeline.shots)  # approved before animating
            assert "animate" not in load_state(service).done

        runway.advance_tasks(3600)  # they have all finished at Runway meanwhile
        capsys.readouterr()
        assert main(["film", str(project), "--until", "video", "--json"]) == 0
        said = {step["step"]: step["result"] for step in json.loads(capsys.readouterr().out)["steps"]}
        assert said["animate"] == "made 3 shots" and said["music"].startswith("made a music bed")
        assert runway.submissions == 3  # followed by task id, not created again
    assert chat_server.completions == 2 and painter.submissions == 3
    with ProjectService.open(project) as service:
        assert all(status.kind == "current" for status in service.statuses())
        assert "animate" in load_state(service).done


def test_shots_laid_out_by_a_run_stopped_before_it_recorded_so_are_not_laid_out_twice(tmp_path, chat_server, capsys):
    project = tmp_path / "film.foundry"
    with ProjectService.create(project, width=320, height=180) as service:
        service.add_shot(prompt="The creator's own opening")

        async def plan_and_looks():
            async with generation_backends() as registry:
                return await run_film_flow(service, registry, FilmRequest(brief=BRIEF, seconds=Fraction(9),
                                                                          until="looks"), load_language_model())

        assert asyncio.run(plan_and_looks()).stopped_after == "moodboard"
        state = load_state(service)
        # What a run killed inside the layout step leaves: the count before it noted, its one undo step
        # committed, the shots not yet recorded as the film's.
        save_state(service, state.model_copy(update={"shots_before": 1}))
        apply_plan(service, state.plan)
    assert main(["film", str(project), "--json"]) == 0
    said = {step["step"]: step["result"] for step in json.loads(capsys.readouterr().out)["steps"]}
    assert said["scenes"] == "laid out 3 shots in 3 scenes"
    with ProjectService.open(project) as service:
        shots = service.project.timeline.shots
        assert [shot.spec.prompt for shot in shots][0] == "The creator's own opening" and len(shots) == 4
        assert load_state(service).shot_ids == [shot.id for shot in shots[1:]]
