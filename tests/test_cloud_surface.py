"""What a creator sees of the cloud models from the command line: `foundry cloud list` with each
provider's models (what they accept, their price, the default, the date checked), `generate
--estimate` with the request each shot will send (or why none), and every listed provider known
to `key set`, `--backend` and the budgets. The estimate sends nothing: a Runway test server set as
Runway's address sees no request."""

from __future__ import annotations

import asyncio
import json

import pytest
from cli_projects import run
from listed_models import runway_listed
from servers.runway import RunwayServer

from foundry_desktop.app.generation.api_keys import KEY_OWNERS
from foundry_desktop.app.generation.backends import backend_names, generation_backends
from foundry_desktop.domain.cost import COST_UNITS
from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES

SECRET = "rk-very-secret-1234"


@pytest.fixture(autouse=True)
def machine(tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    runway_listed(monkeypatch)
    yield password_store


def test_cloud_list_shows_each_providers_models_with_what_they_accept_and_cost(capsys):
    code, out, err = run(capsys, "cloud", "list")
    assert code == 0, err
    for provider, table in VIDEO_MODEL_TABLES.items():
        assert any(line.startswith(provider + " ") for line in out.splitlines())
        for model in table.values():
            (line,) = [line for line in out.splitlines() if line.startswith(f"  {model.id} ")]
            assert model.label in line and model.accepts_words() in line and f"checked {model.checked}" in line
    (gen45,) = [line for line in out.splitlines() if line.startswith("  gen4.5 ")]
    assert "the default" in gen45 and "Runway credits per second" in gen45 and "text to video (16:9/9:16, 2-10 s)" in gen45

    assert run(capsys, "cloud", "set", "runway", "--model", "veo3.1_fast")[0] == 0
    code, out, _ = run(capsys, "cloud", "list", "--provider", "runway")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("runway ") and all(line.startswith("  ") for line in lines[1:])
    assert "the default" in next(line for line in lines if line.startswith("  veo3.1_fast "))
    assert "the default" not in next(line for line in lines if line.startswith("  gen4.5 "))

    code, out, err = run(capsys, "cloud", "list", "--provider", "nope")
    assert code != 0 and out == "" and "no cloud service called 'nope'" in err and "runway" in err
    assert "Traceback" not in err


def test_the_estimate_prints_what_each_shot_will_send_and_sends_nothing(capsys, tmp_path):
    project = str(tmp_path / "film.foundry")
    with RunwayServer(api_key=SECRET) as server:
        assert run(capsys, "cloud", "set", "runway", "--base-url", server.url)[0] == 0
        run(capsys, "new", project, "--size", "1024x768", "--fps", "24")
        run(capsys, "shot", "add", project, "--prompt", "waves at dusk", "--backend", "runway", "--duration", "5",
            "--seed", "42")
        run(capsys, "shot", "add", project, "--prompt", " ", "--backend", "runway", "--duration", "5")
        run(capsys, "shot", "add", project, "--prompt", "a title", "--duration", "2")
        code, out, err = run(capsys, "generate", project, "--estimate")
        assert code == 0, err
        lines = out.splitlines()
        first = lines[lines.index(next(line for line in lines if line.startswith("shot   1"))) + 1].strip()
        assert first.startswith("sends gen4.5, text to video, 1280:720, 5 s, seed 42")
        assert "1280:720 is the nearest shape Gen-4.5 makes to the project's 1024x768" in first
        second = lines[lines.index(next(line for line in lines if line.startswith("shot   2"))) + 1].strip()
        assert second.startswith("not sent: ") and "prompt" in second
        third = lines.index(next(line for line in lines if line.startswith("shot   3")))
        assert not lines[third + 1].startswith(" ")  # the built-in generator sends nothing anywhere

        code, out, _ = run(capsys, "generate", project, "--estimate", "--json")
        jobs = json.loads(out)["jobs"]
        assert code == 0 and jobs[0]["request"] == first and jobs[2]["request"] is None
        assert server.requests == [] and server.submissions == 0


def test_every_listed_provider_has_a_key_a_backend_name_and_a_budget_unit(capsys, tmp_path):
    names = backend_names()

    async def units():
        async with generation_backends() as registry:
            return {name: getattr(registry.get(name), "cost_unit", None) for name in registry.names()}

    costs = asyncio.run(units())
    for provider in VIDEO_MODEL_TABLES:
        assert provider in KEY_OWNERS, f"`foundry key set {provider}` is refused"
        if provider != "openai":  # an OpenAI-compatible gateway is a backend once its address is set
            assert provider in names, f"`--backend {provider}` is refused"
            assert costs[provider] in COST_UNITS, f"{provider}'s unit cannot be budgeted"
        for model in VIDEO_MODEL_TABLES[provider].values():
            assert model.price is None or model.price.unit in COST_UNITS
    project = str(tmp_path / "film.foundry")
    run(capsys, "new", project)
    code, out, err = run(capsys, "budget", "set", project, "usd", "20")
    assert code == 0 and "20 US dollars" in out, (out, err)
