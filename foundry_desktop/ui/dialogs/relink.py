"""Relink media…: the creator picks a folder; the files the project misses are looked for there
(by name, then by content: app.shots.media_relink) and copied back into the media folder in a
worker thread; where they were found is recorded as one undo step, and a report that does not
stop the editor says what was found and what is still missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from foundry_desktop.app.shots.media_relink import (
    RelinkReport,
    find_offline,
    offline_media,
    record_relink,
    restore_found,
)
from foundry_desktop.app.user_folders import documents_folder
from foundry_desktop.ui.project_session import ProjectSession


def relink_media(parent: QWidget, session: ProjectSession,
                 done: Callable[[RelinkReport], None] | None = None) -> asyncio.Task | None:
    """Ask for the folder to look in, then relink from it; None when the creator cancels."""
    folder = QFileDialog.getExistingDirectory(parent, "Relink media: the folder to look in", str(documents_folder()))
    if not folder:
        return None
    service = session.service
    project = service.project  # the project as it was asked; the edit checks the bin again

    def work() -> RelinkReport:
        report = find_offline(offline_media(project, service.media), Path(folder))
        restore_found(service.media, report)
        return report

    def finished(report: RelinkReport) -> None:
        if report.found:
            session.edit("Relink media", lambda: record_relink(service, report))
        show_report(parent, report)
        if done is not None:
            done(report)

    session.notice.emit(f"Looking for the offline media in {Path(folder).name}…")
    return session.in_thread("Relink media", work, finished)


def show_report(parent: QWidget, report: RelinkReport) -> QMessageBox:
    """What was found and what is still missing, in a box that leaves the editor usable."""
    icon = QMessageBox.Icon.Information if not report.missing else QMessageBox.Icon.Warning
    box = QMessageBox(icon, "Relink media", report.in_words(), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("relink-report")
    box.setModal(False)
    box.show()
    return box
