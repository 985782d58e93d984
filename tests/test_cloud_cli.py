"""Cloud services from the command line: keys in the password store, a shot generated on Runway."""

from __future__ import annotations

import io
import json

import keyring
import pytest
from keyring.backend import KeyringBackend
from servers.runway import RunwayServer

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main

SECRET = "rk-very-secret-1234"


class MemoryKeyring(KeyringBackend):
    """A password store that lives for one test (CI machines have none)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such password")


@pytest.fixture(autouse=True)
def machine(tmp_path, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    previous = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(previous)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_shot_is_generated_on_runway_with_the_key_from_the_password_store(capsys, tmp_path, monkeypatch, machine):
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    assert run(capsys, "key", "set", "runway", "--stdin")[0] == 0
    assert machine.passwords == {("foundry-desktop", "runway"): SECRET}
    assert "runway     has a key" in run(capsys, "key", "list")[1]
    project = str(tmp_path / "film.foundry")
    with RunwayServer(api_key=SECRET, task_seconds=0.3) as server:
        assert run(capsys, "cloud", "set", "runway", "--base-url", server.url, "--poll-seconds", "0.2")[0] == 0
        run(capsys, "new", project, "--size", "160x90", "--fps", "24")
        run(capsys, "shot", "add", project, "--prompt", "waves at dusk", "--backend", "runway", "--duration", "2")
        code, out, err = run(capsys, "generate", project, "--json")
        assert (code, json.loads(out)) == (0, {"generated": 1, "reused": 0, "failed": 0}), err
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
    assert "replicate  its own address; model default; status read every 2 s" in run(capsys, "cloud", "list")[1]
    code, _, err = run(capsys, "cloud", "set", "replicate", "--poll-seconds", "0")
    assert code == 1 and "poll seconds" in err and "0.1" in err, err
    assert "every 2 s" in run(capsys, "cloud", "list")[1]  # the refused change left the setting as it was
