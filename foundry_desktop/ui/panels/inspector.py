"""The inspector: everything that decides what the selected shot generates, edited in place.

Each field writes through the app service as one undoable edit: typed fields when the
creator pauses or leaves them (never a step per keystroke), choices at once. The panel
repaints from the model after every change, so an undo, or an edit made elsewhere, shows
here too, and the status badge says at once whether the shot's take is still current.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, get_args

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QImage, QImageReader, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedLayout,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from foundry_desktop.app.generation.backends import backend_names, workflow_library
from foundry_desktop.app.project_service import new_seed
from foundry_desktop.domain.project import Shot, TransitionKind
from foundry_desktop.domain.prompt_composition import composed_prompt
from foundry_desktop.domain.prompt_templates import TemplateKind
from foundry_desktop.domain.status import ShotStatus
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.domain.timeline_ops import max_transition_frames
from foundry_desktop.ui.picture_loading import read_picture
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.theme import STATUS_COLOURS

PAUSE_MS = 900  # a typed field is saved this long after the last keystroke, or when it loses focus
PICTURE_SIZE = (128, 72)
# Workflow roles the shot fills from its own fields; the rest are free parameters.
SHOT_ROLES = {"prompt", "negative_prompt", "seed", "width", "height", "frames", "fps", "input_image", "filename_prefix"}
TRANSITION_WORDS = {"cut": "Cut", "dissolve": "Dissolve", "fade_black": "Fade through black",
                    "fade_white": "Fade through white"}
IMAGE_SUFFIXES = {f".{bytes(fmt).decode()}" for fmt in QImageReader.supportedImageFormats()}
DEFAULT_TRANSITION_S = Fraction(1, 2)


@dataclass(frozen=True)
class _Choices:
    """What the backend and workflow pickers offer on this machine."""

    backends: list[str]
    workflows: list[Any]  # WorkflowEntry, favourites first
    templates: dict[str, Any]  # workflow name -> WorkflowTemplate


def _load_choices() -> _Choices:
    """Reads the machine's settings and every workflow file: run it in a worker thread."""
    library = workflow_library()
    entries = sorted(library.entries(), key=lambda entry: not entry.favourite)
    return _Choices(backend_names(), entries, {entry.name: library.get(entry.name) for entry in entries})


def status_words(status: ShotStatus) -> str:
    """'Stale: prompt changed', 'Current'."""
    kind = status.kind.capitalize()
    return f"{kind}: {', '.join(status.reasons)}" if status.reasons else kind


def _value_from_text(text: str) -> Any:
    """A parameter typed as 20, 7.5, true or "a word" keeps its type; anything else is text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _text_of_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class InspectorPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: ProjectSession | None = None
        self._connections: list[tuple[Any, Callable[..., None]]] = []
        self._shot_id: str | None = None
        self._choices = _Choices([], [], {})
        self._pending: dict[QObject, tuple[QTimer, Callable[[], None]]] = {}
        self._filling = False  # the panel itself is setting its fields: not an edit
        self._quiet = 0  # edits in progress: repaint once afterwards, not from each signal
        self._picture_key: str | None = None

        self.hint = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.hint.setProperty("hint", True)  # the theme's look for hints
        self.editor = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        self.editor.setWidget(self._build_form())
        self.pages = QStackedLayout(self)
        self.pages.addWidget(self.hint)
        self.pages.addWidget(self.editor)
        self._show_selected()

    # -- the fields --------------------------------------------------------------

    def _build_form(self) -> QWidget:
        form = QWidget()
        column = QVBoxLayout(form)
        self.title = QLabel()
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.status_badge = QLabel(wordWrap=True)
        self.name = QLineEdit(placeholderText="Name this shot")
        self._typed(self.name, self.name.textEdited, self._saver("name", "Rename the shot", self.name.text))
        header = QFormLayout()
        header.addRow(self.title, self.status_badge)
        header.addRow("Name", self.name)
        column.addLayout(header)

        self.prompt = QPlainTextEdit(placeholderText="What the shot shows")
        self.negative_prompt = QPlainTextEdit(placeholderText="What it must not show")
        for editor, field, lines in ((self.prompt, "prompt", 5), (self.negative_prompt, "negative_prompt", 3)):
            editor.setFixedHeight(editor.fontMetrics().lineSpacing() * lines + 12)
            words = field.replace("_", " ")
            self._typed(editor, editor.textChanged, self._saver(field, f"Change the {words}", editor.toPlainText))
        self.character_picker = QComboBox(toolTip="Someone who appears in several shots "
                                                  "(Shots > Characters & Styles…)")
        self.style_picker = QComboBox(toolTip="A look shared by shots (Shots > Characters & Styles…)")
        for combo, kind in ((self.character_picker, "character"), (self.style_picker, "style")):
            combo.currentIndexChanged.connect(lambda _, combo=combo, kind=kind: self._save_template(combo, kind))
        # What the backend gets: the prompt inside the style's and the character's words.
        self.final_prompt = QPlainTextEdit(readOnly=True)
        self.final_prompt.setFixedHeight(self.final_prompt.fontMetrics().lineSpacing() * 4 + 12)
        self.final_prompt.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        for editor in (self.prompt, self.negative_prompt):
            editor.textChanged.connect(self._show_final_prompt)
        column.addWidget(self._group("What to make", [("Prompt", self.prompt), ("Negative", self.negative_prompt),
                                                      ("Character", self.character_picker),
                                                      ("Style", self.style_picker),
                                                      ("Final prompt", None), (None, self.final_prompt)]))

        self.backend = QComboBox()
        self.backend.currentIndexChanged.connect(self._saver("backend", "Change the backend", self.backend.currentText))
        self.model = QLineEdit(placeholderText="The backend's default")
        self._typed(self.model, self.model.textEdited,
                    self._saver("model", "Change the model", lambda: self.model.text().strip()))
        self.workflow = QComboBox(sizeAdjustPolicy=QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.workflow.currentIndexChanged.connect(
            self._saver("workflow", "Change the workflow", self.workflow.currentData))
        self.params = QTableWidget(0, 3)
        self.params.setHorizontalHeaderLabels(["Parameter", "Value", "Goes to"])
        self.params.verticalHeader().setVisible(False)
        self.params.setWordWrap(False)
        for section, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch,
                                        QHeaderView.ResizeMode.Stretch)):
            self.params.horizontalHeader().setSectionResizeMode(section, mode)
        # Saved once the table is done emitting: saving repaints the table, which replaces its items.
        self.params.itemChanged.connect(lambda _: None if self._filling else QTimer.singleShot(0, self._save_params))
        column.addWidget(self._group("Generator", [("Backend", self.backend), ("Model", self.model),
                                                   ("Workflow", self.workflow), ("Parameters", None),
                                                   (None, self.params)]))

        # Seeds go up to 2**63 and a QSpinBox stops at 2**31; a double holds every whole number to 2**53.
        self.seed = QDoubleSpinBox(decimals=0, minimum=0, maximum=2.0**53)
        self._typed(self.seed, self.seed.valueChanged,
                    self._saver("seed", "Change the seed", lambda: int(self.seed.value())))
        self.new_seed = QPushButton("New seed", toolTip="A random seed: the shot will generate something new")
        self.new_seed.clicked.connect(
            lambda: self._apply("New seed", lambda index: self._service.update_shot(index, seed=new_seed())))
        self.duration = QDoubleSpinBox(decimals=2, minimum=0.01, maximum=3600.0, suffix=" s", singleStep=0.5)
        self._typed(self.duration, self.duration.valueChanged, self._save_duration)
        self.frames = QLabel()
        self.frames.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        column.addWidget(self._group("Seed and length", [("Seed", self._row(self.seed, self.new_seed)),
                                                         ("Duration", self._row(self.duration, self.frames))]))

        self.picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, frameShape=QFrame.Shape.StyledPanel)
        self.picture.setFixedSize(*PICTURE_SIZE)
        self.image_name = QLabel(wordWrap=True)
        self.browse_image = QPushButton("Browse…")
        self.browse_image.clicked.connect(self._browse_image)
        self.clear_image = QPushButton("Clear")
        self.clear_image.clicked.connect(lambda: self._set_image(""))
        image_side = QVBoxLayout()
        image_side.addWidget(self.image_name)
        image_side.addWidget(self._row(self.browse_image, self.clear_image))
        self.image_box = QGroupBox("Input image")
        self.image_box.setAcceptDrops(True)
        self.image_box.installEventFilter(self)
        image_row = QHBoxLayout(self.image_box)
        image_row.addWidget(self.picture)
        image_row.addLayout(image_side, 1)
        column.addWidget(self.image_box)

        self.transition_kind = QComboBox()
        for kind in get_args(TransitionKind):
            self.transition_kind.addItem(TRANSITION_WORDS.get(kind, kind), kind)
        self.transition_kind.currentIndexChanged.connect(self._save_transition_kind)
        self.transition_length = QDoubleSpinBox(decimals=2, minimum=0.0, suffix=" s", singleStep=0.25)
        self._typed(self.transition_length, self.transition_length.valueChanged, self._save_transition_length)
        self.transition_note = QLabel(wordWrap=True)
        self.transition_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        column.addWidget(self._group("Into the next shot", [("Transition", self.transition_kind),
                                                            ("Length", self.transition_length),
                                                            ("", self.transition_note)]))
        column.addStretch()
        return form

    def _group(self, title: str, rows: list[tuple[str | None, QWidget | None]]) -> QGroupBox:
        """A titled form; a row without a label spans the width, one without a widget is a heading."""
        box = QGroupBox(title)
        layout = QFormLayout(box)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for label, widget in rows:
            layout.addRow(widget) if label is None else layout.addRow(label, widget or QWidget())
        return box

    def _row(self, *widgets: QWidget) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        return row

    def _typed(self, editor: QWidget, signal: Any, commit: Callable[[], None]) -> None:
        """Save `editor` after a pause in typing, or when it loses focus: one undo step per change."""
        timer = QTimer(self, singleShot=True, interval=PAUSE_MS)
        timer.timeout.connect(commit)
        signal.connect(lambda *_: None if self._filling else timer.start())
        if hasattr(editor, "editingFinished"):  # Return in a line or spin box
            editor.editingFinished.connect(lambda: self._flush(editor))
        editor.installEventFilter(self)  # focus leaving
        self._pending[editor] = (timer, commit)

    # -- the session -------------------------------------------------------------

    def set_session(self, session: ProjectSession | None) -> None:
        """Show this project (None: no project open). Disconnects from the previous one."""
        self._flush_all()
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        self._session, self._shot_id, self._picture_key = session, None, None
        if session is not None:
            for signal, slot in ((session.changed, self._model_changed), (session.selection_changed, self._selection_changed),
                                 (session.shot_status_changed, self._status_changed)):
                signal.connect(slot)
                self._connections.append((signal, slot))
        self.reload_choices()
        self._show_selected()

    def reload_choices(self) -> None:
        """The workflow library or the backends changed: read them again."""
        session = self._session
        if session is not None:
            session.in_thread("Read backends and workflows", _load_choices,
                              lambda choices: self._take_choices(session, choices))

    def _take_choices(self, session: ProjectSession, choices: _Choices) -> None:
        if isValid(self) and session is self._session:
            self._choices = choices
            self._show_selected()

    def _model_changed(self, _label: str) -> None:
        if not self._quiet:
            self._show_selected()

    def _selection_changed(self, _ids: list) -> None:
        self._flush_all()  # what was typed belongs to the shot it was typed for
        self._show_selected()

    def _status_changed(self, shot_id: str) -> None:
        shot = self._shot()
        if shot is not None and shot.id == shot_id:
            self._show_status(shot)

    def _selected_shot(self) -> Shot | None:
        session = self._session
        return session.shot(session.selected[0]) if session is not None and session.selected else None

    def _shot(self) -> Shot | None:
        """The shot the fields show: what is typed is saved to it, even once another is selected."""
        return self._session.shot(self._shot_id) if self._session is not None and self._shot_id else None

    # -- showing the shot ----------------------------------------------------------

    def _show_selected(self) -> None:
        shot = self._selected_shot()
        if shot is None:
            self._shot_id = None
            self.hint.setText("Open a project to edit its shots." if self._session is None
                              else "Select a shot on the timeline to edit it")
            self.pages.setCurrentWidget(self.hint)
            return
        switched = shot.id != self._shot_id
        self._shot_id = shot.id
        self._filling = True
        try:
            self._fill(shot, switched)
        finally:
            self._filling = False
        self.pages.setCurrentWidget(self.editor)

    def _fill(self, shot: Shot, switched: bool) -> None:
        assert self._session is not None
        spec, rate = shot.spec, self._session.service.format.frame_rate
        shots = self._session.service.project.timeline.shots
        index = self._session.index_of(shot.id)
        self.title.setText(f"Shot {index + 1} of {len(shots)}")
        self._show_status(shot)
        for editor, text in ((self.name, shot.name), (self.prompt, spec.prompt),
                             (self.negative_prompt, spec.negative_prompt), (self.model, spec.model or "")):
            if switched or not self._being_edited(editor):
                current = editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()
                if current != text:
                    editor.setPlainText(text) if isinstance(editor, QPlainTextEdit) else editor.setText(text)
        self._fill_backends(spec.backend)
        self._fill_workflows(spec.workflow, spec.backend == "comfyui")
        if switched or self.params.state() != QAbstractItemView.State.EditingState:
            self._fill_params(shot)  # not under a cell being typed in
        if switched or not self._being_edited(self.seed):
            self.seed.setValue(spec.seed)
        if switched or not self._being_edited(self.duration):
            self.duration.setValue(float(frames_to_seconds(spec.duration, rate)))
        self.frames.setText(f"{spec.duration} frames at {float(rate):g} fps")
        self._fill_image(spec.input_image, spec.input_image_name)
        self._fill_transition(shot, index, switched)
        for combo, kind in ((self.character_picker, "character"), (self.style_picker, "style")):
            self._fill_templates(combo, kind, getattr(spec, kind))
        self._show_final_prompt()

    def _fill_templates(self, combo: QComboBox, kind: TemplateKind, chosen: str | None) -> None:
        assert self._session is not None
        items = [("None", None)] + [(t.name, t.id) for t in self._session.service.project.templates(kind)]
        if [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())] != items:
            combo.clear()
            for name, template_id in items:
                combo.addItem(name, template_id)
        combo.setCurrentIndex(max(0, combo.findData(chosen)))

    def _show_final_prompt(self) -> None:
        """The composed prompt for what is typed now (prompt_composition's rule), negative below."""
        shot = self._shot()
        if shot is None or self._session is None:
            return
        typed = shot.model_copy(update={"spec": shot.spec.model_copy(update={
            "prompt": self.prompt.toPlainText(), "negative_prompt": self.negative_prompt.toPlainText()})})
        final = composed_prompt(typed, self._session.service.project)
        text = final.prompt + (f"\n\nAvoid: {final.negative}" if final.negative else "")
        if self.final_prompt.toPlainText() != text:
            self.final_prompt.setPlainText(text)

    def _being_edited(self, editor: QWidget) -> bool:
        return editor.hasFocus() or self._pending[editor][0].isActive()

    def _show_status(self, shot: Shot) -> None:
        assert self._session is not None
        status = self._session.service.shot_status(shot)
        tint = STATUS_COLOURS.get(status.kind, STATUS_COLOURS["missing"])
        self.status_badge.setText(status_words(status))
        # The status colour, translucent over the theme's own background: it reads on dark and light.
        self.status_badge.setStyleSheet(
            f"background: rgba({tint.red()}, {tint.green()}, {tint.blue()}, 80); border: 1px solid {tint.name()};"
            " border-radius: 4px; padding: 2px 6px;")

    def _fill_backends(self, backend: str) -> None:
        names = list(self._choices.backends)
        if backend not in names:
            names.append(backend)  # a backend this machine lacks stays visible as the shot's choice
        if [self.backend.itemText(i) for i in range(self.backend.count())] != names:
            self.backend.clear()
            self.backend.addItems(names)
        self.backend.setCurrentIndex(names.index(backend))

    def _fill_workflows(self, workflow: str | None, comfyui: bool) -> None:
        items = [("Choose a workflow…", None, "")]
        for entry in self._choices.workflows:
            label = f"★ {entry.title}" if entry.favourite else f"{entry.category} · {entry.title}"
            items.append((label, entry.name, entry.description))
        if workflow is not None and workflow not in self._choices.templates:
            items.append((f"{workflow} (not in the library)", workflow, ""))
        # Rebuilt only when the list itself changes: this runs inside the combo's own signal too.
        if [self.workflow.itemData(i) for i in range(self.workflow.count())] != [data for _, data, _ in items]:
            self.workflow.clear()
            for label, data, description in items:
                self.workflow.addItem(label, data)
                self.workflow.setItemData(self.workflow.count() - 1, description, Qt.ItemDataRole.ToolTipRole)
        # A shot's workflow can be changed, not taken away (the app service has no edit for that).
        self.workflow.model().item(0).setEnabled(workflow is None)
        self.workflow.setCurrentIndex(max(0, self.workflow.findData(workflow)))
        self.workflow.setEnabled(comfyui)
        self.workflow.setToolTip("" if comfyui else "Workflows are for the comfyui backend")

    def _fill_params(self, shot: Shot) -> None:
        """The workflow's parameter map (for comfyui), the shot's own parameters, and a blank row to add one."""
        template = self._choices.templates.get(shot.spec.workflow or "") if shot.spec.backend == "comfyui" else None
        rows: list[tuple[str, str, str, bool]] = []  # key, value, goes to, editable
        roles = dict(template.roles) if template is not None else {}
        for role, targets in roles.items():
            where = ", ".join(f"node {t.node_id} · {t.input_name}" for t in targets)
            if role in SHOT_ROLES:
                rows.append((role, "from the shot", where, False))
                continue
            default = template.graph.get(targets[0].node_id, {}).get("inputs", {}).get(targets[0].input_name)
            if default is not None and not isinstance(default, list):  # a list is a link to another node
                where += f" (default {_text_of_value(default)})"
            value = shot.spec.params.get(role)
            rows.append((role, "" if value is None else _text_of_value(value), where, True))
        for key, value in shot.spec.params.items():
            if key not in roles:
                rows.append((key, _text_of_value(value), "not in this workflow" if template else "", True))
        rows.sort(key=lambda row: not row[3])  # what the creator may set first, what the shot fills after
        self.params.setRowCount(len(rows) + 1)
        for row, (key, value, where, editable) in enumerate([*rows, ("", "", "new parameter", True)]):
            for column, text in enumerate((key, value, where)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # a narrow dock cuts long ones short
                if not (column == 1 and editable) and not (column == 0 and row == len(rows)):
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if column == 2 or not editable:
                    item.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
                self.params.setItem(row, column, item)
        shown = min(self.params.rowCount(), 8)  # the table as tall as its rows, up to eight
        self.params.setFixedHeight(self.params.horizontalHeader().sizeHint().height() + 2 * self.params.frameWidth()
                                   + shown * self.params.verticalHeader().defaultSectionSize())

    def _fill_image(self, key: str | None, name: str | None) -> None:
        self.image_name.setText(name or "No input image. Drop a picture here, or browse for one.")
        self.clear_image.setEnabled(key is not None)
        if key == self._picture_key:
            return
        self._picture_key = key
        self.picture.clear()
        self.picture.setText("" if key is None else "…")
        session = self._session
        if key is not None and session is not None:
            path = session.service.media.path_of(key)
            session.in_thread("Show the input image", lambda: read_picture(path, PICTURE_SIZE[0]),
                              lambda image: self._show_picture(session, key, image))

    def _show_picture(self, session: ProjectSession, key: str, image: QImage) -> None:
        if not isValid(self) or session is not self._session or key != self._picture_key:
            return
        if image.isNull():
            self.picture.setText("Unreadable")
        else:
            self.picture.setPixmap(QPixmap.fromImage(image).scaled(
                *PICTURE_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    def _fill_transition(self, shot: Shot, index: int, switched: bool) -> None:
        assert self._session is not None
        service = self._session.service
        rate = service.format.frame_rate
        longest = max_transition_frames(service.project.timeline, index)
        transition = shot.transition_out
        self.transition_kind.setCurrentIndex(self.transition_kind.findData(transition.kind))
        self.transition_kind.setEnabled(longest > 0)
        self.transition_length.setMaximum(float(frames_to_seconds(longest, rate)))
        self.transition_length.setMinimum(0.0 if transition.kind == "cut" else float(frames_to_seconds(1, rate)))
        if switched or not self._being_edited(self.transition_length):
            self.transition_length.setValue(float(frames_to_seconds(transition.duration, rate)))
        self.transition_length.setEnabled(transition.kind != "cut")
        if index == len(service.project.timeline.shots) - 1:
            self.transition_note.setText("The last shot has no next shot.")
        else:
            self.transition_note.setText(f"At most {float(frames_to_seconds(longest, rate)):.2f} s here "
                                         "(half of the shorter shot).")

    # -- edits ---------------------------------------------------------------------

    def _apply(self, title: str, change: Callable[[int], object]) -> None:
        """One edit of the shown shot through the app service; a refusal reaches the user as the
        session's error, and the fields show the model again either way."""
        session, shot_id = self._session, self._shot_id
        if session is None or shot_id is None or session.index_of(shot_id) < 0:
            return
        index = session.index_of(shot_id)
        self._quiet += 1
        try:
            session.edit(title, lambda: change(index))
        finally:
            self._quiet -= 1
        if not self._quiet:
            self._show_selected()

    def _flush(self, editor: QObject) -> None:
        timer, commit = self._pending[editor]
        if timer.isActive():
            timer.stop()
            commit()

    def _flush_all(self) -> None:
        self._quiet += 1  # several saves in a row: repaint after the last
        try:
            for editor in self._pending:
                self._flush(editor)
        finally:
            self._quiet -= 1

    @property
    def _service(self) -> Any:
        assert self._session is not None
        return self._session.service

    def _saver(self, field: str, title: str, read: Callable[[], Any]) -> Callable[..., None]:
        """A save of one shot field (name or spec) from its editor, when it differs from the model."""

        def save(*_: object) -> None:
            shot = self._shot()
            if self._filling or shot is None or (value := read()) is None:
                return
            current = shot.name if field == "name" else getattr(shot.spec, field)
            if value != ("" if current is None else current):
                self._apply(title, lambda index: self._service.update_shot(index, **{field: value}))

        return save

    def _save_template(self, combo: QComboBox, kind: TemplateKind) -> None:
        shot = self._shot()
        if self._filling or shot is None:
            return
        chosen = combo.currentData()
        if chosen != getattr(shot.spec, kind):
            self._apply(f"Choose the {kind}", lambda index: self._service.update_shot(index, **{kind: chosen or ""}))

    def _save_params(self) -> None:
        if self._filling or (shot := self._shot()) is None:
            return
        params: dict[str, Any] = {}
        for row in range(self.params.rowCount()):
            key, value = self.params.item(row, 0), self.params.item(row, 1)
            if key is None or value is None or not value.flags() & Qt.ItemFlag.ItemIsEditable:
                continue
            if key.text().strip() and value.text().strip():
                params[key.text().strip()] = _value_from_text(value.text().strip())
        if params != shot.spec.params:
            self._apply("Change the parameters", lambda index: self._service.update_shot(index, params=params))

    def _frames_in(self, box: QDoubleSpinBox, title: str) -> int | None:
        """The frames a seconds box asks for; a refusal is reported and the box shows the model again."""
        frames = self._session.edit(title, lambda: self._service.frames_from_seconds(f"{box.value():.2f}"))
        if frames is None:
            self._show_selected()
        return frames

    def _save_duration(self) -> None:
        # Frames decide: a length shown rounded to hundredths must not change an NTSC duration on its own.
        shot = self._shot()
        if shot is not None and (frames := self._frames_in(self.duration, "Change the duration")) is not None:
            if frames != shot.spec.duration:
                self._apply("Change the duration",
                            lambda index: self._service.update_shot(index, duration_seconds=f"{self.duration.value():.2f}"))

    def _save_transition_kind(self) -> None:
        shot, kind = self._shot(), self.transition_kind.currentData()
        if self._filling or shot is None or kind == shot.transition_out.kind:
            return
        longest = max_transition_frames(self._service.project.timeline, self._session.index_of(shot.id))
        frames = shot.transition_out.duration or min(longest, self._service.frames_from_seconds(DEFAULT_TRANSITION_S))
        self._apply("Change the transition",
                    lambda index: self._service.set_transition(index, kind, 0 if kind == "cut" else frames))

    def _save_transition_length(self) -> None:
        shot = self._shot()
        if shot is None or shot.transition_out.kind == "cut":
            return
        frames = self._frames_in(self.transition_length, "Change the transition")
        if frames is not None and frames != shot.transition_out.duration:
            kind = shot.transition_out.kind
            self._apply("Change the transition", lambda index: self._service.set_transition(index, kind, frames))

    def _browse_image(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in sorted(IMAGE_SUFFIXES))
        path, _ = QFileDialog.getOpenFileName(self, "Choose the input image", "", f"Pictures ({patterns})")
        if path:
            self._set_image(path)

    def _set_image(self, path: str) -> None:
        """A picture file for the shot to start from; "" clears it."""
        title = "Set the input image" if path else "Clear the input image"
        self._apply(title, lambda index: self._service.update_shot(index, image=path))

    # -- events --------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusOut:
            if watched in self._pending:
                self._flush(watched)
        elif kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop) and watched is self.image_box:
            path = self._dropped_picture(event)
            if path is not None:
                event.acceptProposedAction()
                if kind == QEvent.Type.Drop:
                    self._set_image(path)
                return True
        return super().eventFilter(watched, event)

    def _dropped_picture(self, event: Any) -> str | None:
        if self._shot_id is None:
            return None
        for url in event.mimeData().urls():
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES:
                return url.toLocalFile()
        return None

    def hideEvent(self, event: Any) -> None:
        self._flush_all()  # a closed dock or window keeps what was typed
        super().hideEvent(event)
