"""The generation jobs of the open project: what runs, what waits, what it costs, and how
each job ended, with Cancel and Retry.

Jobs come from the project file (through the app service), so jobs of earlier
runs and of other sessions of the app show too. Progress comes from the
session's `generation_progress` signal, which can fire hundreds of times a
second: events are folded into a dictionary and the rows they touch are
repainted at most every REPAINT_INTERVAL_MS, never the whole table.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.domain.generation_job import GenerationJob
from foundry_desktop.ui.elided_label import ElidedLabel
from foundry_desktop.ui.panels.job_table import DETAILS, PROGRESS, JobTableModel, ProgressBarDelegate, fit_columns
from foundry_desktop.ui.panels.render_jobs import RenderJobsView
from foundry_desktop.ui.project_session import ProjectSession

REPAINT_INTERVAL_MS = 50  # progress is repainted at most 20 times a second, however often it comes
RELOAD_DELAY_MS = 30  # a job's end announces itself several times: read the project file once
TICK_MS = 1000  # elapsed time is counted in whole seconds


class JobsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self._connections: list[tuple[object, object]] = []
        self._pending: dict[str, tuple[float, str]] = {}  # progress not yet shown, per job id

        self.model = JobTableModel(self)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("hint", True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_label)
        self.pages.addWidget(self._build_table())
        self.renders = RenderJobsView()  # the window's renders, above the generation jobs; not per project
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.renders)
        layout.addWidget(self.pages, 1)
        layout.addLayout(self._build_buttons())

        self._repaint_timer = QTimer(self, singleShot=True, interval=REPAINT_INTERVAL_MS)
        self._repaint_timer.timeout.connect(self._show_progress)
        self._reload_timer = QTimer(self, singleShot=True, interval=RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        # Runs only while a job runs: an idle editor wakes nobody up.
        self._elapsed_timer = QTimer(self, interval=TICK_MS)
        self._elapsed_timer.timeout.connect(self.model.tick)
        self.reload()

    def _build_table(self) -> QTableView:
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(PROGRESS, ProgressBarDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        # Fitted to their contents when the list of jobs changes, not on every repaint: a header that
        # resizes to contents asks every cell for its text on each progress update.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(PROGRESS, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PROGRESS, 120)
        header.setSectionResizeMode(DETAILS, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        return self.table

    def _build_buttons(self) -> QHBoxLayout:
        """The summary of the jobs, then Cancel, Cancel all and Retry."""
        self.summary_label = ElidedLabel()  # its counts grow while jobs run: never the panel
        self.summary_label.setProperty("hint", True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary_label, 1)

        def button(text: str, tip: str, action) -> QPushButton:
            made = QPushButton(text, toolTip=tip)
            made.clicked.connect(action)
            buttons.addWidget(made)
            return made

        self.cancel_button = button("Cancel", "Cancel the selected jobs that have not finished", self.cancel_selected)
        self.cancel_all_button = button("Cancel all", "Cancel every job that has not finished", self.cancel_all)
        self.retry_button = button("Retry", "Send the selected failed jobs again, or, with none selected, every "
                                   "failed job whose shot still asks for it", self.retry)
        return buttons

    # -- the session ------------------------------------------------------------------

    def set_session(self, session: ProjectSession | None) -> None:
        """Show this project's jobs (None: no project open). Disconnects from the previous session."""
        for signal, slot in self._connections:
            signal.disconnect(slot)  # type: ignore[attr-defined]
        self._connections = []
        self._pending.clear()
        self.model.clear()
        self.session = session
        if session is not None:
            for signal, slot in (
                (session.changed, self._reload_soon),
                (session.shot_status_changed, self._reload_soon),
                (session.busy_changed, self._reload_soon),
                (session.generation_progress, self._progress_arrived),
            ):
                signal.connect(slot)
                self._connections.append((signal, slot))
        self.reload()

    def _reload_soon(self, *_: object) -> None:
        if not self._reload_timer.isActive():
            self._reload_timer.start()

    def _progress_arrived(self, _shot_id: str, job_id: str, fraction: float, message: str) -> None:
        self._pending[job_id] = (fraction, message)
        if not self._repaint_timer.isActive():
            self._repaint_timer.start()

    def _show_progress(self) -> None:
        if self.session is None or not self._pending:
            return
        known = self.session.generation.progress
        updates = {job_id: (fraction, message, known[job_id].started if job_id in known else None)
                   for job_id, (fraction, message) in self._pending.items()}
        self._pending.clear()
        listed = {job.id for job in self.model.jobs}
        self.model.note_progress(updates)
        if any(job_id not in listed or message in ("submitting", "submitted")
               for job_id, (_, message, _) in updates.items()):
            self._reload_soon()  # a job this table has not read yet, or one that now has a server
        self._update_summary()

    def reload(self) -> None:
        """Read the jobs from the project again (a run started or ended, a job finished)."""
        session = self.session
        if session is None:
            self.empty_label.setText("Open a project to see its generation jobs.")
            self.pages.setCurrentWidget(self.empty_label)
            self._update_summary()
            return
        selected = self.selected_job_ids()
        service = session.service
        jobs = service.jobs()
        numbers = {shot.id: number for number, shot in enumerate(service.project.timeline.shots, start=1)}
        numbers.update({clip.id: number for number, clip in enumerate(service.project.timeline.music, start=1)})
        take_seconds = {take.id: take.elapsed_s for takes in service.project.takes.values() for take in takes
                        if take.elapsed_s is not None}
        listed = [job.id for job in self.model.jobs]
        self.model.set_jobs(jobs, numbers, take_seconds)
        if [job.id for job in self.model.jobs] != listed:
            fit_columns(self.table)
        self.select_jobs(selected)
        self.empty_label.setText("No generation jobs yet.\nGenerate shots, and their jobs show here as they run.")
        self.pages.setCurrentWidget(self.table if jobs else self.empty_label)
        self._update_summary()

    # -- selection and actions -------------------------------------------------------------

    def selected_job_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.jobs[row].id for row in rows if row < len(self.model.jobs)]

    def _selected_jobs(self) -> list[GenerationJob]:
        chosen = set(self.selected_job_ids())
        return [job for job in self.model.jobs if job.id in chosen]

    def select_jobs(self, job_ids: list[str]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for row, job in enumerate(self.model.jobs):
            if job.id in job_ids:
                selection.select(self.model.index(row, 0), flags)

    def cancel_selected(self) -> None:
        if self.session is None:
            return
        for job in self._selected_jobs():
            if not job.finished:
                self.session.cancel(job.id)

    def cancel_all(self) -> None:
        if self.session is not None:
            self.session.cancel(None)

    def retry(self) -> None:
        """Send the selected failed jobs again, or every failed one when none is selected."""
        if self.session is None:
            return
        chosen = [job for job in self._selected_jobs() if self.model.needs_retry(job)]
        if not chosen:
            self.session.retry(None)
        for job in chosen:
            self.session.retry(job.id)

    def _update_buttons(self, *_: object) -> None:
        chosen = self._selected_jobs()
        jobs = self.model.jobs
        has_session = self.session is not None
        self.cancel_button.setEnabled(has_session and any(not job.finished for job in chosen))
        self.cancel_all_button.setEnabled(has_session and any(not job.finished for job in jobs))
        failed_chosen = any(self.model.needs_retry(job) for job in chosen)
        self.retry_button.setEnabled(has_session and any(self.model.needs_retry(job) for job in jobs))
        self.retry_button.setText("Retry" if failed_chosen else "Retry all failed")

    def _update_summary(self) -> None:
        jobs = self.model.jobs
        running = sum(self.model.is_running(job) for job in jobs)
        waiting = sum(not job.finished and not self.model.is_running(job) for job in jobs)
        failed = sum(self.model.needs_retry(job) for job in jobs)
        parts = [f"{running} running" if running else "", f"{waiting} waiting" if waiting else "",
                 f"{failed} failed" if failed else ""]
        self.summary_label.setText(" · ".join(part for part in parts if part) or
                                   ("All jobs finished" if jobs else ""))
        if running and not self._elapsed_timer.isActive():
            self._elapsed_timer.start()
        elif not running:
            self._elapsed_timer.stop()
        self._update_buttons()
