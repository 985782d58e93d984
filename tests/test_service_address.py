"""Keys never cross plain HTTP unasked, and an address ending in /v1 never becomes /v1/v1/...

`cloud set` and `assist set` refuse http:// to another machine unless --allow-insecure is
given (loopback is this machine, and exempt); the address is tidied for its backend, and
the backends made from the saved settings are checked against the test servers: every
request path is the provider's own, never doubled.
"""

from __future__ import annotations

import asyncio
import json
from fractions import Fraction

import pytest
from cli_projects import run
from servers.openai_videos import OpenAIVideosServer
from servers.runway import RunwayServer

from foundry_desktop.app.assist.language_model import load_language_model
from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.service_address import api_root, is_loopback, service_address
from foundry_desktop.app.generation.settings import load_settings
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.generation.backend import GenerationRequest

KEY = "sk-address-key"


@pytest.fixture(autouse=True)
def machine(tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    yield password_store


def settings_file(tmp_path) -> bytes | None:
    path = tmp_path / "config" / "generation.json"
    return path.read_bytes() if path.exists() else None


@pytest.mark.parametrize("command", [("cloud", "set", "runway"), ("cloud", "set", "openai"), ("assist", "set")])
def test_plain_http_to_another_machine_is_refused_unless_allowed(capsys, tmp_path, command):
    before = settings_file(tmp_path)
    code, out, err = run(capsys, *command, "--base-url", "http://gateway.example.com/v1")
    assert code == 1 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "plain http://" in err and "unencrypted" in err and "--allow-insecure" in err
    assert settings_file(tmp_path) == before and load_language_model().base_url is None
    code, _, err = run(capsys, *command, "--base-url", "http://gateway.example.com/v1", "--allow-insecure")
    assert code == 0, err
    for loopback in ("http://localhost:11434/v1", "http://127.0.0.1:8000/v1", "http://[::1]:8000/v1"):
        assert run(capsys, *command, "--base-url", loopback)[0] == 0
    code, _, err = run(capsys, *command, "--base-url", "notaurl")
    assert code == 1 and "is not a web address" in err and err.count("\n") == 1


def test_addresses_are_tidied_for_their_backend():
    assert service_address("https://api.dev.runwayml.com/v1/", service="runway") == "https://api.dev.runwayml.com"
    assert service_address("https://gw.example/v1/v1", service="openai") == "https://gw.example/v1"
    assert service_address("https://gw.example/v1", service="assist") == "https://gw.example/v1"
    assert api_root("https://api.replicate.com/v1", service="replicate") == "https://api.replicate.com"
    assert is_loopback("localhost") and is_loopback("127.0.0.9") and is_loopback("::1")
    assert not is_loopback("192.168.1.2") and not is_loopback("localhost.example.com")
    for bad in ("ftp://x", "https://", "http://host:port/v1", ""):
        with pytest.raises(InvalidEditError):
            service_address(bad, service="openai")


def generate_with_saved_settings(backend: str, folder) -> None:
    async def main_() -> None:
        async with generation_backends(load_settings()) as registry:
            request = GenerationRequest(shot_id="shot-1", prompt="waves at dusk", negative_prompt="", seed=1,
                                        width=1280, height=720, frame_rate=Fraction(24), frames=96,
                                        output_dir=folder, model=None)
            result = await registry.get(backend).generate(request, lambda event: None)
            assert result.path.parent == folder
    asyncio.run(main_())


def test_a_v1_address_never_becomes_v1_v1(capsys, tmp_path, machine):
    machine.set_password("foundry-desktop", "openai", KEY)
    machine.set_password("foundry-desktop", "runway", KEY)
    folder = tmp_path / "takes"
    folder.mkdir()
    with OpenAIVideosServer(api_key=KEY, task_seconds=0.05) as videos, RunwayServer(api_key=KEY, task_seconds=0.05) \
            as runway:
        # The README's gateway example, with the trailing slash and doubled /v1 people type.
        assert run(capsys, "cloud", "set", "openai", "--base-url", f"{videos.url}/v1/v1/", "--poll-seconds", "0.1")[0] == 0
        assert run(capsys, "cloud", "set", "runway", "--base-url", f"{runway.url}/v1", "--poll-seconds", "0.1")[0] == 0
        assert json.loads(settings_file(tmp_path))["cloud"]["openai"]["base_url"] == f"{videos.url}/v1"
        generate_with_saved_settings("openai", folder)
        generate_with_saved_settings("runway", folder)
        video_paths = [r.path for r in videos.requests]
        runway_paths = [r.path for r in runway.requests if not r.path.startswith("/outputs/")]
    assert video_paths and all(path.startswith("/v1/videos") for path in video_paths), video_paths
    assert runway_paths and all(path.startswith("/v1/") and not path.startswith("/v1/v1") for path in runway_paths)
