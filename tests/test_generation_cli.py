"""ComfyUI servers and workflows from the command line, and a shot generated on a server end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_projects import run
from PIL import Image
from servers.comfyui import ComfyUIServer

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.generation_job import GenerationJob

SVD_MODELS = {"checkpoints": ["svd_xt.safetensors"]}


@pytest.fixture(autouse=True)
def own_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))


def two_comfyui_shots(capsys, tmp_path, server, *, max_queued: int) -> str:
    """A project of two image-to-video shots (seeds 1 and 2) on `server`, set up as this machine's."""
    image = tmp_path / "valley.png"
    Image.fromarray(np.full((90, 160, 3), (40, 120, 200), np.uint8)).save(image)
    project = str(tmp_path / "film.foundry")
    run(capsys, "server", "add", "studio", server.url, "--max-queued", str(max_queued))
    run(capsys, "new", project, "--size", "160x90", "--fps", "24")
    for seed in (1, 2):
        run(capsys, "shot", "add", project, "--prompt", "a valley", "--backend", "comfyui", "--workflow",
            "svd-image-to-video", "--image", str(image), "--duration", "1", "--seed", str(seed))
    return project


def test_servers_are_added_checked_listed_and_removed(capsys):
    with ComfyUIServer(name="studio", models=SVD_MODELS) as server:
        assert run(capsys, "server", "add", "studio", server.url, "--max-queued", "3")[0] == 0
        assert run(capsys, "server", "add", "attic", "http://127.0.0.1:9")[0] == 0
        code, out, _ = run(capsys, "server", "add", "studio", server.url)
        assert code == 1
        listed = json.loads(run(capsys, "server", "list", "--json")[1])
        assert [(s["name"], s["max_queued"]) for s in listed] == [("studio", 3), ("attic", 2)]  # 2 unless told
        code, out, _ = run(capsys, "server", "check")
        assert code == 1  # one is down
        assert "studio           up: ComfyUI" in out and "RTX 4090" in out and "attic            down:" in out
        code, out, _ = run(capsys, "workflow", "check", "svd-image-to-video")
        assert "studio           can run it" in out and "attic            down" in out
    assert run(capsys, "server", "remove", "attic")[0] == 0
    assert [s["name"] for s in json.loads(run(capsys, "server", "list", "--json")[1])] == ["studio"]
    code, _, err = run(capsys, "server", "add", "bad", "ftp://x")
    assert code == 1 and "http://" in err


def test_workflows_are_listed_shown_and_imported(capsys, tmp_path):
    code, out, _ = run(capsys, "workflow", "list")
    assert "svd-image-to-video" in out and "wan-text-to-video" in out
    code, out, _ = run(capsys, "workflow", "show", "svd-image-to-video")
    assert "Needs model: svd_xt.safetensors in models/checkpoints/" in out and "input_image" in out
    ui_format = tmp_path / "saved.json"
    ui_format.write_text(json.dumps({"nodes": [], "links": []}))
    code, _, err = run(capsys, "workflow", "add", str(ui_format))
    assert code == 1 and "Save (API Format)" in err

    assert run(capsys, "workflow", "favourite", "wan-text-to-video")[0] == 0
    assert run(capsys, "workflow", "category", "svd-image-to-video", "Client A")[0] == 0
    listed = {e["name"]: e for e in json.loads(run(capsys, "workflow", "list", "--json")[1])}
    assert listed["wan-text-to-video"]["favourite"] and listed["svd-image-to-video"]["category"] == "Client A"
    assert "Client A\n  svd-image-to-video" in run(capsys, "workflow", "list")[1]
    run(capsys, "workflow", "favourite", "wan-text-to-video", "--off")
    run(capsys, "workflow", "category", "svd-image-to-video")
    listed = {e["name"]: e for e in json.loads(run(capsys, "workflow", "list", "--json")[1])}
    assert not listed["wan-text-to-video"]["favourite"] and listed["svd-image-to-video"]["category"] != "Client A"
    code, _, err = run(capsys, "workflow", "remove", "svd-image-to-video")
    assert code == 1 and "built-in" in err


def test_a_shot_is_generated_on_a_comfyui_server_and_only_once(capsys, tmp_path):
    image = tmp_path / "valley.png"
    Image.fromarray(np.full((90, 160, 3), (40, 120, 200), np.uint8)).save(image)
    project = str(tmp_path / "film.foundry")
    with ComfyUIServer(name="studio", job_seconds=0.2, models=SVD_MODELS) as server:
        run(capsys, "server", "add", "studio", server.url)
        run(capsys, "new", project, "--size", "160x90", "--fps", "24")
        assert run(capsys, "shot", "add", project, "--prompt", "a valley", "--backend", "comfyui",
                   "--workflow", "svd-image-to-video", "--image", str(image), "--duration", "1")[0] == 0
        code, out, err = run(capsys, "generate", project, "--json")
        assert (code, json.loads(out)) == (0, {"generated": 1, "reused": 0, "failed": 0, "cancelled": 0}), err
        assert json.loads(run(capsys, "generate", project, "--json")[1])["generated"] == 0  # current: nothing to do
        assert server.submissions == 1
        assert run(capsys, "shot", "set", project, "1", "--seed", "99")[0] == 0
        assert json.loads(run(capsys, "generate", project, "--json")[1])["generated"] == 1
        assert server.submissions == 2
    code, out, _ = run(capsys, "render", project, "-o", str(tmp_path / "film.mp4"), "--json")
    assert code == 0 and json.loads(out)["frames"] == 24


def test_variants_takes_selection_jobs_and_cancel(capsys, tmp_path):
    with ComfyUIServer(name="studio", job_seconds=0.1, models=SVD_MODELS) as server:
        project = two_comfyui_shots(capsys, tmp_path, server, max_queued=3)
        code, out, _ = run(capsys, "generate", project, "--shot", "2", "--variants", "2")
        assert code == 0 and "shot 2:" in out and "Generated 3," in out  # its take and two variants
        assert server.submissions == 3
        # The shot's picture is a keyframe take of its own (kind "still"); the rest are its videos.
        listed = [t for t in json.loads(run(capsys, "takes", project, "2", "--json")[1]) if t["kind"] == "video"]
        selected = [t for t in listed if t["selected"]]
        assert len(listed) == 3 and len(selected) == 1 and selected[0]["seed"] == 2  # the shot's own seed
        variant = next(t for t in listed if not t["selected"])
        assert run(capsys, "take", "select", project, "2", str(variant["number"]))[0] == 0
        info = json.loads(run(capsys, "info", project, "--json")[1])
        assert info["shots"][1]["seed"] == variant["seed"] and info["shots"][1]["status"] == "current"
        assert run(capsys, "undo", project)[0] == 0  # back to the shot's own take and its seed
        again = json.loads(run(capsys, "takes", project, "2", "--json")[1])
        assert [t["id"] for t in again if t["selected"]] == [selected[0]["id"]]

        done = json.loads(run(capsys, "jobs", project, "--all", "--json")[1])
        assert len(done) == 3 and {job["state"] for job in done} == {"done"}
        assert "No unfinished jobs." in run(capsys, "jobs", project)[1]

        with ProjectService.open(tmp_path / "film.foundry") as service:  # a job a killed run left on the server
            shot = service.project.timeline.shots[0]
            service.add_jobs([GenerationJob(shot_id=shot.id, fingerprint="f", backend="comfyui", spec={},
                                                 state="submitted", server="studio", remote_id="p-1",
                                                 created_at="2026-11-25T10:00:00", updated_at="2026-11-25T10:00:00")])
        code, out, _ = run(capsys, "cancel", project)
        assert (code, out.strip()) == (0, "Cancelled 1 job.")
        assert json.loads(run(capsys, "jobs", project, "--json")[1]) == []


def test_gpu_time_is_counted_estimated_from_earlier_runs_and_kept_to_the_budget(capsys, tmp_path):
    with ComfyUIServer(name="studio", job_seconds=0.4, models=SVD_MODELS) as server:
        project = two_comfyui_shots(capsys, tmp_path, server, max_queued=2)
        code, out, _ = run(capsys, "generate", project, "--estimate")
        assert code == 0 and out.count("GPU seconds: not known until it has run once") == 2, out
        assert server.submissions == 0  # an estimate sends nothing
        assert run(capsys, "generate", project)[0] == 0
        jobs = json.loads(run(capsys, "jobs", project, "--all", "--json")[1])
        assert all(job["cost_unit"] == "gpu-seconds" and job["cost_actual"] >= 0.3 for job in jobs), jobs
        # What the server says it worked on each (execution_start to execution_success), however
        # long the machine took over it; not the time the prompt waited in the queue.
        worked = sorted(round((stamps["execution_success"] - stamps["execution_start"]) / 1000, 3)
                        for stamps in ({m[0]: m[1]["timestamp"] for m in entry["status"]["messages"]}
                                       for entry in server.history().values()))
        assert sorted(job["cost_actual"] for job in jobs) == worked
        spent = sum(job["cost_actual"] for job in jobs)

        shown = json.loads(run(capsys, "cost", project, "--json")[1])
        assert [row["takes"] for row in shown["shots"]] == [1, 1]
        assert shown["spent"]["gpu-seconds"] == pytest.approx(spent)
        assert "In all: " in run(capsys, "cost", project)[1]

        # Twice what has been spent: one more shot fits (about as long as each before), two do not.
        assert run(capsys, "budget", "set", project, "gpu-seconds", str(round(spent * 1.6, 3)))[0] == 0
        for number in ("1", "2"):
            run(capsys, "shot", "set", project, number, "--seed", str(10 + int(number)))
        estimate = json.loads(run(capsys, "generate", project, "--estimate", "--json")[1])
        assert [job["amount"] == pytest.approx(spent / 2, rel=0.01) for job in estimate["jobs"]] == [True, True]
        assert [item["shot"] for item in estimate["over_budget"]] == [2]
        code, out, err = run(capsys, "generate", project)
        assert code == 1 and "Generated 1," in out
        assert "Shot 2: Not sent: the project's budget is" in err and "GPU seconds" in err, err
        assert server.submissions == 3  # the second was never sent
        assert run(capsys, "budget", "remove", project, "gpu-seconds")[0] == 0
        assert json.loads(run(capsys, "generate", project, "--json")[1]) == {"generated": 1, "reused": 0, "failed": 0, "cancelled": 0}
        assert server.submissions == 4


def test_failed_jobs_are_sent_again_once_with_their_own_seed(capsys, tmp_path):
    with ComfyUIServer(name="studio", job_seconds=0.1, models=SVD_MODELS) as server:
        project = two_comfyui_shots(capsys, tmp_path, server, max_queued=2)
        server.fail_node = "KSampler"
        code, _, err = run(capsys, "generate", project, "--shot", "1", "--variants", "1")
        assert code == 1 and err.count("failed in node") == 2, err
        failed = json.loads(run(capsys, "jobs", project, "--all", "--json")[1])
        run(capsys, "shot", "set", project, "2", "--seed", "7")  # nothing to do with the failures
        server.fail_node = None

        code, out, err = run(capsys, "retry", project, "--json")
        assert (code, json.loads(out)) == (0, {"generated": 2, "reused": 0, "failed": 0, "cancelled": 0}), err
        assert server.submissions == 4
        takes = [t for t in json.loads(run(capsys, "takes", project, "1", "--json")[1]) if t["kind"] == "video"]
        assert len(takes) == 2 and [t["seed"] for t in takes if t["selected"]] == [1]  # the shot's, and the variant's
        assert json.loads(run(capsys, "retry", project, "--json")[1])["generated"] == 0  # each once
        code, _, err = run(capsys, "retry", project, failed[0]["id"][:8])
        assert code == 1 and "No failed job" in err
        assert server.submissions == 4
