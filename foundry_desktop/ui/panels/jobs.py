"""The generation jobs of the open project: what runs, what waits, what it costs, and how
each job ended, with Cancel and Retry.

Jobs come from the project file (through the app service), so jobs of earlier
runs and of other sessions of the app show too. Progress comes from the
session's `generation_progress` signal, which can fire hundreds of times a
second: events are folded into a dictionary and the rows they touch are
repainted at most every REPAINT_INTERVAL_MS, never the whole table.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.domain.cost import Cost
from foundry_desktop.domain.generation_job import GenerationJob
from foundry_desktop.ui.project_session import ProjectSession

COLUMNS = ("Shot", "Backend", "Server", "State", "Progress", "Queue", "Elapsed", "Cost", "Details")
SHOT, BACKEND, SERVER, STATE, PROGRESS, QUEUE, ELAPSED, COST, DETAILS = range(len(COLUMNS))

PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 1  # the fraction done (float), or None: no bar

REPAINT_INTERVAL_MS = 50  # progress is repainted at most 20 times a second, however often it comes
RELOAD_DELAY_MS = 30  # a job's end announces itself several times: read the project file once
TICK_MS = 1000  # elapsed time is counted in whole seconds

# The backends that charge nothing (generation.default_backends). A queued job of any other
# backend has no price until it is sent, because the estimate is made then.
FREE_BACKENDS = frozenset({"builtin", "media"})
# Messages that only repeat the event's kind; the Details column shows the others (a
# ComfyUI server's node, a cloud service's status).
PLAIN_MESSAGES = frozenset({"", "queued", "progress", "submitting", "submitted", "done"})


@dataclass
class LiveProgress:
    """What this app saw of a running job: its latest progress, and when it began and ended."""

    fraction: float
    message: str
    started: float  # time.monotonic()
    ended: float | None = None


def elapsed_words(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def cost_words(job: GenerationJob) -> str:
    """'about 25 Runway credits' while it is an estimate, '25 Runway credits' once the
    service has said, 'free' for the built-in generator."""
    if job.cost_unit is None:
        if job.backend in FREE_BACKENDS or job.state == "done":
            return "free"
        return "priced when sent" if not job.finished else "—"
    if job.cost_actual is not None:
        return str(Cost(job.cost_actual, job.cost_unit))
    if job.cost_estimate is None:
        return "not known yet" if not job.finished else "—"
    if job.state in ("failed", "cancelled"):
        return "—"  # its hold on the budget was released: it cost nothing that is counted
    return f"about {Cost(job.cost_estimate, job.cost_unit)}"


class JobTableModel(QAbstractTableModel):
    """One row per job: unfinished ones in the order they run, then finished ones, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs: list[GenerationJob] = []
        self.live: dict[str, LiveProgress] = {}
        self._shot_numbers: dict[str, int] = {}
        self._queue_positions: dict[str, int] = {}
        self._take_seconds: dict[str, float] = {}  # take id -> how long it took to generate
        self.retried: set[str] = set()  # failed jobs sent again since (a later job makes the same take)

    # -- filling ----------------------------------------------------------------

    def set_jobs(self, jobs: list[GenerationJob], shot_numbers: dict[str, int], take_seconds: dict[str, float]) -> None:
        unfinished = [job for job in jobs if not job.finished]
        finished = sorted((job for job in jobs if job.finished), key=lambda job: job.updated_at, reverse=True)
        ordered = unfinished + finished
        now = time.monotonic()
        for job in finished:
            live = self.live.get(job.id)
            if live is not None and live.ended is None:
                live.ended = now  # it ended while we watched: its elapsed time stops here
        self._shot_numbers, self._take_seconds = shot_numbers, take_seconds
        self._queue_positions = {job.id: place for place, job in enumerate(unfinished, start=1) if job.state == "queued"}
        newest_alive: dict[tuple[str, str], str] = {}  # (shot, fingerprint) -> latest job not failed or cancelled
        for job in jobs:
            if job.state not in ("failed", "cancelled"):
                key = (job.shot_id, job.fingerprint)
                newest_alive[key] = max(newest_alive.get(key, ""), job.created_at)
        self.retried = {job.id for job in jobs if job.state == "failed"
                        and newest_alive.get((job.shot_id, job.fingerprint), "") > job.created_at}
        if [job.id for job in ordered] == [job.id for job in self.jobs]:
            self.jobs = ordered
            if ordered:
                self.dataChanged.emit(self.index(0, 0), self.index(len(ordered) - 1, len(COLUMNS) - 1))
            return
        self.beginResetModel()
        self.jobs = ordered
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.jobs, self.live = [], {}
        self.endResetModel()

    def note_progress(self, updates: dict[str, tuple[float, str, float | None]]) -> None:
        """Latest (fraction, message, started) per job id; repaints only the rows they touch."""
        now = time.monotonic()
        finished = {job.id for job in self.jobs if job.finished}
        for job_id, (fraction, message, started) in updates.items():
            earlier = self.live.get(job_id)
            ended = earlier.ended if earlier else (now if job_id in finished else None)  # its last word came late
            self.live[job_id] = LiveProgress(fraction, message, started or (earlier.started if earlier else now), ended)
        rows = [row for row, job in enumerate(self.jobs) if job.id in updates]
        for row in rows:
            self.dataChanged.emit(self.index(row, STATE), self.index(row, DETAILS))

    def tick(self) -> None:
        """A second passed: repaint the elapsed time of running jobs."""
        for row, job in enumerate(self.jobs):
            if self.is_running(job):
                self.dataChanged.emit(self.index(row, ELAPSED), self.index(row, ELAPSED))

    # -- reading ------------------------------------------------------------------

    def is_running(self, job: GenerationJob) -> bool:
        return not job.finished and (job.id in self.live or job.state == "submitted")

    def any_running(self) -> bool:
        return any(self.is_running(job) for job in self.jobs)

    def needs_retry(self, job: GenerationJob) -> bool:
        return job.state == "failed" and job.id not in self.retried

    def state_words(self, job: GenerationJob) -> str:
        if job.id in self.retried:
            return "failed, retried"
        if job.state == "queued":
            return "running" if job.id in self.live else "queued"
        return {"submitting": "sending", "submitted": "running"}.get(job.state, job.state)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.jobs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        job = self.jobs[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(job, column)
        if role == PROGRESS_ROLE and column == PROGRESS:
            return self._fraction(job)
        if role == Qt.ItemDataRole.ToolTipRole and column == DETAILS:
            return self._text(job, DETAILS) or None
        if role == Qt.ItemDataRole.ForegroundRole and job.state == "cancelled":
            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.FontRole and job.state == "failed" and column in (STATE, DETAILS):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (SHOT, QUEUE, ELAPSED):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _fraction(self, job: GenerationJob) -> float | None:
        if job.state == "done":
            return 1.0
        live = self.live.get(job.id)
        return live.fraction if live is not None and not job.finished else None

    def _elapsed(self, job: GenerationJob) -> float | None:
        live = self.live.get(job.id)
        if live is not None and not job.finished:
            return time.monotonic() - live.started
        if live is not None and live.ended is not None:
            return live.ended - live.started
        if job.state == "done" and job.take_id in self._take_seconds:
            return self._take_seconds[job.take_id]
        return None

    def _text(self, job: GenerationJob, column: int) -> str:
        if column == SHOT:
            return str(self._shot_numbers.get(job.shot_id, "removed"))
        if column == BACKEND:
            return job.backend
        if column == SERVER:
            return job.server or ""
        if column == STATE:
            return self.state_words(job)
        if column == PROGRESS:
            fraction = self._fraction(job)
            return "" if fraction is None else f"{fraction:.0%}"
        if column == QUEUE:
            place = self._queue_positions.get(job.id)
            return str(place) if place is not None and job.id not in self.live else ""
        if column == ELAPSED:
            seconds = self._elapsed(job)
            return "" if seconds is None else elapsed_words(seconds)
        if column == COST:
            return cost_words(job)
        if job.state in ("failed", "cancelled"):
            return job.error
        live = self.live.get(job.id)
        if live is not None and not job.finished and live.message not in PLAIN_MESSAGES:
            return live.message
        return ""


class ProgressBarDelegate(QStyledItemDelegate):
    """Draws the progress column as the style's own progress bar."""

    def paint(self, painter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        fraction = index.data(PROGRESS_ROLE)
        if fraction is None:
            super().paint(painter, option, index)
            return
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(3, 3, -3, -3)  # type: ignore[attr-defined]
        bar.palette = option.palette  # type: ignore[attr-defined]
        bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
        bar.minimum, bar.maximum = 0, 1000
        bar.progress = round(max(0.0, min(1.0, fraction)) * 1000)
        bar.text = f"{fraction:.0%}"
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)


class JobsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self._connections: list[tuple[object, object]] = []
        self._pending: dict[str, tuple[float, str]] = {}  # progress not yet shown, per job id

        self.model = JobTableModel(self)
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

        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("hint", True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_label)
        self.pages.addWidget(self.table)

        self.summary_label = QLabel()
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)

        self._repaint_timer = QTimer(self, singleShot=True, interval=REPAINT_INTERVAL_MS)
        self._repaint_timer.timeout.connect(self._show_progress)
        self._reload_timer = QTimer(self, singleShot=True, interval=RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        # Runs only while a job runs: an idle editor wakes nobody up.
        self._elapsed_timer = QTimer(self, interval=TICK_MS)
        self._elapsed_timer.timeout.connect(self.model.tick)
        self.reload()

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
        take_seconds = {take.id: take.elapsed_s for takes in service.project.takes.values() for take in takes
                        if take.elapsed_s is not None}
        listed = [job.id for job in self.model.jobs]
        self.model.set_jobs(jobs, numbers, take_seconds)
        if [job.id for job in self.model.jobs] != listed:
            for column in range(len(COLUMNS)):
                if column not in (PROGRESS, DETAILS):
                    self.table.resizeColumnToContents(column)
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
