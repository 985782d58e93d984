"""`foundry keyframes`: make (with an estimate first), list, approve; `takes` and `info` show keyframes;
a shot that continues the previous one says so when that one has no take."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_projects import run
from PIL import Image
from servers.comfyui import ComfyUIServer
from still_painter import PRICE, StillPainter

from foundry_desktop.app.generation import backends
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.generation.default_backends import default_registry


@pytest.fixture
def project(tmp_path, capsys, monkeypatch):
    """Three shots whose keyframes the test painter makes; shot 3 starts from the creator's picture."""
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    painter = StillPainter()

    def with_painter():
        registry = default_registry()
        registry.register(painter)
        return registry

    monkeypatch.setattr(backends, "default_registry", with_painter)
    picture = tmp_path / "harbour.png"
    Image.fromarray(np.full((90, 160, 3), (200, 120, 40), np.uint8)).save(picture)
    path = tmp_path / "film.foundry"
    assert run(capsys, "new", path, "--size", "160x90", "--fps", "24")[0] == 0
    for number in (1, 2):
        assert run(capsys, "shot", "add", path, "--prompt", f"a harbour at dawn, {number}", "--duration", "1")[0] == 0
    assert run(capsys, "shot", "add", path, "--prompt", "the harbour", "--duration", "1", "--image", picture)[0] == 0
    for number in (1, 2, 3):
        assert run(capsys, "shot", "set", path, number, "--image-backend", "painter")[0] == 0
    return path


def test_keyframes_are_estimated_made_listed_and_approved(project, capsys):
    code, out, _ = run(capsys, "keyframes", "make", project, "--shots", "1-2", "--variants", "1", "--estimate", "--json")
    estimate = json.loads(out)
    assert code == 0 and [job["shot"] for job in estimate["jobs"]] == [1, 2, 1, 2]
    assert estimate["totals"] == {"stability-credits": 4 * PRICE}
    assert json.loads(run(capsys, "keyframes", "make", project, "--shots", "1-2", "--variants", "1", "--json")[1]) \
        == {"generated": 4, "reused": 0, "failed": 0, "cancelled": 0}
    assert "Nothing to make: every shot has its keyframe." in run(capsys, "keyframes", "make", project, "--shots",
                                                                  "1", "--estimate")[1]

    listed = json.loads(run(capsys, "keyframes", "list", project, "--json")[1])
    assert [len(row["keyframes"]) for row in listed] == [2, 2, 1]
    assert listed[2]["keyframes"][0]["approved"] and listed[2]["keyframes"][0]["file"] == "harbour.png"
    second = listed[0]["keyframes"][1]
    code, out, _ = run(capsys, "keyframes", "approve", project, "1", second["number"])
    assert code == 0 and "Shot 1 starts from keyframe" in out
    assert "K  2" in run(capsys, "takes", project, "1")[1] and "still" in run(capsys, "takes", project, "1")[1]
    shots = json.loads(run(capsys, "info", project, "--json")[1])["shots"]
    assert [shot["keyframe"] for shot in shots] == [second["id"], None, listed[2]["keyframes"][0]["id"]]
    assert "keyframe ok" in run(capsys, "info", project)[1]
    assert run(capsys, "undo", project)[1].startswith("Undo: Approve the keyframe of shot 1")
    with ProjectService.open(project) as service:
        assert service.project.timeline.shots[0].keyframe_take_id is None


@pytest.mark.parametrize(("argv", "words"), [
    (["keyframes", "make", "{p}", "--shots", "1,x"], "--shots takes shot numbers and ranges such as 1,3-5"),
    (["keyframes", "make", "{p}", "--shots", "2-7"], "There is no shot 4: the film has 3 shots."),
    (["keyframes", "approve", "{p}", "3", "9"], "Shot 3 has no take 9"),
    (["take", "select", "{p}", "3", "1"], "That take is a keyframe of shot 3: approve it as the shot's keyframe"),
    (["keyframes", "continue", "{p}", "1"], "Shot 1 is the first shot"),
])
def test_what_cannot_be_done_is_said_in_words(project, capsys, argv, words):
    code, _, err = run(capsys, *[str(project) if arg == "{p}" else arg for arg in argv])
    assert code != 0 and words in err


def test_a_shot_that_continues_the_previous_one_waits_for_its_take(project, capsys):
    assert run(capsys, "keyframes", "continue", project, "2")[0] == 0
    code, out, err = run(capsys, "generate", project, "--shot", "2")
    assert code == 1 and "Shot 2 continues from shot 1, which has no take yet: generate shot 1 first." in err
    # In one run: shot 1 first, then shot 2 from its last frame.
    assert json.loads(run(capsys, "generate", project, "--json")[1])["generated"] == 3
    assert [shot["status"] for shot in json.loads(run(capsys, "info", project, "--json")[1])["shots"]] == ["current"] * 3


def test_keyframes_on_comfyui_run_the_flux_template_unless_the_shot_names_one(project, capsys):
    with ComfyUIServer(name="studio", job_seconds=0.05) as server:
        assert run(capsys, "server", "add", "studio", server.url)[0] == 0
        assert run(capsys, "shot", "set", project, 1, "--image-backend", "comfyui")[0] == 0
        assert run(capsys, "shot", "set", project, 2, "--image-backend", "comfyui",
                   "--image-workflow", "sdxl-text-to-image")[0] == 0
        code, out, err = run(capsys, "keyframes", "make", project, "--shots", "1-2")
        submitted = [job.graph for job in server.submitted]
    assert code == 0, err
    classes = sorted({node["class_type"] for graph in submitted for node in graph.values()
                      if node["class_type"] in ("UNETLoader", "CheckpointLoaderSimple")})
    assert classes == ["CheckpointLoaderSimple", "UNETLoader"]  # FLUX's loader for shot 1, SDXL's for shot 2
    with ProjectService.open(project) as service:
        sizes = []
        for shot in service.project.timeline.shots[:2]:
            (keyframe,) = service.keyframes_of(shot.id)
            assert keyframe.kind == "still" and keyframe.media_path.endswith(".png")
            sizes.append(Image.open(service.media.path_of(keyframe.media_path)).size)
    assert sizes == [(160, 96), (160, 88)]  # 160x90 rounded to FLUX's multiple of 16 and SDXL's of 8
