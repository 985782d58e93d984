"""`foundry cancel` in one terminal stops the `generate` running in another: both the ComfyUI
server and the project agree the jobs were cancelled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from cli_projects import SVD_MODELS, comfy_project
from servers.comfyui import ComfyUIServer

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.domain.generation_job import UNFINISHED

# Only so that a child that hangs fails the test instead of hanging it; never met otherwise.
WAIT_S = 120


def foundry(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "foundry_desktop.cli.main", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_cancel_in_another_process_stops_a_running_generate(tmp_path, capsys, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(config))
    env = {**os.environ, "FOUNDRY_CONFIG_DIR": str(config)}
    with ComfyUIServer(name="studio", job_seconds=1.0, models=SVD_MODELS) as server:
        project = comfy_project(tmp_path, capsys, server, shots=3)
        server.hold_samplers = True  # the first prompt runs until interrupted, the others wait behind it
        generate = foundry("generate", project, "--json", env=env)
        try:
            deadline = time.monotonic() + WAIT_S
            while not (server.submissions == 3 and server.executed):  # the server has all three, one running
                assert time.monotonic() < deadline and generate.poll() is None, generate.stderr.read()
                time.sleep(0.02)
            # Every job is recorded as sent before the second terminal looks (the answers may lag the server).
            while any(job.state != "submitted" for job in jobs_of(project)):
                assert time.monotonic() < deadline, jobs_of(project)
                time.sleep(0.02)

            cancel = foundry("cancel", project, env=env)
            out, err = cancel.communicate(timeout=WAIT_S)
            assert cancel.returncode == 0, err
            assert out.strip() == "Cancelled 3 jobs." and err == ""

            report, err = generate.communicate(timeout=WAIT_S)
        finally:
            generate.kill()
        assert generate.returncode == 0, err
        assert json.loads(report) == {"generated": 0, "reused": 0, "failed": 0, "cancelled": 3}

        # The server's side: each prompt taken out of its queue, or interrupted while it ran (one that
        # started when the one before it was interrupted is interrupted too); none finished.
        sent = [submission.prompt_id for submission in server.submitted]
        server.wait_idle()
        ran = server.executed
        assert ran and set(ran) | set(server.deleted) == set(sent) and not set(ran) & set(server.deleted)
        assert server.interrupts == len(ran)
        history = server.history()
        assert all(history[prompt]["status"]["status_str"] == "error" and not history[prompt]["outputs"]
                   for prompt in ran)

    # The project's side: every job cancelled, no take made, no shot left generating, no lock left.
    with ProjectService.open(tmp_path / "film.foundry", read_only=True) as service:
        jobs = service.jobs()
        assert [job.state for job in jobs] == ["cancelled"] * 3
        assert {job.remote_id for job in jobs} == set(sent)
        assert not service.jobs(UNFINISHED)
        made = [take for takes in service.project.takes.values() for take in takes if take.backend == "comfyui"]
        assert not made  # the only takes are the shots' own pictures
        assert {status.kind for status in service.statuses()} == {"missing"}
        assert not service.cancel_requests()
    assert not (tmp_path / "film.foundry.lock").exists()


def jobs_of(project: str):
    with ProjectService.open(project, read_only=True) as service:
        return service.jobs()


def test_cancel_with_nothing_running_elsewhere_cancels_here(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    with ComfyUIServer(name="studio", job_seconds=0.1, models=SVD_MODELS) as server:
        project = comfy_project(tmp_path, capsys, server, shots=1)
        assert main(["cancel", project]) == 0
        assert capsys.readouterr().out.strip() == "Cancelled 0 jobs."
    assert not (tmp_path / "film.foundry.lock").exists()
