"""Opening a 10,000-shot project in the window: the longest the GUI thread stalls meanwhile.

Run the same way each time:
    QT_QPA_PLATFORM=offscreen PYTHONPATH=$PWD .venv/bin/python bench/open_stall.py [--shots 10000] [--repeat 3]
Target: the window stays responsive while a project opens (its file checked, migrated, read and
cleaned in a worker); what is left on the GUI thread is making the views show the project.

The project is made as a creator would make one: import_scale's offline cut of `--shots` events,
imported with `foundry import` (a process of its own). Each run is a fresh window process: a Qt
timer ticks every 5 ms on the GUI thread and records the largest gap between two ticks, from the
moment the project is chosen in File ▸ Open Recent until the window shows it and has run for
another second (the views' first paint and the work they start). Reported per run: the largest
gap, and the seconds until the window showed the project; then the median of each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from import_scale import run_import, write_cuts  # beside this script

CHILD = """
import asyncio, json, sys, time
from pathlib import Path
import qasync
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from foundry_desktop.ui.window.main_window import MainWindow
from foundry_desktop.ui.theme import apply_theme

project, settings_file = Path(sys.argv[1]), sys.argv[2]
app = QApplication([])
apply_theme(app)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
settings = QSettings(settings_file, QSettings.Format.IniFormat)
settings.setValue("recent", [str(project)])
window = MainWindow(settings)
window.resize(1600, 1000)
window.show()
app.processEvents()

gaps, last = [], [time.perf_counter()]
def tick():
    now = time.perf_counter()
    gaps.append(now - last[0])
    last[0] = now
timer = QTimer(interval=5)
timer.timeout.connect(tick)

async def run():
    timer.start()
    await asyncio.sleep(0.3)  # the loop ticking on its own, before anything is asked
    gaps.clear()
    last[0] = started = time.perf_counter()
    window.recent_menu.actions()[0].trigger()  # File > Open Recent > the project
    while window.session is None or window.session.path != project:
        await asyncio.sleep(0.01)
    shown = time.perf_counter() - started
    await asyncio.sleep(1.0)
    timer.stop()
    return shown

shown = loop.run_until_complete(run())
window.close_project()
print(json.dumps({"largest_gap_ms": max(gaps) * 1000, "shown_s": shown}))
loop.close()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="window processes; the medians are reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="open-stall-") as folder_name:
        folder = Path(folder_name)
        project = folder / "film.foundry"
        run_import(write_cuts(folder, args.shots)["EDL"], project)
        runs = []
        for n in range(args.repeat):
            child = subprocess.run([sys.executable, "-c", CHILD, str(project), str(folder / f"settings{n}.ini")],
                                   capture_output=True, text=True, check=False)
            if child.returncode:
                raise SystemExit(f"the window failed:\n{child.stderr}")
            runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
            print(f"run {n + 1}: largest GUI gap {runs[-1]['largest_gap_ms']:.0f} ms, "
                  f"shown after {runs[-1]['shown_s']:.2f} s", flush=True)
        print(f"{args.shots:,} shots: largest GUI gap (median of {args.repeat}) "
              f"{statistics.median(run['largest_gap_ms'] for run in runs):.0f} ms; shown after "
              f"{statistics.median(run['shown_s'] for run in runs):.2f} s")


if __name__ == "__main__":
    main()
