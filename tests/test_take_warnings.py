"""Takes that do not match their shot, and workflows that ignore what they are given, end to end:
real ComfyUI protocol server, real project file, real render probed afterwards, real exports read
back. (Issue 20: a workflow with no parameter bindings makes 512x512, 2 s takes in a 384x216
film of 3 s shots; `info` said 3.00 s per shot and nothing warned; a prompt change gave a
byte-identical take, silently.)"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import av
import numpy as np
import pytest
from cli_projects import run
from servers.comfyui import ComfyUIServer

from foundry_desktop.app.exchange.cut_files import read_cut_file
from foundry_desktop.app.playback.film_frames import film_frames
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.media.probe import probe_media

WORKFLOWS = Path(__file__).resolve().parents[1] / "workflows"
SHOT_FRAMES = 72  # 3 s at 24 fps


@pytest.fixture(autouse=True)
def own_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))


def fixed_workflow(path: Path, *, frames: int, width: int = 512, height: int = 512) -> Path:
    """Wan 2.2's text-to-video graph as a bare API export with no role tags: whatever a shot asks,
    it makes `width`x`height`, `frames` frames at 24 fps, from its own prompt and seed."""
    graph = copy.deepcopy(json.loads((WORKFLOWS / "wan22-5b-text-to-video.json").read_text())["graph"])
    graph["55"]["inputs"].update(width=width, height=height, length=frames)
    graph["57"]["inputs"]["fps"] = 24.0
    for node in graph.values():
        node.pop("_meta", None)
    path.write_text(json.dumps(graph))
    return path


@pytest.fixture
def film(tmp_path, capsys):
    """A 384x216, 24 fps project of two 3 s ComfyUI shots: one on a workflow that makes 2 s takes,
    one on a workflow that makes 4 s takes, both 512x512 whatever they are asked; a server up."""
    with ComfyUIServer(name="studio", job_seconds=0.1) as server:
        run(capsys, "server", "add", "studio", server.url)
        project = tmp_path / "film.foundry"
        run(capsys, "new", project, "--size", "384x216", "--fps", "24")
        for name, frames in (("two-seconds", 48), ("four-seconds", 96)):
            code, _, err = run(capsys, "workflow", "add", fixed_workflow(tmp_path / f"{name}.json", frames=frames))
            assert code == 0
            assert err.startswith(f"foundry: warning: The workflow “{name.capitalize().replace('-', ' ')}” ignores "
                                  "the prompt and the seed it is given: changing them makes the same take again.")
            assert "Note: The workflow" in run(capsys, "workflow", "show", name)[1]  # said again when shown
            run(capsys, "shot", "add", project, "--prompt", "a lighthouse", "--backend", "comfyui",
                "--workflow", name, "--duration", "3", "--seed", "7")
        yield project, server


def test_generate_info_takes_and_jobs_say_the_take_does_not_match_its_shot(film, capsys):
    project, _ = film
    code, out, err = run(capsys, "generate", project, "--json")
    assert code == 0 and json.loads(out) == {"generated": 2, "reused": 0, "failed": 0, "cancelled": 0}
    assert err.splitlines() == [
        "foundry: warning: Shot 1: The take is 512x512, not the shot's shape (384x216): it shows with black bars "
        "to fit the frame.",
        "foundry: warning: Shot 1: The take lasts 2.00 s, shorter than the shot's 3.00 s: the shot ends where the "
        "take does.",
        "foundry: warning: Shot 2: The take is 512x512, not the shot's shape (384x216): it shows with black bars "
        "to fit the frame.",
        "foundry: warning: Shot 2: The take lasts 4.00 s, longer than the shot's 3.00 s: the film uses 3.00 s of it.",
    ]

    # info: each shot's length as the film plays it, and what to know about its take.
    code, out, _ = run(capsys, "info", project)
    lines = out.splitlines()
    assert "00:00:05:00" in lines[0]  # 2 s + 3 s
    first, second = (next(i for i, line in enumerate(lines) if line.startswith(f"  {n} ")) for n in (1, 2))
    assert "  2.00 s  comfyui" in lines[first] and "  3.00 s  comfyui" in lines[second]
    assert lines[first + 1] == "     note: The take is 512x512, not the shot's shape (384x216): it shows with " \
                               "black bars to fit the frame."
    assert lines[first + 2].startswith("     note: The take lasts 2.00 s, shorter than the shot's 3.00 s")
    shots = json.loads(run(capsys, "info", project, "--json")[1])["shots"]
    assert [(s["duration_frames"], s["length_frames"], s["length_s"]) for s in shots] == [(72, 48, 2.0), (72, 72, 3.0)]
    assert [len(s["take_warnings"]) for s in shots] == [2, 2]

    # takes: per take, in words and in JSON.
    code, out, _ = run(capsys, "takes", project, "1")
    assert "512x512  2.00 s" in out and "        note: The take lasts 2.00 s, shorter" in out
    listed = json.loads(run(capsys, "takes", project, "2", "--json")[1])
    assert listed[0]["warnings"][1] == "The take lasts 4.00 s, longer than the shot's 3.00 s: the film uses 3.00 s of it."

    # The jobs keep it as their message.
    code, out, _ = run(capsys, "jobs", project, "--all")
    assert out.count("GPU seconds (note: The take is 512x512") == 2
    with ProjectService.open(project, read_only=True) as service:
        assert all(job.error.startswith("The take is 512x512") for job in service.jobs(("done",)))


def test_the_render_the_preview_and_the_exports_play_each_shot_as_long_as_info_says(film, capsys, tmp_path):
    project, _ = film
    assert run(capsys, "generate", project)[0] == 0
    with ProjectService.open(project, read_only=True) as service:
        plan = service.cut_plan()
        assert [(p.source_in, p.source_out, p.record_in, p.record_out) for p in plan.shots] == [
            (0, 48, 0, 48), (0, 72, 48, 120)]
        assert film_frames(service).length == 120  # the preview plays the same cut

    # The render: 5 s, the square takes fitted between bars.
    code, out, _ = run(capsys, "render", project, "-o", tmp_path / "film.mp4", "--json")
    assert code == 0 and json.loads(out)["frames"] == 120
    info = probe_media(tmp_path / "film.mp4")
    assert (info.frame_count, info.width, info.height) == (120, 384, 216)
    with av.open(str(tmp_path / "film.mp4")) as container:
        pictures = [frame.to_ndarray(format="rgb24") for _, frame in zip(range(100), container.decode(video=0))]
    for index in (10, 47, 48, 99):  # inside each shot, and at the cut the short take's end makes
        picture = pictures[index].astype(int)
        assert picture[:, :60].max() < 30  # the bars: the take is square, the film is 16:9
        assert picture[:, 150:234].mean() > 60  # the take's own picture between them

    # The exports: the same record times, read back by Foundry's readers (EDLs need the rate).
    for suffix in (".fcpxml", ".otio", ".edl"):
        exported = tmp_path / f"film{suffix}"
        assert run(capsys, "export", project, "-o", exported)[0] == 0
        read = read_cut_file(exported, "24")
        assert [(c.record_in, c.record_out, c.source_in, c.source_out) for c in read.cut.clips] == [
            (0, 48, 0, 48), (48, 120, 0, 72)], suffix


def test_a_change_the_workflow_ignores_gives_the_same_take_with_a_warning(film, capsys):
    project, server = film
    assert run(capsys, "generate", project, "--shot", "1")[0] == 0
    assert run(capsys, "shot", "set", project, "1", "--prompt", "a lighthouse in fog")[0] == 0
    code, out, err = run(capsys, "generate", project, "--shot", "1")
    assert code == 0 and "Generated 1," in out
    assert ("foundry: warning: Shot 1: The workflow “Two seconds” ignores the prompt: this take comes out as take 1 "
            "did, although the prompt changed since.") in err
    with ProjectService.open(project, read_only=True) as service:
        first, second = service.project.takes_of(service.project.timeline.shots[0].id)
        assert first.content_hash == second.content_hash  # what the warning is about: the very same file
        assert second.request["warnings"][0].startswith("The workflow “Two seconds” ignores the prompt")
        assert "warnings" not in first.request  # the first take changed nothing
    shot = json.loads(run(capsys, "info", project, "--json")[1])["shots"][0]
    assert any(w.startswith("The workflow “Two seconds” ignores the prompt") for w in shot["take_warnings"])

    # Variants differ only by their seeds, which this workflow ignores too.
    code, _, err = run(capsys, "generate", project, "--shot", "1", "--variants", "1")
    assert code == 0 and "ignores the seed: this take comes out as take 2 did" in err
    assert server.submissions == 3


def test_a_take_that_matches_its_shot_says_nothing(tmp_path, capsys):
    """A workflow that fills the shot's size and length (the shipped ones do) makes takes with no note,
    and a shape a workflow only rounds to its size multiple (384x216 made as 384x224) is no other shape."""
    with ComfyUIServer(name="studio", job_seconds=0.1) as server:
        run(capsys, "server", "add", "studio", server.url)
        project = tmp_path / "film.foundry"
        run(capsys, "new", project, "--size", "384x216", "--fps", "24")
        run(capsys, "shot", "add", project, "--prompt", "a lighthouse", "--backend", "comfyui",
            "--workflow", "wan22-5b-text-to-video", "--duration", "1")
        code, out, err = run(capsys, "generate", project, "--json")
    assert code == 0 and "warning" not in err and json.loads(out)["generated"] == 1
    take = json.loads(run(capsys, "takes", project, "1", "--json")[1])[0]
    assert (take["width"], take["height"], take["frames"], take["warnings"]) == (384, 224, 24, [])
    assert "note:" not in run(capsys, "info", project)[1]
