"""Plan from a brief: the creator writes a brief, the language model proposes scenes, the
creator edits them in a table and puts them on the timeline as one undo step.

The request runs on the app's loop (the settings file, the key and the openai import in a
worker thread first), with the dialog busy meanwhile and any refusal shown in words inside
it, "no language model set up" included. The proposal's total always equals the target:
when the creator changes a scene's seconds, that scene keeps what was typed (as far as the
others can make room) and the others share the rest in proportion (duration_fit.refit_around);
changing the target duration fits them all to it. Applying never replaces shots: the scenes
are appended, or inserted after the selected shots.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from fractions import Fraction

from pydantic import ValidationError
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.assist.language_model import (
    LanguageModelSettings,
    connect_language_model,
    load_language_model,
)
from foundry_desktop.app.shots.scene_plan_placement import AppliedPlan, apply_plan
from foundry_desktop.app.assist.scene_plan_proposal import PlanRequest, propose_plan
from foundry_desktop.domain.planning.duration_fit import fit_durations, refit_around
from foundry_desktop.domain.errors import DomainError
from foundry_desktop.domain.planning.scene_plan import (
    ASPECTS,
    SCENE_MINIMUM,
    Brief,
    PlannedScene,
    ScenePlan,
    nearest_aspect,
)
from foundry_desktop.domain.time import (
    frames_to_seconds,
    parse_seconds,
    seconds_to_frames,
)
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.background_work import BackgroundWork, in_words
from foundry_desktop.ui.dialogs.dialog_work import ErrorLine
from foundry_desktop.ui.project_session import ProjectSession

TITLE, PROMPT, SECONDS, TRANSITION, TRANSITION_SECONDS = range(5)
COLUMNS = ("Title", "Prompt", "Seconds", "Transition", "Transition s")
TRANSITIONS = (("cut", "Cut"), ("dissolve", "Dissolve"), ("fade_black", "Fade through black"),
               ("fade_white", "Fade through white"))
DEFAULT_TRANSITION_SECONDS = Fraction(1, 2)
BRIEF_LABELS = {"text": "Brief", "subject": "Subject", "audience": "Audience", "tone": "Tone",
                "visual_style": "Visual style", "key_messages": "Key messages"}


class PlanDialog(QDialog):
    def __init__(self, session: ProjectSession, parent: QWidget | None = None, *,
                 load_settings: Callable[[], LanguageModelSettings] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        # The project's own assist settings over the machine's, read off the GUI thread when asked.
        self._load_settings = load_settings or (lambda: load_language_model(project=session.service))
        self.plan: ScenePlan | None = None  # the model's proposal as it came
        self.applied: AppliedPlan | None = None
        self._frames: list[int] = []
        self._descriptions: list[str] = []
        self.setWindowTitle("Plan from a brief")
        self.setMinimumSize(820, 640)
        self.status = QLabel(wordWrap=True)
        self.error_line = ErrorLine()
        self.music_mood = QLineEdit(placeholderText="the music's mood, for when you choose a music bed")
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_brief())
        layout.addWidget(self.error_line)
        layout.addWidget(self.status)
        layout.addWidget(self._build_table(), 1)
        music = QFormLayout()
        music.addRow("Music mood", self.music_mood)
        layout.addLayout(music)
        layout.addLayout(self._build_buttons())

        self.work = BackgroundWork(self._failed)
        self.duration.valueChanged.connect(self._target_changed)
        session.selection_changed.connect(self._update_buttons)
        self._update_buttons()

    def _build_brief(self) -> QFormLayout:
        """The brief, the film's length and shape, and Propose."""
        fmt = self.session.service.format
        self.brief = QPlainTextEdit(placeholderText="What the film is for, what happens in it, what it should say…",
                                    tabChangesFocus=True)
        self.brief.setMinimumHeight(70)
        self.brief.setMaximumHeight(140)
        self.subject = QLineEdit(placeholderText="the product or subject")
        self.audience = QLineEdit(placeholderText="who it is for")
        self.tone = QLineEdit(placeholderText="e.g. calm and warm, playful, epic")
        self.visual_style = QLineEdit(placeholderText="e.g. 35mm film, soft window light")
        self.key_messages = QPlainTextEdit(placeholderText="one a line", tabChangesFocus=True)
        self.key_messages.setFixedHeight(56)
        self.duration = QDoubleSpinBox(minimum=1, maximum=3600, decimals=2, value=30, suffix=" s")
        self.aspect = QComboBox()
        for name, (_, _, framing) in ASPECTS.items():
            self.aspect.addItem(f"{name} — {framing}", name)
        self.aspect.setCurrentIndex(list(ASPECTS).index(nearest_aspect(fmt.width, fmt.height)))
        self.propose_button = QPushButton("Propose")
        self.propose_button.setProperty("primary", True)
        self.propose_button.clicked.connect(self.propose)
        form = QFormLayout()
        form.addRow("Brief", self.brief)
        form.addRow("Subject", self.subject)
        form.addRow("Audience", self.audience)
        form.addRow("Tone", self.tone)
        form.addRow("Visual style", self.visual_style)
        form.addRow("Key messages", self.key_messages)
        shape = QHBoxLayout()
        shape.addWidget(self.duration)
        shape.addWidget(QLabel("Aspect"))
        shape.addWidget(self.aspect, 1)
        shape.addWidget(self.propose_button)
        form.addRow("Duration", shape)
        return form

    def _build_table(self) -> QTableWidget:
        """The proposed shots, editable before they are placed."""
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        header = self.table.horizontalHeader()
        for column, mode in ((TITLE, QHeaderView.ResizeMode.Interactive), (PROMPT, QHeaderView.ResizeMode.Stretch),
                             (SECONDS, QHeaderView.ResizeMode.ResizeToContents),
                             (TRANSITION, QHeaderView.ResizeMode.ResizeToContents),
                             (TRANSITION_SECONDS, QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(column, mode)
        self.table.setColumnWidth(TITLE, 160)
        self.table.itemChanged.connect(self._cell_edited)
        return self.table

    def _build_buttons(self) -> QHBoxLayout:
        """The plan's total length, Close, and placing the shots after the selection or at the end."""
        self.total = QLabel()
        self.insert_button = QPushButton("Insert after selection")
        self.insert_button.clicked.connect(lambda: self.apply(after_selection=True))
        self.append_button = QPushButton("Append")
        self.append_button.clicked.connect(lambda: self.apply(after_selection=False))
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.total, 1)
        buttons.addWidget(close)
        buttons.addWidget(self.insert_button)
        buttons.addWidget(self.append_button)
        return buttons

    # -- proposing -------------------------------------------------------------------------

    @property
    def rate(self) -> Fraction:
        return self.session.service.format.frame_rate

    @property
    def target_frames(self) -> int:
        return seconds_to_frames(parse_seconds(f"{self.duration.value():.2f}"), self.rate)

    def brief_from_fields(self) -> Brief:
        return Brief(text=self.brief.toPlainText(), subject=self.subject.text(), audience=self.audience.text(),
                     tone=self.tone.text(), visual_style=self.visual_style.text(),
                     key_messages=self.key_messages.toPlainText().splitlines())

    def propose(self) -> asyncio.Task | None:
        """Ask the model for a plan, off the GUI thread; the dialog is busy until it answers."""
        self.error_line.clear_error()
        try:
            request = PlanRequest(self.brief_from_fields(), parse_seconds(f"{self.duration.value():.2f}"), self.rate,
                                  self.aspect.currentData())
        except ValidationError as exc:
            self.error_line.show_error(in_words(exc, BRIEF_LABELS))
            return None
        load_settings = self._load_settings

        async def ask() -> ScenePlan:
            settings, client = await asyncio.to_thread(connect_language_model, load_settings, chat=True)
            self.status.setText(f"Asking {settings.model} for a plan…")
            return await propose_plan(settings, request, client)

        self._set_busy(True)
        self.status.setText("Asking the language model for a plan…")
        task = self.work.run(ask(), self._proposed)
        task.add_done_callback(lambda _: self._set_busy(False))
        return task

    def _set_busy(self, busy: bool) -> None:
        self.propose_button.setEnabled(not busy)
        self.propose_button.setText("Proposing…" if busy else "Propose")
        self._update_buttons()

    def _failed(self, message: str) -> None:
        self.status.setText("")
        self.error_line.show_error(message)

    def _proposed(self, plan: ScenePlan) -> None:
        self.plan = plan
        self.status.setText("\n".join(f"Note: {note}" for note in plan.notes)
                            or f"{len(plan.scenes)} scenes. Edit them as you like, then insert or append them.")
        self.music_mood.setText(plan.music_mood)
        self._frames = [scene.frames for scene in plan.scenes]
        self._descriptions = [scene.description for scene in plan.scenes]
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for row, scene in enumerate(plan.scenes):
            self.table.insertRow(row)
            self.table.setItem(row, TITLE, QTableWidgetItem(scene.title))
            prompt = QTableWidgetItem(scene.prompt)
            prompt.setToolTip(scene.description)
            self.table.setItem(row, PROMPT, prompt)
            self.table.setItem(row, SECONDS, QTableWidgetItem())
            kind = QComboBox()
            for value, label in TRANSITIONS:
                kind.addItem(label, value)
            kind.setCurrentIndex([value for value, _ in TRANSITIONS].index(scene.transition))
            kind.currentIndexChanged.connect(lambda _, row=row: self._transition_kind_changed(row))
            self.table.setCellWidget(row, TRANSITION, kind)
            self.table.setItem(row, TRANSITION_SECONDS, QTableWidgetItem(
                _seconds_text(frames_to_seconds(scene.transition_frames, plan.frame_rate))))
        self.table.blockSignals(False)
        self._show_lengths()
        self._update_buttons()

    # -- editing ---------------------------------------------------------------------------

    def _show_lengths(self) -> None:
        self.table.blockSignals(True)
        for row, frames in enumerate(self._frames):
            item = self.table.item(row, SECONDS)
            item.setText(_seconds_text(frames_to_seconds(frames, self.rate)))
            item.setToolTip(f"{frames} frames")
        self.table.blockSignals(False)
        total = sum(self._frames)
        self.total.setText(f"Total {float(frames_to_seconds(total, self.rate)):.2f} s ({total} frames), "
                           f"the target exactly" if total == self.target_frames else
                           f"Total {total} frames; the target is {self.target_frames}")

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        row, column = item.row(), item.column()
        if column not in (SECONDS, TRANSITION_SECONDS):
            return
        self.error_line.clear_error()
        try:
            seconds = parse_seconds(item.text())
            if seconds < 0:
                raise DomainError(f"{item.text()} is not a length of time.")
        except DomainError as exc:
            self.error_line.show_error(str(exc))
            seconds = None
        if column == SECONDS:
            if seconds is not None:
                minimum = seconds_to_frames(SCENE_MINIMUM, self.rate)
                self._frames = refit_around(self._frames, row, seconds_to_frames(seconds, self.rate),
                                            self.target_frames, minimum)
            self._show_lengths()
        elif seconds is None:
            self.table.blockSignals(True)
            item.setText(_seconds_text(DEFAULT_TRANSITION_SECONDS))
            self.table.blockSignals(False)
        elif seconds == 0:
            self.table.cellWidget(row, TRANSITION).setCurrentIndex(0)  # no length: a cut

    def _transition_kind_changed(self, row: int) -> None:
        kind = self.table.cellWidget(row, TRANSITION).currentData()
        item = self.table.item(row, TRANSITION_SECONDS)
        self.table.blockSignals(True)
        if kind == "cut":
            item.setText("0")
        elif parse_seconds(item.text() or "0") == 0:
            item.setText(_seconds_text(DEFAULT_TRANSITION_SECONDS))
        self.table.blockSignals(False)

    def _target_changed(self) -> None:
        if self._frames:
            self._frames = fit_durations(self._frames, self.target_frames, seconds_to_frames(SCENE_MINIMUM, self.rate))
            self._show_lengths()

    def edited_plan(self) -> ScenePlan:
        """The plan as the table shows it now (ValidationError when a row cannot be a scene)."""
        scenes = []
        for row, frames in enumerate(self._frames):
            kind = self.table.cellWidget(row, TRANSITION).currentData()
            transition_frames = 0 if kind == "cut" else max(1, seconds_to_frames(
                parse_seconds(self.table.item(row, TRANSITION_SECONDS).text() or "0"), self.rate))
            scenes.append(PlannedScene(title=self.table.item(row, TITLE).text(), description=self._descriptions[row],
                                       prompt=self.table.item(row, PROMPT).text(), frames=frames, transition=kind,
                                       transition_frames=transition_frames))
        proposed = self.plan
        assert proposed is not None  # rows come from a proposal
        return ScenePlan(brief=proposed.brief, aspect=proposed.aspect, frame_rate=proposed.frame_rate,
                         target_frames=self.target_frames, music_mood=self.music_mood.text().strip(), scenes=scenes)

    # -- applying --------------------------------------------------------------------------

    def _update_buttons(self, *_: object) -> None:
        ready = bool(self._frames) and self.propose_button.isEnabled()
        self.append_button.setEnabled(ready)
        self.insert_button.setEnabled(ready and bool(self.session.selected))

    def apply(self, *, after_selection: bool) -> AppliedPlan | None:
        """Put the table's scenes on the timeline: after the last selected shot, or at the end."""
        self.error_line.clear_error()
        service = self.session.service
        at = None
        if after_selection and self.session.selected:
            at = max(self.session.index_of(shot_id) for shot_id in self.session.selected) + 1
        try:
            applied = apply_plan(service, self.edited_plan(), at)
        except ValidationError as exc:
            self.error_line.show_error(f"The plan cannot be applied: {in_words(exc)}")
            return None
        except (FoundryError, DomainError) as exc:
            self.error_line.show_error(str(exc))
            return None
        self.applied = applied
        first, last = applied.first + 1, applied.first + len(applied.shot_ids)
        lines = [f"Added shots {first} to {last} (one undo step)." if last > first else f"Added shot {first}."]
        lines += [f"Note: {note}" for note in applied.notes]
        self.status.setText("\n".join(lines))
        self.session.select(applied.shot_ids)
        return applied

    def done(self, result: int) -> None:
        self.work.cancel()
        try:
            self.session.selection_changed.disconnect(self._update_buttons)
        except (RuntimeError, TypeError):  # closed twice
            pass
        super().done(result)


def _seconds_text(seconds: Fraction) -> str:
    return f"{float(seconds):.2f}".rstrip("0").rstrip(".") or "0"
