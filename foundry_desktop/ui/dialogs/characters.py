"""Characters & Styles: the project's characters and style templates, listed with how many
shots use each, edited in place.

Every change goes through the app service as one undoable edit (Apply saves the form;
choosing another entry saves what was typed first). Reference pictures are checked and
copied into the project's media folder in a worker thread, and their thumbnails are read
there too. Removing an entry that shots use asks first, naming the shots; they lose it in
the same undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.prompt_templates import (
    KIND_WORDS,
    PromptTemplate,
    TemplateKind,
)
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.background_work import BackgroundWork
from foundry_desktop.ui.dialogs.dialog_work import Confirm, ErrorLine, asking
from foundry_desktop.ui.inspector.input_image import IMAGE_SUFFIXES
from foundry_desktop.ui.picture_loading import read_picture
from foundry_desktop.ui.project_session import ProjectSession

THUMBNAIL = QSize(96, 64)
# Form field -> template field, for the texts both kinds have.
_TEXTS = ("description", "prompt_prefix", "prompt_suffix", "negative_prompt")
_GENERATOR = ("backend", "model", "workflow")


def shots_words(indexes: list[int]) -> str:
    """'not used', 'shot 2', 'shots 1, 3'."""
    if not indexes:
        return "not used"
    return f"shot{'s' if len(indexes) > 1 else ''} " + ", ".join(str(index + 1) for index in indexes)


class TemplatePage(QWidget):
    """The list and the form for one kind (characters or styles)."""

    def __init__(self, session: ProjectSession, kind: TemplateKind, work: BackgroundWork, confirm: Confirm,
                 error_line: ErrorLine) -> None:
        super().__init__()
        self.session, self.kind, self.work, self.confirm, self.error_line = session, kind, work, confirm, error_line
        self._shown_id: str | None = None
        self._filling = False
        self.dirty = False
        side = self._build_list()
        self._build_fields()
        self._build_form()
        self.empty = QLabel(f"No {KIND_WORDS[kind][1]} yet. Add one, then give shots it in the inspector.",
                            wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        layout = QHBoxLayout(self)
        layout.addLayout(side, 1)
        layout.addWidget(self.form, 2)
        layout.addWidget(self.empty, 2)
        self.refresh()

    def _build_list(self) -> QVBoxLayout:
        """The characters (or styles), with Add and Remove."""
        self.entries = QListWidget()
        self.entries.currentItemChanged.connect(lambda *_: self._chosen())
        self.add_button = QPushButton(f"Add {KIND_WORDS[self.kind][0]}")
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove)
        side = QVBoxLayout()
        side.addWidget(self.entries, 1)
        side.addWidget(self._row(self.add_button, self.remove_button))
        return side

    def _build_fields(self) -> None:
        """An editor per field of the template; every edit marks the page as changed."""
        self.name = QLineEdit()
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {"name": self.name}
        for field, lines, hint in (("description", 2, "Who or what it is, for people"),
                                   ("prompt_prefix", 2, "Put before each shot's prompt"),
                                   ("prompt_suffix", 2, "Put after each shot's prompt"),
                                   ("negative_prompt", 2, "Added to each shot's negative prompt")):
            editor = QPlainTextEdit(placeholderText=hint, tabChangesFocus=True)
            editor.setFixedHeight(editor.fontMetrics().lineSpacing() * lines + 12)
            self.fields[field] = editor
        for field, hint in (("backend", "Leave the shot's"), ("model", "Leave the shot's"),
                            ("workflow", "Leave the shot's")):
            self.fields[field] = QLineEdit(placeholderText=hint)
        if self.kind == "style":
            self.fields["palette"] = QLineEdit(placeholderText="#1d2b53 #7e2553 …")
            self.fields["keywords"] = QLineEdit(placeholderText="moody, rain-soaked, neon")
        for editor in self.fields.values():
            signal = editor.textChanged if isinstance(editor, QPlainTextEdit) else editor.textEdited
            signal.connect(self._edited)

    def _build_form(self) -> None:
        """The fields as a form, with the reference pictures and Apply."""
        self.pictures = QListWidget(viewMode=QListView.ViewMode.IconMode, iconSize=THUMBNAIL,
                                    movement=QListView.Movement.Static, resizeMode=QListView.ResizeMode.Adjust)
        self.pictures.setFixedHeight(THUMBNAIL.height() + 48)
        self.add_picture = QPushButton("Add pictures…")
        self.add_picture.clicked.connect(self._browse_pictures)
        self.remove_picture = QPushButton("Remove picture")
        self.remove_picture.clicked.connect(self._remove_picture)
        self.usage = QLabel(wordWrap=True)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setProperty("primary", True)
        self.apply_button.clicked.connect(self.apply)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Used by", self.usage)
        labels = {"description": "About", "prompt_prefix": "Before the prompt", "prompt_suffix": "After the prompt",
                  "negative_prompt": "Avoid", "backend": "Backend", "model": "Model", "workflow": "Workflow",
                  "palette": "Palette", "keywords": "Keywords"}
        for field, editor in self.fields.items():
            if field != "name":
                form.addRow(labels[field], editor)
        form.addRow("Pictures", self.pictures)
        form.addRow("", self._row(self.add_picture, self.remove_picture))
        form.addRow("", self._row(QWidget(), self.apply_button))
        self.form = QWidget()
        self.form.setLayout(form)

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget, 1 if not isinstance(widget, QPushButton) else 0)
        return row

    @property
    def service(self) -> ProjectService:
        return self.session.service

    def current(self) -> PromptTemplate | None:
        return self.service.project.template(self.kind, self._shown_id)

    # -- showing ---------------------------------------------------------------

    def refresh(self) -> None:
        """The list and the form from the model (what is being typed is kept)."""
        templates = self.service.project.templates(self.kind)
        used = self.service.template_usage(self.kind)
        self._filling = True
        try:
            self.entries.clear()
            for template in templates:
                count = len(used[template.id])
                item = QListWidgetItem(f"{template.name}  ·  {count} shot{'s' if count != 1 else ''}")
                item.setData(Qt.ItemDataRole.UserRole, template.id)
                item.setToolTip(shots_words(used[template.id]))
                self.entries.addItem(item)
            ids = [template.id for template in templates]
            if self._shown_id not in ids:
                self._shown_id, self.dirty = (ids[0] if ids else None), False
            if self._shown_id is not None:
                self.entries.setCurrentRow(ids.index(self._shown_id))
        finally:
            self._filling = False
        self._fill()

    def _fill(self) -> None:
        template = self.current()
        self.form.setVisible(template is not None)
        self.empty.setVisible(template is None)
        self.remove_button.setEnabled(template is not None)
        if template is None:
            return
        self.usage.setText(shots_words(self.service.template_usage(self.kind)[template.id]))
        if not self.dirty:
            self._filling = True
            try:
                for field, editor in self.fields.items():
                    text = self._text_of(template, field)
                    if (editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()) != text:
                        editor.setPlainText(text) if isinstance(editor, QPlainTextEdit) else editor.setText(text)
            finally:
                self._filling = False
        self.apply_button.setEnabled(self.dirty)
        self._fill_pictures(template)

    @staticmethod
    def _text_of(template: PromptTemplate, field: str) -> str:
        value = getattr(template, field)
        if field == "palette":
            return " ".join(value)
        if field == "keywords":
            return ", ".join(value)
        return value or ""

    def _fill_pictures(self, template: PromptTemplate) -> None:
        shown = [self.pictures.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.pictures.count())]
        wanted = [image.path for image in template.reference_images]
        self.remove_picture.setEnabled(bool(wanted))
        if shown == wanted:
            return
        self.pictures.clear()
        for image in template.reference_images:
            item = QListWidgetItem(image.name)
            item.setData(Qt.ItemDataRole.UserRole, image.path)
            item.setToolTip(image.name)
            self.pictures.addItem(item)
            path = self.service.media.path_of(image.path)
            self.work.in_thread(lambda path=path: read_picture(path, THUMBNAIL.width()),
                                lambda picture, key=image.path: self._show_thumbnail(key, picture))

    def _show_thumbnail(self, key: str, picture: QImage) -> None:
        if not isValid(self) or picture.isNull():
            return
        for row in range(self.pictures.count()):
            item = self.pictures.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                item.setIcon(QIcon(QPixmap.fromImage(picture)))

    # -- editing ---------------------------------------------------------------

    def _edited(self, *_: Any) -> None:
        if not self._filling:
            self.dirty = True
            self.apply_button.setEnabled(True)

    def _chosen(self) -> None:
        if self._filling:
            return
        item = self.entries.currentItem()
        chosen = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if chosen == self._shown_id:
            return
        self.apply()  # what was typed belongs to the entry it was typed for
        self._shown_id, self.dirty = chosen, False
        self._fill()

    def _edit(self, change: Callable[[], Any]) -> Any:
        """An edit through the app service; a refusal is shown in the dialog, in words."""
        try:
            result = change()
        except FoundryError as exc:
            self.error_line.show_error(str(exc))
            return None
        self.error_line.clear_error()
        return result

    def form_values(self) -> dict[str, Any]:
        text = {field: (editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()).strip()
                for field, editor in self.fields.items()}
        values: dict[str, Any] = {"name": text["name"], **{field: text[field] for field in _TEXTS}}
        values.update({field: text[field] or None for field in _GENERATOR})
        if self.kind == "style":
            values["palette"] = tuple(text["palette"].replace(",", " ").split())
            values["keywords"] = tuple(word.strip() for word in text["keywords"].split(",") if word.strip())
        return values

    def apply(self) -> bool:
        """Save the form as one undoable edit; False if it was refused (the form keeps what was typed)."""
        template = self.current()
        if template is None or not self.dirty:
            return True
        values = self.form_values()
        # A field emptied here is cleared: update_template reads None as "leave it", so ask for "".
        values.update({field: "" for field in _GENERATOR if values[field] is None and getattr(template, field)})
        template_id = template.id
        if self._edit(lambda: self.service.update_template(self.kind, template_id, **values)) is None:
            return False
        self.dirty = False
        self.refresh()
        return True

    def add(self) -> None:
        if not self.apply():
            return
        singular = KIND_WORDS[self.kind][0]
        names = {template.name.casefold() for template in self.service.project.templates(self.kind)}
        number = 1
        while (name := f"New {singular}" + (f" {number}" if number > 1 else "")).casefold() in names:
            number += 1
        added = self._edit(lambda: self.service.add_template(self.kind, name))
        if added is not None:
            self._shown_id, self.dirty = added.id, False
            self.refresh()
            self.name.setFocus()
            self.name.selectAll()

    def remove(self) -> None:
        template = self.current()
        if template is None:
            return
        used = self.service.template_usage(self.kind)[template.id]
        if used and not self.confirm(f"Remove {template.name}",
                                     f"{template.name} is used by {shots_words(used)}. Remove it from them too?"):
            return
        self.dirty = False
        self._edit(lambda: self.service.remove_template(self.kind, template.id))
        self.refresh()

    def _browse_pictures(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in sorted(IMAGE_SUFFIXES))
        paths, _ = QFileDialog.getOpenFileNames(self, "Choose reference pictures", "", f"Pictures ({patterns})")
        if paths:
            self.add_pictures([Path(path) for path in paths])

    def add_pictures(self, paths: list[Path]) -> Any:
        """Check and copy the pictures in a worker thread, then add them as one undoable edit."""
        template = self.current()
        if template is None:
            return None
        template_id, service = template.id, self.service

        def added(images: list) -> None:
            if not isValid(self):
                return
            now = service.project.template(self.kind, template_id)
            if now is not None:
                self._edit(lambda: service.update_template(
                    self.kind, template_id, reference_images=(*now.reference_images, *images)))
                self.refresh()

        return self.work.in_thread(lambda: [service.reference_image(path) for path in paths], added,
                                   self.error_line.show_error)

    def _remove_picture(self) -> None:
        template, item = self.current(), self.pictures.currentItem()
        if template is None or not template.reference_images:
            return
        key = item.data(Qt.ItemDataRole.UserRole) if item is not None else template.reference_images[-1].path
        kept = tuple(image for image in template.reference_images if image.path != key)
        self._edit(lambda: self.service.update_template(self.kind, template.id, reference_images=kept))
        self.refresh()


class CharactersDialog(QDialog):
    def __init__(self, session: ProjectSession, parent: QWidget | None = None, *,
                 confirm: Confirm | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Characters & Styles")
        self.resize(820, 600)
        self.error_line = ErrorLine()
        self.work = BackgroundWork(self.error_line.show_error)
        confirm = confirm or asking(self)
        self.pages = {kind: TemplatePage(session, kind, self.work, confirm, self.error_line)
                      for kind in ("character", "style")}
        self.tabs = QTabWidget()
        self.tabs.addTab(self.pages["character"], "Characters")
        self.tabs.addTab(self.pages["style"], "Styles")
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_line)
        layout.addWidget(TemplatePage._row(QWidget(), close))
        session.changed.connect(self._model_changed)
        self._listening = True

    def _model_changed(self, _label: str) -> None:
        if isValid(self):
            for page in self.pages.values():
                page.refresh()

    def done(self, result: int) -> None:
        if self._listening and isValid(self.session):
            for page in self.pages.values():
                page.apply()  # closing keeps what was typed
            self.session.changed.disconnect(self._model_changed)
        self._listening = False
        self.work.cancel()
        super().done(result)

