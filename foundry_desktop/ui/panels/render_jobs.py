"""The window's renders: run one after another in the background, each a row at the top of
the Jobs panel (file, state, progress, Cancel, Show in folder), the running one also in
the status bar with its own Cancel. When one ends, a notice that does not stop the editor.

A render is not a generation job (no shot, backend, server or cost), so it has rows of its
own rather than columns of the generation table that would stand empty; and it lives only
as long as the window, as an export would: the film file is the record that it ran.
A second render asked for while one runs waits in the queue, as in Resolve's render queue.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton, QVBoxLayout, QWidget

from foundry_desktop.app.render.render_job import RenderJob
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.dialogs.render_done import show_folder_of, show_render_end

REPAINT_INTERVAL_MS = 100  # progress comes with every few frames; shown at most 10 times a second
ROWS_KEPT = 6  # finished renders listed, newest last; older ones drop off
STATUS_WIDTH = 360  # the status bar's render part, in pixels

logger = logging.getLogger(__name__)

STATE_WORDS = {"queued": "waiting", "running": "rendering", "done": "done", "failed": "failed",
               "cancelled": "cancelled"}


def bar_words(job: RenderJob) -> str:
    """What the progress bar says: how far, and while it runs, about how long is left."""
    if job.state == "running" and job.seconds_left is not None:
        return f"%p% · {job.seconds_left:.0f} s left"
    return "%p%"


class RenderRow(QWidget):
    """One render: its file, its state in words, its progress, and what can be done with it."""

    def __init__(self, job: RenderJob, view: RenderJobsView) -> None:
        super().__init__()
        self.job = job
        self.label = QLabel()
        self.label.setMinimumWidth(160)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(160)
        self.cancel_button = QPushButton("Cancel", toolTip="Stop this render; nothing is written")
        self.cancel_button.clicked.connect(lambda: view.cancel(job))
        self.folder_button = QPushButton("Show in folder")
        self.folder_button.clicked.connect(lambda: show_folder_of(job.output))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.folder_button)
        self.show_state()

    def show_state(self) -> None:
        job = self.job
        words = STATE_WORDS[job.state]
        if job.state in ("failed", "cancelled") and job.error:
            words += f": {job.error}"
        text = f"Render {job.output.name} — {words}"
        if self.label.text() != text:  # a new text re-lays the window out: only when the state changes
            self.label.setText(text)
        self.label.setToolTip(str(job.output))
        self.bar.setFormat(bar_words(job))
        self.bar.setValue(round(job.fraction * 1000))
        self.bar.setVisible(not job.finished or job.state == "done")
        self.cancel_button.setVisible(not job.finished)
        self.folder_button.setVisible(job.state == "done")


class RenderStatus(QWidget):
    """The running render in the status bar: which file, how far, and Cancel."""

    def __init__(self, view: RenderJobsView) -> None:
        super().__init__()
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(120)
        self.bar.setMaximumHeight(16)
        self.cancel_button = QPushButton("Cancel", toolTip="Stop the render; nothing is written")
        self.cancel_button.clicked.connect(lambda: view.running is not None and view.cancel(view.running))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        # Always there and of one size, its parts shown and hidden inside it: a status bar widget that
        # comes, goes or changes size re-lays the whole window out, and the docks drift a little each time.
        self.setFixedSize(STATUS_WIDTH, self.sizeHint().height())
        self.show_job(None, 0)

    def show_job(self, job: RenderJob | None, waiting: int) -> None:
        for part in (self.label, self.bar, self.cancel_button):
            part.setVisible(job is not None)
        if job is not None:
            self.label.setText(f"Rendering {job.output.name}" + (f" (+{waiting} waiting)" if waiting else ""))
            self.bar.setValue(round(job.fraction * 1000))


class RenderJobsView(QWidget):
    progressed = Signal(object)  # a RenderJob whose progress moved; emitted from its worker thread
    ended_in_thread = Signal(object, str)  # a RenderJob and its refusal in words ("": it rendered); likewise

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs: list[RenderJob] = []
        self.rows: dict[RenderJob, RenderRow] = {}
        self.notice: QWidget | None = None  # the last render's end notice, while it shows
        self.status = RenderStatus(self)  # the window puts it in its status bar
        self._unsettled = 0  # renders started whose end the GUI thread has not shown yet
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 4)
        self._repaint = QTimer(self, singleShot=True, interval=REPAINT_INTERVAL_MS)
        self._repaint.timeout.connect(self._show_progress)
        # A method of this object, not a lambda: so the slot runs on the GUI thread, queued.
        self.progressed.connect(self._progress_arrived)
        self.ended_in_thread.connect(self._finished)
        self.setVisible(False)

    @property
    def running(self) -> RenderJob | None:
        return next((job for job in self.jobs if job.state == "running"), None)

    def is_rendering_to(self, output: Path) -> bool:
        return any(not job.finished and job.output.resolve() == output.resolve() for job in self.jobs)

    def start(self, job: RenderJob) -> None:
        """Queue `job`; it runs at once if no other render runs."""
        self.jobs.append(job)
        row = RenderRow(job, self)
        self.rows[job] = row
        self._layout.addWidget(row)
        self._drop_old_rows()
        self.setVisible(True)
        self._run_next()
        self._show_status()  # "+1 waiting" when it queued behind another

    def cancel(self, job: RenderJob) -> None:
        job.cancel.set()  # a running render stops at its next frame and deletes what it wrote
        if job.state == "queued":
            job.state, job.error = "cancelled", "cancelled before it began"
            self._show_ended(job)

    def may_close(self, parent: QWidget) -> bool:
        """Closing the window stops its renders: ask first while one is unfinished."""
        unfinished = [job.output.name for job in self.jobs if not job.finished]
        if not unfinished:
            return True
        answer = QMessageBox.question(
            parent, "Stop rendering?",
            f"{', '.join(unfinished)} {'is' if len(unfinished) == 1 else 'are'} still rendering. Quit and stop? "
            "Nothing of an unfinished render is written.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def cancel_all(self) -> None:
        """The window is closing: stop every render (the spawned processes with them)."""
        for job in list(self.jobs):
            if not job.finished:
                self.cancel(job)

    async def wait_idle(self) -> None:
        """Until every render started has ended and its end is shown (tests, benchmarks)."""
        while self._unsettled or any(job.state == "queued" for job in self.jobs):
            await asyncio.sleep(0.05)

    def _run_next(self) -> None:
        if self.running is not None:
            return
        job = next((job for job in self.jobs if job.state == "queued"), None)
        if job is None:
            return
        job.state = "running"  # at once, not when the thread starts: one render at a time
        self.rows[job].show_state()
        self._show_status()
        self._unsettled += 1
        # A thread of its own, not the event loop's executor: the render starts whether or not an
        # asyncio loop is running (a modal question may be open), and it is not daemonic, so quitting
        # waits for a cancelled render to stop its process rather than leaving the process behind.
        threading.Thread(target=self._render, args=(job,), name="foundry-render-job").start()

    def _render(self, job: RenderJob) -> None:
        """In the job's thread: render, then say how it ended (to the GUI thread, queued)."""
        try:
            job.run(lambda moved: self._tell("progressed", moved))
        except FoundryError as exc:
            message = str(exc)
        except Exception as exc:  # a bug: named in one line, so the row never sits at "rendering"
            logger.exception("the render failed")
            message = f"Something went wrong inside Foundry ({type(exc).__name__}: {exc})."
        else:
            message = ""
        self._tell("ended_in_thread", job, message)

    def _tell(self, signal: str, *args: object) -> None:
        """Emit from the render's thread, unless the window is gone (quitting stops the render, and
        its thread may still report after the view was deleted)."""
        try:
            getattr(self, signal).emit(*args)
        except RuntimeError:
            pass

    def _finished(self, job: RenderJob, message: str = "") -> None:
        self._unsettled -= 1
        if message and job.state == "running":  # refused before the job could say so itself
            job.state, job.error = "failed", message
        self._show_ended(job)
        if job.state != "cancelled":
            self.notice = show_render_end(self.window(), job)
        self._run_next()

    def _show_ended(self, job: RenderJob) -> None:
        self.rows[job].show_state()
        self._show_status()

    def _progress_arrived(self, _job: RenderJob) -> None:
        if not self._repaint.isActive():
            self._repaint.start()

    def _show_progress(self) -> None:
        job = self.running
        if job is not None:
            self.rows[job].show_state()
            self._show_status()

    def _show_status(self) -> None:
        self.status.show_job(self.running, sum(other.state == "queued" for other in self.jobs))

    def _drop_old_rows(self) -> None:
        finished = [job for job in self.jobs if job.finished]
        for job in finished[: max(0, len(finished) - ROWS_KEPT)]:
            self.jobs.remove(job)
            self.rows.pop(job).deleteLater()
