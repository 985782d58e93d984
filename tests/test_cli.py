"""The `foundry` command line, end to end, on real files."""

import json
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from cmx3600_check import problems as cmx3600_problems
from fcpxml_independent_reader import independent_read
from PIL import Image

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.setup.demo_film import DEMO_MUSIC, DEMO_SCENES, DEMO_SHOTS
from foundry_desktop.cli.main import main
from foundry_desktop.media.probe import decode_all_frames, probe_media


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out)]) == 0
    return out


@pytest.fixture
def demo(demo_dir, tmp_path) -> Path:
    """A private copy of the demo project for tests that edit it."""
    shutil.copy2(demo_dir / "demo.foundry", tmp_path / "demo.foundry")
    shutil.copytree(demo_dir / "demo.media", tmp_path / "demo.media")
    return tmp_path / "demo.foundry"


def test_demo_film_matches_the_project(demo_dir):
    info = probe_media(demo_dir / "demo.mp4")
    # The shots end to end, less the one-second dissolve from the valley into the coast (the
    # built-in takes have no handles, so the two shots overlap for it).
    expected_frames = sum(int(seconds * 24) for _, _, seconds, _, _ in DEMO_SHOTS) - 24
    assert (info.width, info.height, info.frame_rate) == (1280, 720, 24)
    assert abs(info.frame_count - expected_frames) <= 1
    assert abs(decode_all_frames(demo_dir / "demo.mp4") - expected_frames) <= 1
    assert info.video_codec == "h264" and info.has_audio
    assert len(DEMO_SHOTS) >= 4
    assert not list(demo_dir.glob("*.lock")), "the demo leaves no lock file behind"
    with ProjectService.open(demo_dir / "demo.foundry", read_only=True) as opened:
        assert opened.undo_label() is None  # its building steps are no creator's edits to undo


def test_the_demo_hands_its_cut_to_editors(demo_dir):
    """demo.fcpxml, demo.edl and demo.otio beside the film, each the film's length and shots."""
    fcpxml = independent_read((demo_dir / "demo.fcpxml").read_text())
    assert len(fcpxml["clips"]) == len(DEMO_SHOTS) and fcpxml["clips"][-1][5] == probe_media(demo_dir / "demo.mp4").frame_count
    assert cmx3600_problems((demo_dir / "demo.edl").read_text(), Fraction(24)) == []
    timeline = otio.adapters.read_from_file(str(demo_dir / "demo.otio"))
    assert [clip.name for clip in timeline.video_tracks()[0].find_clips()] == [name for name, *_ in DEMO_SHOTS]


def test_the_demo_is_a_storyboard_animated_with_scenes_its_exports_keep_and_a_composed_bed(demo_dir, tmp_path,
                                                                                            capsys):
    scene_names = [name for name, *_ in DEMO_SCENES]
    with ProjectService.open(demo_dir / "demo.foundry", read_only=True) as service:
        project = service.project
        timeline = project.timeline
        assert [scene.name for scene in timeline.scenes] == scene_names and all(s.scene_id for s in timeline.shots)
        for shot, (_, _, _, image, _) in zip(timeline.shots, DEMO_SHOTS, strict=True):
            if image is None:  # a title card is made from its words: no keyframe
                assert shot.keyframe_take_id is None
                continue
            [keyframe] = service.keyframes_of(shot.id)  # the demo's picture, approved as the shot's keyframe
            assert shot.keyframe_take_id == keyframe.id
            assert project.selected_take(shot).spec["input_image"] == keyframe.media_path  # animated from it
        [music] = timeline.music
        assert (music.spec.prompt, music.spec.backend, music.spec.seed) == (DEMO_MUSIC[0], "builtin", DEMO_MUSIC[1])
        assert [take.kind for take in service.project.takes_of(music.id)] == ["sound"]
    for kind in ("fcpxml", "edl", "otio"):  # each export, read back by `foundry import`, has the scenes
        project = tmp_path / f"from-{kind}.foundry"
        assert main(["import", str(demo_dir / f"demo.{kind}"), "-o", str(project), "--rate", "24"]) == 0
        with ProjectService.open(project, read_only=True) as service:
            assert [scene.name for scene in service.project.timeline.scenes] == scene_names, kind
    capsys.readouterr()


def test_generate_right_after_the_demo_generates_nothing(demo, capsys):
    assert run_json(capsys, "generate", demo) == {"generated": 0, "reused": 0, "failed": 0, "cancelled": 0}


def test_prompt_change_regenerates_one_shot_and_undo_brings_the_old_take_back(demo, capsys):
    before = run_json(capsys, "info", demo)
    assert [shot["status"] for shot in before["shots"]] == ["current"] * len(DEMO_SHOTS)

    code, out, err = run(capsys, "shot", "set", demo, "2", "--prompt", "Night over the valley")
    assert code == 0, err
    changed = run_json(capsys, "info", demo)
    stale = [shot for shot in changed["shots"] if shot["status"] != "current"]
    assert [(s["index"], s["status"], s["reasons"]) for s in stale] == [(2, "stale", ["prompt changed"])]

    assert run_json(capsys, "generate", demo) == {"generated": 1, "reused": 0, "failed": 0, "cancelled": 0}
    regenerated = run_json(capsys, "info", demo)
    assert regenerated["shots"][1]["status"] == "current"
    assert regenerated["shots"][1]["takes"] == 2
    assert regenerated["shots"][1]["selected_take"] != before["shots"][1]["selected_take"]

    assert run_json(capsys, "undo", demo) == {"undo": "Change shot 2: prompt"}
    undone = run_json(capsys, "info", demo)
    assert [shot["status"] for shot in undone["shots"]] == ["current"] * len(DEMO_SHOTS)
    assert undone["shots"][1]["selected_take"] == before["shots"][1]["selected_take"]
    assert run_json(capsys, "generate", demo) == {"generated": 0, "reused": 0, "failed": 0, "cancelled": 0}

    # Redo shows the new take again, still without generating.
    run_json(capsys, "redo", demo)
    assert run_json(capsys, "info", demo)["shots"][1]["selected_take"] == regenerated["shots"][1]["selected_take"]


def test_a_new_project_from_scratch(tmp_path, capsys):
    project = tmp_path / "film.foundry"
    image = tmp_path / "still.png"
    Image.new("RGB", (200, 100), (30, 90, 160)).save(image)
    assert run(capsys, "new", project, "--size", "320x180", "--fps", "30000/1001")[0] == 0
    assert run_json(capsys, "shot", "add", project, "--prompt", "Hello", "--duration", "1")["index"] == 1
    assert run_json(capsys, "shot", "add", project, "--prompt", "Pan", "--image", image, "--duration", "1.5", "--at", "1")["index"] == 1
    assert run(capsys, "shot", "add", project, "--prompt", "Bye", "--duration", "0.5", "--seed", "4")[0] == 0
    assert run(capsys, "shot", "move", project, "3", "1")[0] == 0
    assert run(capsys, "shot", "remove", project, "2")[0] == 0
    info = run_json(capsys, "info", project)
    assert info["frame_rate"] == "30000/1001"
    assert [s["prompt"] for s in info["shots"]] == ["Bye", "Hello"]
    assert [s["duration_frames"] for s in info["shots"]] == [15, 30]
    assert run_json(capsys, "undo", project) == {"undo": "Remove shot 2"}
    assert [s["prompt"] for s in run_json(capsys, "info", project)["shots"]] == ["Bye", "Pan", "Hello"]
    assert run_json(capsys, "generate", project) == {"generated": 3, "reused": 0, "failed": 0, "cancelled": 0}
    film = tmp_path / "film.mp4"
    rendered = run_json(capsys, "render", project, "-o", film)
    assert rendered["frames"] == 15 + 45 + 30
    assert (rendered["width"], rendered["height"], rendered["frame_rate"]) == (320, 180, "30000/1001")
    code, out, _ = run(capsys, "info", project)
    assert "stale" not in out and out.count("current") == 3


def test_render_before_generating_says_what_to_do(tmp_path, capsys):
    project = tmp_path / "film.foundry"
    run(capsys, "new", project, "--size", "320x180")
    run(capsys, "shot", "add", project, "--prompt", "Hello", "--duration", "1")
    code, out, err = run(capsys, "render", project, "-o", tmp_path / "film.mp4")
    assert code == 1 and "generate it first" in err
    assert not (tmp_path / "film.mp4").exists()


def foundry_subprocess(*argv) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "foundry_desktop.cli.main", *map(str, argv)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def user_error_cases(tmp_path: Path, demo: Path) -> list[tuple[list, str]]:
    corrupt = tmp_path / "corrupt.foundry"
    data = bytearray(demo.read_bytes())
    data[4096:] = bytes((b * 7 + 3) % 256 for b in data[4096:])
    corrupt.write_bytes(bytes(data))
    random_file = tmp_path / "random.foundry"
    random_file.write_bytes(os.urandom(10000))
    newer = tmp_path / "newer.foundry"
    shutil.copy2(demo, newer)
    import sqlite3

    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    text = tmp_path / "notes.png"
    text.write_text("just text")
    return [
        (["info", corrupt], "damaged"),
        (["shot", "add", random_file, "--prompt", "x"], "not a Foundry project"),
        (["generate", newer], "newer Foundry Desktop"),
        (["shot", "add", demo, "--prompt", "x", "--image", tmp_path / "nope.png"], "does not exist"),
        (["shot", "set", demo, "1", "--image", text], "not an image"),
        (["shot", "add", demo, "--prompt", "x", "--duration", "-2"], "must be more than 0"),
        (["shot", "set", demo, "9", "--prompt", "x"], "no shot 9"),
        (["shot", "move", demo, "0", "1"], "numbered from 1"),
        (["info", tmp_path / "absent.foundry"], "no project"),
        (["new", demo], "already exists"),
        (["new", tmp_path / "odd.foundry", "--size", "big"], "not a size"),
        (["new", tmp_path / "odd.foundry", "--fps", "0"], "out of range"),
    ]


def test_user_errors_are_one_clear_line_and_change_nothing(demo, tmp_path):
    for argv, message in user_error_cases(tmp_path, demo):
        files_before = {p: p.read_bytes() for p in tmp_path.glob("*.foundry")}
        result = foundry_subprocess(*argv)
        assert result.returncode != 0, argv
        assert "Traceback" not in result.stderr, (argv, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (argv, result.stderr)
        assert lines[0].startswith("foundry: error: ")
        for path, content in files_before.items():
            assert path.read_bytes() == content, (argv, path)
        assert not (tmp_path / "odd.foundry").exists()


def test_every_command_has_help():
    for argv in (["--help"], ["demo", "--help"], ["new", "--help"], ["info", "--help"], ["shot", "add", "--help"],
                 ["shot", "set", "--help"], ["shot", "move", "--help"], ["shot", "remove", "--help"],
                 ["transition", "set", "--help"], ["fade", "--help"], ["music", "add", "--help"],
                 ["undo", "--help"], ["redo", "--help"], ["generate", "--help"], ["render", "--help"]):
        result = foundry_subprocess(*argv)
        assert result.returncode == 0 and "usage: foundry" in result.stdout, argv


def test_a_cut_built_from_the_command_line(tmp_path, capsys):
    from video_sources import write_video

    project = tmp_path / "cut.foundry"
    clip = write_video(tmp_path / "clip.mp4", width=320, height=180, frames=48)
    still = tmp_path / "still.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(still)
    assert run(capsys, "new", project, "--size", "320x180")[0] == 0
    assert run(capsys, "shot", "add", project, "--media", clip, "--in", "0.5", "--out", "1.5")[0] == 0
    assert run(capsys, "shot", "add", project, "--media", still, "--duration", "2")[0] == 0
    code, out, err = run(capsys, "transition", "set", project, "1", "dissolve", "--duration", "0.5")
    assert code == 0 and "Shot 2 lacks 6 frames" in err
    assert run(capsys, "fade", project, "--in", "0.25", "--out", "0.5")[0] == 0
    assert run(capsys, "shot", "set", project, "2", "--fit", "fill", "--mute")[0] == 0

    shots = run_json(capsys, "info", project)["shots"]
    assert [(s["backend"], s["status"]) for s in shots] == [("media", "current"), ("media", "current")]
    assert run_json(capsys, "generate", project) == {"generated": 0, "reused": 0, "failed": 0, "cancelled": 0}
    film = tmp_path / "cut.mp4"
    result = run_json(capsys, "render", project, "-o", film)
    # 24 frames of clip (it has 12 after its out point), 48 of still less the 6 it lacked.
    assert result["frames"] == 24 + 48 - 6 == decode_all_frames(film)
    assert result["encoder"] == "libx264" and result["segments_reused"] == 0 and result["warnings"]
    assert run_json(capsys, "render", project, "-o", film)["segments_encoded"] == 0

    code, _, err = run(capsys, "transition", "set", project, "2", "dissolve")
    assert code == 1 and "last shot" in err
    code, _, err = run(capsys, "shot", "add", project, "--media", clip, "--prompt", "x")
    assert code == 1 and "--prompt does not apply" in err


def test_lifting_a_shot_leaves_a_gap_and_close_gap_closes_it(tmp_path, capsys):
    project = tmp_path / "film.foundry"
    assert run(capsys, "new", project, "--fps", "24")[0] == 0
    for prompt in ("one", "two", "three"):
        assert run(capsys, "shot", "add", project, "--prompt", prompt, "--duration", "1")[0] == 0
    assert run(capsys, "shot", "remove", project, "2", "--lift")[0] == 0
    info = run_json(capsys, "info", project)
    assert [s["gap_before_frames"] for s in info["shots"]] == [0, 24] and info["length_frames"] == 72
    code, _, err = run(capsys, "shot", "close-gap", project, "1")
    assert code != 0 and "no empty time before shot 1" in err
    assert run(capsys, "shot", "close-gap", project, "2")[0] == 0
    assert run_json(capsys, "info", project)["length_frames"] == 48
