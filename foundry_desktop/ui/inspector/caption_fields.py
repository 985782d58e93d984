"""The inspector's page for a selected caption: its text, when it shows, and its look chosen
from the style presets (domain.captions.styles). The text saves after a pause in typing or
when the creator leaves it (typed_fields), the times on Return or leaving, a preset at once;
each is one undoable edit.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from foundry_desktop.domain.captions.styles import CAPTION_STYLES
from foundry_desktop.domain.project import Caption
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.ui.inspector.music_fields import seconds_box
from foundry_desktop.ui.inspector.typed_fields import TypedFields
from foundry_desktop.ui.project_session import ProjectSession

OWN_STYLE = "Its own style"  # a caption whose look matches no preset (made elsewhere, or an older preset)


class CaptionFields(QWidget):
    """The selected caption's fields (`show_selected` fills them)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: ProjectSession | None = None
        self._caption_id: str | None = None
        self._filling = False
        self._typing = TypedFields(self, filling=lambda: self._filling)
        self.title = QLabel("Caption")
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.text = QPlainTextEdit(placeholderText="What the caption says", tabChangesFocus=True)
        self.text.setMaximumHeight(90)
        self.start = seconds_box()
        self.end = seconds_box()
        self.style = QComboBox()
        for name in CAPTION_STYLES:
            self.style.addItem(name.capitalize(), name)
        column = QVBoxLayout(self)
        layout = QFormLayout()
        column.addLayout(layout)
        column.addStretch(1)  # the fields stay together at the top of a tall inspector
        layout.addRow(self.title)
        layout.addRow("Text", self.text)
        layout.addRow("Shows from", self.start)
        layout.addRow("Until", self.end)
        layout.addRow("Style", self.style)
        self._typing.watch(self.text, self.text.textChanged, self._save_text)
        self.start.editingFinished.connect(lambda: self._save(start=self._frames(self.start)))
        self.end.editingFinished.connect(lambda: self._save(end=self._frames(self.end)))
        self.style.activated.connect(self._save_style)

    def _caption(self) -> Caption | None:
        session = self._session
        if session is None or not self._caption_id:
            return None
        return next((c for c in session.service.project.timeline.captions if c.id == self._caption_id), None)

    def show_selected(self, session: ProjectSession | None) -> bool:
        """The caption selected in `session` (False: none is selected)."""
        if session is not self._session:
            self._typing.flush_all()  # saved to the project it was typed for
            self._session, self._caption_id = session, None
        chosen = session.selected_captions[0] if session is not None and session.selected_captions else None
        if chosen != self._caption_id:
            self._typing.flush_all()  # what was typed belongs to the caption it was typed for
        switched, self._caption_id = chosen != self._caption_id, chosen
        caption = self._caption()
        if caption is None:
            return False
        rate = session.service.format.frame_rate
        self._filling = True
        try:
            if (switched or not self._typing.being_edited(self.text)) and self.text.toPlainText() != caption.text:
                self.text.setPlainText(caption.text)
            for box, frames in ((self.start, caption.start), (self.end, caption.end)):
                if switched or not box.hasFocus():
                    box.blockSignals(True)
                    box.setValue(float(frames_to_seconds(frames, rate)))
                    box.blockSignals(False)
            preset = next((name for name, style in CAPTION_STYLES.items() if style == caption.style), None)
            if preset is None and self.style.findData(None) < 0:
                self.style.addItem(OWN_STYLE, None)
            self.style.setCurrentIndex(self.style.findData(preset))
        finally:
            self._filling = False
        return True

    def _frames(self, box: Any) -> int:
        return round(box.value() * self._session.service.format.frame_rate)

    def _save_text(self) -> None:
        text = self.text.toPlainText().strip()
        caption = self._caption()
        if caption is not None and text and text != caption.text:
            self._save(text=text)

    def _save_style(self) -> None:
        name = self.style.currentData()
        if name is not None:
            self._save(style=name)

    def _save(self, **changes: Any) -> None:
        """One edit of the shown caption when a field differs from it; the fields show the model after."""
        caption, session = self._caption(), self._session
        if self._filling or caption is None:
            return
        if all(getattr(caption, k) == v for k, v in changes.items() if k != "style"):
            if "style" not in changes or caption.style == CAPTION_STYLES[changes["style"]]:
                return
        service = session.service
        session.edit("Caption", lambda: service.update_caption(caption.id, **changes))
        self.show_selected(session)
