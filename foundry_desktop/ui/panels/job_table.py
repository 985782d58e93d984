"""The jobs panel's table: one row per generation job (unfinished ones in the order they run,
then finished ones, newest first) with its shot, backend, server, state, progress, place in
the queue, elapsed time, cost and details; the progress column drawn as a progress bar.

Progress can come hundreds of times a second: note_progress repaints only the rows it
touches, and tick() only the elapsed time of running jobs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from foundry_desktop.domain.cost import Cost
from foundry_desktop.domain.generation_job import GenerationJob

COLUMNS = ("Shot", "Backend", "Server", "State", "Progress", "Queue", "Elapsed", "Cost", "Details")
SHOT, BACKEND, SERVER, STATE, PROGRESS, QUEUE, ELAPSED, COST, DETAILS = range(len(COLUMNS))

# Every word the State column can show: the column is as wide as the widest, so that a job that
# was "queued" when the column was fitted is not cut to "runn…" or "cance…" later.
STATE_WORDS = ("queued", "sending", "running", "done", "failed", "cancelled", "failed, retried")
STATE_ROOM = 24  # the cell's margins around the words

PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 1  # the fraction done (float), or None: no bar

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
            number = str(self._shot_numbers.get(job.shot_id, "removed"))
            # A music clip's is numbered on its track; a keyframe's is its shot's, said to be a still.
            return {"sound": f"Music {number}", "still": f"{number} keyframe"}.get(job.output, number)
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
        if job.state == "done" and job.error:
            return f"⚠ {job.error}"  # what to know about its take: another shape or length, an ignored prompt
        live = self.live.get(job.id)
        if live is not None and not job.finished and live.message not in PLAIN_MESSAGES:
            return live.message
        return ""


def fit_columns(table: QTableView) -> None:
    """Each column as wide as its words (the State column as its widest possible words), the
    progress bar its own width, and the Details column the rest. Called when the list of jobs
    changes, not on every repaint: fitting asks every cell for its text."""
    for column in range(len(COLUMNS)):
        if column not in (PROGRESS, DETAILS):
            table.resizeColumnToContents(column)
    widest = max(table.fontMetrics().horizontalAdvance(words) for words in STATE_WORDS) + STATE_ROOM
    header = table.horizontalHeader()
    header.resizeSection(STATE, max(header.sectionSize(STATE), widest))


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
