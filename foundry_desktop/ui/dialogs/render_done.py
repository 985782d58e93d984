"""How a background render ended, in a notice that does not stop the editor: the film's
size and length with "Show in folder" and "Play" (as editors offer), or why it failed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from foundry_desktop.app.render.render_job import RenderJob


def show_folder_of(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


def play_file(path: Path) -> None:
    """In the player the system chooses for the file, as a file manager would."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def show_render_end(parent: QWidget, job: RenderJob) -> QMessageBox:
    """Open (not exec) the notice of `job`'s end over `parent`; it deletes itself when closed."""
    if job.state == "done" and job.result is not None:
        report = job.result.report
        media = report.media
        box = QMessageBox(QMessageBox.Icon.Information, "Render finished",
                          f"{job.output.name} is ready: {media.width}×{media.height}, {media.duration_s:.1f} s.",
                          QMessageBox.StandardButton.Close, parent)
        box.setInformativeText(f"In {job.output.parent}")
        folder = box.addButton("Show in folder", QMessageBox.ButtonRole.ActionRole)
        play = box.addButton("Play", QMessageBox.ButtonRole.ActionRole)
        folder.clicked.connect(lambda: show_folder_of(job.output))
        play.clicked.connect(lambda: play_file(job.output))
    else:
        box = QMessageBox(QMessageBox.Icon.Warning, "Render failed",
                          f"{job.output.name} was not rendered: {job.error}", QMessageBox.StandardButton.Close, parent)
        box.setInformativeText("Your project is safe; nothing was written to that file.")
    box.setObjectName("render-end-notice")
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box
