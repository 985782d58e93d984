"""Peak memory of a full render: a 1-minute and a 10-minute 1080p 24 fps film.

Run the same way each time:  .venv/bin/python bench/render_memory.py [--quick]
(--quick: the 1-minute film only.)
Target (issue): peak <= 500 MB for the 10-minute film, and about the same as for 1 minute.

Linux only: memory is read from /proc. The timeline is three PyAV-made 10 s
1920x1080@24 takes (one with AAC sound) repeated into 6 s shots, each from a
different frame of its take (so every segment is encoded, none reused); a half-second dissolve after every third shot; a 10 s WAV music
bed looped under the whole film at -6 dB. The render (render_film with its
defaults, loudness normalisation on) runs in a child process started from an
empty segment cache; a thread here reads /proc/<pid>/status of that process
and of all its descendants (the composer's spawned encoding workers, the
multiprocessing resource tracker) every 50 ms. Reported: the peak of their
summed VmRSS (and, beside it, of their summed Pss, which counts shared pages
once) with the breakdown at that moment, and each process's own peak
(VmHWM, kept by the kernel, as last read before the process ended).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

WIDTH, HEIGHT, FPS = 1920, 1080, 24
TAKE_SECONDS = 10
SHOT_SECONDS = 6
# Shot n starts (24 + n // 3 % 48) frames into its take, so no two shots show the same
# frames: otherwise the segment cache would encode a repeated shot once, and a long
# film would cost no more than a short one for the wrong reason.
FIRST_IN_FRAME, IN_STEPS = 24, 48
DISSOLVE_EVERY, DISSOLVE_FRAMES = 3, 12
SAMPLE_EVERY_S = 0.05
MB = 1e6


# -- the render, in the child process ----------------------------------------


def render_child(project: Path, output: Path) -> None:
    from foundry_desktop.app.render.film_render import render_film
    from foundry_desktop.app.project_service import ProjectService

    with ProjectService.open(project) as service:
        started = time.perf_counter()
        report = render_film(service, output).report
        elapsed = time.perf_counter() - started
    media = report.media
    print(json.dumps({"wall_s": elapsed, "frames": media.frame_count, "duration_s": media.duration_s,
                      "encoder": report.encoder, "segments": report.segments_encoded}))


# -- sampling /proc -------------------------------------------------------------


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid` in bytes ({} once it has gone)."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    except (OSError, ValueError):
        return {}
    return values


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids = [int(part) for part in children.read_text().split()]
        except (OSError, ValueError):
            continue
        for kid in kids:
            found += [kid, *_descendants(kid)]
    return found


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "render process"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"
    if "resource_tracker" in command:
        return "resource tracker"
    if "--multiprocessing-fork" in command or "spawn_main" in command:
        return "worker"
    return command.split(" ")[0].rsplit("/", 1)[-1] or "?"


_SETTLED_ROLES = ("render process", "resource tracker", "worker")


@dataclass
class Sampler:
    root: int
    peak_rss: int = 0
    peak_at_s: float = 0.0
    peak_breakdown: dict[int, int] = field(default_factory=dict)
    peak_pss: int = 0
    hwm: dict[int, int] = field(default_factory=dict)
    own_peak_rss: dict[int, int] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)
    samples: int = 0

    def sample(self, elapsed: float) -> None:
        rss = {}
        pss = 0
        for pid in [self.root, *_descendants(self.root)]:
            status = _status(pid)
            if not status:
                continue
            if self.roles.get(pid) not in _SETTLED_ROLES:  # read before its exec: look again
                self.roles[pid] = _role(pid, self.root)
            rss[pid] = status.get("VmRSS", 0)
            self.hwm[pid] = max(self.hwm.get(pid, 0), status.get("VmHWM", 0))
            self.own_peak_rss[pid] = max(self.own_peak_rss.get(pid, 0), rss[pid])
            pss += _pss(pid)
        self.samples += 1
        total = sum(rss.values())
        if total > self.peak_rss:
            self.peak_rss, self.peak_at_s, self.peak_breakdown = total, elapsed, rss
        self.peak_pss = max(self.peak_pss, pss)

    def label(self, pid: int) -> str:
        same = sorted(other for other, role in self.roles.items() if role == self.roles[pid])
        return self.roles[pid] + (f" {same.index(pid) + 1}" if len(same) > 1 else "")


def measure_render(project: Path, output: Path) -> tuple[dict, Sampler, float]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--render-child", str(project), str(output)],
        stdout=subprocess.PIPE, text=True,
    )
    sampler = Sampler(child.pid)
    started = time.perf_counter()
    done = threading.Event()

    def run() -> None:
        while not done.is_set():
            sampler.sample(time.perf_counter() - started)
            done.wait(SAMPLE_EVERY_S)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    out, _ = child.communicate()
    done.set()
    thread.join()
    elapsed = time.perf_counter() - started
    if child.returncode:
        sys.exit(f"the render failed (exit {child.returncode})")
    return json.loads(out.strip().splitlines()[-1]), sampler, elapsed


# -- the timeline ---------------------------------------------------------------


def build_project(path: Path, takes: list[Path], music: Path, seconds: int) -> int:
    from foundry_desktop.app.shots.media_shots import add_media_shot
    from foundry_desktop.app.shots.music_clips import add_music
    from foundry_desktop.app.project_service import ProjectService

    shots = seconds // SHOT_SECONDS
    with ProjectService.create(path, width=WIDTH, height=HEIGHT, frame_rate=str(FPS)) as service:
        for number in range(shots):
            first = FIRST_IN_FRAME + number // len(takes) % IN_STEPS
            add_media_shot(service, takes[number % len(takes)], source_in=Fraction(first, FPS),
                           source_out=Fraction(first + SHOT_SECONDS * FPS, FPS))
        for number in range(DISSOLVE_EVERY - 1, shots - 1, DISSOLVE_EVERY):
            service.set_transition(number, "dissolve", DISSOLVE_FRAMES)
        add_music(service, music, gain_db=-6, fade_out_seconds="2", loop=True)
        plan = service.cut_plan()
        if plan.warnings:
            sys.exit("unexpected cut warnings: " + "; ".join(plan.warnings))
        return plan.length


def report(name: str, frames: int, result: dict, sampler: Sampler, elapsed: float) -> None:
    film_s = frames / FPS
    print(f"{name}: {frames} frames = {film_s:.0f} s; rendered {result['frames']} frames, "
          f"{result['duration_s']:.2f} s, {result['encoder']}, {result['segments']} segments; "
          f"render {result['wall_s']:.1f} s ({film_s / result['wall_s']:.2f}x realtime), process {elapsed:.1f} s")
    at_peak = ", ".join(f"{sampler.label(pid)} {rss / MB:.0f}" for pid, rss in sorted(sampler.peak_breakdown.items()))
    print(f"  peak summed RSS {sampler.peak_rss / MB:6.0f} MB at {sampler.peak_at_s:.1f} s  ({at_peak})")
    print(f"  peak summed PSS {sampler.peak_pss / MB:6.0f} MB  (shared pages counted once)")
    for pid in sorted(sampler.hwm):
        print(f"    {sampler.label(pid):18} own peak (VmHWM) {sampler.hwm[pid] / MB:6.0f} MB, "
              f"highest RSS sampled {sampler.own_peak_rss[pid] / MB:6.0f} MB")
    print(f"  ({sampler.samples} samples)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 1-minute film")
    parser.add_argument("--render-child", nargs=2, metavar=("PROJECT", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render_child:
        render_child(Path(args.render_child[0]), Path(args.render_child[1]))
        return
    if not Path("/proc/self/status").is_file():
        sys.exit("This bench reads /proc: it runs on Linux only.")

    sys.path.insert(0, str(Path(__file__).parent))
    from compose_vs_ffmpeg import make_clip, make_music  # the same source makers

    lengths = [("1-minute film", 60)] + ([] if args.quick else [("10-minute film", 600)])
    print(f"cores: {os.cpu_count()}, {WIDTH}x{HEIGHT}@{FPS}, /proc sampled every {SAMPLE_EVERY_S * 1000:.0f} ms")
    peaks = []
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        takes = [make_clip(folder / f"take{n}.mp4", WIDTH, HEIGHT, FPS, TAKE_SECONDS, seed=10 + n,
                           audio_rate=48000 if n == 0 else None) for n in range(3)]
        music = make_music(folder / "bed.wav", 10)
        for name, seconds in lengths:
            project = folder / f"film-{seconds}s" / "film.foundry"
            project.parent.mkdir()
            frames = build_project(project, takes, music, seconds)
            result, sampler, elapsed = measure_render(project, project.parent / "film.mp4")
            report(name, frames, result, sampler, elapsed)
            if result["frames"] != frames:
                print(f"  MISMATCH: the cut has {frames} frames, the film {result['frames']}")
            peaks.append(sampler.peak_rss)
    if len(peaks) == 2:
        print(f"10 min / 1 min peak: {peaks[1] / peaks[0]:.2f}   "
              f"(target: <= 500 MB at 10 min, about the same as at 1 min)")
    else:
        print("target: <= 500 MB at 10 min, about the same as at 1 min (run without --quick for the 10-minute film)")


if __name__ == "__main__":
    main()
