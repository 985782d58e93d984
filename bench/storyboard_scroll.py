"""The storyboard of a 40-shot, 8-scene film: how long it takes to open, and how long the GUI
thread ever stalls while the creator scrolls it down and up again (issue 18's target: never more
than 50 ms), with every keyframe a 1280×720 photograph-like PNG read for the first time as its
card comes into sight (read in worker threads, so their reading must not show as stalls). The
storyboard is floated out of the window at 1600×1000, the most cards a paint has to draw.

A stall is the lateness of a 5 ms Qt timer: how much later than asked it fired. The scroll moves
the grid a wheel notch (120 px) every 16 ms, as a quick wheel or trackpad does.

Run the same way each time:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/storyboard_scroll.py
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import numpy as np  # noqa: E402
import qasync  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtCore import QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from storyboard_films import storyboard_film  # noqa: E402

from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.ui.window.main_window import MainWindow  # noqa: E402
from foundry_desktop.ui.theme import apply_theme  # noqa: E402

TARGET_MS = 50.0
SHOTS, SCENES = 40, 8


def film(folder: Path) -> Path:
    """Every shot with keyframes, all approved, each picture noise over a gradient (PNG does not squeeze it)."""
    path = storyboard_film(folder / "film.foundry", shots=SHOTS, scenes=SCENES, outside=0,
                           approve=lambda index: True, picture=(16, 9))
    rng = np.random.default_rng(1)
    ramp = np.linspace(0, 160, 1280, dtype=np.float32)[None, :, None]
    with ProjectService.open(path, read_only=True) as service:
        for shot in service.project.timeline.shots:
            for take in service.keyframes_of(shot.id):
                pixels = ramp + rng.integers(0, 96, (720, 1280, 3)).astype(np.float32)
                Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(service.media.path_of(take.media_path))
    return path


def main() -> None:
    app = QApplication([])
    apply_theme(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as folder:
        path = film(Path(folder))
        window = MainWindow(QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1600, 1000)
        window.show()
        began = time.perf_counter()
        loop.run_until_complete(window.open_project(path))
        window.show_storyboard()
        # The board as large as a creator makes it to review a film: a window of its own, 1600×1000.
        window.docks["Storyboard"].setFloating(True)
        window.docks["Storyboard"].resize(1600, 1000)
        app.processEvents()
        open_ms = (time.perf_counter() - began) * 1000
        result = loop.run_until_complete(scroll(window))
        result["open_ms"] = round(open_ms, 1)
        loop.run_until_complete(window.session.wait_idle())
        window.close_project()
        loop.run_until_complete(window.generation.close())
    result["target_ms"] = TARGET_MS
    result["ok"] = result["worst_stall_ms"] <= TARGET_MS
    print(json.dumps(result, indent=2))


async def scroll(window: MainWindow) -> dict:
    grid = window.storyboard.grid
    bar = grid.verticalScrollBar()
    lateness: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, now - last[0] - 0.005))
        last[0] = now

    timer = QTimer(interval=5)
    timer.timeout.connect(tick)
    timer.start()
    last[0] = time.perf_counter()
    steps = 0
    for direction in (1, -1):
        while (bar.value() < bar.maximum()) if direction > 0 else (bar.value() > 0):
            bar.setValue(bar.value() + 120 * direction)
            steps += 1
            await asyncio.sleep(0.016)
    await window.session.wait_idle()  # the last pictures read
    timer.stop()
    worst = sorted(lateness)
    return {"shots": SHOTS, "scenes": SCENES, "scroll_steps": steps, "board_height_px": bar.maximum() + bar.pageStep(),
            "pictures_read": len(window.storyboard.pictures.pictures),
            "viewport_px": [grid.viewport().width(), grid.viewport().height()],
            "worst_stall_ms": round(worst[-1] * 1000, 1), "p99_stall_ms": round(worst[int(len(worst) * 0.99)] * 1000, 1)}


if __name__ == "__main__":
    main()
