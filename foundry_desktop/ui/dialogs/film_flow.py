"""New film from a brief: the guided form of `foundry film`. The creator writes (or opens) a brief,
sets the film's length and the backends of its keyframes and video, and asks for a plan and
looks; the mood board's looks are shown to choose from; "Make the storyboard" lays the film out
with the chosen look and makes its keyframes, and the window then shows the storyboard to review
them.

Both runs are app.film_flow's, on the app's loop with the window's generation backends (the
language model's settings read in a worker thread first); each step's progress shows in the
dialog, and every refusal, "no language model set up" included, in words inside it. Run again
(after an error), the flow goes on from where it stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.assist.language_model import LanguageModelSettings, load_language_model, require_configured
from foundry_desktop.app.film_flow.film_flow import run_film_flow
from foundry_desktop.app.film_flow.film_request import FilmRequest, FilmResult, FilmStep, Until
from foundry_desktop.app.film_flow.flow_state import load_state
from foundry_desktop.app.generation.backends import backend_names
from foundry_desktop.errors import InputFileError
from foundry_desktop.ui.background_work import BackgroundWork
from foundry_desktop.ui.dialogs.dialog_work import ErrorLine
from foundry_desktop.ui.dialogs.mood_board import LookColumn, look_card
from foundry_desktop.ui.project_session import ProjectSession

if TYPE_CHECKING:
    from foundry_desktop.ui.window.main_window import MainWindow

BRIEF_LIMIT = 100_000  # characters: a brief is a page or two, not a book


class FilmFlowDialog(QDialog):
    def __init__(self, session: ProjectSession, parent: QWidget | None = None, *,
                 load_settings: Callable[[], LanguageModelSettings] | None = None,
                 show_storyboard: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._load_settings = load_settings or (lambda: load_language_model(project=session.service))
        self._show_storyboard = show_storyboard
        self.result_of_flow: FilmResult | None = None
        self._closed = False  # set when the creator closes it: a flow cancelled then has no widgets to update
        self.setWindowTitle("New film from a brief")
        self.setMinimumSize(820, 640)
        self.brief = QPlainTextEdit(placeholderText="What the film is for, what it shows, how it should feel…",
                                    tabChangesFocus=True)
        self.brief.setMaximumHeight(130)
        self.open_brief_button = QPushButton("Open a brief…")
        self.open_brief_button.clicked.connect(self.choose_brief_file)
        self.seconds = QSpinBox(minimum=5, maximum=600, value=60, suffix=" s")
        self.backend = QComboBox()
        self.image_backend = QComboBox()
        self.propose_button = QPushButton("Plan and propose looks")
        self.propose_button.setProperty("primary", True)
        self.propose_button.clicked.connect(self.propose)
        self.make_button = QPushButton("Make the storyboard")
        self.make_button.setEnabled(False)
        self.make_button.clicked.connect(self.make)
        self.status = QLabel(wordWrap=True)
        self.error_line = ErrorLine()
        self.look_column = LookColumn()
        self.look_choice = QButtonGroup(self)
        self._lay_out()
        self.work = BackgroundWork(self._failed)
        self.work.in_thread(backend_names, self._show_backends)  # the machine's settings file: off the GUI thread
        state = load_state(session.service)
        if state is not None:  # a film started before: go on with it
            self.brief.setPlainText(state.brief)
            self.seconds.setValue(round(Fraction(state.target_seconds)))
            self._show_looks()

    def _lay_out(self) -> None:
        brief_row = QHBoxLayout()
        brief_row.addWidget(self.brief, 1)
        brief_row.addWidget(self.open_brief_button, alignment=Qt.AlignmentFlag.AlignTop)
        form = QFormLayout()
        form.addRow("Brief", brief_row)
        form.addRow("Length", self.seconds)
        form.addRow("Keyframes made by", self.image_backend)
        form.addRow("Video made by", self.backend)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.propose_button)
        buttons.addStretch()
        buttons.addWidget(self.make_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_line)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("Looks"))
        layout.addWidget(self.look_column, 1)
        layout.addLayout(buttons)

    def _show_backends(self, names: list[str]) -> None:
        makers = [name for name in names if name != "media"]  # it plays the creator's own files: makes nothing
        for choice in (self.image_backend, self.backend):
            choice.addItems(makers)
            choice.setCurrentText("builtin")

    def choose_brief_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a brief", "", "Text (*.txt *.md);;All files (*)")
        if path:
            self.open_brief(Path(path))

    def open_brief(self, path: Path) -> asyncio.Task:
        """The brief read from `path` (in a worker thread) into the brief's box."""
        self.error_line.clear_error()

        def read() -> str:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputFileError(f"The brief {path.name} cannot be read: {exc}.") from None
            if len(text) > BRIEF_LIMIT:
                raise InputFileError(f"The brief {path.name} is longer than a brief ({len(text):,} characters).")
            return text

        return self.work.in_thread(read, self.brief.setPlainText)

    def propose(self) -> asyncio.Task | None:
        """Plan the film and propose its looks (the flow up to its mood board)."""
        return self._run("looks", "Planning…", self.propose_button)

    def make(self) -> asyncio.Task | None:
        """Lay the film out with the chosen look and make its keyframes; then show the storyboard."""
        return self._run("keyframes", "Making the storyboard…", self.make_button)

    def _run(self, until: Until, busy: str, button: QPushButton) -> asyncio.Task | None:
        self.error_line.clear_error()
        brief = self.brief.toPlainText().strip()
        if not brief:
            self.error_line.show_error("Write the brief first: what the film is for, what it shows, how it "
                                       "should feel.")
            return None
        checked = self.look_choice.checkedId()
        request = FilmRequest(brief=brief, seconds=Fraction(self.seconds.value()),
                              look=checked if checked > 0 else None, until=until,
                              backend=self.backend.currentText() or None,
                              image_backend=self.image_backend.currentText() or None)
        service, generation, load_settings = self.session.service, self.session.generation, self._load_settings

        label = button.text()

        async def run() -> FilmResult:
            try:
                settings = await asyncio.to_thread(load_settings)
                return await generation.run(service, lambda registry: run_film_flow(service, registry, request,
                                                                                    settings, self._step))
            finally:  # before the result is shown: the last one closes the dialog
                self._idle(button, label)

        for each in (self.propose_button, self.make_button):
            each.setEnabled(False)
        button.setText(busy)
        return self.work.run(run(), self._finished)

    def _idle(self, button: QPushButton, label: str) -> None:
        if self._closed:
            return
        button.setText(label)
        self.propose_button.setEnabled(True)
        self.make_button.setEnabled(self.look_choice.checkedId() > 0)

    def _step(self, step: FilmStep) -> None:
        self.status.setText(f"{step.message}…" if step.state == "started" else step.message)

    def _failed(self, message: str) -> None:
        if not self._closed:
            self.status.setText("")
            self.error_line.show_error(message)

    def _finished(self, result: FilmResult) -> None:
        self.result_of_flow = result
        notes = "\n".join(f"Note: {note}" for note in result.notes)
        if result.stopped_after == "moodboard":
            self._show_looks()
            self.status.setText(notes or "Choose the film's look, then make the storyboard.")
            return
        if self._show_storyboard is not None:
            self._show_storyboard()
        self.accept()

    def _show_looks(self) -> None:
        state = load_state(self.session.service)
        if state is None or not state.looks:
            return
        for button in self.look_choice.buttons():
            self.look_choice.removeButton(button)
        path_of, cards = self.session.service.media.path_of, []
        for number, saved in enumerate(state.looks, start=1):
            card, bottom = look_card(self.work, path_of, number, saved.as_direction())
            choose = QRadioButton("This look")
            self.look_choice.addButton(choose, number)
            choose.setChecked(number == (state.look or 1))
            bottom.addWidget(choose, alignment=Qt.AlignmentFlag.AlignBottom)
            cards.append(card)
        self.look_column.show_cards(cards)
        self.make_button.setEnabled(True)

    def done(self, result: int) -> None:  # noqa: D102 (closing: answers have nowhere to go)
        self._closed = True
        self.work.cancel()
        super().done(result)


def start_film_from_brief(window: MainWindow) -> asyncio.Task:
    """File ▸ New film from a brief. Without a language model there is no film to start: that is said
    (the settings read in a worker thread) before anything is made. A film is a project of its own,
    so a new project is made first unless the open one is still empty; the guided dialog then works
    on it."""

    def start(_: object) -> None:
        if window.session is None or window.session.service.project.timeline.shots:
            window.new_project()
        if window.session is None:
            return  # the creator cancelled the new project
        dialog = FilmFlowDialog(window.session, window, show_storyboard=window.show_storyboard)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    return window.work.in_thread(lambda: require_configured(load_language_model(), chat=True), start,
                                 lambda message: window.show_error("No film without a language model", message))
