"""Cloud services from the command line: keys in the password store, a shot generated on Runway."""

from __future__ import annotations

import io
import json

import pytest
from cli_projects import run
from servers.runway import RunwayServer

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main

SECRET = "rk-very-secret-1234"


@pytest.fixture(autouse=True)
def machine(tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    yield password_store


def test_a_shot_is_generated_on_runway_with_the_key_from_the_password_store(capsys, tmp_path, monkeypatch, machine):
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    assert run(capsys, "key", "set", "runway", "--stdin")[0] == 0
    assert machine.passwords == {("foundry-desktop", "runway"): SECRET}
    assert "runway         has a key" in run(capsys, "key", "list")[1]
    project = str(tmp_path / "film.foundry")
    with RunwayServer(api_key=SECRET, task_seconds=0.3) as server:
        assert run(capsys, "cloud", "set", "runway", "--base-url", server.url, "--poll-seconds", "0.2")[0] == 0
        run(capsys, "new", project, "--size", "160x90", "--fps", "24")
        run(capsys, "shot", "add", project, "--prompt", "waves at dusk", "--backend", "runway", "--duration", "2")
        code, out, err = run(capsys, "generate", project, "--json")
        assert (code, json.loads(out)) == (0, {"generated": 1, "reused": 0, "failed": 0, "cancelled": 0}), err
        assert server.submissions == 1
        jobs = json.loads(run(capsys, "jobs", project, "--all", "--json")[1])
        assert [(j["state"], j["server"]) for j in jobs] == [("done", "runway")] and jobs[0]["remote_id"]

        run(capsys, "key", "remove", "runway")
        run(capsys, "shot", "set", project, "1", "--seed", "5")
        code, out, err = run(capsys, "generate", project)
        assert code == 1 and "runway" in err.lower() and "key" in err.lower(), err
        assert server.submissions == 1
    with ProjectService.open(tmp_path / "film.foundry") as service:
        assert SECRET not in json.dumps([t.model_dump() for t in service.project.takes_of(service.project.timeline.shots[0].id)])
    assert SECRET not in (tmp_path / "config" / "generation.json").read_text()


def test_how_a_service_is_followed_is_set_and_checked(capsys):
    code, out, _ = run(capsys, "cloud", "set", "replicate", "--poll-seconds", "2", "--timeout-minutes", "90")
    assert code == 0 and "status read every 2 s at first; gives up after 90 min" in out
    assert "replicate      its own address; model default; status read every 2 s" in run(capsys, "cloud", "list")[1]
    code, _, err = run(capsys, "cloud", "set", "replicate", "--poll-seconds", "0")
    assert code == 2 and "status reads" in err and "0.1" in err, err  # refused by the option's range
    assert "every 2 s" in run(capsys, "cloud", "list")[1]  # the refused change left the setting as it was


def test_the_listed_models_say_where_their_price_is_in_doubt(capsys):
    fal = run(capsys, "cloud", "list", "--provider", "fal")[1]
    (pro,) = [line for line in fal.splitlines() if line.strip().startswith("kling-v3-pro ")]
    assert "0.224 US dollars per second" in pro
    assert "fal's pages state $0.112 and $0.224 a second; the estimate takes the higher" in pro
    replicate = run(capsys, "cloud", "list", "--provider", "replicate")[1]
    (kling,) = [line for line in replicate.splitlines() if "kwaivgi/kling-v3-video" in line]
    assert "price not known beforehand" in kling and "Replicate states no price per second beforehand" in kling


def test_runway_credits_are_estimated_and_a_budget_stops_what_goes_beyond_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("FOUNDRY_RUNWAY_API_KEY", SECRET)
    project = str(tmp_path / "film.foundry")
    with RunwayServer(api_key=SECRET, task_seconds=0.3) as server:
        run(capsys, "cloud", "set", "runway", "--base-url", server.url, "--poll-seconds", "0.2")
        run(capsys, "new", project, "--size", "160x90", "--fps", "24")
        for number in (1, 2):  # gen4.5 from text, 5 s at 12 credits a second
            run(capsys, "shot", "add", project, "--prompt", f"waves {number}", "--backend", "runway",
                "--model", "gen4.5", "--duration", "5")
        assert run(capsys, "budget", "set", project, "runway-credits", "100")[0] == 0
        code, out, _ = run(capsys, "generate", project, "--estimate")
        assert "shot   1  runway     about 60 Runway credits" in out and "shot   2  runway     about 60 Runway credits" in out
        assert out.count("sends gen4.5, text to video, 1280:720, 5 s") == 2, out  # what each shot will send
        assert "shot 2 would not be sent" in out and server.submissions == 0, out
        code, out, err = run(capsys, "generate", project)
        assert code == 1 and server.submissions == 1
        assert ("Shot 2: Not sent: the project's budget is 100 Runway credits: 0 are spent, 60 on their way, "
                "and this shot about 60 more would bring it to 120") in err, err
        jobs = json.loads(run(capsys, "jobs", project, "--all", "--json")[1])
        assert sorted((job["state"], job["cost_actual"]) for job in jobs) == [("done", 60.0), ("failed", None)]
        assert "60 Runway credits of a budget of 100 (40 left)" in run(capsys, "cost", project)[1]
        assert "60 Runway credits" in run(capsys, "takes", project, "1")[1]


class _StderrWatch(io.StringIO):
    """stderr that notes how many jobs the server had been sent when each line was written."""

    def __init__(self, server) -> None:
        super().__init__()
        self.server, self.lines = server, []

    def write(self, text: str) -> int:
        if text.strip():
            self.lines.append((text.strip(), self.server.submissions))
        return super().write(text)


def test_a_budget_says_before_sending_which_shots_it_cannot_guard(capsys, tmp_path, monkeypatch):
    """Runway states no price for seedance2_fast: such a shot starts while the budget is not used
    up and may go beyond it. With a budget set, the estimate and `generate` say so before sending."""
    monkeypatch.setenv("FOUNDRY_RUNWAY_API_KEY", SECRET)
    project = str(tmp_path / "film.foundry")
    with RunwayServer(api_key=SECRET, task_seconds=0.3) as server:
        run(capsys, "cloud", "set", "runway", "--base-url", server.url, "--poll-seconds", "0.2")
        run(capsys, "new", project, "--size", "160x90", "--fps", "24")
        for number, model in enumerate(("seedance2_fast", "gen4.5", "seedance2_fast"), start=1):
            run(capsys, "shot", "add", project, "--prompt", f"waves {number}", "--backend", "runway",
                "--model", model, "--duration", "5")
        warning = ("The cost of shots 1 and 3 in Runway credits cannot be estimated beforehand, so the budget of "
                   "500 Runway credits cannot guard them: they are sent while the budget is not used up, and may "
                   "take the spending beyond it.")
        out = run(capsys, "generate", project, "--estimate")[1]
        assert "cannot guard" not in out, out  # no budget, nothing to guard
        # Runway's unpublished price stays unknown however often it runs (unlike a workflow's GPU time).
        assert out.count("Runway credits: not known beforehand") == 2, out

        assert run(capsys, "budget", "set", project, "runway-credits", "500")[0] == 0
        code, out, _ = run(capsys, "generate", project, "--estimate")
        assert code == 0 and f"Warning: {warning}" in out and "about 60 Runway credits" in out, out
        listed = json.loads(run(capsys, "generate", project, "--estimate", "--json")[1])
        assert listed["warnings"] == [warning]
        assert listed["budget_cannot_guard"] == [{"unit": "runway-credits", "shots": [1, 3]}]
        assert server.submissions == 0

        watch = _StderrWatch(server)
        monkeypatch.setattr("sys.stderr", watch)
        assert main(["generate", project]) == 0
    assert (f"foundry: warning: {warning}", 0) in watch.lines  # said before the first job was sent
    assert server.submissions == 3
