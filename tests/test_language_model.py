"""The creative assist's language model: set up per machine (a project may keep its own),
its key in the password store, and with nothing set up, one line that says how."""

from __future__ import annotations

import json

import keyring
import pytest

from foundry_desktop.app.assist.language_model import (
    LanguageModelSettings,
    NoLanguageModelError,
    language_model_client,
    load_language_model,
    project_override,
    require_configured,
    set_project_override,
)
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.generation.bounded_download import TransferLimits


@pytest.fixture(autouse=True)
def machine(tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))


def test_nothing_set_up_says_so_in_one_line(capsys):
    assert main(["assist", "show"]) == 0
    assert capsys.readouterr().out.strip() == "No language model is set up (foundry assist set --base-url URL --model NAME)."
    with pytest.raises(NoLanguageModelError, match="foundry assist set") as refused:
        require_configured(load_language_model())
    assert "\n" not in str(refused.value)
    endpoint_only = LanguageModelSettings(base_url="http://localhost:11434/v1")
    assert require_configured(endpoint_only) is endpoint_only  # transcription needs no chat model
    with pytest.raises(NoLanguageModelError):
        require_configured(endpoint_only, chat=True)


def test_set_show_and_forget(capsys, monkeypatch):
    assert main(["assist", "set", "--base-url", "http://localhost:11434/v1/", "--model", "llama3.1"]) == 0
    capsys.readouterr()
    assert main(["assist", "show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "llama3.1"
    settings = load_language_model()
    assert (settings.base_url, settings.model, settings.transcription_model) == (
        "http://localhost:11434/v1", "llama3.1", "whisper-1")
    assert main(["assist", "set", "--base-url", "ftp://nowhere"]) == 1
    assert "http://" in capsys.readouterr().err
    assert load_language_model().base_url == "http://localhost:11434/v1"  # a refused change changes nothing
    assert main(["assist", "set", "--base-url", ""]) == 0
    assert not load_language_model().configured


def test_the_client_points_at_the_endpoint_with_the_kept_key(monkeypatch):
    keyring.set_password("foundry-desktop", "assist", "sk-local-test")
    client = language_model_client(LanguageModelSettings(base_url="http://127.0.0.1:9/v1", model="m", timeout_s=7),
                                   TransferLimits(stall_s=30))
    assert str(client.base_url) == "http://127.0.0.1:9/v1/" and client.api_key == "sk-local-test"
    # Its answer may take the assist's own timeout; sending may stall only as long as the transfer settings say.
    assert client.max_retries == 0 and (client.timeout.read, client.timeout.write, client.timeout.connect) == (7, 30, 10)
    keyring.delete_password("foundry-desktop", "assist")
    assert language_model_client(LanguageModelSettings(base_url="http://127.0.0.1:9/v1")).api_key == "not-needed"


def test_a_project_keeps_its_own_endpoint_and_models_over_the_machines(tmp_path, capsys):
    project = tmp_path / "film.foundry"
    ProjectService.create(project).close()
    assert main(["assist", "set", "--base-url", "http://localhost:11434/v1", "--model", "llama3.1"]) == 0
    assert main(["assist", "set", "--project", str(project), "--model", "qwen2.5:14b",
                 "--image-model", "flux-schnell"]) == 0
    capsys.readouterr()
    assert main(["assist", "show", "--project", str(project), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["base_url"], shown["model"], shown["image_model"]) == (
        "http://localhost:11434/v1", "qwen2.5:14b", "flux-schnell")  # the machine's endpoint, the project's models
    assert shown["project_sets"] == ["image_model", "model"]
    assert load_language_model().model == "llama3.1"  # the machine's own are untouched
    with ProjectService.open(project) as service:
        assert load_language_model(project=service).model == "qwen2.5:14b"
        with pytest.raises(InvalidEditError, match="base_url"):
            set_project_override(service, {"base_url": "ftp://elsewhere"})
        assert project_override(service) == {"model": "qwen2.5:14b", "image_model": "flux-schnell"}
    assert main(["assist", "set", "--project", str(project), "--follow-machine"]) == 0
    with ProjectService.open(project) as service:
        assert project_override(service) == {} and load_language_model(project=service).model == "llama3.1"
