"""An import killed while it copies the cut's media leaves no `.media` folder under the project's
name: the media is copied into a temporary sibling, renamed into place once the project file is
complete, and the next import to that name removes what the killed one left (app/exchange/staged_media.py).
A real `foundry import` process is SIGKILLed once its first media file has been copied."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import opentimelineio as otio
import pytest
from PIL import Image

from foundry_desktop.app.exchange.cut_import import import_cut
from foundry_desktop.app.project_service import ProjectService

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")
RATE = 24


def stills(folder: Path, count: int) -> list[Path]:
    """`count` small pictures, each of its own colour (so each is copied: the media folder is by content)."""
    folder.mkdir(exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"still{n:04d}.png"
        Image.new("RGB", (64, 36), (n % 256, n // 256 % 256, 90)).save(path)
        paths.append(path)
    return paths


def otio_cut(path: Path, media: list[Path]) -> Path:
    """A timeline of one-second clips showing `media`, one after another."""
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for still in media:
        track.append(otio.schema.Clip(
            name=still.stem, media_reference=otio.schema.ExternalReference(target_url=still.as_uri()),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE),
                                                 otio.opentime.RationalTime(RATE, RATE))))
    timeline = otio.schema.Timeline(name=path.stem)
    timeline.tracks.append(track)
    otio.adapters.write_to_file(timeline, str(path))
    return path


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def test_an_import_killed_while_copying_leaves_no_media_folder_and_the_next_import_starts_clean(tmp_path):
    many = otio_cut(tmp_path / "long.otio", stills(tmp_path / "footage", 300))
    project = tmp_path / "film.foundry"
    command = [sys.executable, "-m", "foundry_desktop.cli.main", "import", str(many), "-o", str(project)]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    staging = tmp_path / f"film.media.importing-{child.pid}"
    while not files_under(staging) and child.poll() is None:  # the event: its first media file copied
        pass
    assert child.poll() is None, child.stderr.read().decode()  # still copying: 299 files to go
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stderr.close()
    assert files_under(staging) and not (tmp_path / "film.media").exists() and not project.exists()

    few = otio_cut(tmp_path / "short.otio", stills(tmp_path / "other", 2))
    report = import_cut(few, project)  # the next import to that name
    assert report.offline == 0 and not staging.exists()
    assert not [path for path in tmp_path.iterdir() if ".importing-" in path.name]
    with ProjectService.open(project, read_only=True) as service:  # the project file, opened afresh
        takes = [take for shot_takes in service.project.takes.values() for take in shot_takes]
        kept = {service.media.path_of(take.media_path) for take in takes}
        assert files_under(tmp_path / "film.media") == sorted(kept) and len(kept) == 2  # only this import's


def test_a_failed_import_leaves_nothing_and_a_media_folder_without_its_project_is_not_taken_over(tmp_path):
    project = tmp_path / "film.foundry"
    orphan = tmp_path / "film.media" / "takes" / "ab"
    orphan.mkdir(parents=True)
    (orphan / "abandoned.mov").write_bytes(b"left by an import killed before its project file was written")
    running = tmp_path / f"film.media.importing-{os.getppid()}"  # a process still running: an import under way
    running.mkdir()
    broken = tmp_path / "broken.otio"
    broken.write_text("{not json")
    with pytest.raises(Exception, match="broken.otio is not an OTIO file"):
        import_cut(broken, project)
    assert not project.exists() and not (tmp_path / "film.media").exists() and running.exists()
    import_cut(otio_cut(tmp_path / "one.otio", stills(tmp_path / "footage", 1)), project)
    assert [path.name for path in files_under(tmp_path / "film.media")][0] != "abandoned.mov"
    assert len(files_under(tmp_path / "film.media")) == 1 and running.exists()
