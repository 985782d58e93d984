"""The inspector: everything that decides what the selected shot generates, edited in place.

Each field writes through the app service as one undoable edit: typed fields when the
creator pauses or leaves them (never a step per keystroke), choices at once. The panel
repaints from the model after every change, so an undo, or an edit made elsewhere, shows
here too, and the status badge says at once whether the shot's take is still current.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from foundry_desktop.app.project_service import new_seed
from foundry_desktop.domain.keyframe_spec import approved_keyframe
from foundry_desktop.domain.project import Shot
from foundry_desktop.domain.prompt_composition import composed_prompt
from foundry_desktop.domain.prompt_templates import TemplateKind
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.ui.inspector.caption_fields import CaptionFields
from foundry_desktop.ui.inspector.input_image import IMAGE_SUFFIXES, InputImageBox
from foundry_desktop.ui.inspector.keyframe_fields import KeyframeFields, keyframe_name
from foundry_desktop.ui.inspector.media_fields import MediaFields, is_media_shot
from foundry_desktop.ui.inspector.music_fields import MusicClipFields
from foundry_desktop.ui.inspector.pickers import (
    BackendPicker,
    GeneratorChoices,
    TemplatePicker,
    WorkflowPicker,
    load_generator_choices,
)
from foundry_desktop.ui.inspector.request_line import RequestLine
from foundry_desktop.ui.inspector.scene_fields import SceneFields, ShotSceneNote
from foundry_desktop.ui.panels.status_badge import StatusBadge
from foundry_desktop.ui.inspector.take_note import TakeNote
from foundry_desktop.ui.inspector.transition_fields import TransitionFields
from foundry_desktop.ui.inspector.typed_fields import TypedFields
from foundry_desktop.ui.inspector.workflow_params import WorkflowParamsTable
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.domain.ranges.value_range import SHOT_SECONDS



def _group(title: str, rows: list[tuple[str | None, QWidget | None]]) -> QGroupBox:
    """A titled form; a row without a label spans the width, one without a widget is a heading."""
    box = QGroupBox(title)
    layout = QFormLayout(box)
    layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    for label, widget in rows:
        layout.addRow(widget) if label is None else layout.addRow(label, widget or QWidget())
    return box


def _scrolling(page: QWidget) -> QScrollArea:
    area = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
    area.setWidget(page)
    return area


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return row


class InspectorPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: ProjectSession | None = None
        self._connections: list[tuple[Any, Callable[..., None]]] = []
        self._shot_id: str | None = None
        self._choices = GeneratorChoices([], [], {})
        self._filling = False  # the panel itself is setting its fields: not an edit
        self._typing = TypedFields(self, filling=lambda: self._filling)
        self._quiet = 0  # edits in progress: repaint once afterwards, not from each signal

        self.hint = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.hint.setProperty("hint", True)  # the theme's look for hints
        self.editor = _scrolling(self._build_form())
        self.pages = QStackedLayout(self)
        self.pages.addWidget(self.hint)
        self.pages.addWidget(self.editor)
        self.scene_page = SceneFields(lambda: self._choices.backends)  # a scene chosen by its band
        self.track_pages = (MusicClipFields(), CaptionFields())  # a selected music clip or caption
        # Each page scrolls: a stack is as tall as its tallest page, and the scene's fields
        # standing whole made the window at least 876 pixels high (a 1280x720 screen grew it
        # past its bottom, and the inspector covered the timeline's zoom buttons).
        self._scrolled = {page: _scrolling(page) for page in (self.scene_page, *self.track_pages)}
        for area in self._scrolled.values():
            self.pages.addWidget(area)
        self._show_selected()

    # -- the fields --------------------------------------------------------------

    def _build_form(self) -> QWidget:
        """The form's sections, top to bottom; each field saves itself (TypedFields, _saver)."""
        form = QWidget()
        column = QVBoxLayout(form)
        column.addLayout(self._header())
        self.media = MediaFields(self._apply, lambda: self._service)  # footage and stills, instead of:
        self.keyframes = KeyframeFields(self._apply)  # the shot's keyframe stills, to approve one
        self._generating = [self._what_to_make(), self._generator(), self._seed_and_length(), self._input_image(),
                            self.keyframes]
        self.transition = TransitionFields(self._typing, self._apply, self._shot, lambda: self._service,
                                           self._frames_in, lambda: self._filling)
        self.transition_kind, self.transition_length = self.transition.kind, self.transition.length
        self.transition_note = self.transition.note
        for part in [self.media, *self._generating, self.transition]:
            column.addWidget(part)
        column.addStretch()
        return form

    def _header(self) -> QFormLayout:
        self.title = QLabel()
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.status_badge = StatusBadge(wordWrap=True)
        self.name = QLineEdit(placeholderText="Name this shot")
        self._typing.watch(self.name, self.name.textEdited, self._saver("name", "Rename the shot", self.name.text))
        header = QFormLayout()
        header.addRow(self.title, self.status_badge)
        self.take_note = TakeNote()  # what to know about the take it shows (another shape or length)
        header.addRow(self.take_note)
        header.addRow("Name", self.name)
        self.scene_note = ShotSceneNote()  # the scene it is in, and what it sets itself
        header.addRow(self.scene_note)
        return header

    def _what_to_make(self) -> QGroupBox:
        # Tab goes on to the next field, as in every form (and Resolve's and CapCut's): a tab
        # typed into a prompt would reach the generator. Every field of several lines does so.
        self.prompt = QPlainTextEdit(placeholderText="What the shot shows", tabChangesFocus=True)
        self.negative_prompt = QPlainTextEdit(placeholderText="What it must not show", tabChangesFocus=True)
        for editor, field, lines in ((self.prompt, "prompt", 5), (self.negative_prompt, "negative_prompt", 3)):
            editor.setFixedHeight(editor.fontMetrics().lineSpacing() * lines + 12)
            words = field.replace("_", " ")
            self._typing.watch(editor, editor.textChanged,
                               self._saver(field, f"Change the {words}", editor.toPlainText))
        self.character_picker = TemplatePicker(toolTip="Someone who appears in several shots "
                                                       "(Shots > Characters & Styles…)")
        self.style_picker = TemplatePicker(toolTip="A look shared by shots (Shots > Characters & Styles…)")
        for combo, kind in ((self.character_picker, "character"), (self.style_picker, "style")):
            combo.currentIndexChanged.connect(lambda _, combo=combo, kind=kind: self._save_template(combo, kind))
        # What the backend gets: the prompt inside the style's and the character's words.
        self.final_prompt = QPlainTextEdit(readOnly=True)
        self.final_prompt.setFixedHeight(self.final_prompt.fontMetrics().lineSpacing() * 4 + 12)
        self.final_prompt.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        for editor in (self.prompt, self.negative_prompt):
            editor.textChanged.connect(self._show_final_prompt)
        return _group("What to make", [("Prompt", self.prompt), ("Negative", self.negative_prompt),
                                       ("Character", self.character_picker), ("Style", self.style_picker),
                                       ("Final prompt", None), (None, self.final_prompt)])

    def _generator(self) -> QGroupBox:
        self.backend = BackendPicker()
        self.backend.currentIndexChanged.connect(self._saver("backend", "Change the backend", self.backend.currentText))
        self.model = QLineEdit(placeholderText="The backend's default")
        self._typing.watch(self.model, self.model.textEdited,
                           self._saver("model", "Change the model", lambda: self.model.text().strip()))
        self.workflow = WorkflowPicker(
            sizeAdjustPolicy=QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.workflow.currentIndexChanged.connect(
            self._saver("workflow", "Change the workflow", self.workflow.currentData))
        self.params = WorkflowParamsTable()
        # Saved once the table is done emitting: saving repaints the table, which replaces its items.
        self.params.itemChanged.connect(lambda _: None if self._filling else QTimer.singleShot(0, self._save_params))
        self.request_line = RequestLine()  # what a cloud model will be sent for this shot
        return _group("Generator", [("Backend", self.backend), ("Model", self.model), (None, self.request_line),
                                    ("Workflow", self.workflow), ("Parameters", None), (None, self.params)])

    def _seed_and_length(self) -> QGroupBox:
        # Seeds go up to 2**63 and a QSpinBox stops at 2**31; a double holds every whole number to 2**53.
        self.seed = QDoubleSpinBox(decimals=0, minimum=0, maximum=2.0**53)
        self._typing.watch(self.seed, self.seed.valueChanged,
                           self._saver("seed", "Change the seed", lambda: int(self.seed.value())))
        self.new_seed = QPushButton("New seed", toolTip="A random seed: the shot will generate something new")
        self.new_seed.clicked.connect(
            lambda: self._apply("New seed", lambda index: self._service.update_shot(index, seed=new_seed())))
        self.duration = QDoubleSpinBox(decimals=2, minimum=0.01, maximum=SHOT_SECONDS.high, suffix=" s", singleStep=0.5)
        self._typing.watch(self.duration, self.duration.valueChanged, self._save_duration)
        self.frames = QLabel()
        self.frames.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return _group("Seed and length", [("Seed", _row(self.seed, self.new_seed)),
                                          ("Duration", _row(self.duration, self.frames))])

    def _input_image(self) -> InputImageBox:
        self.image_box = InputImageBox()
        # The box's parts, named here as the panel's other fields are.
        self.picture, self.image_name = self.image_box.picture, self.image_box.image_name
        self.browse_image, self.clear_image = self.image_box.browse_image, self.image_box.clear_image
        self.browse_image.clicked.connect(self._browse_image)
        self.clear_image.clicked.connect(lambda: self._set_image(""))
        self.image_box.dropped.connect(self._set_image)
        return self.image_box

    # -- the session -------------------------------------------------------------

    def set_session(self, session: ProjectSession | None) -> None:
        """Show this project (None: no project open). Disconnects from the previous one."""
        self._flush_all()
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        self._session, self._shot_id = session, None
        self.image_box.forget()
        self.keyframes.forget()
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
            session.in_thread("Read backends and workflows", load_generator_choices,
                              lambda choices: self._take_choices(session, choices))

    def _take_choices(self, session: ProjectSession, choices: GeneratorChoices) -> None:
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
            self.status_badge.show_status(self._session.service.shot_status(shot))
            self.take_note.show_take(self._session.service.project.selected_take(shot), shot.fit)

    def _selected_shot(self) -> Shot | None:
        session = self._session
        return session.shot(session.selected[0]) if session is not None and session.selected else None

    def _shot(self) -> Shot | None:
        """The shot the fields show: what is typed is saved to it, even once another is selected."""
        return self._session.shot(self._shot_id) if self._session is not None and self._shot_id else None

    # -- showing the shot ----------------------------------------------------------

    def shown_page(self) -> QWidget:
        """What the panel shows: the hint, the shot's form (its scroll area), a scene's or a track item's fields."""
        shown = self.pages.currentWidget()
        return next((page for page, area in self._scrolled.items() if area is shown), shown)

    def _show_selected(self) -> None:
        shot = self._selected_shot()
        if self.scene_page.show_selected(self._session):  # its shots are selected too: the scene comes first
            self._shot_id = None
            self.pages.setCurrentWidget(self._scrolled[self.scene_page])
            return
        if shot is None:
            self._shot_id = None
            self.image_box.setAcceptDrops(False)  # no shot to give a picture to
            if (page := next((p for p in self.track_pages if p.show_selected(self._session)), None)) is not None:
                self.pages.setCurrentWidget(self._scrolled[page])
                return
            self.hint.setText("Open a project to edit its shots." if self._session is None
                              else "Select a shot on the timeline to edit it")
            self.pages.setCurrentWidget(self.hint)
            return
        switched = shot.id != self._shot_id
        self._shot_id = shot.id
        self.image_box.setAcceptDrops(True)
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
        self.status_badge.show_status(self._session.service.shot_status(shot))
        self.take_note.show_take(self._session.service.project.selected_take(shot), shot.fit)
        self.scene_note.show_shot(self._session, shot)
        for editor, text in ((self.name, shot.name), (self.prompt, spec.prompt),
                             (self.negative_prompt, spec.negative_prompt), (self.model, spec.model or "")):
            if switched or not self._typing.being_edited(editor):
                current = editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()
                if current != text:
                    editor.setPlainText(text) if isinstance(editor, QPlainTextEdit) else editor.setText(text)
        self.backend.show_backend(self._choices, spec.backend)
        self.workflow.show_workflow(self._choices, spec.workflow, spec.backend == "comfyui")
        if switched or not self.params.being_typed_in():  # not under a cell being typed in
            template = self._choices.templates.get(spec.workflow or "") if spec.backend == "comfyui" else None
            self.params.show_params(shot, template)
        if switched or not self._typing.being_edited(self.seed):
            self.seed.setValue(spec.seed)
        if switched or not self._typing.being_edited(self.duration):
            self.duration.setValue(float(frames_to_seconds(spec.duration, rate)))
        self.frames.setText(f"{spec.duration} frames at {float(rate):g} fps")
        keyframe = approved_keyframe(self._session.service.project, shot)  # the picture the video starts from
        self.image_box.show_image(self._session, keyframe.media_path if keyframe else None, keyframe_name(keyframe))
        self.keyframes.show_shot(self._session, shot, self._choices)
        self.transition.fill(shot, index, switched)
        project = self._session.service.project
        self.media.setVisible(is_media_shot(shot))
        for part in self._generating:
            part.setVisible(not is_media_shot(shot))
        if is_media_shot(shot):
            self.media.show_shot(shot, project.selected_take(shot), rate, switched)
            self.request_line.forget()
        else:
            self.request_line.show_shot(self._session, shot)
        for combo, kind in ((self.character_picker, "character"), (self.style_picker, "style")):
            combo.show_template(project.templates(kind), getattr(spec, kind))
        self._show_final_prompt()

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

    def _flush_all(self) -> None:
        self._quiet += 1  # several saves in a row: repaint after the last
        try:
            self._typing.flush_all()
            self.media.flush_all()
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
        params = self.params.typed_params()
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

    def hideEvent(self, event: Any) -> None:
        self._flush_all()  # a closed dock or window keeps what was typed
        super().hideEvent(event)
