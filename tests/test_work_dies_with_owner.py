"""Work dies with its owner: `foundry generate` and `foundry render` killed with SIGKILL leave no
worker behind (their whole process group is gone), and the next open removes what they were writing.

Each command runs in a session of its own, so its process group holds it and every process it
started; only the command itself is killed, and the test waits for the group to empty.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from foundry_desktop.app.project_service import ProjectService

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL and process groups")

# Only so that a broken fix fails instead of hanging the run; the real waits end on events.
DEADLINE_S = 180
POLL_S = 0.05


def foundry(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "foundry_desktop.cli.main", *args], capture_output=True,
                          text=True, check=True)


def start_in_own_group(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "foundry_desktop.cli.main", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def wait_until(condition, what: str, child: subprocess.Popen | None = None):
    """Poll `condition` until it answers something true; fail after DEADLINE_S or when `child` ends first."""
    deadline = time.monotonic() + DEADLINE_S
    while not (answer := condition()):
        if child is not None and child.poll() is not None:
            raise AssertionError(f"the command ended before {what}: {child.stderr.read().decode()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(POLL_S)
    return answer


def live_members(group: int) -> list[int]:
    """The processes of process group `group` that are still running (zombies, already dead and
    waiting for whoever adopted them to collect them, do not count)."""
    if not Path("/proc/self/stat").exists():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return []
        return [group]
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) "
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def growing_partial(folder: Path):
    """A hidden .partial file under `folder` that has something in it, or None."""
    for path in folder.rglob(".*.partial"):
        try:
            if path.stat().st_size > 0:
                return path
        except OSError:
            continue
    return None


def kill_and_wait_for_group(child: subprocess.Popen) -> None:
    group = os.getpgid(child.pid)
    assert len(live_members(group)) > 1, "the command should have started a worker"
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stderr.close()
    wait_until(lambda: not live_members(group), f"every process of group {group} to end")


def still_mp4(path: Path, seconds: int) -> None:
    """A tiny, long, cheap video (2 pictures a second), that a 24 fps render of a larger size must encode."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=2)
        stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
        for index in range(seconds * 2):
            picture = np.full((36, 64, 3), (index * 7) % 255, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, 2)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def test_a_killed_generate_leaves_no_worker_and_its_partial_take_goes_on_next_open(tmp_path):
    project = tmp_path / "long.foundry"
    foundry("new", str(project), "--size", "640x360", "--fps", "24")
    foundry("shot", "add", str(project), "--prompt", "A very long title", "--duration", "600")
    child = start_in_own_group("generate", str(project))
    media = tmp_path / "long.media"
    partial = wait_until(lambda: growing_partial(media), "the worker to write its take", child)

    kill_and_wait_for_group(child)
    # Nobody writes it any more: the next open for writing removes it.
    with ProjectService.open(project):
        pass
    assert not partial.exists()
    assert list(media.rglob("*.partial")) == []


def test_a_killed_render_leaves_no_encoder_and_its_partial_segments_go_on_next_open(tmp_path):
    clip = tmp_path / "long-clip.mp4"
    still_mp4(clip, 600)
    project = tmp_path / "film.foundry"
    foundry("new", str(project), "--size", "640x360", "--fps", "24")
    foundry("shot", "add", str(project), "--media", str(clip))
    child = start_in_own_group("render", str(project), "-o", str(tmp_path / "film.mp4"))
    segments = tmp_path / "film.media" / "renders"
    wait_until(lambda: growing_partial(segments), "an encoder worker to write a segment", child)

    kill_and_wait_for_group(child)
    with ProjectService.open(project):
        pass
    assert list((tmp_path / "film.media").rglob("*.partial")) == []
    assert not (tmp_path / "film.mp4").exists()
