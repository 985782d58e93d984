"""The inspector's page for a scene chosen by its band on the timeline: its name, description,
location, time of day, notes and colour, and the defaults its shots take unless they set their
own ("Shots choose their own": the scene sets nothing). Typed fields save after a pause, on
Return or when they lose focus, choices at once; each save is one undoable edit of the scene
(ProjectService.update_scene), and the page shows the model again after every change.

A shot's own fields show the scene it is in and what of the scene's defaults it sets itself,
with a button to take the scene's again (ShotSceneNote).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.domain.project import Scene, Shot
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.ui.inspector.typed_fields import TypedFields
from foundry_desktop.ui.project_session import ProjectSession

INHERIT = "Shots choose their own"
TIMES_OF_DAY = ("", "dawn", "morning", "midday", "afternoon", "golden hour", "dusk", "night")
SWATCHES = ("#4a7fb5", "#3f9e6e", "#c9a227", "#d0703c", "#b84a62", "#8a5cc2", "#4fa3a5", "#7d8590")


class SceneFields(QWidget):
    """The selected scene's fields (`show_selected` fills them); `backends` lists the machine's."""

    def __init__(self, backends: Callable[[], list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: ProjectSession | None = None
        self._scene_id: str | None = None
        self._backends = backends
        self._filling = False
        self._typing = TypedFields(self, filling=lambda: self._filling)
        self.title = QLabel(wordWrap=True)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.name = QLineEdit(placeholderText="Name this scene")
        self.description = QPlainTextEdit(placeholderText="What happens in it", tabChangesFocus=True)
        self.location = QLineEdit(placeholderText="Where it takes place")
        self.time_of_day = QComboBox(editable=True)
        self.time_of_day.addItems(TIMES_OF_DAY)
        self.notes = QPlainTextEdit(placeholderText="Notes for the crew or the client", tabChangesFocus=True)
        for editor, lines in ((self.description, 3), (self.notes, 3)):
            editor.setFixedHeight(editor.fontMetrics().lineSpacing() * lines + 12)
        self.swatches = [self._swatch(colour) for colour in SWATCHES]
        for field, editor, signal, read in (
                ("name", self.name, self.name.textEdited, lambda: self.name.text().strip()),
                ("description", self.description, self.description.textChanged, self.description.toPlainText),
                ("location", self.location, self.location.textEdited, lambda: self.location.text().strip()),
                ("notes", self.notes, self.notes.textChanged, self.notes.toPlainText)):
            self._typing.watch(editor, signal, lambda field=field, read=read: self._save(field, read()))
        # A time from the list counts at once; one typed in, after a pause or on Return.
        self.time_of_day.activated.connect(lambda _: self._save("time_of_day", self.time_of_day.currentText().strip()))
        typed_time = self.time_of_day.lineEdit()
        self._typing.watch(typed_time, typed_time.textEdited,
                           lambda: self._save("time_of_day", typed_time.text().strip()))
        column = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow(self.title)
        swatch_row = QWidget()
        row = QHBoxLayout(swatch_row)
        row.setContentsMargins(0, 0, 0, 0)
        for swatch in self.swatches:
            row.addWidget(swatch)
        row.addStretch(1)
        for label, widget in (("Name", self.name), ("Description", self.description), ("Location", self.location),
                              ("Time of day", self.time_of_day), ("Notes", self.notes), ("Colour", swatch_row)):
            form.addRow(label, widget)
        column.addLayout(form)
        column.addWidget(self._defaults_box())
        column.addStretch(1)

    def _swatch(self, colour: str) -> QPushButton:
        button = QPushButton(toolTip=colour, checkable=True, fixedWidth=22, fixedHeight=22)
        button.setProperty("colour", colour)
        button.setStyleSheet(f"QPushButton {{ background: {colour}; border: 1px solid #111; }}"
                             f"QPushButton:checked {{ border: 2px solid #e08a2e; }}")
        button.clicked.connect(lambda: self._save("color", colour))
        return button

    def _defaults_box(self) -> QGroupBox:
        """The defaults: a choice each, the first of which leaves it to the shots."""
        self.style_default, self.character_default, self.backend_default = QComboBox(), QComboBox(), QComboBox()
        self.model_default = QLineEdit(placeholderText=INHERIT)
        self.workflow_default = QLineEdit(placeholderText=INHERIT)
        for field, combo in (("style", self.style_default), ("character", self.character_default),
                             ("backend", self.backend_default)):
            combo.currentIndexChanged.connect(lambda _, field=field, combo=combo: None if self._filling
                                              else self._save_default(field, combo.currentData()))
        for field, editor in (("model", self.model_default), ("workflow", self.workflow_default)):
            self._typing.watch(editor, editor.textEdited, lambda field=field, editor=editor:
                               self._save_default(field, editor.text().strip() or None))
        box = QGroupBox("What its shots take, unless they set their own")
        form = QFormLayout(box)
        for label, widget in (("Style", self.style_default), ("Character", self.character_default),
                              ("Backend", self.backend_default), ("Model", self.model_default),
                              ("Workflow", self.workflow_default)):
            form.addRow(label, widget)
        return box

    # -- showing the scene ----------------------------------------------------------

    def _scene(self) -> Scene | None:
        session = self._session
        if session is None or session.selected_scene is None:
            return None
        return next((s for s in session.service.project.timeline.scenes if s.id == session.selected_scene), None)

    def show_selected(self, session: ProjectSession | None) -> bool:
        """The scene selected in `session` (False: none is)."""
        if session is not self._session:
            self._typing.flush_all()
            self._session, self._scene_id = session, None
        scene = self._scene()
        if scene is None:
            self._typing.flush_all()
            self._scene_id = None
            return False
        if scene.id != self._scene_id:
            self._typing.flush_all()  # what was typed belongs to the scene it was typed for
        switched, self._scene_id = scene.id != self._scene_id, scene.id
        self._filling = True
        try:
            self._fill(scene, switched)
        finally:
            self._filling = False
        return True

    def _fill(self, scene: Scene, switched: bool) -> None:
        service = self._session.service  # type: ignore[union-attr]
        timeline = service.project.timeline
        number = timeline.scenes.index(scene) + 1
        indexes = service.scene_shot_indexes(scene.id)
        seconds = float(frames_to_seconds(sum(timeline.shots[i].length for i in indexes), service.format.frame_rate))
        shots = f"shots {indexes[0] + 1}–{indexes[-1] + 1}" if len(indexes) > 1 else \
            f"shot {indexes[0] + 1}" if indexes else "no shots"
        self.title.setText(f"Scene {number}: {shots}, {seconds:.1f} s")
        for editor, text in ((self.name, scene.name), (self.location, scene.location)):
            if switched or not self._typing.being_edited(editor):
                editor.setText(text)
        for editor, text in ((self.description, scene.description), (self.notes, scene.notes)):
            if (switched or not self._typing.being_edited(editor)) and editor.toPlainText() != text:
                editor.setPlainText(text)
        if (switched or not self._typing.being_edited(self.time_of_day.lineEdit())) and \
                self.time_of_day.currentText() != scene.time_of_day:
            self.time_of_day.setCurrentText(scene.time_of_day)
        for swatch in self.swatches:
            swatch.setChecked(QColor(swatch.property("colour")) == QColor(scene.color))
        project, defaults = service.project, scene.defaults
        self._choices(self.style_default, [(t.name, t.id) for t in project.styles], defaults.style)
        self._choices(self.character_default, [(t.name, t.id) for t in project.characters], defaults.character)
        self._choices(self.backend_default, [(name, name) for name in self._backends() if name != "media"],
                      defaults.backend)
        for editor, value in ((self.model_default, defaults.model), (self.workflow_default, defaults.workflow)):
            if switched or not self._typing.being_edited(editor):
                editor.setText(value or "")

    @staticmethod
    def _choices(combo: QComboBox, items: list[tuple[str, str]], chosen: str | None) -> None:
        """`combo` offering INHERIT and `items` ((text, value)), showing `chosen` (kept even if unknown here)."""
        if chosen is not None and chosen not in [value for _, value in items]:
            items = [*items, (chosen, chosen)]
        listed = [(INHERIT, None), *items]
        if [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())] != listed:
            combo.clear()
            for text, value in listed:
                combo.addItem(text, value)
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)

    # -- saving ---------------------------------------------------------------------------

    def _save(self, field: str, value: Any) -> None:
        scene = self._scene()
        if scene is None or scene.id != self._scene_id or getattr(scene, field) == value:
            return
        self._edit(scene, field.replace("_", " "), **{field: value})

    def _save_default(self, field: str, value: str | None) -> None:
        scene = self._scene()
        if scene is None or scene.id != self._scene_id or getattr(scene.defaults, field) == value:
            return
        self._edit(scene, f"{field} of its shots", defaults={field: value})

    def _edit(self, scene: Scene, what: str, **changes: Any) -> None:
        session = self._session
        assert session is not None
        service = session.service
        session.edit(f"Change the scene's {what}", lambda: service.update_scene(scene.id, **changes))
        self.show_selected(session)


class ShotSceneNote(QWidget):
    """Under a shot's title: the scene it is in, what of the scene's defaults it sets itself, and a
    button that has it take the scene's again (ProjectService.inherit_from_scene, one undo step)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: ProjectSession | None = None
        self._shot_id: str | None = None
        self._own: list[str] = []
        self.text = QLabel(wordWrap=True)
        self.take_scenes = QPushButton("Take the scene's", toolTip="Use the scene's settings instead of the shot's own")
        self.take_scenes.clicked.connect(self._take_scenes)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text, 1)
        row.addWidget(self.take_scenes)

    def show_shot(self, session: ProjectSession, shot: Shot) -> None:
        scene = session.service.scene_of(shot)
        self._session, self._shot_id = session, shot.id
        if scene is None:
            self.hide()
            return
        number = session.service.project.timeline.scenes.index(scene) + 1
        # Only what the scene sets is worth taking back; the shot's other own settings are just its own.
        self._own = [field for field in shot.overrides if getattr(scene.defaults, field) is not None]
        own = ", ".join(field.replace("_", " ") for field in self._own)
        name = scene.name.strip() or "unnamed"
        self.text.setText(f"In scene {number}, {name}" + (f"; sets its own {own}" if own else ""))
        self.take_scenes.setVisible(bool(self._own))
        self.show()

    def _take_scenes(self) -> None:
        session, own = self._session, list(self._own)
        if session is None or self._shot_id is None or not own:
            return
        index, service = session.index_of(self._shot_id), session.service
        session.edit("Take the scene's settings", lambda: service.inherit_from_scene([index], own))
