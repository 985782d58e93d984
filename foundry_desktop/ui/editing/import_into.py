"""File ▸ Import a cut into this project: the cut is read, laid out and written to the project file after
the film's end, as one undo step, in a worker thread (reading the file, copying its media and writing
10,000 shots take seconds); the GUI thread then only makes it the open project, scrolls the timeline to
its first shot and reports what could not be kept, grouped.
A file holding several timelines (an FCPXML library, an OTIO collection) answers with their names
instead, and the creator picks one from the list File ▸ Import a cut shows (import_cut.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from foundry_desktop.app.exchange.cut_import import IMPORT_FORMATS, ImportReport, lay_out_cut, write_laid_out_cut
from foundry_desktop.app.project_service import AddedAfterTheFilm, ProjectService
from foundry_desktop.errors import CutChoiceError
from foundry_desktop.ui.dialogs.import_cut import ask_for_sequence
from foundry_desktop.ui.dialogs.import_report import show_import_report
from foundry_desktop.ui.editing.commands import reveal_shot

if TYPE_CHECKING:
    from foundry_desktop.ui.window.main_window import MainWindow


def choose_cut_to_add(window: MainWindow) -> asyncio.Task | None:
    if window.session is None:
        return None
    patterns = " ".join(f"*{extension}" for extension in IMPORT_FORMATS)
    chosen, _ = QFileDialog.getOpenFileName(window, "Import a cut into this project", str(window.session.path.parent),
                                            f"Cuts from other editors ({patterns})")
    return add_cut(window, Path(chosen)) if chosen else None


def add_cut(window: MainWindow, source: Path, sequence: str | None = None) -> asyncio.Task | None:
    """Lay the cut (its timeline `sequence`) out off the GUI thread (an EDL at the project's frame rate),
    then add it as one edit; or ask which timeline, where the file holds several."""
    session = window.session
    if session is None:
        return None
    service = session.service
    window.statusBar().showMessage(f"Importing {source.name} into {service.path.stem}…")

    def written(result: tuple[AddedAfterTheFilm, ImportReport] | CutChoiceError) -> None:
        window.statusBar().clearMessage()
        if window.session is not session:  # the project was closed while the cut was read
            return
        if isinstance(result, CutChoiceError):  # several timelines: lay out again the one chosen
            ask_for_sequence(window, source, result.names, lambda chosen: add_cut(window, source, chosen))
            return
        added, report = result
        session.edit(f"Import {source.name}", lambda: service.finish_adding(added))
        new_shots = added.after.timeline.shots[len(added.before.timeline.shots):]
        first = next((placed for placed in service.cut_plan().shots if new_shots and placed.shot_id == new_shots[0].id),
                     None)
        if first is not None:
            session.select([first.shot_id])
            session.move_playhead(first.record_in)
            reveal_shot(window, first.shot_id)
        window.statusBar().showMessage(f"Added {report.shots} shots from {source.name} after the film.", 5000)
        show_import_report(window, f"Imported {source.name}", report.warnings)

    def failed(message: str) -> None:
        window.statusBar().clearMessage()
        window.show_error(f"Cannot import {source.name}", message)

    return window.work.in_thread(lambda: _written_or_names(service, source, sequence), written, failed)


def _written_or_names(service: ProjectService, source: Path,
                      sequence: str | None) -> tuple[AddedAfterTheFilm, ImportReport] | CutChoiceError:
    """The cut laid out and written to the project file (blocking: a worker thread's), or the refusal that
    lists the timelines to choose from."""
    try:
        return write_laid_out_cut(service, lay_out_cut(service, source, sequence=sequence))
    except CutChoiceError as exc:
        return exc
