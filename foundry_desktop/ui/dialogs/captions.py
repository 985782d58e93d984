"""The caption track in a window: every caption with its times, text and style, edited in
place (each change one undoable edit through the app service), deleted, or added from speech
("Transcribe": a shot's take, a music clip or a file, transcribed off the GUI thread)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.assist.language_model import load_language_model
from foundry_desktop.app.assist.speech_captions import add_transcribed_captions, speech_source, transcribe_speech
from foundry_desktop.domain.captions.styles import CAPTION_STYLES
from foundry_desktop.domain.project import Caption
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.background_work import BackgroundWork
from foundry_desktop.ui.dialogs.dialog_work import ErrorLine
from foundry_desktop.ui.project_session import ProjectSession

START, END, TEXT, STYLE = range(4)
FILE_SOURCE = "file"


def _style_name(caption: Caption) -> str:
    return next((name for name, style in CAPTION_STYLES.items() if style == caption.style), "custom")


class CaptionsDialog(QDialog):
    def __init__(self, session: ProjectSession, parent: QWidget | None = None,
                 choose_file: Callable[[], str | None] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.choose_file = choose_file or self._ask_for_file
        self.setWindowTitle("Captions")
        self.resize(720, 480)
        self._filling = False
        self.work = BackgroundWork(self._failed)

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Start (s)", "End (s)", "Text", "Style"])
        self.table.horizontalHeader().setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(self._cell_edited)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete_selected)

        self.source = QComboBox()
        self.style = QComboBox()
        self.style.addItems(list(CAPTION_STYLES))
        self.language = QLineEdit(placeholderText="language (en, de…): any")
        self.language.setMaximumWidth(160)
        self.replace = QCheckBox("Replace captions they overlap")
        self.transcribe_button = QPushButton("Transcribe…")
        self.transcribe_button.setProperty("primary", True)
        self.transcribe_button.clicked.connect(self.transcribe)
        self.status = QLabel(wordWrap=True)
        self.error_line = ErrorLine()

        speech = QHBoxLayout()
        speech.addWidget(QLabel("From"))
        speech.addWidget(self.source, 1)
        speech.addWidget(self.style)
        speech.addWidget(self.language)
        speech.addWidget(self.transcribe_button)
        edits = QHBoxLayout()
        edits.addWidget(self.delete_button)
        edits.addStretch(1)
        edits.addWidget(self.replace)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(edits)
        layout.addLayout(speech)
        layout.addWidget(self.status)
        layout.addWidget(self.error_line)

        session.changed.connect(self.refresh)
        self.refresh()

    # -- the list ------------------------------------------------------------

    @property
    def captions(self) -> list[Caption]:
        return self.session.service.project.timeline.captions

    def refresh(self, *_: object) -> None:
        rate = self.session.service.format.frame_rate
        self._filling = True
        try:
            self.table.setRowCount(len(self.captions))
            for row, caption in enumerate(self.captions):
                cells = (f"{float(caption.start / rate):.3f}", f"{float(caption.end / rate):.3f}",
                         caption.text.replace("\n", " / "), _style_name(caption))
                for column, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setData(Qt.ItemDataRole.UserRole, caption.id)
                    if column == STYLE:
                        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    self.table.setItem(row, column, item)
        finally:
            self._filling = False
        self._fill_sources()

    def _fill_sources(self) -> None:
        service = self.session.service
        chosen = self.source.currentData()
        self.source.clear()
        selected = set(self.session.selected)
        for number, shot in enumerate(service.project.timeline.shots, start=1):
            if service.project.selected_take(shot) is not None:
                mark = " (selected)" if shot.id in selected else ""
                self.source.addItem(f"Shot {number}{mark}: its take's sound", f"shot:{number}")
        for number, clip in enumerate(service.project.timeline.music, start=1):
            self.source.addItem(f"Music {number}: {clip.name}", f"music:{number}")
        self.source.addItem("A sound or video file, at the playhead…", FILE_SOURCE)
        index = self.source.findData(chosen) if chosen else -1
        if index < 0 and selected:
            numbers = [self.session.index_of(shot_id) + 1 for shot_id in self.session.selected]
            index = self.source.findData(f"shot:{numbers[0]}")
        self.source.setCurrentIndex(max(0, index))

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        caption_id = item.data(Qt.ItemDataRole.UserRole)
        service = self.session.service
        text = item.text().strip()
        self.error_line.clear_error()
        try:
            if item.column() == TEXT:
                service.update_caption(caption_id, text=text.replace(" / ", "\n"))
            else:
                frame = service.frames_from_seconds(text, allow_zero=True)
                change = {"start": frame} if item.column() == START else {"end": frame}
                service.update_caption(caption_id, **change)
        except FoundryError as exc:
            self.error_line.show_error(str(exc))
            self.refresh()  # the cell shows the caption as it still is

    def delete_selected(self) -> None:
        ids = list(dict.fromkeys(
            self.table.item(index.row(), TEXT).data(Qt.ItemDataRole.UserRole)
            for index in self.table.selectionModel().selectedRows()))
        if not ids:
            return
        service = self.session.service
        self.error_line.clear_error()
        try:
            with service.group(f"Delete {len(ids)} caption{'s' * (len(ids) != 1)}"):
                for caption_id in ids:
                    service.remove_caption(caption_id)
        except FoundryError as exc:
            self.error_line.show_error(str(exc))

    # -- from speech ---------------------------------------------------------

    def _ask_for_file(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, "Transcribe a file", str(self.session.path.parent),
                                              "Sound or video (*.wav *.mp3 *.m4a *.flac *.ogg *.mp4 *.mov *.mkv *.webm)"
                                              ";;All files (*)")
        return path or None

    def transcribe(self) -> None:
        service = self.session.service
        chosen = self.source.currentData()
        self.error_line.clear_error()
        try:
            if chosen == FILE_SOURCE:
                path = self.choose_file()
                if not path:
                    return
                at = Fraction(self.session.playhead) / service.format.frame_rate
                source = speech_source(service, str(Path(path)), at_seconds=at)
            else:
                source = speech_source(service, chosen)
        except FoundryError as exc:
            self.error_line.show_error(str(exc))
            return
        style, language, replace = self.style.currentText(), self.language.text().strip() or None, self.replace.isChecked()
        rate = service.format.frame_rate

        async def work() -> list[Caption]:
            settings = await asyncio.to_thread(load_language_model, project=service)
            return await transcribe_speech(source, settings, rate, style=style, language=language)

        def done(captions: list[Caption]) -> None:
            self._busy(False)
            try:
                add_transcribed_captions(service, captions, source_label=source.label, replace=replace)
            except FoundryError as exc:
                self.error_line.show_error(str(exc))
                return
            count = len(captions)
            self.status.setText(f"{count} caption{'s' * (count != 1)} from {source.label}." if count
                                else f"No speech heard in {source.label}.")

        self._busy(True, f"Transcribing {source.label}…")
        self.work.run(work(), done)

    def _busy(self, busy: bool, message: str = "") -> None:
        self.transcribe_button.setEnabled(not busy)
        self.status.setText(message)

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.error_line.show_error(message)

    async def wait_idle(self) -> None:
        await self.work.wait_idle()

    def done(self, result: int) -> None:
        self.work.cancel()  # a transcription still under way has nowhere to put its captions
        super().done(result)
