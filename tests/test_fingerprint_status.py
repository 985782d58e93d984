"""The shot fingerprint and the status (with reasons) derived from it."""

from fractions import Fraction

import pytest

from foundry_desktop.domain.fingerprint import generation_spec, shot_fingerprint
from foundry_desktop.domain.project import Project, ProjectFormat, Shot, ShotSpec, Take
from foundry_desktop.domain.status import GenerationState, shot_status
from foundry_desktop.domain.time import parse_frame_rate, seconds_to_frames

FMT = ProjectFormat(width=640, height=360, frame_rate=Fraction(24))
IN_FMT = Project(format=FMT)  # a project that only gives the format


def project_with_take(spec: ShotSpec) -> tuple[Project, Shot]:
    shot = Shot(spec=spec)
    take = Take(
        shot_id=shot.id,
        media_path="takes/aa/aa.mp4",
        content_hash="aa",
        fingerprint=shot_fingerprint(shot, IN_FMT),
        spec=generation_spec(shot, IN_FMT),
        backend=spec.backend,
        seed=spec.seed,
        frames=spec.duration,
        width=FMT.width,
        height=FMT.height,
        created_at="2026-01-01T00:00:00+00:00",
        elapsed_s=1.0,
    )
    shot.selected_take_id = take.id
    project = Project(format=FMT, takes={shot.id: [take]})
    project.timeline.shots.append(shot)
    return project, shot


BASE = ShotSpec(prompt="a fox", seed=3, duration=48)


def test_fingerprint_is_stable_and_canonical():
    a = Shot(spec=BASE.model_copy(update={"params": {"b": 1, "a": [1, 2]}}))
    b = Shot(spec=BASE.model_copy(update={"params": {"a": [1, 2], "b": 1}}))
    assert shot_fingerprint(a, IN_FMT) == shot_fingerprint(b, IN_FMT)
    # The shot's identity, name and trim do not determine the generation.
    c = a.model_copy(update={"name": "other", "trim_in": 5})
    assert shot_fingerprint(c, IN_FMT) == shot_fingerprint(a, IN_FMT)
    assert len(shot_fingerprint(a, IN_FMT)) == 64


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"prompt": "a wolf"}, "prompt changed"),
        ({"negative_prompt": "blur"}, "negative prompt changed"),
        ({"seed": 4}, "seed changed"),
        ({"duration": 49}, "duration changed"),
        ({"backend": "comfyui"}, "backend changed"),
        ({"model": "wan-2.2"}, "model changed"),
        ({"workflow": "txt2vid"}, "workflow changed"),
        ({"params": {"steps": 30}}, "parameters changed"),
        ({"input_image": "inputs/bb/bb.png"}, "keyframe changed"),
        ({"character": "ada"}, "character changed"),
        ({"style": "noir"}, "style changed"),
    ],
)
def test_each_spec_change_makes_the_shot_stale_with_its_reason(change, reason):
    project, shot = project_with_take(BASE)
    assert shot_status(project, shot).kind == "current"
    shot.spec = BASE.model_copy(update=change)
    status = shot_status(project, shot)
    assert status.kind == "stale"
    assert status.reasons == (reason,)
    assert status.text == f"stale ({reason})"


def test_several_changes_list_several_reasons_and_format_changes_count():
    project, shot = project_with_take(BASE)
    shot.spec = BASE.model_copy(update={"prompt": "x", "seed": 9})
    assert shot_status(project, shot).reasons == ("prompt changed", "seed changed")
    shot.spec = BASE
    project.format = ProjectFormat(width=1280, height=720, frame_rate=Fraction(24))
    assert shot_status(project, shot).reasons == ("output size changed",)
    project.format = ProjectFormat(width=640, height=360, frame_rate=Fraction(25))
    assert shot_status(project, shot).reasons == ("frame rate changed",)


def test_changing_back_makes_it_current_again():
    project, shot = project_with_take(BASE)
    shot.spec = BASE.model_copy(update={"prompt": "other"})
    shot.spec = BASE.model_copy(update={"prompt": "a fox"})
    assert shot_status(project, shot).kind == "current"


def test_missing_generating_failed():
    shot = Shot(spec=BASE)
    project = Project(format=FMT)
    project.timeline.shots.append(shot)
    assert shot_status(project, shot).kind == "missing"
    fingerprint = shot_fingerprint(shot, IN_FMT)
    assert shot_status(project, shot, GenerationState("generating", fingerprint)).kind == "generating"
    failed = shot_status(project, shot, GenerationState("failed", fingerprint, "server down"))
    assert (failed.kind, failed.reasons) == ("failed", ("server down",))
    # A failure recorded for an older spec no longer applies.
    assert shot_status(project, shot, GenerationState("failed", "old", "x")).kind == "missing"
    project2, shot2 = project_with_take(BASE)
    assert shot_status(project2, shot2, media_present=False).reasons == ("take file is missing",)


def test_time_is_exact():
    assert parse_frame_rate("29.97") == Fraction(30000, 1001)
    assert parse_frame_rate("30000/1001") == Fraction(30000, 1001)
    assert parse_frame_rate("25") == 25
    assert seconds_to_frames("2.5", Fraction(24)) == 60
    assert seconds_to_frames("0.5", Fraction(25)) == 13
    assert seconds_to_frames("10", Fraction(30000, 1001)) == 300
    assert seconds_to_frames("3.5", Fraction(24)) == 84
    for bad in ("0", "-1", "abc", "1/0"):
        with pytest.raises(ValueError):
            parse_frame_rate(bad)
