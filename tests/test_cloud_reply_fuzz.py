"""Fuzzing the cloud backends and the assist with mutated answers of their test servers.

Every mutation kind (tests/cloud_reply_mutations.py: wrong types, missing and extra fields,
huge and empty values, not JSON, a truncated body, a closed socket, a slow body) is tried on
every endpoint of every cloud test server: create, status, cancel, output download, health
and model look-ups, chat and transcription. Hypothesis draws where and how each answer
breaks. Whatever comes back, the backend ends the job succeeded or failed with a
FoundryError in one line — never another exception, never a hang — and nothing is left in
the scratch folder but a whole take of ours, and nothing is written outside it.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from cloud_reply_mutations import KINDS, mutation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from servers.cloud_base import CloudServer, sample_sound
from servers.fal import FalServer
from servers.gemini import GeminiServer
from servers.openai_audio import OpenAIAudioServer
from servers.openai_chat import OpenAIChatServer
from servers.openai_images import OpenAIImagesServer
from servers.openai_videos import OpenAIVideosServer
from servers.replicate import ReplicateServer
from servers.runway import RunwayServer
from servers.stability import StabilityServer

from foundry_desktop.app.assist.language_model import LanguageModelSettings
from foundry_desktop.app.assist.scene_plan_proposal import PlanRequest, propose_plan
from foundry_desktop.app.assist.speech_transcription import transcribe_pieces
from foundry_desktop.domain.planning.scene_plan import Brief
from foundry_desktop.errors import FoundryError
from foundry_desktop.generation.backend import BackendHealth, GenerationEvent, GenerationRequest, OutputKind
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.providers.fal import FalBackend
from foundry_desktop.generation.cloud.providers.gemini import GeminiBackend
from foundry_desktop.generation.cloud.providers.openai_images import OpenAIImagesBackend
from foundry_desktop.generation.cloud.providers.openai_videos import OpenAIVideoBackend
from foundry_desktop.generation.cloud.providers.replicate import ReplicateBackend
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.providers.runway import RunwayBackend
from foundry_desktop.generation.cloud.providers.stability import StabilityBackend
from foundry_desktop.generation.cloud.task import PollPolicy
from foundry_desktop.media.probe import probe_source
from foundry_desktop.media.speech_audio import SpeechPiece

KEY = "sk-fuzz-key"
# Only so that a broken backend fails the test instead of hanging it: never reached otherwise.
WAIT_S = 120
FAST_RETRY = RetryPolicy(attempts=3, base_s=0.01, max_s=0.02, max_wait_s=1)
FAST_POLL = PollPolicy(interval_s=0.01, max_interval_s=0.02, growth=1.5, timeout_s=WAIT_S)
# A slow body is given up on after this stall: either end (taken or refused) passes the test.
LIMITS = TransferLimits(deadline_s=WAIT_S, stall_s=1.0)
# The openai package bounds each read by the stall time, and waits this long for a picture's answer.
PICTURE_WAIT_S = 2.0
TASK_S = 0.05
ENDLESS_TASK_S = 3600.0
# The normal suite tries a couple of mutations per case; `.ci/fuzz` (HYPOTHESIS_PROFILE=fuzz) many.
FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
EXAMPLES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture],
                    **({} if FUZZ else {"max_examples": 2}))


@dataclass(frozen=True)
class Service:
    server: Callable[[], CloudServer]
    backend: Callable[[CloudServer, httpx.AsyncClient], Any]
    endpoints: dict[str, str]  # what -> the "METHOD /path" text an answer's request contains
    output: OutputKind = "video"
    model: str | None = None
    large_picture: bool = False  # the shot starts from a picture over 256 KB (Replicate uploads it)


def _base(server: CloudServer) -> str:
    return getattr(server, "base_url", server.url)


def _gemini_server() -> GeminiServer:
    return GeminiServer(api_key=KEY, task_seconds=TASK_S)


def _gemini_backend(server: CloudServer, http: httpx.AsyncClient) -> GeminiBackend:
    """Veo and Omni alike: the model of the shot chooses the API."""
    return GeminiBackend(http, KEY, base_url=server.url, retry=FAST_RETRY, poll=FAST_POLL, transfer_limits=LIMITS)


def _inline_video(server: GeminiServer) -> GeminiServer:
    server.inline_video = True
    return server


SERVICES = {
    "runway": Service(
        lambda: RunwayServer(api_key=KEY, task_seconds=TASK_S),
        lambda server, http: RunwayBackend(http, KEY, base_url=server.url, retry=FAST_RETRY, poll=FAST_POLL,
                                           transfer_limits=LIMITS),
        {"create": "POST /v1/text_to_video", "status": "GET /v1/tasks/", "cancel": "DELETE /v1/tasks/",
         "download": "/outputs/", "health": "GET /v1/organization"}, model="gen4.5"),
    "replicate": Service(
        lambda: ReplicateServer(api_key=KEY, task_seconds=TASK_S),
        lambda server, http: ReplicateBackend(http, KEY, base_url=server.url, retry=FAST_RETRY, poll=FAST_POLL,
                                              transfer_limits=LIMITS),
        {"model": "GET /v1/models/minimax/hailuo-02", "create": "POST /v1/models/minimax/hailuo-02/predictions",
         "status": "GET /v1/predictions/", "cancel": "/cancel", "download": "/outputs/",
         "health": "GET /v1/account"}, model="minimax/hailuo-02"),
    "fal": Service(
        lambda: FalServer(api_key=KEY, task_seconds=TASK_S),
        lambda server, http: FalBackend(http, KEY, base_url=server.url, retry=FAST_RETRY, poll=FAST_POLL,
                                        transfer_limits=LIMITS),
        # The result's path is the status's without /status: its mutations meet the polls too.
        {"create": "POST /bytedance/seedance-2.0/fast/text-to-video", "status": "/status",
         "result": "GET /bytedance/seedance-2.0/requests/", "cancel": "/cancel", "download": "/outputs/",
         "health": "GET /fal-ai/kling-video/requests/"}, model="seedance-2.0-fast"),
    "replicate-files": Service(
        lambda: ReplicateServer(api_key=KEY, task_seconds=TASK_S),
        lambda server, http: ReplicateBackend(http, KEY, base_url=server.url, retry=FAST_RETRY, poll=FAST_POLL,
                                              transfer_limits=LIMITS),
        {"upload": "POST /v1/files"}, model="minimax/hailuo-02", large_picture=True),
    "openai": Service(
        lambda: OpenAIVideosServer(api_key=KEY, task_seconds=TASK_S),
        lambda server, http: OpenAIVideoBackend(KEY, base_url=_base(server), retry=FAST_RETRY, poll=FAST_POLL,
                                                transfer_limits=LIMITS),
        {"create": "POST /v1/videos", "status": "GET /v1/videos/", "cancel": "DELETE /v1/videos/",
         "download": "/content", "health": "GET /v1/videos"}, model="sora-2"),
    "openai-images": Service(
        lambda: OpenAIImagesServer(api_key=KEY),
        lambda server, http: OpenAIImagesBackend(http, KEY, base_url=_base(server), retry=FAST_RETRY,
                                                 transfer_limits=LIMITS, answer_wait_s=PICTURE_WAIT_S),
        {"create": "POST /v1/images/generations", "health": "GET /v1/models/"}, output="still"),
    # The Gemini API has no cancel call for a video operation: nothing of it to break.
    "gemini": Service(
        _gemini_server,
        _gemini_backend,
        {"create": "POST /v1beta/models/", "status": "/operations/", "download": "GET /v1beta/files/",
         "health": "GET /v1beta/models/veo-3.1-fast-generate-preview"}, model="veo-3.1-fast-generate-preview"),
    # Gemini Omni Flash: the same backend through the Interactions API, which has a cancel.
    "gemini-omni": Service(
        _gemini_server,
        _gemini_backend,
        {"create": "POST /v1beta/interactions", "status": "GET /v1beta/interactions/", "cancel": "/cancel",
         "download": "GET /v1beta/files/"}, model="gemini-omni-1.2-flash"),
    # The video inline in the interaction (as Google's page says a GET answers it for now): the status carries it.
    "gemini-omni-inline": Service(
        lambda: _inline_video(_gemini_server()),
        _gemini_backend,
        {"status": "GET /v1beta/interactions/"}, model="gemini-omni-1.2-flash"),
    "stability": Service(
        lambda: StabilityServer(api_key=KEY),
        lambda server, http: StabilityBackend(http, KEY, base_url=server.url, retry=FAST_RETRY,
                                              transfer_limits=LIMITS),
        {"create": "POST /v2beta/stable-image/generate/"}, output="still"),
}
CASES = [(name, what) for name, service in SERVICES.items() for what in service.endpoints]


_PICTURES: dict[str, Path] = {}


@pytest.fixture(scope="module", autouse=True)
def large_picture(tmp_path_factory):
    """A PNG over 256 KB, outside every scratch folder, for the services that start from one."""
    path = tmp_path_factory.mktemp("inputs") / "large.png"
    pixels = np.random.default_rng(1).integers(0, 256, (400, 400, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)
    _PICTURES["large"] = path
    yield path
    _PICTURES.clear()


@pytest.fixture(scope="module")
def servers():
    started = {name: service.server().start() for name, service in SERVICES.items()}
    yield started
    for server in started.values():
        server.stop()


def request_for(folder: Path, service: Service) -> GenerationRequest:
    return GenerationRequest(
        shot_id="shot-1", prompt="waves at dusk", negative_prompt="", seed=7, width=1280, height=720,
        frame_rate=Fraction(24), frames=120, output_dir=folder, model=service.model, output=service.output,
        input_image=_PICTURES["large"] if service.large_picture else None,
    )


async def _generate_then_cancel(backend: Any, request: GenerationRequest) -> Any:
    """Generate, and cancel as soon as the service holds the task: the cancel call's answer is the one broken."""
    submitted = asyncio.Event()

    def on_event(event: GenerationEvent) -> None:
        if event.kind == "submitted":
            submitted.set()

    job = asyncio.ensure_future(backend.generate(request, on_event))
    waiting = asyncio.ensure_future(submitted.wait())
    await asyncio.wait({job, waiting}, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    try:
        if not job.done():
            await backend.cancel(request.shot_id)
    except FoundryError as exc:
        assert "\n" not in str(exc)
    finally:
        if not job.done():  # whatever the cancel did, the job ends (and its end is what is checked)
            await asyncio.wait({job})
    return job.result()


async def _run_backend(service: Service, server: CloudServer, what: str, folder: Path) -> Any:
    async with httpx.AsyncClient(timeout=WAIT_S) as http:
        backend = service.backend(server, http)
        try:
            if what == "health":
                return await backend.health()
            request = request_for(folder, service)
            if what == "cancel":
                return await _generate_then_cancel(backend, request)
            return await backend.generate(request, lambda event: None)
        finally:
            if hasattr(backend, "aclose"):
                await backend.aclose()


def _assert_only_a_whole_take(folder: Path, result: Any) -> None:
    left = sorted(folder.iterdir())
    if result is None or isinstance(result, BackendHealth):
        assert left == [], f"left behind: {left}"
        return
    assert left == [result.path], f"left behind: {left}"
    probe_source(result.path)  # a whole take that decodes


@pytest.mark.fuzz
@pytest.mark.parametrize(("name", "what"), CASES, ids=[f"{name}-{what}" for name, what in CASES])
@pytest.mark.parametrize("kind", KINDS)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), repeats=st.sampled_from([1, 1000]))
def test_a_mutated_answer_ends_the_job_in_words_and_leaves_nothing(servers, tmp_path_factory, name, what, kind,
                                                                   seed, repeats):
    service, server = SERVICES[name], servers[name]
    server.clear_faults()
    server.task_seconds = ENDLESS_TASK_S if what == "cancel" else TASK_S
    root = tmp_path_factory.mktemp("fuzz")
    folder = root / "scratch"
    folder.mkdir()
    # `repeats`: once (a retry may then succeed), or every such answer from now on.
    server.mutate_next(mutation(kind, random.Random(seed)), repeats, only=service.endpoints[what])
    try:
        result = asyncio.run(asyncio.wait_for(_run_backend(service, server, what, folder), WAIT_S))
    except FoundryError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        result = None
    finally:
        server.clear_faults()
        server.advance_tasks(ENDLESS_TASK_S)  # a task left running ends
    if isinstance(result, BackendHealth):
        assert "\n" not in result.message
    _assert_only_a_whole_take(folder, result)
    assert sorted(path.name for path in root.iterdir()) == ["scratch"]


# --------------------------------------------------------------------------- the assist

BRIEF = Brief(text="A bakery opens at dawn. Customers queue in the rain.", subject="a bakery",
              visual_style="35mm film")


@pytest.fixture(scope="module")
def assist_servers():
    with OpenAIChatServer(api_key=KEY) as chat, OpenAIAudioServer(api_key=KEY) as audio:
        yield {"chat": chat, "audio": audio}


@pytest.fixture
def assist_key(password_store):
    password_store.set_password("foundry-desktop", "assist", KEY)


def _transcribe(server: CloudServer, folder: Path) -> Any:
    sound = folder / "speech.wav"
    sound.write_bytes(sample_sound("wav", 2))
    settings = LanguageModelSettings(base_url=server.base_url, timeout_s=5, attempts=2)
    return asyncio.run(transcribe_pieces([SpeechPiece(sound, Fraction(0), Fraction(2))], settings))


def _plan(server: CloudServer) -> Any:
    settings = LanguageModelSettings(base_url=server.base_url, model="gpt-4o-mini", timeout_s=5, attempts=2)
    return asyncio.run(propose_plan(settings, PlanRequest(BRIEF, Fraction(12), Fraction(24), "16:9")))


@pytest.mark.fuzz
@pytest.mark.parametrize("what", ["chat", "audio"])
@pytest.mark.parametrize("kind", KINDS)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), repeats=st.sampled_from([1, 1000]))
def test_a_mutated_assist_answer_is_one_line_or_an_answer(assist_servers, assist_key, tmp_path_factory, what, kind,
                                                          seed, repeats):
    server = assist_servers[what]
    server.clear_faults()
    folder = tmp_path_factory.mktemp("assist")
    path = "POST /v1/chat/completions" if what == "chat" else "POST /v1/audio/transcriptions"
    server.mutate_next(mutation(kind, random.Random(seed)), repeats, only=path)
    try:
        _plan(server) if what == "chat" else _transcribe(server, folder)
    except FoundryError as exc:
        assert str(exc) and "\n" not in str(exc)
    finally:
        server.clear_faults()
    assert sorted(p.name for p in folder.iterdir()) == (["speech.wav"] if what == "audio" else [])


def test_every_endpoint_of_every_server_answers_when_not_mutated(servers, tmp_path):
    """The cases above start from answers that work: each endpoint, unbroken, gives a take or health."""
    for name, service in SERVICES.items():
        server = servers[name]
        server.task_seconds = TASK_S
        folder = tmp_path / name
        folder.mkdir()
        result = asyncio.run(_run_backend(service, server, "create", folder))
        assert result.path.parent == folder
        assert asyncio.run(_run_backend(service, server, "health", folder)).ok or name == "stability"



# --------------------------------------------------------------------------- through the project

PROJECT_ENDPOINTS = ("create", "status", "download")


@pytest.fixture
def machine(tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    password_store.set_password("foundry-desktop", "runway", KEY)
    yield password_store


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    from foundry_desktop.cli.main import main

    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.fuzz
@pytest.mark.parametrize("kind", KINDS)
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), what=st.sampled_from(PROJECT_ENDPOINTS))
def test_a_mutated_answer_leaves_the_project_consistent(servers, machine, capsys, tmp_path_factory, kind, seed, what):
    """`foundry generate` against a mutated Runway: the job ends done or failed (never stuck as submitted),
    the command says so in lines without a traceback, and the media folder holds only the takes the
    project names."""
    import json

    from foundry_desktop.app.project_service import ProjectService

    server = servers["runway"]
    server.clear_faults()
    server.task_seconds = TASK_S
    folder = tmp_path_factory.mktemp("film")
    project = str(folder / "film.foundry")
    assert _cli(capsys, "cloud", "set", "runway", "--base-url", server.url, "--poll-seconds", "0.1")[0] == 0
    assert _cli(capsys, "cloud", "transfers", "--stall-seconds", "1")[0] == 0
    _cli(capsys, "new", project, "--size", "160x90", "--fps", "24")
    _cli(capsys, "shot", "add", project, "--prompt", "waves at dusk", "--backend", "runway", "--duration", "2")
    server.mutate_next(mutation(kind, random.Random(seed)), 1000, only=SERVICES["runway"].endpoints[what])
    try:
        code, out, err = _cli(capsys, "generate", project)
    finally:
        server.clear_faults()
    assert code in (0, 1) and "Traceback" not in out + err
    jobs = json.loads(_cli(capsys, "jobs", project, "--all", "--json")[1])
    assert [job["state"] for job in jobs] in (["done"], ["failed"]), jobs
    with ProjectService.open(folder / "film.foundry", read_only=True) as service:
        takes = service.project.takes_of(service.project.timeline.shots[0].id)
        assert len(takes) == (1 if jobs[0]["state"] == "done" else 0)
    media = folder / "film.media"
    kept = [path for path in media.rglob("*") if path.is_file()] if media.exists() else []
    assert not [path for path in kept if path.name.endswith(".partial")], kept
    assert sorted(path.name for path in folder.iterdir() if path.name != "film.media") == ["film.foundry"] or all(
        name.startswith("film.foundry") for name in (p.name for p in folder.iterdir() if p.name != "film.media"))
