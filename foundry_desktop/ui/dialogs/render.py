"""Render: a settings sheet (format, encoder, file). It checks what can be checked before
any work starts (an empty timeline, a file Foundry cannot write, shots with no picture,
a file that would be replaced), then hands the render to the window's render queue
(ui/panels/render_jobs) and closes: the film renders in the background while the creator
goes on editing, as the cut was when Render was pressed.

Its questions are window-modal message boxes opened, not exec'd, so the event loop (and
any render already running) goes on while the creator answers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from foundry_desktop.app.render.output_presets import OUTPUT_PRESETS, RenderSettings
from foundry_desktop.app.render.render_job import RenderJob, refusal_before_render
from foundry_desktop.app.render.slates import UnrenderableShot, unrenderable_shots
from foundry_desktop.ui.budget_check import BudgetCheck
from foundry_desktop.ui.dialogs.dialog_work import ErrorLine
from foundry_desktop.ui.panels.render_jobs import RenderJobsView
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.settings.rendering_tab import render_encoder, render_loudness

SHOTS_NAMED = 8  # more missing shots than this are counted, not listed


def missing_words(missing: list[UnrenderableShot]) -> str:
    named = [f"Shot {shot.number} ({shot.reason})" for shot in missing[:SHOTS_NAMED]]
    more = len(missing) - len(named)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


class RenderDialog(QDialog):
    def __init__(self, session: ProjectSession, renders: RenderJobsView, parent: QWidget | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.renders = renders
        self.loudness_lufs = render_loudness(settings) if settings is not None else -14.0
        self.question: QMessageBox | None = None  # the question being asked, while it is open
        # "Generate missing" asks its budget question after the dialog has closed: under the window.
        self.budget_check = BudgetCheck(parent if parent is not None else self)
        self.setWindowTitle("Render the film")
        self.setMinimumWidth(520)
        self.preset = QComboBox()
        self.preset.addItem("The project's size, H.264", None)
        for name, preset in OUTPUT_PRESETS.items():
            self.preset.addItem(preset.label, name)
        self.encoder = QComboBox()
        self.encoder.addItem("Fastest that works here (auto)", "auto")
        self.encoder.addItem("Software (x264 / x265)", "software")
        if settings is not None:
            self.encoder.setCurrentIndex(max(0, self.encoder.findData(render_encoder(settings))))
        self.output = QLineEdit(str(session.path.with_suffix(".mp4")))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_file)
        where = QHBoxLayout()
        where.addWidget(self.output, 1)
        where.addWidget(browse)
        self.error_line = ErrorLine()
        self.start = QPushButton("Render")
        self.start.setProperty("primary", True)
        self.start.setDefault(True)
        self.start.clicked.connect(self.render)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.start)
        form = QFormLayout(self)
        form.addRow("Format", self.preset)
        form.addRow("Encoder", self.encoder)
        form.addRow("File", where)
        form.addRow(self.error_line)
        form.addRow(buttons)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Render to", self.output.text(),
                                              "Video (*.mp4 *.mov *.webm *.mkv)")
        if path:
            self.output.setText(path)

    def render(self) -> None:
        """Check, ask what must be asked, then queue the render and close."""
        self.error_line.clear_error()
        output = Path(self.output.text().strip()).expanduser()
        refusal = refusal_before_render(self.session.service, output)
        if refusal is None and self.renders.is_rendering_to(output):
            refusal = f"{output.name} is already being rendered; wait for it, or choose another name."
        if refusal is not None:
            self.error_line.show_error(refusal)
            self.adjustSize()  # taller, so the wrapped words show whole
            return
        missing = unrenderable_shots(self.session.service)
        if not missing:
            self._confirm_replace(output, slates=False)
            return
        box = self._ask("Shots without a picture",
                        f"{missing_words(missing)} cannot be shown yet.",
                        "Generate them first and render when they are done, or render now with a slate "
                        "(black, with the shot's number) for each, for its length.")
        generate = box.addButton("Generate, then render", QMessageBox.ButtonRole.AcceptRole)
        slates = box.addButton("Render with slates", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(slates)
        generate.clicked.connect(lambda: self._confirm_replace(output, slates=False, generate=missing))
        slates.clicked.connect(lambda: self._confirm_replace(output, slates=True))
        box.open()

    def _confirm_replace(self, output: Path, *, slates: bool, generate: list[UnrenderableShot] | None = None) -> None:
        if not output.exists():
            self._start(output, slates, generate)
            return
        box = self._ask("Replace the file?", f"{output.name} already exists in {output.parent}.",
                        "Rendering replaces it when the new film is complete; until then it stays as it is.")
        replace = box.addButton("Replace", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        replace.clicked.connect(lambda: self._start(output, slates, generate))
        box.open()

    def _ask(self, title: str, text: str, details: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(details)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _: setattr(self, "question", None))
        self.question = box
        return box

    def _start(self, output: Path, slates: bool, generate: list[UnrenderableShot] | None) -> None:
        # Only plain values from here on: after generation the dialog is long gone.
        session, renders, loudness = self.session, self.renders, self.loudness_lufs
        settings = RenderSettings(preset=self.preset.currentData(), encoder=self.encoder.currentData())

        def queue() -> None:
            renders.start(RenderJob.of(session.service, output, settings=settings, loudness_lufs=loudness,
                                       slates=slates))

        if generate:  # asked of the window's budget check: the dialog is gone while the question is open
            render_after_generation(session, {shot.shot_id for shot in generate}, queue, self.budget_check)
        else:
            queue()
        self.accept()


def render_after_generation(session: ProjectSession, shot_ids: set[str], queue: Callable[[], None],
                            budget_check: BudgetCheck) -> None:
    """Generate `shot_ids` (asking first where the budget cannot guard them: nothing is sent or
    rendered on No), then render (the cut as it is then) if every shot has a picture; if some
    still have none, say which instead of rendering a film with holes."""

    def generated(_report: object) -> None:
        still = unrenderable_shots(session.service)
        if still:
            session.error.emit("Render", f"Not rendered: {missing_words(still)} still cannot be shown.")
        else:
            queue()

    budget_check.generate(session, shot_ids, done=generated)
