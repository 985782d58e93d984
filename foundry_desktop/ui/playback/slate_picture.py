"""The card a shot without a usable take plays as: its number and why, on a colour that
tells the two cases apart at a glance (as an editor's "Media offline" frame does)."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from foundry_desktop.app.playback.frame_reader import Slate

# Not generated yet is a normal state of a film in progress: a quiet grey-blue. Offline or
# unreadable means the creator has something to fix: a dark red.
SLATE_COLOURS = {
    "not generated": QColor(38, 44, 58),
    "offline": QColor(96, 20, 24),
    "cannot be read": QColor(96, 20, 24),
}


@lru_cache(maxsize=16)
def slate_picture(slate: Slate, width: int, height: int) -> QImage:
    picture = QImage(width, height, QImage.Format.Format_RGB888)
    picture.fill(SLATE_COLOURS.get(slate.reason, SLATE_COLOURS["not generated"]))
    painter = QPainter(picture)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setPen(QPen(QColor(255, 255, 255, 60), max(1, height // 180)))
        inset = height // 12
        painter.drawRect(inset, inset, width - 2 * inset, height - 2 * inset)  # a card, not a broken picture
        font = QFont()
        font.setPixelSize(max(10, height // 12))
        painter.setFont(font)
        painter.setPen(QColor(Qt.GlobalColor.white))
        painter.drawText(picture.rect(), Qt.AlignmentFlag.AlignCenter, slate.text)
    finally:
        painter.end()
    return picture
