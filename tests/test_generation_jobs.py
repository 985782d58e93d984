"""Generation jobs outlive the process: after a kill, the next run follows what was sent instead of sending it again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
from PIL import Image
from servers.comfyui import ComfyUIServer

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.domain.fingerprint import generation_spec, shot_fingerprint
from foundry_desktop.domain.generation_job import UNFINISHED, GenerationJob

SVD_MODELS = {"checkpoints": ["svd_xt.safetensors"]}


def comfy_project(tmp_path, capsys, server, shots: int) -> str:
    image = tmp_path / "valley.png"
    Image.fromarray(np.full((90, 160, 3), (40, 120, 200), np.uint8)).save(image)
    project = str(tmp_path / "film.foundry")
    assert main(["server", "add", "studio", server.url, "--max-queued", str(shots)]) == 0
    assert main(["new", project, "--size", "160x90", "--fps", "24"]) == 0
    for number in range(shots):
        assert main(["shot", "add", project, "--prompt", f"shot {number}", "--backend", "comfyui", "--workflow",
                     "svd-image-to-video", "--image", str(image), "--duration", "1", "--seed", str(number)]) == 0
    capsys.readouterr()
    return project


def test_a_killed_generate_is_finished_by_the_next_without_a_second_submission(tmp_path, capsys, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(config))
    with ComfyUIServer(name="studio", job_seconds=1.0, models=SVD_MODELS) as server:
        project = comfy_project(tmp_path, capsys, server, shots=3)
        child = subprocess.Popen(
            [sys.executable, "-m", "foundry_desktop.cli.main", "generate", project],
            env={**os.environ, "FOUNDRY_CONFIG_DIR": str(config)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while server.submissions < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)  # mid-run: one prompt running, two waiting on the server
        child.wait()
        assert server.submissions == 3
        with ProjectService.open(tmp_path / "film.foundry") as service:
            left = service.store.jobs(UNFINISHED)
            # Each was recorded before it was sent; the kill may come before the answer is recorded.
            assert len(left) == 3
            assert all(job.state in ("submitting", "submitted") and job.server == "studio" and job.remote_id for job in left)

        assert main(["generate", project, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"generated": 3, "reused": 0, "failed": 0}
        assert server.submissions == 3  # followed by prompt id, not sent again
    with ProjectService.open(tmp_path / "film.foundry") as service:
        assert all(status.kind == "current" for status in service.statuses())
        done = service.store.jobs(("done",))
        assert len(done) == 3 and all(job.take_id and job.remote_id for job in done)


def test_a_job_the_server_never_got_is_sent_again_and_a_stale_unsent_one_is_dropped(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    with ComfyUIServer(name="studio", job_seconds=0.1, models=SVD_MODELS) as server:
        project = comfy_project(tmp_path, capsys, server, shots=2)
        with ProjectService.open(tmp_path / "film.foundry") as service:
            first, second = service.project.timeline.shots
            fmt = service.format

            def job(shot, **state) -> GenerationJob:
                spec = generation_spec(shot, fmt)
                return GenerationJob(shot_id=shot.id, fingerprint=shot_fingerprint(shot, fmt), backend="comfyui",
                                     spec=spec, created_at="2026-11-25T10:00:00", updated_at="2026-11-25T10:00:00", **state)

            # A crash between recording the prompt id and the server receiving it:
            service.store.add_jobs([job(first, state="submitting", server="studio", remote_id="never-arrived")])
            # A job queued for what the second shot used to be:
            stale = job(second).model_copy(update={"fingerprint": "an-older-version"})
            service.store.add_jobs([stale])
        assert main(["generate", project, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["generated"] == 2
        assert server.submissions == 2  # the lost one once, the second shot once
    with ProjectService.open(tmp_path / "film.foundry") as service:
        states = {job.fingerprint: job.state for job in service.store.jobs()}
        assert states["an-older-version"] == "cancelled"
        assert not service.store.jobs(UNFINISHED)
