"""A plain main window: the open project's shots and their status, with undo/redo.

The full editor (timeline, preview, inspector, jobs) is its own issue; this
window already goes through the app service for everything it shows or does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
)

from foundry_desktop.app.events import ProjectChanged, ShotStatusChanged
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.errors import FoundryError

COLUMNS = ["#", "Name", "Prompt", "Backend", "Duration", "Status", "Takes"]


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.service: ProjectService | None = None
        self._unsubscribe = None
        self.setWindowTitle("Foundry Desktop")
        self.resize(1000, 560)

        self.shots = QTableWidget(0, len(COLUMNS))
        self.shots.setHorizontalHeaderLabels(COLUMNS)
        self.shots.verticalHeader().setVisible(False)
        self.shots.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.shots.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.shots.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.placeholder = QLabel("Open a project (File ▸ Open…) or make one with “foundry demo”.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.placeholder)

        file_menu = self.menuBar().addMenu("&File")
        open_action = QAction("&Open…", self, shortcut=QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self.choose_project)
        file_menu.addAction(open_action)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = QAction("&Undo", self, shortcut=QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(lambda: self._travel(undo=True))
        self.redo_action = QAction("&Redo", self, shortcut=QKeySequence.StandardKey.Redo)
        self.redo_action.triggered.connect(lambda: self._travel(undo=False))
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        self._update_actions()

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", "Foundry projects (*.foundry)")
        if path:
            self.open_project(Path(path))

    def open_project(self, path: Path) -> None:
        try:
            service = ProjectService.open(path)
        except FoundryError as exc:
            QMessageBox.warning(self, "Cannot open project", str(exc))
            return
        self._close_project()
        self.service = service
        # Only model changes: progress events may come from worker threads.
        self._unsubscribe = service.events.subscribe(
            lambda event: self.refresh() if isinstance(event, ProjectChanged | ShotStatusChanged) else None
        )
        self.setCentralWidget(self.shots)
        self.placeholder = None
        self.refresh()

    def _close_project(self) -> None:
        if self.service is not None:
            if self._unsubscribe:
                self._unsubscribe()
            self.service.close()
            self.service = None

    def refresh(self) -> None:
        if self.service is None:
            return
        project = self.service.project
        fmt = project.format
        self.setWindowTitle(f"{project.name} — Foundry Desktop")
        shots = project.timeline.shots
        self.shots.setRowCount(len(shots))
        for row, (shot, status) in enumerate(zip(shots, self.service.statuses(), strict=True)):
            seconds = float(frames_to_seconds(shot.spec.duration, fmt.frame_rate))
            values = [
                str(row + 1),
                shot.name,
                shot.spec.prompt,
                shot.spec.backend,
                f"{seconds:.2f} s",
                status.text,
                str(len(project.takes_of(shot.id))),
            ]
            for column, value in enumerate(values):
                self.shots.setItem(row, column, QTableWidgetItem(value))
        self.statusBar().showMessage(
            f"{fmt.width}×{fmt.height} · {fmt.frame_rate} fps · {len(shots)} shots"
        )
        self._update_actions()

    def _travel(self, *, undo: bool) -> None:
        if self.service is None:
            return
        try:
            label = self.service.undo() if undo else self.service.redo()
        except FoundryError as exc:
            QMessageBox.warning(self, "Undo" if undo else "Redo", str(exc))
            return
        if label:
            self.statusBar().showMessage(f"{'Undid' if undo else 'Redid'}: {label}", 4000)
        self._update_actions()

    def _update_actions(self) -> None:
        store = self.service.store if self.service else None
        undo_label = store.undo_label() if store else None
        redo_label = store.redo_label() if store else None
        self.undo_action.setEnabled(undo_label is not None)
        self.undo_action.setText(f"&Undo {undo_label}" if undo_label else "&Undo")
        self.redo_action.setEnabled(redo_label is not None)
        self.redo_action.setText(f"&Redo {redo_label}" if redo_label else "&Redo")

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._close_project()
        super().closeEvent(event)
