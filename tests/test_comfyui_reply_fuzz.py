"""The ComfyUI backend against a server whose replies are broken (tests/reply_mutations.py):
wrong types, missing and extra fields, huge and empty values, truncated bodies, closed
sockets and slow bodies, on every endpoint a job uses and every WebSocket message it hears.

Whatever the server sends, no exception but a GenerationError (one line, in words) leaves
the backend, the job ends made or failed (never left waiting), and nothing is written but
the take in the job's own output folder.
"""

from __future__ import annotations

import asyncio
import itertools
from fractions import Fraction
from pathlib import Path

import httpx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from reply_mutations import KINDS
from servers.comfyui import ComfyUIServer
from servers.mutated_replies import ReplyMutation

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.comfyui.backend import ComfyUIBackend
from foundry_desktop.generation.comfyui.farm import ComfyFarm, ComfyServer
from foundry_desktop.generation.comfyui.library import WorkflowLibrary
from foundry_desktop.media.probe import probe_source

SVD_MODELS = {"checkpoints": ["svd_xt.safetensors", "sd_xl_base_1.0.safetensors"]}
WAIT_S = 120  # only so that a backend that hangs fails the test; a slow machine never comes near it
HTTP_PLACES = ("/system_stats", "/queue", "/object_info", "/models/{folder}", "/upload/image", "/prompt",
               "/history/{prompt_id}", "/view", "/interrupt")
WS_PLACES = ("ws:status", "ws:execution_start", "ws:execution_cached", "ws:executing", "ws:progress",
             "ws:progress_state", "ws:executed", "ws:execution_success", "ws:execution_error",
             "ws:execution_interrupted", "ws:preview")
PLACES = HTTP_PLACES + WS_PLACES
# Places only a failing or a cancelled job reaches.
FAILING = {"ws:execution_error"}
CANCELLED = {"/interrupt", "ws:execution_interrupted"}
# The normal suite tries a few examples (each is a whole job); `.ci/fuzz` (HYPOTHESIS_PROFILE=fuzz) many.
EXAMPLES = settings().max_examples if settings().max_examples > 100 else 8
_seeds = itertools.count(1000)  # a new seed each job: an identical graph would come from the server's cache


@pytest.fixture(scope="module")
def server():
    with ComfyUIServer(name="gpu-1", job_seconds=0.05, history_lag_s=0.01, models=SVD_MODELS) as running:
        yield running


@pytest.fixture(scope="module")
def still(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("inputs") / "valley.png"
    Image.fromarray(np.full((72, 128, 3), (40, 120, 200), np.uint8)).save(path)
    return path


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


async def one_job(server: ComfyUIServer, still: Path, work: Path, place: str) -> str:
    """Generate one take through the backend; "made" or "failed", checked on the way."""
    out = work / "takes"
    out.mkdir(parents=True)
    shot = f"shot-{next(_seeds)}"
    request = GenerationRequest(
        shot_id=shot, prompt="a slow push over a valley", negative_prompt="", seed=next(_seeds), width=128, height=72,
        frame_rate=Fraction(24), frames=14, output_dir=out, workflow="svd-image-to-video", input_image=still,
    )
    progressed = asyncio.Event()

    def on_event(event) -> None:
        if event.kind == "progress":
            progressed.set()

    async with httpx.AsyncClient(timeout=WAIT_S) as http:
        farm = ComfyFarm([ComfyServer(server.name, server.url)], http)
        for client in farm.clients.values():
            client.quiet_s = 0.5  # an end event lost to the mutation: the history is asked soon
        backend = ComfyUIBackend(farm, WorkflowLibrary(work / "user-workflows"))
        job = asyncio.ensure_future(backend.generate(request, on_event))
        try:
            if place in CANCELLED:
                await asyncio.wait_for(_cancel_when_running(backend, shot, job, progressed, server), WAIT_S)
            result = await asyncio.wait_for(job, WAIT_S)
        except GenerationError as exc:
            message = str(exc)
            assert message and "\n" not in message and "Traceback" not in message
            assert list(out.iterdir()) == []  # no partial download left behind
            return "failed"
        finally:
            server.hold_samplers = False
            job.cancel()
            await backend.aclose()
    assert files_under(out) == {result.path}
    assert probe_source(result.path).width == 128
    return "made"


async def _cancel_when_running(backend, shot, job, progressed, server) -> None:
    server.hold_samplers = True  # the prompt surely still runs when the cancel comes
    waiting = asyncio.ensure_future(progressed.wait())
    await asyncio.wait([waiting, job], return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if not job.done():
        try:
            await backend.cancel(shot)
        except GenerationError as exc:
            assert "\n" not in str(exc)
    server.hold_samplers = False


def run_with(server: ComfyUIServer, still: Path, work: Path, mutation: ReplyMutation | None) -> str:
    server.reply_mutation = mutation
    server.fail_node = "KSampler" if mutation is not None and mutation.place in FAILING else None
    before = files_under(work)
    try:
        outcome = asyncio.run(one_job(server, still, work, mutation.place if mutation else ""))
    finally:
        server.reply_mutation, server.fail_node, server.hold_samplers = None, None, False
    written = {path for path in files_under(work) - before if "takes" not in path.relative_to(work).parts}
    assert not written, f"written outside the take folder: {written}"
    return outcome


def test_an_unbroken_server_makes_the_take(server, still, tmp_path):
    assert run_with(server, still, tmp_path / "job", None) == "made"


@pytest.mark.fuzz
@pytest.mark.parametrize("place", PLACES)
def test_every_kind_of_broken_reply_at_each_place_ends_the_job_in_words(server, still, tmp_path, place):
    outcomes = {kind: run_with(server, still, tmp_path / kind, ReplyMutation(place, kind)) for kind in KINDS}
    assert set(outcomes.values()) <= {"made", "failed"}


@pytest.mark.fuzz
@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(place=st.sampled_from(PLACES), kind=st.sampled_from(KINDS), seed=st.integers(0, 2**32))
def test_a_randomly_broken_reply_never_escapes_the_backend(server, still, tmp_path_factory, place, kind, seed):
    work = tmp_path_factory.mktemp("job")
    assert run_with(server, still, work, ReplyMutation(place, kind, seed)) in ("made", "failed")


# The malformed replies that crashed `foundry generate` (issue 20), each on its own.


def failure_of(server, still, tmp_path, mutation: ReplyMutation, fail_node: str | None = None) -> str:
    """The job's failure message under this mutation (the test fails if the job is made)."""
    server.reply_mutation, server.fail_node = mutation, fail_node
    try:
        with pytest.raises(GenerationError) as failed:
            asyncio.run(_job_raising(server, still, tmp_path))
    finally:
        server.reply_mutation, server.fail_node = None, None
    return str(failed.value)


async def _job_raising(server, still, tmp_path) -> None:
    out = tmp_path / "takes"
    out.mkdir(exist_ok=True)
    request = GenerationRequest(
        shot_id="shot-1", prompt="a valley", negative_prompt="", seed=next(_seeds), width=128, height=72,
        frame_rate=Fraction(24), frames=14, output_dir=out, workflow="svd-image-to-video", input_image=still,
    )
    async with httpx.AsyncClient(timeout=WAIT_S) as http:
        backend = ComfyUIBackend(ComfyFarm([ComfyServer(server.name, server.url)], http), WorkflowLibrary(tmp_path / "w"))
        try:
            await asyncio.wait_for(backend.generate(request, lambda event: None), WAIT_S)
        finally:
            await backend.aclose()


def test_history_outputs_that_are_text_fail_the_job_in_words(server, still, tmp_path):
    mutation = ReplyMutation("/history/{prompt_id}", "wrong_type", at=("*", "outputs"), replacement="oops", replace=True)
    message = failure_of(server, still, tmp_path, mutation)
    assert message.startswith("The answer of ComfyUI on gpu-1 to /history is not what ComfyUI sends (")
    assert "outputs" in message


def test_a_history_status_of_the_wrong_type_fails_the_job_in_words(server, still, tmp_path):
    mutation = ReplyMutation("/history/{prompt_id}", "wrong_type", at=("*", "status"), replacement=["success"], replace=True)
    assert "to /history is not what ComfyUI sends (" in failure_of(server, still, tmp_path, mutation)


def test_an_error_message_sent_as_a_list_is_reported_as_one_line(server, still, tmp_path):
    mutation = ReplyMutation("ws:execution_error", "wrong_type", at=("data", "exception_message"),
                             replacement=["CUDA out of memory.", "Tried to allocate 2 GiB."], replace=True)
    message = failure_of(server, still, tmp_path, mutation, fail_node="KSampler")
    assert message.startswith("ComfyUI on gpu-1 failed in node ")
    assert "(KSampler)" in message and "CUDA out of memory. Tried to allocate 2 GiB." in message


@pytest.mark.parametrize("value", ["half", None, float("nan"), -3, [1]])
def test_a_progress_value_that_is_no_number_is_passed_over(server, still, tmp_path, value):
    mutation = ReplyMutation("ws:progress", "wrong_type", at=("data", "value"), replacement=value, replace=True)
    assert run_with(server, still, tmp_path / "job", mutation) == "made"


def test_a_status_event_of_the_wrong_type_is_passed_over(server, still, tmp_path):
    mutation = ReplyMutation("ws:status", "wrong_type", at=("data", "status"), replacement="busy", replace=True)
    assert run_with(server, still, tmp_path / "job", mutation) == "made"
