"""What importing a cut costs as it grows: `foundry import` of CMX EDLs and FCPXMLs of
1,000, 5,000 and 10,000 events, run as a creator runs it (a process of its own).

Run the same way each time:  PYTHONPATH=$PWD .venv/bin/python bench/import_scale.py
Targets (issue 19, part 5): 10,000 events in <= 5 s and <= 300 MB (peak resident
memory of the import process), and t(10,000) / t(1,000) about 10 or less (linear).

The cuts are written by Foundry's own writers from a cut made here: clips of 1-4 s
whose media is offline (the files do not exist, so every clip becomes a shot to
generate and no media is copied: the cost measured is the cut's, not the disk's),
a dissolve at every 10th cut, a gap every 50th, a scene every 25 clips, a marker
every 100, and a music bed of one clip per 20 events in a music EDL beside the EDL
(film.music.edl). Each number is the median of `--repeat` imports; the time
includes starting Python, as a creator waits for it (`--startup` reports that alone).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from foundry_desktop.interchange.edl.writer import needs_long_numbers, write_edl, write_music_edl
from foundry_desktop.interchange.fcpxml.writer import write_fcpxml
from foundry_desktop.interchange.film_cut import CutClip, CutMarker, CutMusic, CutTransition, FilmCut

SIZES = (1_000, 5_000, 10_000)
RATE = Fraction(24)


def long_cut(events: int, folder: Path) -> FilmCut:
    """A cut of `events` clips, offline, with dissolves, gaps, scenes, markers and music."""
    clips, transitions, record = [], [], 0
    for n in range(events):
        record += 12 if n and n % 50 == 0 else 0  # half a second of empty time
        frames = 24 + (n * 37) % 72
        clips.append(CutClip(f"Shot {n + 1}", folder / "offline" / f"A{n % 400:03d}_C{n:05d}.mov", 10_000,
                             240, 240 + frames, record, record + frames, scene=f"Scene {n // 25 + 1}"))
        record += frames
    for n in range(9, events - 1, 10):
        if clips[n + 1].record_in == clips[n].record_out:  # a transition joins clips that touch
            transitions.append(CutTransition(n, "dissolve", clips[n].record_out - 6, 12))
    music = tuple(CutMusic(f"Bed {n + 1}", folder / "offline" / f"bed{n % 7}.wav", 100_000, 0, 400,
                           clips[n * 20].record_in) for n in range(events // 20))
    markers = tuple(CutMarker(clips[n].record_in, f"Note {n}") for n in range(0, events, 100))
    return FilmCut(f"{events} events", RATE, 1920, 1080, tuple(clips), tuple(transitions),
                   music=music, markers=markers)


def write_cuts(folder: Path, events: int) -> dict[str, Path]:
    """The cut as the product writes it: an EDL (long event numbers and File129 reels past 999 events,
    as Avid and Resolve write long edits) with its music EDLs beside it, and an FCPXML."""
    cut = long_cut(events, folder)
    edl = folder / f"film{events}.edl"
    names = "long" if needs_long_numbers(cut) else "cmx"
    write_edl(cut, edl, names=names)
    write_music_edl(cut, edl.with_suffix(".music.edl"), names=names)
    return {"EDL": edl, "FCPXML": write_fcpxml(cut, folder / f"film{events}.fcpxml")}


def run_import(cut: Path, project: Path) -> tuple[float, float]:
    """Seconds and peak resident MB of `foundry import` of `cut` into a new `project`."""
    command = [sys.executable, "-c", "from foundry_desktop.cli.main import main; main()",
               "import", str(cut), "-o", str(project), "--rate", "24", "--json"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode:
        raise SystemExit(f"foundry import {cut.name} failed:\n{errors}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in kB on Linux


def startup_seconds(folder: Path) -> float:
    """`foundry import` of a one-event cut: what every import costs before its events."""
    return statistics.median(run_import(write_cuts(folder, 1)["EDL"], folder / f"one-{n}.foundry")[0]
                             for n in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="imports per size and format; the median is reported")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-scale-") as folder_name:
        folder = Path(folder_name)
        results: dict[tuple[str, int], tuple[float, float]] = {}
        print(f"{'format':>7} {'events':>7} {'seconds':>9} {'peak MB':>9}  {'file MB':>8}")
        for events in args.sizes:
            for kind, cut in write_cuts(folder, events).items():
                runs = [run_import(cut, folder / f"{kind}-{events}-{n}.foundry") for n in range(args.repeat)]
                seconds = statistics.median(run[0] for run in runs)
                peak = max(run[1] for run in runs)
                results[kind, events] = (seconds, peak)
                print(f"{kind:>7} {events:>7} {seconds:>9.2f} {peak:>9.0f}  {cut.stat().st_size / 2**20:>8.1f}",
                      flush=True)
        print(f"\nimporting a one-event EDL (starting Python and Foundry, making the file): "
              f"{startup_seconds(folder):.2f} s")
        smallest, largest = min(args.sizes), max(args.sizes)
        for kind in ("EDL", "FCPXML"):
            ratio = results[kind, largest][0] / results[kind, smallest][0]
            print(f"{kind}: t({largest:,}) / t({smallest:,}) = {ratio:.1f} (target about {largest / smallest:.0f} "
                  f"or less); {largest:,} events: {results[kind, largest][0]:.2f} s, "
                  f"{results[kind, largest][1]:.0f} MB (targets 5 s, 300 MB)")


if __name__ == "__main__":
    main()
