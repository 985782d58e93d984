"""`foundry workflow check` against the ComfyUI protocol test server (tests/servers/comfyui.py, whose
/object_info is ComfyUI 0.3.64's): a graph the server would refuse is not one it "can run", and the
words say why — the same graphs the server answers 400 to.

ComfyUI's own validation (execution.py, validate_inputs) checks an INT or FLOAT against its
"min" and "max" only; an off-"step" value is accepted (the step is the front end's widget
increment), so `workflow check` does not judge steps either."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import httpx
import pytest
from servers.comfyui import ComfyUIServer

from foundry_desktop.cli.main import main

WORKFLOWS = Path(__file__).resolve().parents[1] / "workflows"


@pytest.fixture(autouse=True)
def own_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))


def template_with(tmp_path: Path, name: str, change) -> Path:
    """The shipped Wan 2.2 text-to-video template with `change` made to its graph, as a file."""
    data = json.loads((WORKFLOWS / "wan22-5b-text-to-video.json").read_text())
    data = copy.deepcopy(data)
    change(data["graph"])
    data["params"] = {role: target for role, target in data["params"].items() if target["node"] in data["graph"]}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data))
    return path


def check(capsys, path: Path) -> tuple[int, str]:
    code = main(["workflow", "check", str(path)])
    return code, capsys.readouterr().out


def refused(server: ComfyUIServer, path: Path) -> dict:
    """What the server answers when the graph is sent as it is."""
    graph = json.loads(path.read_text())["graph"]
    answer = httpx.post(f"{server.url}/prompt", json={"prompt": graph, "client_id": "check"})
    assert answer.status_code == 400
    return answer.json()


def test_workflow_check_names_a_value_out_of_range_and_a_missing_output_node(tmp_path, capsys):
    too_many_steps = template_with(tmp_path, "too-many-steps",
                                   lambda graph: graph["3"]["inputs"].update(steps=20000))
    too_narrow = template_with(tmp_path, "too-narrow", lambda graph: graph["55"]["inputs"].update(width=16))
    no_output = template_with(tmp_path, "no-output", lambda graph: graph.pop("58"))
    fine = template_with(tmp_path, "fine", lambda graph: graph["55"]["inputs"].update(width=1000))  # off the step of 32
    with ComfyUIServer(name="studio") as server:
        assert main(["server", "add", "studio", server.url]) == 0
        capsys.readouterr()

        assert check(capsys, too_many_steps) == (
            1, "studio           node 3 (KSampler): steps is 20000, above the most the node takes (10000).\n")
        assert refused(server, too_many_steps)["node_errors"]["3"]["errors"][0]["type"] == "value_bigger_than_max"

        assert check(capsys, too_narrow) == (
            1, "studio           node 55 (Wan22ImageToVideoLatent): width is 16, below the least the node takes (32).\n")
        assert refused(server, too_narrow)["node_errors"]["55"]["errors"][0]["type"] == "value_smaller_than_min"

        assert check(capsys, no_output) == (
            1, "studio           The workflow has no output node (such as Save Image, Save Video or Save Audio), "
               "so the server would refuse it: add one and export it again.\n")
        assert refused(server, no_output)["error"]["type"] == "prompt_no_outputs"

        # A width off the node's step of 32 is one ComfyUI takes, and so does the check.
        assert check(capsys, fine) == (0, "studio           can run it\n")
        graph = json.loads(fine.read_text())["graph"]
        assert httpx.post(f"{server.url}/prompt", json={"prompt": graph, "client_id": "check"}).status_code == 200


def test_the_step_of_the_capture_is_there_to_be_ignored():
    """The capture does declare steps (so the off-step case above is a real one)."""
    info = json.loads((Path(__file__).parent / "data" / "comfyui" / "object_info.json").read_text())
    assert info["Wan22ImageToVideoLatent"]["input"]["required"]["width"][1]["step"] == 32
