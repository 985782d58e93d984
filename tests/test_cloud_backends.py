"""The cloud generation backends against test servers that speak each provider's API (tests/servers).

Every video backend (Runway, Replicate, an OpenAI-compatible /v1/videos) goes
through the same trials: a real take that decodes; a wrong key refused in
words, once, without the key in the message; a 429 with Retry-After waited out
with exactly one submission; a 500 while polling ridden out; a failed or
moderated task in words; a truncated or non-video output refused with nothing
left in the scratch folder; cancel reaching the provider; resume by remote id
without a second submission; and a dropped connection on create reported, not
retried. Stability's stills have the trials that apply to a synchronous call.
Retries and polls run on tiny intervals so that the whole file takes seconds.
Keyframes (still outputs) of every backend are in test_still_backends.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from servers.cloud_base import CloudServer
from servers.openai_videos import OpenAIVideosServer
from servers.replicate import ReplicateModel, ReplicateServer, default_models
from servers.runway import RunwayServer
from servers.stability import StabilityServer

from foundry_desktop.domain.cost import Cost
from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationEvent, GenerationRequest, OutputKind
from foundry_desktop.generation.cloud.credentials import CloudCredentials
from foundry_desktop.generation.cloud.errors import (
    CloudAuthError,
    CloudError,
    CloudOutputError,
    CloudRefusedError,
    CloudTaskCancelledError,
    CloudTaskFailedError,
    CloudTimeoutError,
    CloudUnavailableError,
    ContentModeratedError,
    SubmissionUncertainError,
)
from foundry_desktop.generation.cloud.inputs import (
    nearest_aspect,
    nearest_choice,
)
from foundry_desktop.generation.cloud.providers.openai_videos import OpenAIVideoBackend
from foundry_desktop.generation.cloud.providers.replicate import ReplicateBackend
from foundry_desktop.generation.cloud.retries import RetryPolicy, retry_after_seconds
from foundry_desktop.generation.cloud.catalog.runway_models import RUNWAY_VIDEO_MODELS
from foundry_desktop.generation.cloud.providers.runway import RunwayBackend
from foundry_desktop.generation.cloud.providers.stability import StabilityBackend
from foundry_desktop.generation.cloud.task import (
    PollPolicy,
)
from foundry_desktop.media.probe import probe_source

KEY = "sk-live-SECRET-abcdef-123456"
WRONG_KEY = "sk-wrong-HIDDEN-zyxw-9876"
TASK_S = 0.2
# A task that never ends by the clock during a test: for tests where it must still be running.
ENDLESS_TASK_S = 3600
# How long a test waits for something that must happen: only so that a broken backend fails the
# test instead of hanging it; a slow machine never comes near it.
WAIT_S = 60
FAST_RETRY = RetryPolicy(attempts=4, base_s=0.01, max_s=0.04, max_wait_s=5)
FAST_POLL = PollPolicy(interval_s=0.02, max_interval_s=0.05, growth=1.5, timeout_s=WAIT_S)


@dataclass(frozen=True)
class Provider:
    """How one video provider's backend is made and where its create and status calls go."""

    name: str
    server: Callable[..., CloudServer]
    backend: Callable[..., Any]  # (server, http, key, **options) -> backend
    create: str  # "METHOD /path" of the create call, for fault injection and counting
    poll: str  # the same for a status read
    model: str | None = None


PROVIDERS = {
    "runway": Provider(
        "runway", RunwayServer,
        lambda server, http, key, **kw: RunwayBackend(http, key, base_url=server.url, retry=FAST_RETRY,
                                                      poll=FAST_POLL, **kw),
        "POST /v1/image_to_video", "GET /v1/tasks/", "gen4_turbo",
    ),
    "replicate": Provider(
        "replicate", ReplicateServer,
        lambda server, http, key, **kw: ReplicateBackend(http, key, base_url=server.url, retry=FAST_RETRY,
                                                         poll=FAST_POLL, **kw),
        "POST /v1/models/minimax/hailuo-02/predictions", "GET /v1/predictions/", "minimax/hailuo-02",
    ),
    "openai": Provider(
        "openai", OpenAIVideosServer,
        lambda server, http, key, **kw: OpenAIVideoBackend(key, base_url=server.base_url, retry=FAST_RETRY,
                                                           poll=FAST_POLL, **kw),
        "POST /v1/videos", "GET /v1/videos/", "sora-2",
    ),
}
VIDEO = pytest.mark.parametrize("provider", list(PROVIDERS.values()), ids=list(PROVIDERS))


@pytest.fixture
def still(tmp_path: Path) -> Path:
    path = tmp_path / "first-frame.png"
    # 640x360: over the 300 px a side that Kling and Hailuo take (flat, so a few hundred bytes)
    Image.fromarray(np.full((360, 640, 3), (40, 120, 200), np.uint8)).save(path)
    return path


def shot(tmp_path: Path, *, model: str | None = None, image: Path | None = None, frames: int = 120,
         width: int = 1280, height: int = 720, shot_id: str = "shot-1", output: OutputKind = "video",
         references: tuple[Path, ...] = (), **params: Any) -> GenerationRequest:
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    return GenerationRequest(
        shot_id=shot_id, prompt="a slow push over a valley at dawn", negative_prompt="blurry", seed=1234,
        width=width, height=height, frame_rate=Fraction(24), frames=frames, output_dir=scratch, model=model,
        input_image=image, params=params, output=output, reference_images=references,
    )


def run_with(make: Callable[[httpx.AsyncClient], Any], work: Callable[[Any], Any]) -> Any:
    """Run `work(backend)` in a fresh event loop with a shared httpx client, as the app does."""
    async def main() -> Any:
        async with httpx.AsyncClient(timeout=WAIT_S) as http:
            backend = make(http)
            try:
                return await work(backend)
            finally:
                if hasattr(backend, "aclose"):
                    await backend.aclose()
    return asyncio.run(main())


def run(provider: Provider, server: CloudServer, work: Callable[[Any], Any], *, key: str = KEY, **options: Any) -> Any:
    return run_with(lambda http: provider.backend(server, http, key, **options), work)


def scratch_files(tmp_path: Path) -> list[str]:
    return sorted(path.name for path in (tmp_path / "scratch").iterdir())


def requests_matching(server: CloudServer, what: str) -> list[Any]:
    method, path = what.split(" ", 1)
    return server.requests_to(method, path)


# --------------------------------------------------------------------------- the shared trials


@VIDEO
def test_a_take_is_made_downloaded_under_our_name_and_decodes(provider: Provider, tmp_path: Path, still: Path) -> None:
    events: list[GenerationEvent] = []
    submitted: list[tuple[str, str]] = []
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        request = shot(tmp_path, model=provider.model, image=still)
        result = run(provider, server, lambda b: b.generate(request, events.append),
                     on_submitted=lambda shot_id, remote_id: submitted.append((shot_id, remote_id)))
        assert (server.submissions, server.downloads) == (1, 1)
    info = probe_source(result.path)
    assert not info.still and (info.width, info.height) == (result.width, result.height) == (160, 90)
    assert result.path.parent == tmp_path / "scratch" and result.path.name.startswith(f"{provider.name}-")
    assert scratch_files(tmp_path) == [result.path.name]  # no .partial left behind
    assert result.frames == 12  # the clip really holds 0.5 s: 12 frames at the project's 24 fps
    assert result.backend_info["provider"] == provider.name and result.backend_info["model"] == provider.model
    assert submitted == [("shot-1", result.backend_info["remote_id"])]
    kinds = [event.kind for event in events]
    assert kinds[0] == "queued" and kinds[-1] == "done" and "progress" in kinds
    assert all(0 <= event.progress <= 1 for event in events)
    progress = [event.progress for event in events if event.kind == "progress"]
    assert progress == sorted(progress)


@VIDEO
def test_a_wrong_key_is_refused_in_words_once_and_never_quoted(provider: Provider, tmp_path: Path, still: Path) -> None:
    events: list[GenerationEvent] = []
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        with pytest.raises(CloudAuthError) as refused:
            run(provider, server, lambda b: b.generate(shot(tmp_path, model=provider.model, image=still),
                                                       events.append), key=WRONG_KEY)
        assert len(server.requests) == 1 and server.submissions == 0  # no retry
    message = str(refused.value)
    assert "API key" in message and "401" in message
    assert WRONG_KEY not in message and "9876" not in message and "HIDDEN" not in message
    assert events[-1].kind == "failed" and WRONG_KEY not in events[-1].message
    assert scratch_files(tmp_path) == []


@VIDEO
def test_a_rate_limit_is_waited_out_with_exactly_one_submission(provider: Provider, tmp_path: Path,
                                                                still: Path) -> None:
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        server.rate_limit_next(2, retry_after_s=0.15, only=provider.create)
        started = time.monotonic()
        result = run(provider, server, lambda b: b.generate(shot(tmp_path, model=provider.model, image=still),
                                                            lambda e: None))
        assert time.monotonic() - started >= 0.3  # Retry-After was honoured, twice
        assert server.submissions == 1 and len(requests_matching(server, provider.create)) == 3
    assert probe_source(result.path).width == 160


@VIDEO
def test_server_errors_while_polling_are_ridden_out(provider: Provider, tmp_path: Path, still: Path) -> None:
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        server.fail_next(2, status=500, only=provider.poll)
        server.drop_next(1, only=provider.poll)
        result = run(provider, server, lambda b: b.generate(shot(tmp_path, model=provider.model, image=still),
                                                            lambda e: None))
        assert server.submissions == 1
        assert [r.fault for r in requests_matching(server, provider.poll)][:3] == ["drop", "fail", "fail"]
    assert result.path.exists()


@VIDEO
def test_a_moderated_task_is_refused_in_words(provider: Provider, tmp_path: Path, still: Path) -> None:
    events: list[GenerationEvent] = []
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        server.fail_tasks_with = "moderation"
        with pytest.raises(ContentModeratedError) as moderated:
            run(provider, server, lambda b: b.generate(shot(tmp_path, model=provider.model, image=still),
                                                       events.append))
        assert server.submissions == 1 and server.downloads == 0
    message = str(moderated.value)
    assert "moderation" in message.lower() or "sensitive" in message.lower()
    assert "generate again" in message and moderated.value.remote_id
    assert events[-1].kind == "failed" and events[-1].message == message
    assert scratch_files(tmp_path) == []


@VIDEO
def test_a_failed_task_is_reported_in_words(provider: Provider, tmp_path: Path, still: Path) -> None:
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        server.fail_tasks_with = "error"
        with pytest.raises(CloudTaskFailedError) as failed:
            run(provider, server, lambda b: b.generate(shot(tmp_path, model=provider.model, image=still),
                                                       lambda e: None))
    assert not isinstance(failed.value, ContentModeratedError)
    assert "could not make this shot" in str(failed.value) or "failed" in str(failed.value)


@VIDEO
@pytest.mark.parametrize("broken", ["cut", "short", "html"])
def test_a_broken_output_is_refused_and_nothing_is_kept(provider: Provider, broken: str, tmp_path: Path,
                                                         still: Path) -> None:
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        if broken == "html":
            server.non_video_outputs = True
        else:
            server.truncate_outputs = broken
        with pytest.raises(CloudError) as refused:
            run(provider, server, lambda b: b.generate(shot(tmp_path, model=provider.model, image=still),
                                                       lambda e: None))
        assert server.submissions == 1 and server.downloads >= 1
    if broken == "cut":  # a download cut off mid-way is retried; the task stays, to be followed again
        assert isinstance(refused.value, CloudUnavailableError) and refused.value.remote_id
    else:
        assert isinstance(refused.value, CloudOutputError)
        assert ("web page" if broken == "html" else "not a video") in str(refused.value)
    assert scratch_files(tmp_path) == []


@VIDEO
def test_cancel_stops_the_running_task_at_the_provider(provider: Provider, tmp_path: Path, still: Path) -> None:
    request = shot(tmp_path, model=provider.model, image=still)

    async def work(backend: Any) -> None:
        submitted = asyncio.Event()
        backend.on_submitted = lambda shot_id, remote_id: submitted.set()
        job = asyncio.create_task(backend.generate(request, lambda e: None))
        await asyncio.wait_for(submitted.wait(), WAIT_S)
        await asyncio.sleep(0.1)  # polled a few times
        await backend.cancel(request.shot_id)
        with pytest.raises(CloudTaskCancelledError):
            await asyncio.wait_for(job, WAIT_S)

    with provider.server(api_key=KEY, task_seconds=ENDLESS_TASK_S) as server:
        run(provider, server, work)
        assert server.cancels == 1 and server.submissions == 1 and server.downloads == 0
    assert scratch_files(tmp_path) == []


@VIDEO
def test_resume_follows_a_task_by_its_id_without_submitting_again(provider: Provider, tmp_path: Path,
                                                                   still: Path) -> None:
    request = shot(tmp_path, model=provider.model, image=still)

    async def interrupted(backend: Any) -> str:
        ids: list[str] = []
        backend.on_submitted = lambda shot_id, remote_id: ids.append(remote_id)
        job = asyncio.create_task(backend.generate(request, lambda e: None))
        while not ids:
            await asyncio.sleep(0.005)
        job.cancel()  # the app quits: not a creator's cancel, the task stays at the provider
        with contextlib.suppress(asyncio.CancelledError):
            await job
        return ids[0]

    events: list[GenerationEvent] = []
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        remote_id = run(provider, server, interrupted)
        assert server.submissions == 1 and server.cancels == 0
        result = run(provider, server, lambda b: b.resume(b.name, remote_id, request, events.append))
        assert server.submissions == 1 and server.downloads == 1
    assert result.backend_info["remote_id"] == remote_id and probe_source(result.path).width == 160
    assert events[-1].kind == "done"


@VIDEO
def test_a_dropped_connection_on_create_is_reported_not_retried(provider: Provider, tmp_path: Path,
                                                                 still: Path) -> None:
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        server.drop_next(1, only=provider.create)
        with pytest.raises(SubmissionUncertainError) as uncertain:
            run(provider, server, lambda b: b.generate(shot(tmp_path, model=provider.model, image=still),
                                                       lambda e: None))
        assert len(requests_matching(server, provider.create)) == 1 and server.submissions <= 1
    assert "may have started the job" in str(uncertain.value) and "did not send it again" in str(uncertain.value)


@VIDEO
def test_server_errors_on_create_are_retried_because_nothing_was_made(provider: Provider, tmp_path: Path,
                                                                      still: Path) -> None:
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        server.fail_next(1, status=503, only=provider.create)
        server.fail_next(1, status=500, only=provider.create)
        run(provider, server, lambda b: b.generate(shot(tmp_path, model=provider.model, image=still), lambda e: None))
        assert server.submissions == 1 and len(requests_matching(server, provider.create)) == 3


@VIDEO
def test_a_gateway_timeout_on_create_is_not_retried(provider: Provider, tmp_path: Path, still: Path) -> None:
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        server.fail_next(1, status=504, only=provider.create)
        with pytest.raises(SubmissionUncertainError):
            run(provider, server, lambda b: b.generate(shot(tmp_path, model=provider.model, image=still),
                                                       lambda e: None))
        assert len(requests_matching(server, provider.create)) == 1


@VIDEO
def test_health_is_a_cheap_authenticated_call(provider: Provider, tmp_path: Path) -> None:
    with provider.server(api_key=KEY, task_seconds=TASK_S) as server:
        good = run(provider, server, lambda b: b.health())
        bad = run(provider, server, lambda b: b.health(), key=WRONG_KEY)
        assert server.submissions == 0
    assert good.ok and not bad.ok and "API key" in bad.message and WRONG_KEY not in bad.message


# --------------------------------------------------------------------------- Runway


def test_runway_sends_what_its_api_wants(tmp_path: Path, still: Path) -> None:
    provider = PROVIDERS["runway"]
    with RunwayServer(api_key=KEY, task_seconds=TASK_S) as server:
        with_image = run(provider, server, lambda b: b.generate(shot(tmp_path, model="gen4_turbo", image=still),
                                                                lambda e: None))
        upright = run(provider, server, lambda b: b.generate(
            shot(tmp_path, model="gen4.5", width=1080, height=1920, frames=170, shot_id="s2"), lambda e: None))
        created = server.requests_to("POST", "/v1/")
    image_call, text_call = created
    assert image_call.path == "/v1/image_to_video" and text_call.path == "/v1/text_to_video"
    assert all(r.headers.get("X-Runway-Version") == "2024-11-06" for r in server.requests if r.path.startswith("/v1"))
    body = image_call.json
    assert body["promptImage"].startswith("data:image/png;base64,") and body["promptText"].startswith("a slow push")
    assert (body["ratio"], body["duration"], body["seed"]) == ("1280:720", 5, 1234)
    assert text_call.json["ratio"] == "720:1280" and text_call.json["duration"] == 7  # 170 frames ≈ 7.08 s
    assert "promptImage" not in text_call.json
    assert with_image.cost == Cost(25.0, "runway-credits")  # 5 s of gen4_turbo at 5 credits a second
    assert upright.cost == Cost(84.0, "runway-credits") and upright.backend_info["endpoint"] == "text_to_video"


def test_runway_refusals_are_not_retried_and_bad_shots_are_not_sent(tmp_path: Path, still: Path) -> None:
    provider = PROVIDERS["runway"]
    # A model added to the backend's table that Runway does not have: Runway's 400, asked once.
    unknown = dataclasses.replace(RUNWAY_VIDEO_MODELS["gen4_turbo"], id="gen5_preview")
    with RunwayServer(api_key=KEY, task_seconds=TASK_S) as server:
        with pytest.raises(CloudRefusedError) as refused:
            run(provider, server, lambda b: b.generate(shot(tmp_path, model="gen5_preview", image=still),
                                                       lambda e: None), models={"gen5_preview": unknown})
        assert len(server.requests) == 1 and "model" in str(refused.value) and "400" in str(refused.value)
        with pytest.raises(GenerationError) as needs_image:
            run(provider, server, lambda b: b.generate(shot(tmp_path, model="gen4_turbo"), lambda e: None))
        with pytest.raises(GenerationError) as retired:
            run(provider, server, lambda b: b.generate(shot(tmp_path, model="gen3a_turbo", image=still),
                                                       lambda e: None))
        assert len(server.requests) == 1  # refused before anything was sent
    assert "picture" in str(needs_image.value) and "keyframe" in str(needs_image.value)
    assert "removed gen3a_turbo" in str(retired.value) and "gen4.5" in str(retired.value)


def test_a_key_is_asked_for_each_time_and_a_missing_one_sends_nothing(tmp_path: Path, still: Path) -> None:
    keys: list[str | None] = [None, KEY]
    with RunwayServer(api_key=KEY, task_seconds=TASK_S) as server:
        async def work(backend: RunwayBackend) -> Any:
            with pytest.raises(CloudAuthError) as missing:
                await backend.generate(shot(tmp_path, model="gen4_turbo", image=still), lambda e: None)
            assert "No Runway API key is set" in str(missing.value)
            keys.pop(0)
            return await backend.generate(shot(tmp_path, model="gen4_turbo", image=still), lambda e: None)

        result = run_with(lambda http: RunwayBackend(http, lambda: keys[0], base_url=server.url, retry=FAST_RETRY,
                                                     poll=FAST_POLL), work)
        assert server.submissions == 1 and len(server.requests_to("POST", "/v1/")) == 1
    assert result.path.exists() and "SECRET" not in repr(CloudCredentials("Runway", KEY))


def test_a_cancel_asked_while_the_create_call_is_out_cancels_the_task_once_it_exists(tmp_path: Path,
                                                                                      still: Path) -> None:
    request = shot(tmp_path, model="gen4_turbo", image=still)

    async def work(backend: RunwayBackend) -> None:
        job = asyncio.create_task(backend.generate(request, lambda e: None))
        while not server.requests:
            await asyncio.sleep(0.005)
        await backend.cancel(request.shot_id)  # the task has no id yet: nothing to call
        assert server.cancels == 0
        server.hold_responses = False  # now the create call may come back
        with pytest.raises(CloudTaskCancelledError):
            await asyncio.wait_for(job, WAIT_S)

    with RunwayServer(api_key=KEY, task_seconds=ENDLESS_TASK_S) as server:
        server.hold_responses = True  # the create call stays out until the cancel has been asked
        run(PROVIDERS["runway"], server, work)
        assert server.submissions == 1 and server.cancels == 1 and server.polls == 0


def test_a_task_that_outlasts_the_timeout_is_cancelled(tmp_path: Path, still: Path) -> None:
    with RunwayServer(api_key=KEY, task_seconds=ENDLESS_TASK_S) as server:
        with pytest.raises(CloudTimeoutError) as late:
            run_with(lambda http: RunwayBackend(http, KEY, base_url=server.url, retry=FAST_RETRY,
                                                poll=PollPolicy(interval_s=0.02, timeout_s=0.2)),
                     lambda b: b.generate(shot(tmp_path, model="gen4_turbo", image=still), lambda e: None))
        assert server.cancels == 1
    assert "cancelled the task" in str(late.value)


def test_a_long_retry_after_is_not_waited_for(tmp_path: Path, still: Path) -> None:
    provider = PROVIDERS["runway"]
    with RunwayServer(api_key=KEY, task_seconds=TASK_S) as server:
        server.rate_limit_next(1, retry_after_s=600, only=provider.create)
        with pytest.raises(CloudUnavailableError) as busy:
            run(provider, server, lambda b: b.generate(shot(tmp_path, model="gen4_turbo", image=still), lambda e: None))
        assert server.submissions == 0
    assert "10 minutes" in str(busy.value) and busy.value.retry_later


# --------------------------------------------------------------------------- Replicate


def test_replicate_fills_only_the_inputs_the_model_has(tmp_path: Path, still: Path) -> None:
    provider = PROVIDERS["replicate"]
    with ReplicateServer(api_key=KEY, task_seconds=TASK_S) as server:
        async def work(backend: ReplicateBackend) -> Any:
            video = await backend.generate(shot(tmp_path, model="minimax/hailuo-02", image=still), lambda e: None)
            again = await backend.generate(shot(tmp_path, model="minimax/hailuo-02", width=720, height=1280,
                                                shot_id="s2", prompt_optimizer=False, unknown_knob=1), lambda e: None)
            picture = await backend.generate(shot(tmp_path, model="black-forest-labs/flux-schnell", shot_id="s3"),
                                             lambda e: None)
            return video, again, picture

        video, again, picture = run(provider, server, work)
        schema_reads = server.requests_to("GET", "/v1/models/minimax/hailuo-02")
        created = [r.json["input"] for r in server.requests_to("POST", "/v1/")]
    assert len(schema_reads) == 1  # the schema is asked for once per model
    first, second, third = created
    assert first["first_frame_image"].startswith("data:image/png;base64,")
    assert first["duration"] == 6  # 5 s → 6, the length its table gives (10 s only at 768p)
    assert "seed" not in first and "negative_prompt" not in first and "fps" not in first
    assert "aspect_ratio" not in first  # Hailuo 02 has none: 16:9 from text, the picture's shape from one
    assert second["prompt_optimizer"] is False and "unknown_knob" not in second and "aspect_ratio" not in second
    assert third["seed"] == 1234 and third["aspect_ratio"] == "16:9" and "duration" not in third
    assert video.cost.unit == "replicate-seconds" and video.cost.amount > 0  # the prediction's predict_time
    assert probe_source(again.path).width > probe_source(again.path).height  # Hailuo 02 makes 16:9 from text
    assert probe_source(picture.path).still and picture.frames == 120  # a still take lasts the shot


def test_replicate_versions_and_models_that_need_an_image(tmp_path: Path, still: Path) -> None:
    provider = PROVIDERS["replicate"]
    # A model Foundry has no table entry for, whose schema requires a picture: refused from its schema.
    animator = "someone/picture-animator"
    needs_picture = ReplicateModel(animator, {"prompt": {"type": "string"},
                                              "start_image": {"type": "string", "format": "uri"}},
                                   required=("prompt", "start_image"))
    with ReplicateServer(api_key=KEY, task_seconds=TASK_S, models=[*default_models(), needs_picture]) as server:
        version = needs_picture.version
        with pytest.raises(GenerationError) as needs_image:
            run(provider, server, lambda b: b.generate(shot(tmp_path, model=animator), lambda e: None))
        assert server.submissions == 0 and "from a picture" in str(needs_image.value)
        result = run(provider, server, lambda b: b.generate(
            shot(tmp_path, model=f"{animator}:{version}", image=still), lambda e: None))
        created = server.requests_to("POST", "/v1/predictions")
        assert len(created) == 1 and created[0].json["version"] == f"{animator}:{version}"
        assert created[0].json["input"]["start_image"].startswith("data:image/png")
        with pytest.raises(CloudRefusedError) as unknown:
            run(provider, server, lambda b: b.generate(shot(tmp_path, model="nobody/nothing"), lambda e: None))
    assert result.path.exists() and "404" in str(unknown.value)


# --------------------------------------------------------------------------- OpenAI-compatible videos


def test_openai_videos_get_the_nearest_length_and_size_and_a_fitted_reference(tmp_path: Path, still: Path) -> None:
    provider = PROVIDERS["openai"]
    with OpenAIVideosServer(api_key=KEY, task_seconds=TASK_S, content_redirect=True) as server:
        result = run(provider, server, lambda b: b.generate(
            shot(tmp_path, model="sora-2-pro", image=still, width=1080, height=1920, frames=200), lambda e: None))
        form = server.requests_to("POST", "/v1/videos")[0].form
    assert (form["model"], form["seconds"], form["size"]) == ("sora-2-pro", "8", "720x1280")
    assert result.cost == Cost(8.0, "video-seconds")
    assert form["input_reference"]["content_type"] == "image/png" and form["input_reference"]["size"] > 0
    assert probe_source(result.path).height == 160  # downloaded through the gateway's redirect


# --------------------------------------------------------------------------- Stability AI


def stability(server: StabilityServer, *, key: str = KEY) -> Callable[[httpx.AsyncClient], StabilityBackend]:
    return lambda http: StabilityBackend(http, key, base_url=server.url, retry=FAST_RETRY)


def test_stability_makes_a_keyframe_lasting_the_shot(tmp_path: Path) -> None:
    events: list[GenerationEvent] = []
    with StabilityServer(api_key=KEY) as server:
        keyframe = shot(tmp_path, width=1920, height=1080, output="still")
        result = run_with(stability(server), lambda b: b.generate(keyframe, events.append))
        (call,) = server.requests
    assert call.path == "/v2beta/stable-image/generate/core" and call.headers["Accept"] == "image/*"
    assert call.form == {"prompt": "a slow push over a valley at dawn", "negative_prompt": "blurry",
                         "aspect_ratio": "16:9", "seed": "1234", "output_format": "png"}
    info = probe_source(result.path)
    assert info.still and result.path.suffix == ".png" and result.frames == 120
    assert result.backend_info["seed"] == 1234 and result.backend_info["remote_id"] is None
    assert result.cost == Cost(3.0, "stability-credits")  # a Stable Image Core picture
    assert [event.kind for event in events][::len(events) - 1] == ["queued", "done"]
    assert scratch_files(tmp_path) == [result.path.name]


@pytest.mark.parametrize("verdict", ["moderation", "filtered"])
def test_stability_moderation_is_refused_in_words_and_not_kept(verdict: str, tmp_path: Path) -> None:
    with StabilityServer(api_key=KEY) as server:
        server.fail_tasks_with = verdict
        with pytest.raises(ContentModeratedError) as refused:
            run_with(stability(server), lambda b: b.generate(shot(tmp_path, output="still"), lambda e: None))
        assert len(server.requests) == 1
    assert "Stability AI" in str(refused.value) and "prompt" in str(refused.value)
    assert scratch_files(tmp_path) == []


def test_stability_waits_out_a_rate_limit(tmp_path: Path) -> None:
    with StabilityServer(api_key=KEY) as server:
        server.rate_limit_next(1, retry_after_s=0.1)
        result = run_with(stability(server), lambda b: b.generate(shot(tmp_path, output="still"), lambda e: None))
        assert len(server.requests) == 2 and server.submissions == 1
    assert probe_source(result.path).still


@pytest.mark.parametrize(
    ("fault", "expected"),
    [("wrong key", CloudAuthError), ("dropped", SubmissionUncertainError), ("cut", SubmissionUncertainError),
     ("short", CloudOutputError), ("html", CloudOutputError)],
)
def test_stability_faults_are_refused_and_never_asked_twice(fault: str, expected: type, tmp_path: Path) -> None:
    with StabilityServer(api_key=KEY) as server:
        if fault == "dropped":
            server.drop_next(1)
        elif fault in ("cut", "short"):
            server.truncate_outputs = fault
        elif fault == "html":
            server.non_video_outputs = True
        key = WRONG_KEY if fault == "wrong key" else KEY
        with pytest.raises(expected) as failed:
            run_with(stability(server, key=key),
                     lambda b: b.generate(shot(tmp_path, output="still"), lambda e: None))
        assert len(server.requests) == 1  # a picture may have been made (and paid for): never asked twice
    assert WRONG_KEY not in str(failed.value) and scratch_files(tmp_path) == []


def test_stability_has_nothing_to_resume_and_reports_a_configured_key(tmp_path: Path) -> None:
    with StabilityServer(api_key=KEY) as server:
        health = run_with(stability(server), lambda b: b.health())
        missing = run_with(stability(server, key=""), lambda b: b.health())
        with pytest.raises(GenerationError):
            run_with(stability(server), lambda b: b.resume(b.name, "x", shot(tmp_path, output="still"), lambda e: None))
        assert server.requests == []
    assert health.ok and not missing.ok and "No Stability AI API key" in missing.message


# --------------------------------------------------------------------------- choosing values


def test_retry_after_is_read_as_seconds_milliseconds_or_a_date() -> None:
    assert retry_after_seconds({"Retry-After": "1.5"}) == 1.5
    assert retry_after_seconds({"retry-after-ms": "250", "Retry-After": "1"}) == 0.25
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after_seconds({"Retry-After": later}) <= 30
    assert retry_after_seconds({"Retry-After": "soon"}) is None and retry_after_seconds({}) is None


def test_nearest_aspect_and_duration() -> None:
    ratios = ("1280:720", "720:1280", "1104:832", "960:960", "1584:672")
    assert nearest_aspect(1920, 1080, ratios) == "1280:720"
    assert nearest_aspect(1000, 1000, ratios) == "960:960"
    assert nearest_aspect(2560, 1080, ratios) == "1584:672"
    assert nearest_aspect(1920, 1080, ("1280:720", "1920:1080")) == "1920:1080"  # same aspect: nearer size
    assert nearest_choice(7.5, (5, 10)) == 10 and nearest_choice(6, (5, 10)) == 5
