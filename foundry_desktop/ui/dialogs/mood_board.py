"""Mood board: looks for the film from its brief, each with its palette, keywords, prompt
prefix and reference pictures; "Use this look" makes one a style template (one undo step),
for the creator to attach to shots in the inspector.

The request runs on the app's loop (the settings and the client made in a worker thread
first), the pictures are read in worker threads, and every refusal, "no language model set
up" included, is shown in words inside the dialog.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.assist.language_model import (
    LanguageModelSettings,
    connect_language_model,
    load_language_model,
)
from foundry_desktop.app.assist.mood_board_styles import style_from_direction
from foundry_desktop.app.assist.mood_boards import propose_mood_board
from foundry_desktop.domain.planning.mood_board import MoodBoard, MoodBoardDirection
from foundry_desktop.domain.planning.scene_plan import Brief, nearest_aspect
from foundry_desktop.ui.background_work import BackgroundWork, in_words
from foundry_desktop.ui.dialogs.dialog_work import ErrorLine
from foundry_desktop.ui.picture_loading import read_picture
from foundry_desktop.ui.project_session import ProjectSession

PICTURE_WIDTH = 180


class MoodBoardDialog(QDialog):
    def __init__(self, session: ProjectSession, parent: QWidget | None = None, *,
                 load_settings: Callable[[], LanguageModelSettings] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        # The project's own assist settings over the machine's, read off the GUI thread when asked.
        self._load_settings = load_settings or (lambda: load_language_model(project=session.service))
        self.board: MoodBoard | None = None
        self.use_buttons: list[QPushButton] = []
        self.setWindowTitle("Mood board")
        self.setMinimumSize(860, 620)
        self.brief = QPlainTextEdit(placeholderText="What the film is for, what it shows, how it should feel…",
                                    tabChangesFocus=True)
        self.brief.setMaximumHeight(110)
        self.directions = QSpinBox(minimum=3, maximum=4, value=3, prefix="Looks: ")
        self.pictures = QSpinBox(minimum=0, maximum=4, value=2, prefix="Pictures each: ")
        self.propose_button = QPushButton("Propose")
        self.propose_button.setProperty("primary", True)
        self.propose_button.clicked.connect(self.propose)
        self.status = QLabel(wordWrap=True)
        self.error_line = ErrorLine()
        self.look_column = LookColumn()
        self.looks = self.look_column.looks
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.directions)
        row.addWidget(self.pictures)
        row.addStretch()
        row.addWidget(self.propose_button)
        bottom = QHBoxLayout()
        bottom.addStretch()
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Brief"))
        layout.addWidget(self.brief)
        layout.addLayout(row)
        layout.addWidget(self.error_line)
        layout.addWidget(self.status)
        layout.addWidget(self.look_column, 1)
        layout.addLayout(bottom)
        self.work = BackgroundWork(self._failed)

    def propose(self) -> asyncio.Task | None:
        self.error_line.clear_error()
        try:
            brief = Brief(text=self.brief.toPlainText())
        except ValueError as exc:
            self.error_line.show_error(in_words(exc, {"": "Brief"}))
            return None
        service, load_settings = self.session.service, self._load_settings
        fmt, count, pictures = service.format, self.directions.value(), self.pictures.value()

        async def ask() -> MoodBoard:
            settings, client = await asyncio.to_thread(connect_language_model, load_settings, chat=True)
            return await propose_mood_board(settings, brief, service.media, directions=count,
                                            pictures_each=pictures, aspect=nearest_aspect(fmt.width, fmt.height),
                                            client=client)

        self.propose_button.setEnabled(False)
        self.propose_button.setText("Proposing…")
        self.status.setText("Asking the language model for looks (and the picture model for pictures)…")
        task = self.work.run(ask(), self._proposed)
        task.add_done_callback(lambda _: (self.propose_button.setEnabled(True), self.propose_button.setText("Propose")))
        return task

    def _failed(self, message: str) -> None:
        self.status.setText("")
        self.error_line.show_error(message)

    def _proposed(self, board: MoodBoard) -> None:
        self.board = board
        self.status.setText("\n".join(f"Note: {note}" for note in board.notes)
                            or "Choose the look the film should have: it becomes a style to give its shots.")
        self.use_buttons = []
        self.look_column.show_cards([self._look_card(number, chosen)
                                     for number, chosen in enumerate(board.directions, start=1)])

    def _look_card(self, number: int, chosen: MoodBoardDirection) -> QWidget:
        card, bottom = look_card(self.work, self.session.service.media.path_of, number, chosen)
        use = QPushButton("Use this look")
        use.clicked.connect(lambda: self.use(chosen))
        bottom.addWidget(use, alignment=Qt.AlignmentFlag.AlignBottom)
        self.use_buttons.append(use)
        return card

    def use(self, chosen: MoodBoardDirection) -> None:
        style = self.session.edit("Use this look", lambda: style_from_direction(self.session.service, chosen))
        if style is not None:
            self.status.setText(f"Added the style “{style.name}”: choose it for shots in the inspector "
                                "(or in Shots ▸ Characters & Styles).")

    def done(self, result: int) -> None:  # noqa: D102 (closing: answers have nowhere to go)
        self.work.cancel()
        super().done(result)


class LookColumn(QScrollArea):
    """Looks, one card under another (look_card), scrolled; `looks` is the widget holding them."""

    def __init__(self) -> None:
        super().__init__(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        self.looks = QWidget()
        self._column = QVBoxLayout(self.looks)
        self._column.addStretch()
        self.setWidget(self.looks)

    def show_cards(self, cards: list[QWidget]) -> None:
        """These cards in place of the ones shown before."""
        while self._column.count() > 1:
            item = self._column.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for place, card in enumerate(cards):
            self._column.insertWidget(place, card)


def look_card(work: BackgroundWork, path_of: Callable[[str], Path], number: int, chosen: MoodBoardDirection,
              ) -> tuple[QFrame, QHBoxLayout]:
    """A look as the creator judges it: its name and description, palette, keywords, prompt prefix and
    pictures (read in worker threads); and the row under the pictures, for the caller's button."""
    look = chosen.direction
    card = QFrame(frameShape=QFrame.Shape.StyledPanel)
    column = QVBoxLayout(card)
    title = QLabel(f"<b>{number}. {look.name}</b> — {look.description}", wordWrap=True)
    title.setTextFormat(Qt.TextFormat.RichText)
    column.addWidget(title)
    swatches = QHBoxLayout()
    for colour in look.palette:
        swatch = QLabel(toolTip=colour)
        swatch.setFixedSize(36, 22)
        swatch.setStyleSheet(f"background: {colour}; border: 1px solid #555;")
        swatches.addWidget(swatch)
    swatches.addWidget(QLabel(", ".join(look.keywords)), 1)
    column.addLayout(swatches)
    column.addWidget(QLabel(f"Prompt prefix: {look.prompt_prefix}", wordWrap=True))
    pictures = QHBoxLayout()
    for relative in chosen.pictures:
        label = QLabel("Loading…", alignment=Qt.AlignmentFlag.AlignCenter)
        label.setFixedSize(PICTURE_WIDTH, PICTURE_WIDTH * 9 // 16)
        pictures.addWidget(label)
        path = path_of(relative)
        work.in_thread(lambda path=path: read_picture(path, PICTURE_WIDTH),
                       lambda image, label=label: _show_picture(label, image))
    pictures.addStretch()
    column.addLayout(pictures)
    return card, pictures


def _show_picture(label: QLabel, image: QImage) -> None:
    if image.isNull():
        label.setText("No picture")
        return
    label.setPixmap(QPixmap.fromImage(image).scaled(label.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                    Qt.TransformationMode.SmoothTransformation))
