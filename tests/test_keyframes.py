"""Keyframe stills: made through the job machinery (variants, reuse, resume after a crash, costs),
approved as the shot's first frame, and the video's input image from then on."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from old_schemas import keyframes_back_to_input_images, undo_migrations_after
from PIL import Image
from still_painter import PRICE, StillPainter

from foundry_desktop.app.generation.keyframes import estimate_keyframes, generate_keyframes, plan_keyframes
from foundry_desktop.app.generation.output_kinds import video_request
from foundry_desktop.app.generation.plan import apply_plan, plan_generation
from foundry_desktop.app.generation.shot_generation import generate_shots, retry_jobs
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.generation_job import UNFINISHED
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.generation.default_backends import default_registry
from foundry_desktop.media.last_frame import write_last_frame


def painter_registry() -> tuple:
    registry = default_registry()
    painter = StillPainter()
    registry.register(painter)
    return registry, painter


def two_keyframes_first_approved(service, registry, shot) -> list:
    """The shot's keyframe and a variant of it, the first approved."""
    asyncio.run(generate_keyframes(service, registry, {shot.id}, variants=1))
    keyframes = service.keyframes_of(shot.id)
    service.approve_keyframe(shot.id, keyframes[0].id)
    return keyframes


@pytest.fixture
def film(tmp_path):
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=160, height=90, frame_rate="24") as service:
        for number in range(3):
            service.add_shot(prompt=f"a lighthouse, view {number}", duration_seconds="1", seed=number + 1,
                             image_backend="painter")
        service.add_shot(prompt="the creator's own clip", duration_seconds="1", backend="media")
    return path


def test_keyframes_with_variants_are_still_takes_that_wait_for_approval(film):
    registry, painter = painter_registry()
    with ProjectService.open(film) as service:
        report = asyncio.run(generate_keyframes(service, registry, variants=1))
        assert (report.generated, report.failed) == (6, 0)  # 3 generated shots, each once and one variant
        assert all(request.output == "still" and request.frames == 1 for request in painter.requests)
        assert painter.requests[0].prompt == "a lighthouse, view 0"
    with ProjectService.open(film) as service:
        first, *_ , own_media = service.project.timeline.shots
        keyframes = service.keyframes_of(first.id)
        assert [take.kind for take in keyframes] == ["still", "still"]
        assert {take.seed for take in keyframes} == {1, keyframes[1].seed} and keyframes[1].seed != 1
        assert service.keyframes_of(own_media.id) == []
        assert all(shot.selected_take_id is None and shot.keyframe_take_id is None
                   for shot in service.project.timeline.shots)  # nothing shown, nothing approved by a run
        assert all(job.state == "done" and job.output == "still" and job.cost_actual == PRICE
                   for job in service.jobs())
        # Asked again: every shot has its keyframe, nothing is paid twice.
        again = asyncio.run(generate_keyframes(service, registry, {first.id}))
        assert (again.generated, again.reused) == (0, 0) and painter.submissions == 6


def test_a_keyframe_for_the_same_spec_is_reused_and_the_estimate_counts_both_stages(film):
    registry, painter = painter_registry()
    with ProjectService.open(film) as service:
        first = service.project.timeline.shots[0]
        asyncio.run(generate_keyframes(service, registry, {first.id}))
        service.update_shot(1, prompt="a lighthouse, view 0", seed=1)  # shot 2 now asks for shot 1's still
        estimate = estimate_keyframes(service, registry)
        assert estimate.reused == 1 and [job.shot for job in estimate.jobs] == [3]
        assert estimate.totals == {"stability-credits": PRICE} and estimate.spent == {"stability-credits": PRICE}
        report = asyncio.run(generate_keyframes(service, registry))
        assert (report.generated, report.reused, painter.submissions) == (1, 1, 2)
        second = service.project.timeline.shots[1]
        assert service.keyframes_of(second.id)[0].content_hash == service.keyframes_of(first.id)[0].content_hash


def test_a_keyframe_job_cut_off_mid_run_is_followed_by_its_remote_id_not_sent_again(film):
    registry, painter = painter_registry()
    painter.hold = asyncio.Event()  # the service has the task, and does not finish it before the "crash"

    async def cut_off(service):
        run = asyncio.create_task(generate_keyframes(service, registry, {service.project.timeline.shots[0].id}))
        while painter.submissions < 1:
            await asyncio.sleep(0)
        run.cancel()  # the app stops with the task at the service
        with pytest.raises(asyncio.CancelledError):
            await run

    with ProjectService.open(film) as service:
        asyncio.run(cut_off(service))
    with ProjectService.open(film) as service:
        [left] = service.jobs(UNFINISHED)
        assert (left.output, left.state, left.remote_id) == ("still", "submitted", "task-1")
        # A video generate leaves the keyframe job alone: it is not a video job.
        video = plan_generation(service)
        assert left.id not in {job.id for job in [*video.dropped, *video.followed]}
        painter.hold = None
        report = asyncio.run(generate_keyframes(service, registry, set()))  # no new shots: only what was left
        assert (report.generated, painter.submissions, painter.resumed) == (1, 1, ["task-1"])
        assert len(service.keyframes_of(left.shot_id)) == 1


def test_a_queued_keyframe_job_is_not_dropped_by_a_video_plan(film):
    registry, _ = painter_registry()
    with ProjectService.open(film) as service:
        plan = plan_keyframes(service)
        apply_plan(service, plan)  # three queued keyframe jobs, never sent
        video = plan_generation(service)
        assert video.dropped == [] and all(job.output == "video" for job in video.jobs)
        assert {job.id for job in plan.new} <= {job.id for job in service.jobs(UNFINISHED)}


def test_the_approved_keyframe_is_the_videos_input_image_and_changing_it_stales_the_video(film):
    registry, _ = painter_registry()
    with ProjectService.open(film) as service:
        shot = service.project.timeline.shots[0]
        first, second = two_keyframes_first_approved(service, registry, shot)
        [job] = plan_generation(service, {shot.id}).new
        assert job.spec["input_image"] == first.media_path
        assert video_request(service, job, False).input_image == service.media.path_of(first.media_path)
        asyncio.run(generate_shots(service, registry, {shot.id}))
        assert service.shot_status(service.project.timeline.shots[0]).kind == "current"
        made = service.project.selected_take(service.project.timeline.shots[0])

        service.approve_keyframe(shot.id, second.id)
        status = service.shot_status(service.project.timeline.shots[0])
        assert (status.kind, status.reasons) == ("stale", ("keyframe changed",))
        assert service.undo() == "Approve the keyframe of shot 1"  # approving is the creator's edit: Ctrl+Z
    with ProjectService.open(film) as service:  # as the file keeps it
        shot = service.project.timeline.shots[0]
        assert shot.keyframe_take_id == first.id and shot.selected_take_id == made.id
        assert service.shot_status(shot).kind == "current"


def test_only_a_shots_own_keyframe_can_be_approved(film):
    registry, _ = painter_registry()
    with ProjectService.open(film) as service:
        one, two, *_ = service.project.timeline.shots
        asyncio.run(generate_keyframes(service, registry, {one.id}))
        [still] = service.keyframes_of(one.id)
        with pytest.raises(InvalidEditError, match="not a keyframe of this shot"):
            service.approve_keyframe(two.id, still.id)
        with pytest.raises(InvalidEditError, match="take is a keyframe"):
            service.select_take(0, still.id)


def test_the_last_frame_keyframe_goes_to_the_video_as_its_last_image(film):
    registry, _ = painter_registry()
    with ProjectService.open(film) as service:
        shot = service.project.timeline.shots[0]
        first, last = two_keyframes_first_approved(service, registry, shot)
        [before] = plan_generation(service, {shot.id}).new
        assert "last_image" not in before.spec  # enters the fingerprint only when set
        service.approve_keyframe(shot.id, last.id, last=True)
        [job] = plan_generation(service, {shot.id}).new
        request = video_request(service, job, False)
        assert (request.input_image, request.last_image) == (service.media.path_of(first.media_path),
                                                              service.media.path_of(last.media_path))
        asyncio.run(generate_shots(service, registry, {shot.id}))
        service.approve_keyframe(shot.id, None, last=True)
        status = service.shot_status(service.project.timeline.shots[0])
        assert (status.kind, status.reasons) == ("stale", ("last-frame keyframe changed",))


def test_a_shot_continues_from_the_last_frame_of_the_previous_shots_take(film):
    registry, _ = painter_registry()
    with ProjectService.open(film) as service:
        one, two, *_ = service.project.timeline.shots
        with pytest.raises(InvalidEditError, match="first shot"):
            service.set_continue_from_previous(one.id, True)
        service.set_continue_from_previous(two.id, True)
        status = service.shot_status(service.project.timeline.shots[1])
        assert (status.kind, status.reasons) == ("missing", ("waits for the previous shot's take",))
        report = asyncio.run(generate_shots(service, registry, {two.id}))
        assert report.failures == ["Shot 2 continues from shot 1, which has no take yet: generate shot 1 first."]
        asyncio.run(generate_shots(service, registry, {one.id}))
        asyncio.run(generate_shots(service, registry, {two.id}))
        shots = service.project.timeline.shots
        assert service.shot_status(shots[1]).kind == "current"
        picture = service.project.selected_take(shots[1]).request["input_image"]
        # The frame the first take ends on, in the media folder by its content.
        [frame] = [path for path in service.media.path_of("inputs").rglob("*.png") if path.name == picture]
        previous = service.project.selected_take(shots[0])
        again = write_last_frame(service.media.path_of(previous.media_path), frame.parent / "again.png")
        assert again.read_bytes() == frame.read_bytes()
        service.update_shot(0, seed=99)
        asyncio.run(generate_shots(service, registry, {one.id}))  # shot 1's take is another now
        status = service.shot_status(service.project.timeline.shots[1])
        assert (status.kind, status.reasons) == ("stale", ("previous shot's take changed",))


def test_a_picture_given_to_a_shot_is_an_approved_keyframe_take_of_its_own(tmp_path):
    sky, sea = picture(tmp_path, "sky.png", (90, 140, 220)), picture(tmp_path, "sea.png", (20, 60, 120))
    with ProjectService.create(tmp_path / "film.foundry", width=160, height=90, frame_rate="24") as service:
        shot = service.add_shot(prompt="a coast", duration_seconds="1", image=str(sky))
        service.update_shot(0, image=str(sea))
        service.update_shot(0, image=str(sky))  # back to the sky: its take again, not a second one
    with ProjectService.open(tmp_path / "film.foundry") as service:
        [sky_take, sea_take] = service.keyframes_of(shot.id)
        assert (sky_take.backend, sky_take.request, sky_take.width, sky_take.height) == (
            "media", {"file": "sky.png"}, 160, 90)
        shot = service.project.timeline.shots[0]
        assert shot.keyframe_take_id == sky_take.id and shot.spec.input_image is None
        assert service.undo() == "Change shot 1: image"
        assert service.project.timeline.shots[0].keyframe_take_id == sea_take.id
        service.update_shot(0, image="")
        assert service.project.timeline.shots[0].keyframe_take_id is None


def test_migration_turns_input_images_into_approved_keyframes_and_takes_stay_current(tmp_path):
    path = tmp_path / "film.foundry"
    sky, sea = picture(tmp_path, "sky.png", (90, 140, 220)), picture(tmp_path, "sea.png", (20, 60, 120))
    with ProjectService.create(path, width=160, height=90, frame_rate="24") as service:
        service.add_shot(prompt="a coast", duration_seconds="1", image=str(sea))
        service.update_shot(0, image=str(sky))
        asyncio.run(generate_shots(service, default_registry()))
        video = service.project.selected_take(service.project.timeline.shots[0])
    conn = sqlite3.connect(path)
    with conn:
        undo_migrations_after(conn, 11)
        keyframes_back_to_input_images(conn)
        conn.execute("PRAGMA user_version = 10")
    (old,) = conn.execute("SELECT spec_json FROM shots").fetchone()
    conn.close()
    assert json.loads(old)["input_image_name"] == "sky.png"  # the file is what schema 10 wrote

    with ProjectService.open(path) as service:
        shot = service.project.timeline.shots[0]
        [sky_take] = [take for take in service.keyframes_of(shot.id) if take.request == {"file": "sky.png"}]
        assert shot.keyframe_take_id == sky_take.id and shot.spec.input_image is None
        assert (sky_take.backend, sky_take.kind, sky_take.media_path) == ("media", "still", video.spec["input_image"])
        assert shot.selected_take_id == video.id and service.shot_status(shot).kind == "current"
        assert service.undo() == "Change shot 1: image"  # the step before the migration, in keyframes now
        status = service.shot_status(service.project.timeline.shots[0])
        assert (status.kind, status.reasons) == ("stale", ("keyframe changed",))
        assert service.keyframes_of(shot.id)[-1].request == {"file": "sea.png"}
        service.redo()
        assert service.shot_status(service.project.timeline.shots[0]).kind == "current"
    assert path.with_name("film.foundry.v10.bak").is_file()


def picture(folder, name: str, colour: tuple[int, int, int]):
    path = folder / name
    Image.fromarray(np.full((90, 160, 3), colour, np.uint8)).save(path)
    return path


def test_a_pasted_shot_keeps_its_approved_keyframe(tmp_path):
    sky = picture(tmp_path, "sky.png", (90, 140, 220))
    with ProjectService.create(tmp_path / "a.foundry", width=160, height=90, frame_rate="24") as first, \
            ProjectService.create(tmp_path / "b.foundry", width=160, height=90, frame_rate="24") as second:
        first.add_shot(prompt="a coast", duration_seconds="1", image=str(sky))
        payload = json.loads(json.dumps(first.copied_shots([0])))
        assert second.bring_clipboard_media(payload) == 1  # the picture
        second.paste_shots(payload, 0)
    with ProjectService.open(tmp_path / "b.foundry") as reopened:
        [shot] = reopened.project.timeline.shots
        [keyframe] = reopened.keyframes_of(shot.id)
        assert shot.keyframe_take_id == keyframe.id and keyframe.request == {"file": "sky.png"}



def test_a_keyframe_follows_the_character_and_a_failed_one_is_sent_again(film, tmp_path):
    registry, painter = painter_registry()
    face = picture(tmp_path, "mara.png", (180, 150, 120))
    with ProjectService.open(film) as service:
        service.add_template("character", "Mara", prompt_prefix="Mara, a keeper in a yellow coat",
                             reference_images=(service.reference_image(face),))
        service.update_shot(0, character="Mara")
        shot = service.project.timeline.shots[0]
        painter.refuse = "the service is down for maintenance"
        report = asyncio.run(generate_keyframes(service, registry, {shot.id}))
        assert report.failures == ["Shot 1: the service is down for maintenance"]
        [request] = painter.requests
        assert request.prompt == "Mara, a keeper in a yellow coat, a lighthouse, view 0"
        assert [path.read_bytes() for path in request.reference_images] == [face.read_bytes()]
        painter.refuse = None
        again = asyncio.run(retry_jobs(service, registry))
        assert again.generated == 1 and painter.submissions == 2
        [keyframe] = service.keyframes_of(shot.id)
        assert keyframe.request["reference_images"] == [Path(request.reference_images[0]).name]
