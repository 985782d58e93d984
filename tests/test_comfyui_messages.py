"""What a creator reads when a ComfyUI server lets a job down, and workflow names that are no
names: the words themselves, checked (issue 20)."""

from __future__ import annotations

import asyncio
import re
from fractions import Fraction
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from servers.comfyui import ComfyUIServer

from foundry_desktop.cli.main import main
from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.comfyui.backend import ComfyUIBackend
from foundry_desktop.generation.comfyui.client import ComfyUIClient, OutputFile, connection_problem
from foundry_desktop.generation.comfyui.farm import ComfyFarm, ComfyServer
from foundry_desktop.generation.comfyui.library import WorkflowLibrary

SVD_MODELS = {"checkpoints": ["svd_xt.safetensors", "sd_xl_base_1.0.safetensors"]}
WAIT_S = 60  # only so that a hanging backend fails the test


@pytest.fixture
def still(tmp_path) -> Path:
    path = tmp_path / "valley.png"
    Image.fromarray(np.full((72, 128, 3), (40, 120, 200), np.uint8)).save(path)
    return path


def request(tmp_path: Path, still: Path) -> GenerationRequest:
    out = tmp_path / "scratch"
    out.mkdir(exist_ok=True)
    return GenerationRequest(
        shot_id="shot-1", prompt="a valley", negative_prompt="", seed=5, width=128, height=72, frame_rate=Fraction(24),
        frames=14, output_dir=out, workflow="svd-image-to-video", input_image=still,
    )


async def generate_while(servers, tmp_path, still, during) -> tuple[list, BaseException | None]:
    """Generate one take on `servers`, running `during()` (in a thread) once a prompt is submitted."""
    events: list = []
    async with httpx.AsyncClient(timeout=WAIT_S) as http:
        backend = ComfyUIBackend(ComfyFarm([ComfyServer(s.name, s.url) for s in servers], http),
                                 WorkflowLibrary(tmp_path / "user-workflows"))
        job = asyncio.ensure_future(backend.generate(request(tmp_path, still), events.append))
        try:
            while not any(s.submissions for s in servers) and not job.done():
                await asyncio.sleep(0.02)
            await asyncio.to_thread(during)
            await asyncio.wait_for(job, WAIT_S)
            return events, None
        except GenerationError as exc:
            return events, exc
        finally:
            await backend.aclose()


def test_when_the_only_server_dies_mid_job_the_message_says_why(tmp_path, still):
    with ComfyUIServer(name="gpu-1", job_seconds=0.2, models=SVD_MODELS) as server:
        server.hold_samplers = True
        events, failure = asyncio.run(generate_while([server], tmp_path, still, server.stop))
    message = str(failure)
    assert re.fullmatch(r"No ComfyUI server can run .+: gpu-1 lost the job \(ComfyUI on gpu-1 .+\)\.", message), message
    assert not message.endswith(": .") and "()" not in message
    assert [e.message for e in events if e.kind == "queued" and e.message][0].endswith("Trying another server.")


def test_the_failover_message_says_what_went_wrong(tmp_path, still):
    with (ComfyUIServer(name="a", job_seconds=0.2, models=SVD_MODELS) as a,
          ComfyUIServer(name="b", job_seconds=0.2, models=SVD_MODELS) as b):
        a.hold_samplers = b.hold_samplers = True

        def kill_the_one_running_it() -> None:
            dying = a if a.submissions else b
            (b if dying is a else a).hold_samplers = False
            dying.stop()

        events, failure = asyncio.run(generate_while([a, b], tmp_path, still, kill_the_one_running_it))
    assert failure is None
    failover = [e.message for e in events if e.kind == "queued" and e.message]
    assert len(failover) == 1 and failover[0].endswith(". Trying another server.")
    assert "()" not in failover[0] and re.search(r"\([^)]+\)\. Trying another server\.$", failover[0])


@pytest.mark.parametrize("error", [httpx.RemoteProtocolError(""), httpx.ReadError(""), httpx.ConnectError("")])
def test_an_error_without_a_message_is_still_said_in_words(error):
    words = connection_problem(error)
    assert words and words[0].isalpha() and " " in words


def test_an_unsafe_subfolder_is_reported_as_the_folder(tmp_path):
    async def fetch():
        async with httpx.AsyncClient() as http:
            client = ComfyUIClient("gpu-1", "http://127.0.0.1:9", http)
            try:
                await client.download(OutputFile("clip_00001_.mp4", "../../etc", "output", True), tmp_path / "take.mp4")
            finally:
                await client.aclose()

    with pytest.raises(GenerationError) as refused:
        asyncio.run(fetch())
    assert str(refused.value) == (
        "ComfyUI on gpu-1 put its output in the folder '../../etc'; Foundry refuses unsafe names."
    )
    assert list(tmp_path.iterdir()) == []


# -- workflow names ---------------------------------------------------------------------


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "config"


@pytest.mark.parametrize("name", ["../x", "..", "a/b", "a\\b", "/tmp/x", "x/../../y"])
@pytest.mark.parametrize("action", [("remove",), ("favourite",), ("category",), ("category", "Video"), ("show",), ("check",)])
def test_a_workflow_name_that_is_a_path_is_refused_in_one_line(config, tmp_path, capsys, name, action):
    outside = tmp_path / "x.json"
    outside.write_text('{"keep": "me"}', encoding="utf-8")
    code = main(["workflow", action[0], name, *action[1:]])
    captured = capsys.readouterr()
    assert code != 0 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert "is not a workflow name" in lines[0] or "no workflow called" in lines[0]
    assert outside.read_text(encoding="utf-8") == '{"keep": "me"}'


def test_workflow_remove_never_deletes_a_file_outside_the_library(config, tmp_path, capsys):
    user = WorkflowLibrary(config / "workflows").user_dir
    user.mkdir(parents=True, exist_ok=True)
    outside = user.parent / "x.json"
    outside.write_text("{}", encoding="utf-8")
    assert main(["workflow", "remove", "../x"]) != 0
    assert "'../x' is not a workflow name" in capsys.readouterr().err
    assert outside.exists()


def test_a_name_that_does_not_exist_is_refused(config, capsys):
    assert main(["workflow", "remove", "nope"]) != 0
    assert "no workflow called 'nope'" in capsys.readouterr().err
