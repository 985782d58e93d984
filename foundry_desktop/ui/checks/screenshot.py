"""A picture of the editor with the demo project: `python -m foundry_desktop.ui.checks.screenshot OUT.png`.

The demo is laid out in a temporary folder, generated with the built-in
backend, opened in the real window, its third shot selected and the timeline
preview shown at a frame in the middle of the film; then the window is grabbed.
Works offscreen (QT_QPA_PLATFORM=offscreen) and under Xvfb; the preview is a
QGraphicsVideoItem, which grab() shows (a QVideoWidget would come out blank).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from foundry_desktop.app.setup.demo_film import create_demo_project
from foundry_desktop.ui.window.main_window import MainWindow
from foundry_desktop.ui.theme import apply_theme


async def _until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.05)


async def _pose(window: MainWindow, project: Path, output: Path) -> None:
    await window.open_project(project)
    session = window.session
    assert session is not None
    session.generate()
    await _until(lambda: session.generating, 10)
    await _until(lambda: not session.generating, 300)
    shots = session.service.project.timeline.shots
    session.select([shots[min(2, len(shots) - 1)].id])
    session.move_playhead(session.service.cut_plan().length // 2)
    preview, player = window.preview, window.preview.film_player
    shown_before = preview.frames_shown  # the paused cut was shown while it generated
    preview.play_timeline()
    await _until(lambda: preview.frames_shown > shown_before, 120)
    preview.pause()
    await _until(lambda: player.on_screen == player.frame, 120)  # the paused frame is up
    await asyncio.sleep(1.0)  # filmstrips and take pictures arrive from their threads
    window.grab().save(str(output))
    await session.wait_idle()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--size", default="1600x1000", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args(argv)
    width, height = (int(part) for part in args.size.lower().split("x"))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="foundry-screenshot-") as folder:
        folder = Path(folder)
        os.environ.setdefault("FOUNDRY_DOCUMENTS_DIR", str(folder))
        create_demo_project(folder / "demo.foundry").close()
        window = MainWindow(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(width, height)
        window.show()
        with loop:
            loop.run_until_complete(_pose(window, folder / "demo.foundry", args.output.resolve()))
            window.close()
            loop.run_until_complete(window.generation.close())
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
