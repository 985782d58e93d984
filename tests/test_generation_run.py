"""A project's stale shots generated on a farm of ComfyUI test servers through the app
service, end to end: spread over the servers, takes in the cache with provenance,
progress on the event bus, and jobs cancelled while they run or wait."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from PIL import Image
from servers.comfyui import ComfyUIServer

from foundry_desktop.app.events import GenerationProgress
from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.settings import (
    ComfyServerSettings,
    GenerationSettings,
    save_settings,
)
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.generation.shot_generation import cancel_jobs, generate_shots
from foundry_desktop.domain.generation_job import UNFINISHED

SVD_MODELS = {"checkpoints": ["svd_xt.safetensors"]}


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    image = tmp_path / "valley.png"
    Image.fromarray(np.full((90, 160, 3), (40, 120, 200), np.uint8)).save(image)
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=160, height=90, frame_rate="24") as service:
        for number in range(5):
            service.add_shot(prompt=f"shot {number + 1}", duration_seconds="1", seed=number, backend="comfyui",
                             workflow="svd-image-to-video", image=str(image))
    return path


def test_stale_shots_run_across_the_farm_and_cancelled_jobs_stop_where_they_are(project):
    with (ComfyUIServer(name="a", job_seconds=0.8, models=SVD_MODELS) as a,
          ComfyUIServer(name="b", job_seconds=0.8, models=SVD_MODELS) as b):
        a.hold_samplers = b.hold_samplers = True  # nothing finishes until the cancels are in
        save_settings(GenerationSettings(comfyui_servers=[
            ComfyServerSettings(name="a", url=a.url, max_queued=1), ComfyServerSettings(name="b", url=b.url, max_queued=1),
        ]))
        with ProjectService.open(project) as service:
            progress = []
            service.events.subscribe(lambda e: progress.append(e) if isinstance(e, GenerationProgress) else None)
            shots = [shot.id for shot in service.project.timeline.shots]

            async def work():
                async with generation_backends() as registry:
                    run = asyncio.create_task(generate_shots(service, registry))
                    def sent() -> list:  # shots 1 and 2 running, 3 to 5 waiting for a server
                        return [job for job in service.jobs(UNFINISHED) if job.state == "submitted"]

                    while len(sent()) < 2:
                        await asyncio.sleep(0.02)
                    jobs = {job.shot_id: job for job in service.jobs(UNFINISHED)}
                    running = next(jobs[s] for s in shots[:2] if jobs[s].state == "submitted")
                    assert await cancel_jobs(service, registry, jobs[shots[4]].id) == 1  # waiting: never sent
                    assert await cancel_jobs(service, registry, running.id) == 1  # running: interrupted
                    a.hold_samplers = b.hold_samplers = False
                    return await run, running

            report, running = asyncio.run(work())
            assert (report.generated, report.cancelled, report.failed) == (3, 2, 0), report.failures
            assert a.submissions + b.submissions == 4 and a.interrupts + b.interrupts == 1
            assert a.submissions >= 1 and b.submissions >= 1  # both servers worked

            by_shot = {job.shot_id: job for job in service.jobs()}
            assert by_shot[shots[4]].state == "cancelled" and by_shot[shots[4]].remote_id is None
            assert by_shot[running.shot_id].state == "cancelled"
            made = [shot for shot in service.project.timeline.shots if service.project.selected_take(shot)]
            assert len(made) == 3 and running.shot_id not in {shot.id for shot in made}
            for shot in made:
                take = service.project.selected_take(shot)
                info = take.request["backend_info"]
                assert service.media.exists(take.media_path) and take.content_hash
                assert info["server"] in ("a", "b") and info["workflow"]["name"] == "svd-image-to-video"
                assert info["prompt_id"] == by_shot[shot.id].remote_id and take.request["cost"]["unit"] == "gpu-seconds"
            assert {event.shot_id for event in progress} >= {shot.id for shot in made}
            assert any(0 < event.progress < 1 for event in progress)
            statuses = dict(zip(shots, (status.kind for status in service.statuses()), strict=True))
            assert statuses[shots[4]] == statuses[running.shot_id] == "missing"  # not generating, not failed
