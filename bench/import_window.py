"""Importing a long cut into an open project from the window: how long the GUI thread is
blocked and how long until the grouped report shows.

Run the same way each time:  QT_QPA_PLATFORM=offscreen PYTHONPATH=$PWD .venv/bin/python bench/import_window.py
Target (issue 19): the GUI thread never blocks on the import: the reading, laying out and
media copying run in a worker thread; what the GUI thread does (adding the laid-out cut as
one edit, selecting its first shot, showing the report) should stay short even at 10,000 events.

The cut is an offline CMX 3600 EDL of 1-4 s clips, numbered from 001 again past 999 as
CMX systems do; its clips' files do not exist,
so every clip becomes a shot to generate and the report groups 10,000 "no media"
warnings. Each size runs in a fresh process: a window is
opened on a new project, File ▸ Import a cut into this project is run on the cut, and a
5 ms Qt timer measures the GUI thread's stalls (how much later than asked it fired) until
the report box is shown. Reported: seconds until the report shows, the longest stall, the
time the GUI thread spent making the written cut the open project (ProjectService.finish_adding,
with the views' refresh it sets off), and the report's line count.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = (1_000, 10_000)
RATE = 24

CHILD = """
import asyncio, json, os, sys, time
from pathlib import Path
import qasync
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.editing import import_into
from foundry_desktop.ui.window.main_window import MainWindow
from foundry_desktop.ui.theme import apply_theme

cut, folder = Path(sys.argv[1]), Path(sys.argv[2])
app = QApplication([])
apply_theme(app)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
window = MainWindow(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
window.resize(1600, 1000)
window.show()
project = folder / "film.foundry"
with ProjectService.create(project, width=1920, height=1080, frame_rate=24) as service:
    service.add_shot(name="Opening", prompt="a harbour at dawn", duration_frames=48)
loop.run_until_complete(window.open_project(project))
app.processEvents()

gui_seconds = 0.0
finish_adding = ProjectService.finish_adding
def timed_finish(service, added):  # what the GUI thread does once the worker has written the cut
    global gui_seconds
    started = time.perf_counter()
    try:
        return finish_adding(service, added)
    finally:
        gui_seconds += time.perf_counter() - started
ProjectService.finish_adding = timed_finish

stalls, last, result = [], None, {}
def tick():
    global last
    now = time.perf_counter()
    if last is not None:
        stalls.append(now - last - 0.005)
    last = now
    boxes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    if boxes and "report_s" not in result:
        result["report_s"] = now - started
        result["report_lines"] = len(boxes[0].text().splitlines())
        result["details_lines"] = len(boxes[0].detailedText().splitlines())
        timer.stop()
        loop.call_soon(loop.stop)
timer = QTimer()
timer.setInterval(5)
timer.timeout.connect(tick)
started = time.perf_counter()
timer.start()
import_into.add_cut(window, cut)
loop.run_forever()
with ProjectService.open(project, read_only=True) as service:
    result["shots"] = len(service.project.timeline.shots)
result.update(longest_stall_s=max(stalls), gui_add_s=gui_seconds)
print(json.dumps(result), flush=True)
window.close_project()
os._exit(0)  # the window's worker threads are not waited for: the figures are out
"""


def timecode(frame: int) -> str:
    seconds, frames = divmod(frame, RATE)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}:{seconds:02d}:{frames:02d}"


def offline_edl(folder: Path, events: int) -> Path:
    lines, record = ["TITLE: Long cut", "FCM: NON-DROP FRAME", ""], 3600 * RATE
    for n in range(events):
        frames = 24 + (n * 37) % 72
        source = 240
        lines.append(f"{n % 999 + 1:03d}  A{n % 400:03d}    V     C        {timecode(source)} "
                     f"{timecode(source + frames)} {timecode(record)} {timecode(record + frames)}")
        lines.append(f"* FROM CLIP NAME: A{n % 400:03d}_C{n:05d}.mov")
        record += frames
    path = folder / f"long{events}.edl"
    path.write_text("\n".join(lines) + "\n")
    return path


def measure(cut: Path, folder: Path) -> dict:
    folder.mkdir()
    done = subprocess.run([sys.executable, "-c", CHILD, str(cut), str(folder)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the window's import of {cut.name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    print(f"{'events':>7} {'report s':>9} {'longest stall s':>16} {'GUI edit s':>11} {'report lines':>13}")
    with tempfile.TemporaryDirectory(prefix="import-window-") as folder_name:
        folder = Path(folder_name)
        for events in args.sizes:
            cut = offline_edl(folder, events)
            result = measure(cut, folder / f"window-{events}")
            assert result["shots"] == events + 1, result
            print(f"{events:>7} {result['report_s']:>9.2f} {result['longest_stall_s']:>16.3f} "
                  f"{result['gui_add_s']:>11.3f} {result['report_lines']:>13}", flush=True)


if __name__ == "__main__":
    main()
