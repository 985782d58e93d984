"""Generation jobs outlive the process: after a kill, the next run follows what was sent instead of sending it again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from cli_projects import SVD_MODELS, comfy_project
from killed_runs import kill_once_recorded
from servers.comfyui import ComfyUIServer
from servers.runway import RunwayServer

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.domain.fingerprint import generation_spec, shot_fingerprint
from foundry_desktop.domain.generation_job import UNFINISHED, GenerationJob

# How long to wait for the child's progress: only so that a child that hangs fails the test
# instead of hanging it; a slow machine never comes near it.
WAIT_S = 120


def test_a_killed_generate_is_finished_by_the_next_without_a_second_submission(tmp_path, capsys, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(config))
    with ComfyUIServer(name="studio", job_seconds=1.0, models=SVD_MODELS) as server:
        project = comfy_project(tmp_path, capsys, server, shots=3)
        server.hold_samplers = True  # no prompt can finish before the kill, however slow the child
        child = subprocess.Popen(
            [sys.executable, "-m", "foundry_desktop.cli.main", "generate", project],
            env={**os.environ, "FOUNDRY_CONFIG_DIR": str(config)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + WAIT_S
        while server.submissions < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)  # mid-run: one prompt running, two waiting on the server
        child.wait()
        assert server.submissions == 3
        with ProjectService.open(tmp_path / "film.foundry") as service:
            left = service.jobs(UNFINISHED)
            # Each was recorded before it was sent; the kill may come before the answer is recorded.
            assert len(left) == 3
            assert all(job.state in ("submitting", "submitted") and job.server == "studio" and job.remote_id for job in left)

        server.hold_samplers = False
        assert main(["generate", project, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"generated": 3, "reused": 0, "failed": 0, "cancelled": 0}
        assert server.submissions == 3  # followed by prompt id, not sent again
    with ProjectService.open(tmp_path / "film.foundry") as service:
        assert all(status.kind == "current" for status in service.statuses())
        done = service.jobs(("done",))
        assert len(done) == 3 and all(job.take_id and job.remote_id for job in done)


def test_a_job_the_server_never_got_is_sent_again_and_a_stale_unsent_one_is_dropped(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    with ComfyUIServer(name="studio", job_seconds=0.1, models=SVD_MODELS) as server:
        project = comfy_project(tmp_path, capsys, server, shots=2)
        with ProjectService.open(tmp_path / "film.foundry") as service:
            first, second = service.project.timeline.shots
            film = service.project

            def job(shot, **state) -> GenerationJob:
                spec = generation_spec(shot, film)
                return GenerationJob(shot_id=shot.id, fingerprint=shot_fingerprint(shot, film), backend="comfyui",
                                     spec=spec, created_at="2026-11-25T10:00:00", updated_at="2026-11-25T10:00:00", **state)

            # A crash between recording the prompt id and the server receiving it:
            service.add_jobs([job(first, state="submitting", server="studio", remote_id="never-arrived")])
            # A job queued for what the second shot used to be:
            stale = job(second).model_copy(update={"fingerprint": "an-older-version"})
            service.add_jobs([stale])
        assert main(["generate", project, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["generated"] == 2
        assert server.submissions == 2  # the lost one once, the second shot once
    with ProjectService.open(tmp_path / "film.foundry") as service:
        states = {job.fingerprint: job.state for job in service.jobs()}
        assert states["an-older-version"] == "cancelled"
        assert not service.jobs(UNFINISHED)


def runway_project(tmp_path, capsys, server, shots: int) -> str:
    project = str(tmp_path / "film.foundry")
    assert main(["cloud", "set", "runway", "--base-url", server.url, "--poll-seconds", "0.2"]) == 0
    assert main(["new", project, "--size", "160x90", "--fps", "24"]) == 0
    for number in range(shots):
        assert main(["shot", "add", project, "--prompt", f"waves {number}", "--backend", "runway",
                     "--duration", "2", "--seed", str(number)]) == 0
    capsys.readouterr()
    return project


def test_a_killed_generate_follows_its_cloud_tasks_by_id_without_paying_twice(tmp_path, capsys, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(config))
    monkeypatch.setenv("FOUNDRY_RUNWAY_API_KEY", "rk-test")
    # Hour-long tasks: neither can end before the kill, however slow the child; moved on after it.
    with RunwayServer(api_key="rk-test", task_seconds=3600) as server:
        project = runway_project(tmp_path, capsys, server, shots=2)
        kill_once_recorded(project, 2, "generate", project)  # both tasks going at Runway, their ids recorded
        assert server.submissions == 2
        with ProjectService.open(tmp_path / "film.foundry") as service:
            left = service.jobs(UNFINISHED)
            assert [(job.state, job.server, bool(job.remote_id)) for job in left] == [("submitted", "runway", True)] * 2

        server.advance_tasks(3600)  # both have finished at Runway meanwhile
        assert main(["generate", project, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"generated": 2, "reused": 0, "failed": 0, "cancelled": 0}
        assert server.submissions == 2  # followed by task id, not created again
    with ProjectService.open(tmp_path / "film.foundry") as service:
        assert all(status.kind == "current" for status in service.statuses())


def test_a_cloud_job_stopped_mid_create_is_not_sent_again_unasked(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FOUNDRY_RUNWAY_API_KEY", "rk-test")
    with RunwayServer(api_key="rk-test", task_seconds=0.2) as server:
        project = runway_project(tmp_path, capsys, server, shots=1)
        with ProjectService.open(tmp_path / "film.foundry") as service:
            shot = service.project.timeline.shots[0]
            spec = generation_spec(shot, service.project)
            # Foundry stopped after recording the create call and before its answer: no task id.
            service.add_jobs([GenerationJob(
                shot_id=shot.id, fingerprint=shot_fingerprint(shot, service.project), backend="runway", spec=spec,
                state="submitting", server="runway", created_at="2026-11-25T10:00:00", updated_at="2026-11-25T10:00:00",
            )])
        assert main(["generate", project]) == 1
        err = capsys.readouterr().err
        assert "stopped while sending this shot to runway" in err and "generate the shot again" in err, err
        assert server.submissions == 0
        assert main(["generate", project, "--json"]) == 0  # asked again: sent once
        assert json.loads(capsys.readouterr().out)["generated"] == 1
        assert server.submissions == 1


def test_a_killed_generate_follows_its_fal_requests_by_id_without_paying_twice(tmp_path, capsys, monkeypatch):
    from servers.fal import FalServer

    config = tmp_path / "config"
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(config))
    monkeypatch.setenv("FOUNDRY_FAL_API_KEY", "fal-test")
    # Hour-long requests: neither can end before the kill, however slow the child; moved on after it.
    with FalServer(api_key="fal-test", task_seconds=3600) as server:
        project = str(tmp_path / "film.foundry")
        assert main(["cloud", "set", "fal", "--base-url", server.url, "--poll-seconds", "0.2"]) == 0
        assert main(["new", project, "--size", "160x90", "--fps", "24"]) == 0
        for number, model in enumerate(("seedance-2.0-fast", "kling-v3-standard")):
            assert main(["shot", "add", project, "--prompt", f"waves {number}", "--backend", "fal", "--model", model,
                         "--duration", "5", "--seed", str(number)]) == 0
        capsys.readouterr()
        kill_once_recorded(project, 2, "generate", project)  # both requests in fal's queue, their ids recorded
        assert server.submissions == 2
        with ProjectService.open(tmp_path / "film.foundry") as service:
            left = service.jobs(UNFINISHED)
            assert [(job.state, job.server, bool(job.remote_id)) for job in left] == [("submitted", "fal", True)] * 2

        server.advance_tasks(3600)  # both have finished at fal meanwhile
        assert main(["generate", project, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"generated": 2, "reused": 0, "failed": 0, "cancelled": 0}
        assert server.submissions == 2  # followed by request id, not submitted again
        followed = [r.path for r in server.requests if r.method == "GET" and r.path.endswith("/status")]
        assert any(path.startswith("/bytedance/seedance-2.0/requests/") for path in followed)
        assert any(path.startswith("/fal-ai/kling-video/requests/") for path in followed)
    with ProjectService.open(tmp_path / "film.foundry") as service:
        assert all(status.kind == "current" for status in service.statuses())
