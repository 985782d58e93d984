"""A `foundry generate` killed (SIGKILL) while Google makes its videos: the next run follows each
operation by its name and pays for nothing twice. The key comes from the password store's stand-in
(`key set gemini`), the address and polling from `cloud set gemini`, the backend from `--backend gemini`."""

from __future__ import annotations

import json

import pytest
from killed_runs import kill_once_recorded
from servers.gemini import GeminiServer

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.domain.generation_job import UNFINISHED

KEY = "AIza-resume-0123456789"


def kill_then_generate_again(project: str, server: GeminiServer, capsys, *, duration: str,
                            remote_prefix: str, model: tuple[str, ...] = ()) -> None:
    """Two shots on `gemini` (with `cloud set … --model` when given); a `generate` killed (SIGKILL) once
    both remote ids are recorded; the tasks finished at Google; then a `generate` that follows them."""
    assert main(["cloud", "set", "gemini", "--base-url", server.url, "--poll-seconds", "0.2", *model]) == 0
    assert main(["new", project, "--size", "160x90", "--fps", "24"]) == 0
    for number in range(2):
        assert main(["shot", "add", project, "--prompt", f"waves {number}", "--backend", "gemini",
                     "--duration", duration, "--seed", str(number)]) == 0
    capsys.readouterr()
    kill_once_recorded(project, 2, "generate", project)  # both tasks going at Google, their ids recorded
    assert server.submissions == 2
    with ProjectService.open(project) as service:
        left = service.jobs(UNFINISHED)
        assert [(job.state, job.server) for job in left] == [("submitted", "gemini")] * 2
        assert all(job.remote_id.startswith(remote_prefix) for job in left)
    server.advance_tasks(3600)  # both have finished at Google meanwhile
    assert main(["generate", project, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"generated": 2, "reused": 0, "failed": 0, "cancelled": 0}
    assert server.submissions == 2  # followed by remote id, not created again


def test_a_killed_generate_follows_its_veo_operations_by_name_without_paying_twice(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FOUNDRY_GEMINI_API_KEY", KEY)  # the child has no password store: the environment's way
    project = str(tmp_path / "film.foundry")
    # Hour-long operations: neither can end before the kill, however slow the child; moved on after it.
    with GeminiServer(api_key=KEY, task_seconds=3600) as server:
        kill_then_generate_again(project, server, capsys, duration="2",
                                 remote_prefix="models/veo-3.1-fast-generate-preview/operations/")
        (create, _) = server.requests_to("POST", "/v1beta/models/")
        assert create.json["parameters"]["durationSeconds"] == 4  # the nearest Veo length to a 2 s shot
    with ProjectService.open(project) as service:
        assert all(status.kind == "current" for status in service.statuses())
        done = service.jobs(("done",))
        # Four seconds of Veo 3.1 Fast each, at Google's $0.10 a second (720p).
        assert [(job.cost_unit, job.cost_actual) for job in done] == [("usd", pytest.approx(4 * 0.10))] * 2


def test_a_killed_generate_follows_its_omni_interactions_by_id_without_paying_twice(tmp_path, capsys, monkeypatch):
    """The same for Gemini Omni Flash (`cloud set gemini --model`): its interactions are followed by id."""
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FOUNDRY_GEMINI_API_KEY", KEY)
    project = str(tmp_path / "film.foundry")
    with GeminiServer(api_key=KEY, task_seconds=3600) as server:
        kill_then_generate_again(project, server, capsys, duration="5", remote_prefix="interactions/v1_",
                                 model=("--model", "gemini-omni-1.2-flash"))
        assert len(server.requests_to("POST", "/v1beta/interactions")) == 2
    with ProjectService.open(project) as service:
        done = service.jobs(("done",))
        # Five seconds of Omni 1.2 at 720p each, at $0.07 a second.
        assert [(job.cost_unit, job.cost_actual) for job in done] == [("usd", pytest.approx(5 * 0.07))] * 2


def test_the_key_is_set_and_kept_for_gemini(capsys, tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(KEY + "\n"))
    assert main(["key", "set", "gemini", "--stdin"]) == 0
    assert password_store.get_password("foundry-desktop", "gemini") == KEY
    assert KEY not in capsys.readouterr().out
