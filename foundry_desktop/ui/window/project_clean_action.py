"""File ▸ Clean up the project folder: what `foundry clean` does, for the open project.

Only what nothing needs goes (app.project_access.project_cleaning: media no take, clip or undo step names,
stale render segments, leftovers of killed work), so it asks nothing first; it says what
it freed in the status bar. Walking the media folder and reading the whole history are
disk work: they run in a worker thread, never on the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from foundry_desktop.app.project_access.project_cleaning import CleaningReport, clean_project, human_size

if TYPE_CHECKING:
    from foundry_desktop.ui.window.main_window import MainWindow

MESSAGE_MS = 8000


def clean_project_folder(window: MainWindow) -> None:
    session = window.session
    if session is None:
        return
    service = session.service
    window.statusBar().showMessage(f"Cleaning up {service.path.name}'s folder…")
    session.in_thread("Clean up the project folder", lambda: clean_project(service),
                      lambda report: _say_what_went(window, report))


def _say_what_went(window: MainWindow, report: CleaningReport) -> None:
    if not report.items:
        message = "Nothing to clean up: the project's folder holds only what it needs."
    else:
        message = f"Cleaned up {len(report.items)} files nothing needed: {human_size(report.size())} freed."
    if report.failures:
        window.show_error("Clean up the project folder", f"These could not be removed: {', '.join(report.failures)}.")
    window.statusBar().showMessage(message, MESSAGE_MS)
