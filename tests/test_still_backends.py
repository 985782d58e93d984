"""Keyframes: every backend that makes still pictures, against the protocol test servers (tests/servers).

For each: a real still made and probed (a picture of the asked aspect, frames =
the shot's frames, the cost where it is known), the reference picture sent where
the backend takes one and the provenance saying so where it does not, the size
or aspect chosen from what the model allows, refusals in words, and an output a
backend cannot make refused before anything is sent.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import io
from pathlib import Path
from typing import Any

import numpy as np
import openai
import pytest
from PIL import Image
from servers.cloud_base import sample_mp4
from servers.openai_images import OpenAIImagesServer, size_problem
from servers.openai_videos import OpenAIVideosServer
from servers.replicate import ReplicateModel, ReplicateServer
from servers.runway import RunwayServer
from servers.stability import StabilityServer
from test_cloud_backends import FAST_POLL, FAST_RETRY, KEY, WRONG_KEY, run_with, scratch_files, shot

from foundry_desktop.app.generation.backends import backend_outputs, generation_backends
from foundry_desktop.app.generation.settings import CloudServiceSettings, GenerationSettings
from foundry_desktop.domain.cost import Cost
from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationEvent, GenerationRequest, outputs_of
from foundry_desktop.generation.cloud.errors import CloudAuthError, ContentModeratedError, CloudOutputError
from foundry_desktop.generation.cloud.providers.openai_images import OpenAIImagesBackend, choose_size
from foundry_desktop.generation.cloud.providers.openai_videos import OpenAIVideoBackend
from foundry_desktop.generation.cloud.providers.replicate import ReplicateBackend
from foundry_desktop.generation.cloud.providers.runway import RunwayBackend
from foundry_desktop.generation.cloud.providers.stability import StabilityBackend
from foundry_desktop.generation.local.builtin import BuiltinBackend
from foundry_desktop.generation.local.media_file import MediaFileBackend
from foundry_desktop.generation.local.placeholder_still import placeholder_picture
from foundry_desktop.media.probe import probe_source


@pytest.fixture
def character(tmp_path: Path) -> Path:
    """A character's reference picture."""
    path = tmp_path / "mara.png"
    Image.fromarray(np.full((96, 64, 3), (200, 90, 60), np.uint8)).save(path)
    return path


def keyframe(tmp_path: Path, **changes: Any) -> GenerationRequest:
    return shot(tmp_path, output="still", **changes)


def make(backend: Any, request: GenerationRequest, events: list[GenerationEvent] | None = None) -> Any:
    return asyncio.run(backend.generate(request, (events if events is not None else []).append))


def images(server: OpenAIImagesServer, *, key: str = KEY, **options: Any) -> Any:
    return lambda http: OpenAIImagesBackend(http, key, base_url=server.base_url, retry=FAST_RETRY, **options)


def replicate(server: ReplicateServer) -> Any:
    return lambda http: ReplicateBackend(http, KEY, base_url=server.url, retry=FAST_RETRY, poll=FAST_POLL)


def stability(server: StabilityServer) -> Any:
    return lambda http: StabilityBackend(http, KEY, base_url=server.url, retry=FAST_RETRY)


# --------------------------------------------------------------------------- built in


def test_the_builtin_keyframe_is_a_placeholder_picture_of_the_prompt(tmp_path: Path, character: Path) -> None:
    events: list[GenerationEvent] = []
    request = keyframe(tmp_path, references=(character,))
    result = make(BuiltinBackend(), request, events)
    info = probe_source(result.path)
    assert info.still and result.path.suffix == ".png" and (info.width, info.height) == (1280, 720)
    assert (result.width, result.height, result.frames) == (1280, 720, request.frames)
    assert result.backend_info["generator"] == "placeholder_still"
    assert result.backend_info["reference_images"].startswith("left out")
    assert [event.kind for event in events][::len(events) - 1] == ["queued", "done"]
    assert scratch_files(tmp_path) == [result.path.name]  # nothing half written beside it
    with Image.open(result.path) as picture:
        pixels = np.asarray(picture.convert("RGB"), dtype=np.int16)
    assert pixels.std() > 10  # words and marks over the colour field, not a flat fill


def test_builtin_keyframes_are_the_same_for_the_same_seed_and_differ_between_variants(tmp_path: Path) -> None:
    def digest(**changes: Any) -> str:
        result = make(BuiltinBackend(), keyframe(tmp_path, **changes))
        return hashlib.sha256(result.path.read_bytes()).hexdigest()

    first = digest(width=640, height=360)
    assert digest(width=640, height=360) == first  # deterministic for (prompt, seed, size)
    variant = placeholder_picture("a slow push over a valley at dawn", 1235, 640, 360)
    same = placeholder_picture("a slow push over a valley at dawn", 1234, 640, 360)
    field = np.asarray(variant, dtype=np.int16)[5:15, 5:15].mean(axis=(0, 1))
    other = np.asarray(same, dtype=np.int16)[5:15, 5:15].mean(axis=(0, 1))
    assert np.abs(field - other).max() > 3  # another seed, another colour field
    assert placeholder_picture("", 1, 320, 180).size == (320, 180)  # no prompt still draws


def test_builtin_and_media_refuse_outputs_they_cannot_make(tmp_path: Path) -> None:
    with pytest.raises(GenerationError) as sound:
        make(MediaFileBackend(), shot(tmp_path, output="sound"))
    assert "makes videos and still pictures, not sound" in str(sound.value)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(sample_mp4())
    media = shot(tmp_path, output="still")
    with pytest.raises(GenerationError) as not_still:
        make(MediaFileBackend(), dataclasses.replace(media, input_media=clip))
    assert "clip.mp4 is a video; a keyframe must be a still picture" in str(not_still.value)


# --------------------------------------------------------------------------- OpenAI-compatible images


def test_openai_images_makes_a_keyframe_of_the_nearest_size_it_allows(tmp_path: Path) -> None:
    with OpenAIImagesServer(api_key=KEY) as server:
        result = run_with(images(server), lambda b: b.generate(keyframe(tmp_path, width=1920, height=1080),
                                                               lambda e: None))
        other = run_with(images(server), lambda b: b.generate(keyframe(tmp_path, model="chatgpt-image-latest"),
                                                              lambda e: None))
        sent = [r.json for r in server.requests_to("POST", "/v1/images/generations")]
    assert sent[0] == {"model": "gpt-image-2", "prompt": "a slow push over a valley at dawn", "n": 1,
                       "size": "1920x1088", "quality": "medium"}  # a draft to review: not the costliest
    assert sent[1]["size"] == "1536x1024"  # the 3:2 of the standard sizes, nearest 16:9
    info = probe_source(result.path)
    assert info.still and result.path.suffix == ".png" and result.frames == 120
    assert (result.width, result.height) == (info.width, info.height) and info.width > info.height
    assert result.backend_info["size"] == "1920x1088" and result.backend_info["seed"] is None
    # The answer's usage at the published token prices: 8 prompt tokens in, 1056 out.
    assert result.cost == Cost(round((8 * 5 + 1056 * 30) / 1e6, 6), "usd")
    assert other.cost is None  # no published token price known for it here
    assert sorted(scratch_files(tmp_path)) == sorted([result.path.name, other.path.name])


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080), (160, 90), (720, 1280), (7680, 4320),
                                               (4000, 1000), (1000, 4000), (1000, 1000), (2560, 1080)])
def test_every_size_chosen_for_gpt_image_2_is_one_it_takes(width: int, height: int) -> None:
    size = choose_size("gpt-image-2", width, height)
    assert size_problem("gpt-image-2", size) is None
    chosen = [int(side) for side in size.split("x")]
    aspect = min(3, max(1 / 3, width / height))
    assert abs(chosen[0] / chosen[1] - aspect) / aspect < 0.05
    assert choose_size("chatgpt-image-latest", width, height) in ("1024x1024", "1536x1024", "1024x1536")


def test_openai_images_estimates_from_the_published_examples(tmp_path: Path) -> None:
    async def estimates() -> list[float | None]:
        import httpx

        async with httpx.AsyncClient() as http:
            backend = OpenAIImagesBackend(http, KEY)
            return [backend.estimate_cost(keyframe(tmp_path, **changes)) for changes in (
                {"width": 1536, "height": 1024}, {"width": 1024, "height": 1024, "quality": "high"},
                {"width": 1280, "height": 720, "quality": "low"}, {"model": "chatgpt-image-latest"}, {"quality": "best"})]

    assert asyncio.run(estimates()) == [0.041, 0.211, round(0.005 * 1280 * 720 / (1536 * 1024), 4), None, None]


def test_openai_images_follows_a_reference_picture_with_an_edit(tmp_path: Path, character: Path) -> None:
    with OpenAIImagesServer(api_key=KEY, url_models=("gateway-flux",), url_model_sizes=("1024x1024", "1344x768")) \
            as server:
        result = run_with(images(server), lambda b: b.generate(keyframe(tmp_path, references=(character,)),
                                                               lambda e: None))
        edits = server.requests_to("POST", "/v1/images/edits")
        left_out = run_with(images(server, sizes=("1024x1024", "1344x768")),
                            lambda b: b.generate(keyframe(tmp_path, model="gateway-flux", references=(character,)),
                                                 lambda e: None))
        generations = server.requests_to("POST", "/v1/images/generations")
    (edit,) = edits
    pictures = [value for name, value in edit.form.items() if name.startswith("image")]
    assert [(p["filename"], p["content_type"]) for p in pictures] == [("mara.png", "image/png")]
    assert edit.form["model"] == "gpt-image-2" and edit.form["size"] == "1280x720"
    assert result.backend_info["reference_images"] == "used: mara.png" and probe_source(result.path).still
    # A gateway's model answering a URL: downloaded; it takes no picture, and the provenance says so.
    assert generations[0].json["size"] == "1344x768" and "image" not in generations[0].json
    assert left_out.backend_info["reference_images"] == "left out: gateway-flux takes no picture here"
    assert probe_source(left_out.path).still


def test_openai_images_refusals_are_in_words(tmp_path: Path) -> None:
    with OpenAIImagesServer(api_key=KEY) as server:
        server.fail_tasks_with = "moderation"
        with pytest.raises(ContentModeratedError) as moderated:
            run_with(images(server), lambda b: b.generate(keyframe(tmp_path), lambda e: None))
        with pytest.raises(CloudAuthError) as wrong_key:
            run_with(images(server, key=WRONG_KEY), lambda b: b.generate(keyframe(tmp_path), lambda e: None))
        server.rate_limit_next(1, retry_after_s=0.1)
        waited = run_with(images(server), lambda b: b.generate(keyframe(tmp_path), lambda e: None))
        assert server.submissions == 1  # the refused ones made nothing; the rate-limited one was sent once more
        server.non_video_outputs = True
        with pytest.raises(CloudOutputError):
            run_with(images(server), lambda b: b.generate(keyframe(tmp_path), lambda e: None))
    assert "moderation refused this shot" in str(moderated.value) and "prompt" in str(moderated.value)
    assert "did not accept the API key (401)" in str(wrong_key.value) and "9876" not in str(wrong_key.value)
    assert probe_source(waited.path).still and scratch_files(tmp_path) == [waited.path.name]


def test_the_images_test_server_answers_the_sdk_as_the_api_does(character: Path) -> None:
    """The server itself, through the real SDK: the ImagesResponse, the edit's files, and what it refuses."""
    with OpenAIImagesServer(api_key=KEY, url_models=("gateway-flux",)) as server:
        with openai.OpenAI(api_key=KEY, base_url=server.base_url, max_retries=0) as client:
            made = client.images.generate(model="gpt-image-2", prompt="a harbour", size="1536x864", n=2,
                                          output_format="webp")
            picture = (character.name, character.read_bytes(), "image/png")
            edited = client.images.edit(model="gpt-image-2", prompt="Mara", image=[picture])
            linked = client.images.generate(model="gateway-flux", prompt="a harbour", response_format="url")
            refusals = {}
            for name, arguments in {
                "size": {"model": "gpt-image-2", "size": "1000x1000"},
                "response_format": {"model": "gpt-image-2", "response_format": "url"},
                "model": {"model": "dall-e-3"},
                "standard size": {"model": "chatgpt-image-latest", "size": "1280x720"},
            }.items():
                with pytest.raises(openai.BadRequestError) as refused:
                    client.images.generate(prompt="x", **arguments)
                refusals[name] = (refused.value.body or {}).get("param")
            for retired in ("gpt-image-1", "gpt-image-1.5", "gpt-image-1-mini"):  # shut down 2026-10-23, -12-01
                with pytest.raises(openai.NotFoundError) as gone:
                    client.images.generate(prompt="x", model=retired)
                assert gone.value.body["code"] == "model_not_found" and "deprecated" in gone.value.body["message"]
        with openai.OpenAI(api_key=WRONG_KEY, base_url=server.base_url, max_retries=0) as stranger:
            with pytest.raises(openai.AuthenticationError):
                stranger.images.generate(model="gpt-image-2", prompt="x")
    assert [Image.open(io.BytesIO(base64.b64decode(d.b64_json))).format for d in made.data] == ["WEBP", "WEBP"]
    assert made.size == "1536x864" and made.output_format == "webp" and made.usage.output_tokens == 2112
    assert edited.usage.input_tokens_details.image_tokens == 323 and edited.data[0].b64_json
    assert linked.data[0].url.startswith(server.url) and linked.data[0].b64_json is None
    assert refusals == {"size": "size", "response_format": "response_format", "model": "model",
                        "standard size": "size"}
    assert server.submissions == 3  # the refused requests made nothing


def test_a_retired_openai_image_model_is_refused_in_words_before_anything_is_sent(tmp_path: Path) -> None:
    async def refuse(model: str) -> str:
        import httpx

        async with httpx.AsyncClient() as http:
            # OpenAI's own address: nothing may be sent there from a test, and nothing is.
            backend = OpenAIImagesBackend(http, KEY, retry=FAST_RETRY)
            with pytest.raises(GenerationError) as refused:
                await backend.generate(keyframe(tmp_path, model=model), lambda e: None)
            return str(refused.value)

    assert asyncio.run(refuse("gpt-image-1")) == ("OpenAI shut gpt-image-1 down on 2026-10-23: choose gpt-image-2, "
                                                  "its current picture model.")
    assert "2026-12-01" in asyncio.run(refuse("gpt-image-1-mini"))
    assert scratch_files(tmp_path) == []


def test_openai_images_unreachable_and_health(tmp_path: Path) -> None:
    with OpenAIImagesServer(api_key=KEY) as server:
        health = run_with(images(server), lambda b: b.health())
        missing = run_with(images(server, default_model="gpt-image-9"), lambda b: b.health())
        address = server.base_url
    unreachable = lambda http: OpenAIImagesBackend(http, KEY, base_url=address, retry=FAST_RETRY)  # noqa: E731
    with pytest.raises(GenerationError) as down:
        run_with(unreachable, lambda b: b.generate(keyframe(tmp_path), lambda e: None))
    assert health.ok and "gpt-image-2 available" in health.message
    assert not missing.ok and "404" in missing.message
    assert "127.0.0.1" in str(down.value) and "connection" in str(down.value).lower()


# --------------------------------------------------------------------------- Replicate


def test_replicate_keyframes_run_flux_schnell_for_one_picture(tmp_path: Path, character: Path) -> None:
    with ReplicateServer(api_key=KEY, task_seconds=0.1) as server:
        result = run_with(replicate(server), lambda b: b.generate(keyframe(tmp_path, references=(character,)),
                                                                  lambda e: None))
        (created,) = server.requests_to("POST", "/v1/models/black-forest-labs/flux-schnell/predictions")
    assert created.json["input"] == {"prompt": "a slow push over a valley at dawn", "seed": 1234,
                                     "aspect_ratio": "16:9", "num_outputs": 1, "output_format": "png"}
    info = probe_source(result.path)
    assert info.still and info.width > info.height and result.frames == 120 and result.path.suffix == ".png"
    assert result.backend_info["model"] == "black-forest-labs/flux-schnell"
    assert result.backend_info["reference_images"] == ("left out: black-forest-labs/flux-schnell on Replicate "
                                                       "takes no picture")
    assert result.cost is not None and result.cost.unit == "replicate-seconds"


def test_replicate_keyframes_follow_a_reference_where_the_model_takes_one(tmp_path: Path, character: Path) -> None:
    with ReplicateServer(api_key=KEY, task_seconds=0.1) as server:
        result = run_with(replicate(server), lambda b: b.generate(
            keyframe(tmp_path, model="black-forest-labs/flux-kontext-pro", references=(character,)), lambda e: None))
        (created,) = server.requests_to("POST", "/v1/models/black-forest-labs/flux-kontext-pro/predictions")
    assert created.json["input"]["input_image"].startswith("data:image/png;base64,")
    assert created.json["input"]["aspect_ratio"] == "16:9"
    assert result.backend_info["reference_images"] == "used: mara.png" and probe_source(result.path).still


def test_replicate_keyframes_put_a_reference_in_a_list_input_as_a_list(tmp_path: Path, character: Path) -> None:
    with ReplicateServer(api_key=KEY, task_seconds=0.1) as server:
        result = run_with(replicate(server), lambda b: b.generate(
            keyframe(tmp_path, model="black-forest-labs/flux-2-pro", width=720, height=1280, references=(character,)),
            lambda e: None))
        (created,) = server.requests_to("POST", "/v1/models/black-forest-labs/flux-2-pro/predictions")
    (reference,) = created.json["input"]["input_images"]
    assert reference.startswith("data:image/png;base64,") and created.json["input"]["aspect_ratio"] == "9:16"
    info = probe_source(result.path)
    assert result.backend_info["reference_images"] == "used: mara.png" and info.still and info.height > info.width


def test_replicate_refuses_a_keyframe_of_a_video_model_before_sending(tmp_path: Path) -> None:
    with ReplicateServer(api_key=KEY) as server:
        with pytest.raises(GenerationError) as refused:
            run_with(replicate(server), lambda b: b.generate(keyframe(tmp_path, model="minimax/hailuo-02"),
                                                             lambda e: None))
        assert server.submissions == 0 and server.requests_to("POST", "/v1/") == []
    assert "minimax/hailuo-02 on Replicate makes videos (it takes duration)" in str(refused.value)
    assert "black-forest-labs/flux-schnell" in str(refused.value)


def test_a_video_made_for_a_keyframe_is_not_kept(tmp_path: Path) -> None:
    """A model whose inputs do not give it away as a video model, and which sends a video all the same."""
    quiet_video = ReplicateModel("someone/quiet-video", {"prompt": {"type": "string"}})
    with ReplicateServer(api_key=KEY, task_seconds=0.1, models=[quiet_video]) as server:
        with pytest.raises(CloudOutputError) as refused:
            run_with(replicate(server), lambda b: b.generate(keyframe(tmp_path, model="someone/quiet-video"),
                                                             lambda e: None))
        assert server.submissions == 1
    assert "sent a video where a keyframe picture was expected" in str(refused.value)
    assert scratch_files(tmp_path) == []


# --------------------------------------------------------------------------- Stability AI


def test_stability_keyframes_follow_a_reference_on_sd3_and_say_when_they_cannot(tmp_path: Path,
                                                                                character: Path) -> None:
    with StabilityServer(api_key=KEY) as server:
        sd3 = run_with(stability(server), lambda b: b.generate(
            keyframe(tmp_path, model="sd3.5-large", references=(character,)), lambda e: None))
        core = run_with(stability(server), lambda b: b.generate(keyframe(tmp_path, references=(character,)),
                                                                lambda e: None))
        first, second = server.requests
    assert first.form["mode"] == "image-to-image" and first.form["image"]["filename"] == "mara.png"
    assert first.form["model"] == "sd3.5-large" and first.form["seed"] == "1234"
    assert sd3.backend_info["reference_images"] == "used: mara.png"
    assert "image" not in second.form and second.form["aspect_ratio"] == "16:9"
    assert core.backend_info["reference_images"] == "left out: Stability AI's core takes no picture (sd3 does)"
    assert sd3.frames == core.frames == 120 and probe_source(core.path).still


# --------------------------------------------------------------------------- what each can make


# Each backend with an output it cannot make: (server, backend, output asked, the refusal's words).
UNMADE = {
    "stability video": (StabilityServer, lambda server, http: StabilityBackend(http, KEY, base_url=server.url),
                        "video", "Stability AI makes still pictures, not videos: animate the shot with a video "
                                 "backend instead."),
    "openai-images video": (OpenAIImagesServer, lambda server, http: OpenAIImagesBackend(
        http, KEY, base_url=server.base_url), "video", "makes still pictures, not videos"),
    "runway still": (RunwayServer, lambda server, http: RunwayBackend(http, KEY, base_url=server.url), "still",
                     "Runway makes videos, not still pictures: make its keyframes with an image backend instead."),
    "openai videos still": (OpenAIVideosServer, lambda server, http: OpenAIVideoBackend(
        KEY, base_url=server.base_url), "still", "makes videos, not still pictures"),
    "stability sound": (StabilityServer, lambda server, http: StabilityBackend(http, KEY, base_url=server.url),
                        "sound", "Stability AI makes still pictures, not sound"),
}


@pytest.mark.parametrize("case", list(UNMADE), ids=list(UNMADE))
def test_an_output_a_backend_cannot_make_is_refused_before_sending(case: str, tmp_path: Path) -> None:
    server_type, backend, output, words = UNMADE[case]
    events: list[GenerationEvent] = []
    with server_type(api_key=KEY) as server:
        with pytest.raises(GenerationError) as refused:
            run_with(lambda http: backend(server, http), lambda b: b.generate(shot(tmp_path, output=output),
                                                                               events.append))
        assert server.requests == []
    assert words in str(refused.value)
    assert [event.kind for event in events] == ["failed"] and scratch_files(tmp_path) == []


def test_each_backend_says_what_it_makes(tmp_path: Path) -> None:
    async def made() -> dict[str, Any]:
        import httpx

        async with httpx.AsyncClient() as http:
            backends = [BuiltinBackend(), MediaFileBackend(), StabilityBackend(http, KEY),
                        ReplicateBackend(http, KEY), OpenAIImagesBackend(http, KEY)]
            return {backend.name: outputs_of(backend) for backend in backends}

    assert asyncio.run(made()) == {
        "builtin": {"video", "still", "sound"}, "media": {"video", "still"}, "stability": {"still"},
        "replicate": {"video", "still", "sound"}, "openai-images": {"still"},
    }
    assert outputs_of(object()) is None  # a backend that does not say is not checked
    assert backend_outputs(GenerationSettings()) == {
        "builtin": {"video", "still", "sound"}, "media": {"video", "still"}, "comfyui": None,
        "runway": {"video"}, "replicate": {"video", "still", "sound"}, "stability": {"still"}, "openai-images": {"still"},
        "fal": {"video"},
        "gemini": {"video"},
    }


def test_the_app_opens_openai_images_at_the_address_and_with_the_key_of_its_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOUNDRY_OPENAI_IMAGES_API_KEY", KEY)  # as a machine without a password store gives it

    async def made(settings: GenerationSettings) -> Any:
        async with generation_backends(settings) as registry:
            return await registry.get("openai-images").generate(keyframe(tmp_path), lambda e: None)

    with OpenAIImagesServer(api_key=KEY) as server:
        service = CloudServiceSettings(base_url=server.base_url, default_model="chatgpt-image-latest")
        result = asyncio.run(made(GenerationSettings(cloud={"openai-images": service})))
        (sent,) = server.requests_to("POST", "/v1/images/generations")
    assert sent.json["model"] == "chatgpt-image-latest" and result.backend_info["provider"] == "openai-images"
    assert probe_source(result.path).still
