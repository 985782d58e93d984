"""Entry point of `foundry-desktop`: the Qt application on a qasync event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QLoggingCategory
from PySide6.QtWidgets import QApplication

from foundry_desktop.ui.main_window import MainWindow
from foundry_desktop.ui.theme import apply_theme


def main(argv: list[str] | None = None) -> int:
    # Render workers are spawned processes; a frozen bundle must hand them over here.
    multiprocessing.freeze_support()
    argv = sys.argv if argv is None else argv
    app = QApplication(argv)
    app.setApplicationName("Foundry Desktop")
    app.setOrganizationName("Foundry")
    apply_theme(app)
    # Qt's FFmpeg backend describes every file it opens; keep its warnings, not that.
    QLoggingCategory.setFilterRules("qt.multimedia.ffmpeg*.info=false")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow()
    projects = [arg for arg in argv[1:] if arg.endswith(".foundry")]
    if projects:
        window.open_project(Path(projects[0]))
    window.show()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(window.generation.close())  # event sockets and connections closed cleanly
    return 0


if __name__ == "__main__":
    sys.exit(main())
