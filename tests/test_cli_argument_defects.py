"""Defects of issue 20 at the command line's edge, each on real files: random default seeds, refusals that
leave no copy in the media folder, truncated videos refused when they are added, a reader that goes away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_cli import run, run_json
from video_sources import write_video, write_wav

from foundry_desktop.app.project_service import ProjectService


@pytest.fixture
def film(tmp_path, capsys) -> Path:
    project = tmp_path / "film.foundry"
    assert run(capsys, "new", project, "--size", "64x36")[0] == 0
    assert run(capsys, "shot", "add", project, "--prompt", "a", "--duration", "2")[0] == 0
    return project


def media_files(project: Path) -> list[Path]:
    folder = project.with_suffix(".media")
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_shots_added_without_a_seed_get_new_random_ones(film, capsys):
    for _ in range(4):
        assert run(capsys, "shot", "add", film, "--prompt", "more")[0] == 0
    assert run(capsys, "shot", "add", film, "--prompt", "mine", "--seed", "0")[0] == 0
    seeds = [row["seed"] for row in run_json(capsys, "info", film)["shots"]]
    # The first five were made without --seed: five draws below 2**31 that are all equal (or all 0) would be a bug.
    assert len(set(seeds[:5])) > 1 and any(seeds[:5]) and seeds[5] == 0


def test_refused_music_and_media_leave_no_copy(film, tmp_path, capsys):
    bed = write_wav(tmp_path / "bed.wav", 1.0, 0.3)
    clip = write_video(tmp_path / "clip.mp4", width=64, height=36, frames=24)
    before = (film.read_bytes(), media_files(film))
    for argv, words in (
        (["music", "add", film, bed, "--at", "100"], "music must start within it"),  # after the film's end
        (["music", "add", film, bed, "--fade-in", "3"], "fades are longer"),
        (["shot", "add", film, "--media", clip, "--in", "5"], "within it"),
        (["shot", "add", film, "--media", clip, "--at", "9"], "no shot 9"),
        (["shot", "add", film, "--media", clip, "--duration", "2"], "lasts as long as it is"),
        (["shot", "add", film, "--media", tmp_path], "is a folder"),
    ):
        code, _, err = run(capsys, *argv)
        assert code != 0 and words in err and len(err.strip().splitlines()) == 1, (argv, err)
        assert (film.read_bytes(), media_files(film)) == before, argv


def test_times_beyond_the_film_are_refused(film, capsys):
    """The film is 2 s long."""
    for argv, words in (
        (["fade", film, "--in", "100"], "longer than the film"),
        (["caption", "add", film, "--start", "0", "--end", "30", "--text", "x"], "must end within it"),
        (["transition", "set", film, "1", "dissolve"], "last shot"),
    ):
        code, _, err = run(capsys, *argv)
        assert code == 1 and words in err, (argv, err)


def test_a_truncated_video_is_refused_when_added(film, tmp_path, capsys):
    noise = np.random.default_rng(7)
    whole = write_video(tmp_path / "whole.mp4", width=160, height=90, frames=96, container_format="mp4",
                        picture=lambda i: noise.integers(0, 255, (90, 160, 3), dtype=np.uint8))
    # The header first (as a download made for streaming has it), then cut off a third of the way.
    streaming = tmp_path / "streaming.mp4"
    import av

    with av.open(str(whole)) as source, av.open(str(streaming), "w", options={"movflags": "faststart"}) as copy:
        streams = {s.index: copy.add_stream_from_template(s) for s in source.streams}
        for packet in source.demux():
            if packet.dts is not None:
                packet.stream = streams[packet.stream.index]
                copy.mux(packet)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(streaming.read_bytes()[: streaming.stat().st_size // 3])
    code, _, err = run(capsys, "shot", "add", film, "--media", cut)
    assert code == 1 and "ends early" in err and len(err.strip().splitlines()) == 1, err
    assert media_files(film) == []
    assert run(capsys, "shot", "add", film, "--media", streaming)[0] == 0  # the whole file is taken


def test_a_reader_that_goes_away_ends_the_command_quietly(film):
    """`foundry info P | head`: the pipe's reader is gone before the command writes (closed here first)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run([sys.executable, "-m", "foundry_desktop.cli.main", "info", str(film)], stdout=writer,
                                stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(writer)
    assert result.returncode == 141 and result.stderr == ""


def test_an_estimate_of_a_million_variants_is_refused_by_its_range(film, capsys):
    code, out, err = run(capsys, "generate", film, "--variants", "1000000", "--estimate")
    assert code == 2 and "from 0 to 100" in err and out == ""
    with ProjectService.open(film, read_only=True) as service:
        assert len(service.project.timeline.shots) == 1
    assert json.loads(run(capsys, "info", film, "--json")[1])["shots"][0]["duration_frames"] == 48
