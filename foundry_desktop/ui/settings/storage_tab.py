"""Settings › Storage: the machine's cache folder, how much it holds, and a clean-up that
empties it once the creator has said yes.

The cache holds what Foundry can find out again (which encoders work here), never a
project's takes or renders, which live beside the project. Measuring and deleting
walk the disk, so both run in a worker thread.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.user_folders import cache_folder
from foundry_desktop.ui.background_work import BackgroundWork
from foundry_desktop.ui.dialogs.dialog_work import Confirm, ErrorLine

MB = 1_000_000
MEASURING = "Measuring…"


@dataclass(frozen=True)
class FolderSize:
    bytes: int
    files: int

    def __str__(self) -> str:
        files = "1 file" if self.files == 1 else f"{self.files} files"
        amount = "less than 0.1 MB" if 0 < self.bytes < MB / 10 else f"{self.bytes / MB:.1f} MB"
        return f"{amount} in {files}"


def measure_folder(folder: Path) -> FolderSize:
    """Everything under `folder`, links not followed; a missing folder holds nothing."""
    total = files = 0
    for root, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue  # removed while being counted
            files += 1
    return FolderSize(total, files)


def empty_folder(folder: Path) -> list[str]:
    """Remove everything inside `folder`, keeping the folder; what could not go, in words."""
    try:
        children = list(folder.iterdir())
    except FileNotFoundError:
        return []
    problems = []
    for child in children:
        try:
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        except OSError as exc:
            problems.append(f"{child.name} ({exc.strerror or exc})")
    return problems


class StorageTab(QWidget):
    def __init__(self, confirm: Confirm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.confirm = confirm
        self.error = ErrorLine()
        self.work = BackgroundWork(self.error.show_error)
        self.folder = cache_folder()
        self.size: FolderSize | None = None

        self.folder_label = QLabel(str(self.folder))
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        open_button = QPushButton("Show in file manager")
        open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder))))
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(open_button)
        self.size_label = QLabel("")
        self.clean_button = QPushButton("Clean up…")
        self.clean_button.clicked.connect(self.clean_up)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_label, 1)
        size_row.addWidget(self.clean_button)
        self.result = QLabel("")
        self.result.setProperty("hint", True)
        hint = QLabel("Foundry keeps here what it can work out again, such as which video encoders work on "
                      "this computer; it is found out anew after a clean-up. Projects keep their takes and "
                      "renders beside the project file, not here.")
        hint.setProperty("hint", True)
        hint.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Cache folder", folder_row)
        form.addRow("Holds", size_row)
        column = QVBoxLayout(self)
        column.addWidget(hint)
        column.addSpacing(6)
        column.addLayout(form)
        column.addWidget(self.result)
        column.addWidget(self.error)
        column.addStretch(1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.size is None and not self.work.busy:
            self.measure()

    def measure(self) -> None:
        folder = self.folder
        self.size_label.setText(MEASURING)
        self.clean_button.setEnabled(False)
        self.work.in_thread(lambda: measure_folder(folder), self._show_size)

    def _show_size(self, size: FolderSize) -> None:
        self.size = size
        self.size_label.setText(str(size))
        self.clean_button.setEnabled(size.files > 0)

    def clean_up(self) -> None:
        held = f" ({self.size})" if self.size is not None else ""
        if not self.confirm("Clean up the cache",
                            f"Remove everything in {self.folder}{held}? Foundry works it out again when it "
                            "next needs it; no project loses anything."):
            return
        folder = self.folder
        self.error.clear_error()
        self.result.clear()
        self.size_label.setText("Cleaning up…")
        self.clean_button.setEnabled(False)

        def clean() -> tuple[FolderSize, list[str], FolderSize]:
            before = measure_folder(folder)
            problems = empty_folder(folder)
            return before, problems, measure_folder(folder)

        self.work.in_thread(clean, self._cleaned, self._clean_failed)

    def _clean_failed(self, message: str) -> None:
        self.error.show_error(f"The cache could not be cleaned up: {message}")
        self.measure()

    def _cleaned(self, outcome: tuple[FolderSize, list[str], FolderSize]) -> None:
        before, problems, after = outcome
        if problems:
            self.error.show_error(f"These could not be removed: {', '.join(problems)}.")
        self.result.setText(f"Freed {(before.bytes - after.bytes) / MB:.1f} MB.")
        self._show_size(after)
