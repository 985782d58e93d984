"""Exporting the storyboard's contact sheet: File ▸ Export storyboard… in the window (the pages
painted in a worker thread), and `foundry-desktop --export-storyboard PROJECT OUTPUT PER_PAGE`,
which `foundry storyboard export` runs (its program holds no Qt) and which answers in one JSON line.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.storyboard import storyboard_of
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.background_work import in_words
from foundry_desktop.ui.storyboard.sheet import DEFAULT_PER_PAGE, lay_out, write_sheet

if TYPE_CHECKING:
    from foundry_desktop.ui.window.main_window import MainWindow


def export_from_window(window: MainWindow) -> None:
    """Ask where, then write the sheet off the GUI thread and say what was written."""
    session = window.session
    if session is None:
        return
    suggested = session.path.with_name(f"{session.path.stem} storyboard.pdf")
    chosen, kind = QFileDialog.getSaveFileName(window, "Export the storyboard", str(suggested),
                                               "PDF (*.pdf);;PNG pages (*.png)")
    if not chosen:
        return
    output = Path(chosen)
    if output.suffix.lower() not in (".pdf", ".png"):  # a name typed without its suffix: the kind chosen
        output = output.with_name(output.name + (".png" if "png" in kind.lower() else ".pdf"))
    board = storyboard_of(session.service)  # read here: the project is the GUI thread's
    window.statusBar().showMessage(f"Writing the storyboard to {output.name}…")

    def written(files: list[Path]) -> None:
        names = ", ".join(path.name for path in files)
        window.statusBar().showMessage(f"Storyboard written: {names} (in {output.parent}).", 8000)

    session.in_thread("Cannot export the storyboard", lambda: write_sheet(board, output), written)


def export_storyboard_command(arguments: list[str]) -> int:
    """PROJECT OUTPUT [PER_PAGE]: write the sheet headless; print {"files": [...], "shots": N, "pages": N}
    or, on a refusal, the reason in words, as the last line."""
    if len(arguments) < 2:
        print("--export-storyboard needs PROJECT OUTPUT [PER_PAGE].", flush=True)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # read when the application is made, just below
    app = QGuiApplication.instance() or QGuiApplication(["foundry-desktop"])
    try:
        project, output = Path(arguments[0]), Path(arguments[1])
        per_page = int(arguments[2]) if len(arguments) > 2 else DEFAULT_PER_PAGE
        with ProjectService.open(project, read_only=True) as service:
            board = storyboard_of(service)
        files = write_sheet(board, output, per_page=per_page, readers=os.cpu_count() or 1)
    except (FoundryError, OSError) as exc:
        print(in_words(exc), flush=True)
        return 1
    print(json.dumps({"files": [str(path) for path in files], "shots": len(board.cards),
                      "pages": len(lay_out(board, per_page))}), flush=True)
    app.quit()
    return 0
