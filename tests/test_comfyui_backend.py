"""The ComfyUI backend against test servers that speak ComfyUI's protocol."""

from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from servers.comfyui import ComfyUIServer

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.comfyui.backend import ComfyUIBackend
from foundry_desktop.generation.comfyui.farm import ComfyFarm, ComfyServer
from foundry_desktop.generation.comfyui.library import WorkflowLibrary
from foundry_desktop.media.probe import probe_source

SVD_MODELS = {"checkpoints": ["svd_xt.safetensors", "sd_xl_base_1.0.safetensors"]}
# How long a test waits for something that must happen: only so that a broken backend fails the
# test instead of hanging it; a slow machine never comes near it.
WAIT_S = 60


def request(tmp_path: Path, shot: str = "shot-1", *, image: Path | None = None, seed: int = 7) -> GenerationRequest:
    out = tmp_path / "scratch"
    out.mkdir(exist_ok=True)
    return GenerationRequest(
        shot_id=shot, prompt="a slow push over a valley", negative_prompt="", seed=seed, width=128, height=72,
        frame_rate=Fraction(24), frames=14, output_dir=out, workflow="svd-image-to-video", input_image=image,
    )


@pytest.fixture
def still(tmp_path) -> Path:
    path = tmp_path / "valley.png"
    Image.fromarray(np.full((72, 128, 3), (40, 120, 200), np.uint8)).save(path)
    return path


async def run_backend(servers, work, tmp_path, max_queued=1):
    """Run `work(backend)` with a farm of `servers`, and close what it opened."""
    async with httpx.AsyncClient(timeout=WAIT_S) as http:
        farm = ComfyFarm([ComfyServer(s.name, s.url, max_queued=max_queued) for s in servers], http)
        backend = ComfyUIBackend(farm, WorkflowLibrary(tmp_path / "user-workflows"))
        try:
            return await work(backend)
        finally:
            await backend.aclose()


def test_a_take_is_made_on_a_server_downloaded_and_checked(tmp_path, still):
    events = []
    with ComfyUIServer(name="gpu-1", job_seconds=0.2, models=SVD_MODELS) as server:
        result = asyncio.run(run_backend([server], lambda b: b.generate(request(tmp_path, image=still), events.append), tmp_path))
        assert server.submissions == 1 and server.uploads  # the image went up first
    assert result.path.parent == tmp_path / "scratch" and result.path.name.startswith("comfyui-")
    assert probe_source(result.path).width == 128
    assert result.backend_info["server"] == "gpu-1" and result.backend_info["workflow"]["name"] == "svd-image-to-video"
    sampler = next(node for node in result.backend_info["graph"].values() if node["class_type"] == "KSampler")
    assert sampler["inputs"]["seed"] == 7  # the request's seed: the exact graph sent is kept with the take
    kinds = [event.kind for event in events]
    assert kinds[0] == "queued" and kinds[-1] == "done" and "progress" in kinds


def test_jobs_spread_over_the_farm(tmp_path, still):
    with (ComfyUIServer(name="a", job_seconds=0.3, models=SVD_MODELS) as a,
          ComfyUIServer(name="b", job_seconds=0.3, models=SVD_MODELS) as b):

        async def work(backend):
            return await asyncio.gather(*(
                backend.generate(request(tmp_path, f"shot-{n}", image=still, seed=n), lambda e: None) for n in range(4)
            ))

        results = asyncio.run(run_backend([a, b], work, tmp_path))
        assert (a.submissions, b.submissions) == (2, 2)
    assert len({r.path for r in results}) == 4


def test_the_prompts_on_a_server_share_one_socket_and_survive_its_drop(tmp_path, still):
    """One event socket per server: every prompt there is followed on it. When it drops,
    the prompts on it finish by polling, and the next prompt opens a new one."""
    with ComfyUIServer(name="gpu-1", job_seconds=0.6, models=SVD_MODELS) as server:

        async def work(backend):
            progress: dict[str, list[str]] = {}

            def events_of(shot):
                return lambda event: progress.setdefault(shot, []).append(event.kind)

            first = await asyncio.gather(*(
                backend.generate(request(tmp_path, f"shot-{n}", image=still, seed=n), events_of(f"shot-{n}"))
                for n in range(3)
            ))
            sockets_after_three = server.sockets_opened
            job = asyncio.create_task(backend.generate(request(tmp_path, "shot-3", image=still, seed=3), lambda e: None))
            while not server.queue_remaining():
                await asyncio.sleep(0.02)
            server.drop_sockets()  # mid-run: the prompt is followed by polling from here
            dropped = await job
            after = await backend.generate(request(tmp_path, "shot-4", image=still, seed=4), events_of("shot-4"))
            return first, sockets_after_three, dropped, after, progress

        first, sockets_after_three, dropped, after, progress = asyncio.run(run_backend([server], work, tmp_path, max_queued=3))
        assert server.submissions == 5 and sockets_after_three == 1
        assert server.sockets_opened == 2  # one reconnect, by the prompt after the drop
        assert len(server.uploads) == 1  # the still went up once, though three jobs asked for it at once
    assert all("progress" in progress[f"shot-{n}"] for n in range(3))  # each prompt got its own events
    assert "progress" in progress["shot-4"]
    assert len({r.path for r in [*first, dropped, after]}) == 5 and probe_source(dropped.path).width == 128


def test_a_node_error_reaches_the_creator_in_words(tmp_path, still):
    with ComfyUIServer(name="gpu-1", job_seconds=0.1, models=SVD_MODELS) as server:
        server.fail_node = "KSampler"
        with pytest.raises(GenerationError, match=r"gpu-1 failed in node \d+ \(KSampler\)"):
            asyncio.run(run_backend([server], lambda b: b.generate(request(tmp_path, image=still), lambda e: None), tmp_path))


def test_a_server_lacking_the_models_is_not_used_and_says_why(tmp_path, still):
    with ComfyUIServer(name="gpu-1", job_seconds=0.1, models={"checkpoints": ["other.safetensors"]}) as server:
        with pytest.raises(GenerationError, match=r"No ComfyUI server can run .*: gpu-1: The server lacks the model svd_xt.safetensors in checkpoints"):
            asyncio.run(run_backend([server], lambda b: b.generate(request(tmp_path, image=still), lambda e: None), tmp_path))
        assert server.submissions == 0


def test_a_hostile_output_name_is_refused(tmp_path, still):
    with ComfyUIServer(name="gpu-1", job_seconds=0.1, models=SVD_MODELS) as server:
        server.hostile_filename = "../../evil.mp4"
        with pytest.raises(GenerationError, match="refuses unsafe names"):
            asyncio.run(run_backend([server], lambda b: b.generate(request(tmp_path, image=still), lambda e: None), tmp_path))
    assert not (tmp_path / "evil.mp4").exists() and not list((tmp_path / "scratch").iterdir())


def test_a_cut_short_download_is_refused(tmp_path, still):
    with ComfyUIServer(name="gpu-1", job_seconds=0.1, models=SVD_MODELS) as server:
        server.truncate_downloads = True
        with pytest.raises(GenerationError, match="not a video or picture|cut short"):
            asyncio.run(run_backend([server], lambda b: b.generate(request(tmp_path, image=still), lambda e: None), tmp_path))
    assert not list((tmp_path / "scratch").iterdir())


def test_a_server_that_dies_mid_job_has_the_job_finished_elsewhere(tmp_path, still):
    # Held samplers: the job cannot finish on whichever server got it before that one dies.
    with (ComfyUIServer(name="a", job_seconds=0.2, models=SVD_MODELS) as a,
          ComfyUIServer(name="b", job_seconds=0.2, models=SVD_MODELS) as b):
        a.hold_samplers = b.hold_samplers = True

        async def work(backend):
            job = asyncio.create_task(backend.generate(request(tmp_path, image=still), lambda e: None))
            while not (a.submissions or b.submissions):
                await asyncio.sleep(0.05)
            dying = a if a.submissions else b
            (b if dying is a else a).hold_samplers = False
            await asyncio.to_thread(dying.stop)
            return await job, dying

        result, dying = asyncio.run(run_backend([a, b], work, tmp_path))
        survivor = b if dying is a else a
    assert result.backend_info["server"] == survivor.name
    assert survivor.submissions == 1


def test_cancel_interrupts_our_running_prompt(tmp_path, still):
    with ComfyUIServer(name="gpu-1", job_seconds=3.0, models=SVD_MODELS) as server:
        server.hold_samplers = True  # the prompt keeps running until it is interrupted

        async def work(backend):
            job = asyncio.create_task(backend.generate(request(tmp_path, image=still), lambda e: None))
            while not server.executed:  # running on the server
                await asyncio.sleep(0.05)
            await backend.cancel("shot-1")
            with pytest.raises(GenerationError, match="interrupted"):
                await job

        asyncio.run(run_backend([server], work, tmp_path))
        assert server.interrupts == 1


def test_cancel_takes_a_waiting_prompt_out_of_the_queue_by_its_id(tmp_path, still):
    with ComfyUIServer(name="gpu-1", job_seconds=1.5, models=SVD_MODELS) as server:
        server.hold_samplers = True  # the first prompt runs until the second has been cancelled

        async def work(backend):
            sent: dict[str, str] = {}

            def remember(event):
                if event.kind == "submitted":
                    sent[event.shot_id] = event.remote_id

            running = asyncio.create_task(backend.generate(request(tmp_path, "first", image=still), remember))
            waiting = asyncio.create_task(backend.generate(request(tmp_path, "second", image=still, seed=2), remember))
            while len(sent) < 2:
                await asyncio.sleep(0.02)
            await backend.cancel_remote("gpu-1", sent["second"])  # a variant's prompt, not the whole shot
            with pytest.raises(GenerationError, match="Cancelled"):
                await asyncio.wait_for(waiting, WAIT_S)  # noticed at once, not after the first prompt
            assert not running.done()
            server.hold_samplers = False
            return await running, sent

        result, sent = asyncio.run(run_backend([server], work, tmp_path, max_queued=2))
        assert server.deleted == [sent["second"]] and server.submissions == 2 and server.interrupts == 0
    assert result.path.exists()


def test_the_farm_keeps_checking_its_servers_and_asks_a_returning_one_for_its_nodes_again(tmp_path, still):
    with ComfyUIServer(name="gpu-1", job_seconds=0.1, models=SVD_MODELS) as server:

        async def work(backend):
            farm, rounds = backend.farm, []
            watcher = asyncio.create_task(farm.keep_checking(0.05, lambda: rounds.append(farm.status["gpu-1"].up)))
            await backend.generate(request(tmp_path, image=still), lambda e: None)
            assert farm.status["gpu-1"].capabilities  # its nodes and models, asked once
            await asyncio.to_thread(server.stop)
            while rounds[-1]:
                await asyncio.sleep(0.02)
            await asyncio.to_thread(server.start)
            while not rounds[-1]:
                await asyncio.sleep(0.02)
            watcher.cancel()
            return farm.status["gpu-1"]

        status = asyncio.run(run_backend([server], work, tmp_path))
    assert status.up and status.gpu and not status.capabilities  # asked again before its next job
