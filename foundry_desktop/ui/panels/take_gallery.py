"""The takes gallery's tiles: a picture per take from the middle of the take (made by the app in
a worker thread and kept), drawn letterboxed into a tile with a check mark on the take the
shot uses; and the gallery itself, whose tiles drag onto the timeline and which says which
tile the pointer is over.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData, QObject, QRect, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QListWidget
from shiboken6 import isValid

from foundry_desktop.app.shots.take_previews import take_thumbnail
from foundry_desktop.domain.project import Take
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.panels.take_drag import TAKE_MIME, take_mime_data
from foundry_desktop.ui.picture_loading import read_picture
from foundry_desktop.ui.project_session import ProjectSession

STILL_WIDTH = 320  # pictures are made at the compare dialog's size; tiles show them smaller
TILE = QSize(160, 90)
CELL_MARGIN = 16  # least room beside a tile in the grid, so that tiles and their words never touch


class TakeStills(QObject):
    """One picture per take, from the middle of the take, kept for the panel's life. Made by
    the app (decoded and cached beside the takes) in a worker thread, one take at a time."""

    ready = Signal(str)  # a take's content hash: its picture (or its failure) is known

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pictures: dict[str, QImage] = {}
        self.problems: dict[str, str] = {}
        self._asked: set[str] = set()

    def want(self, take: Take, session: ProjectSession) -> None:
        key = take.content_hash
        if key in self._asked:
            return
        self._asked.add(key)
        media, seconds = session.service.media, take.frames / float(session.service.format.frame_rate)

        def make() -> tuple[QImage | None, str]:
            try:
                image = read_picture(take_thumbnail(media, take, at_s=seconds / 2, width=STILL_WIDTH), STILL_WIDTH)
            except FoundryError as exc:  # a damaged take: the tile says so, no dialog for it
                return None, str(exc)
            return (image, "") if not image.isNull() else (None, "the picture cannot be read")

        def show(made: tuple[QImage | None, str]) -> None:
            if isValid(self):
                self._keep(key, *made)

        session.in_thread("Picture of a take", make, show)

    def _keep(self, key: str, image: QImage | None, problem: str) -> None:
        if image is None:
            self.problems[key] = problem
        else:
            self.pictures[key] = image
        self.ready.emit(key)


def tile_icon(picture: QImage | None, placeholder: str, in_use: bool, palette: QPalette) -> QIcon:
    """The take's picture letterboxed into a tile, with a check mark when the shot uses it."""
    canvas = QPixmap(TILE)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if picture is None:
        painter.fillRect(canvas.rect(), palette.color(QPalette.ColorRole.Mid))
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(canvas.rect(), Qt.AlignmentFlag.AlignCenter, placeholder)
    else:
        scaled = picture.scaled(TILE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        painter.drawImage((TILE.width() - scaled.width()) // 2, (TILE.height() - scaled.height()) // 2, scaled)
    if in_use:
        accent = palette.color(QPalette.ColorRole.Highlight)
        painter.setPen(QPen(accent, 4))
        painter.drawRect(canvas.rect().adjusted(2, 2, -2, -2))
        badge = QRect(TILE.width() - 26, 6, 20, 20)
        painter.setBrush(accent)
        painter.drawEllipse(badge)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "✓")
    painter.end()
    return QIcon(canvas)


class TakeGallery(QListWidget):
    """The tiles of one shot's takes; a tile dragged onto the timeline carries its take, and the
    tile under the pointer is announced (its take id; "" when the pointer leaves the tiles).
    As many columns as the width holds, the spare width shared between them: a fixed cell
    left a wide panel with two columns and a blank strip."""

    hovered = Signal(str)

    def __init__(self, **properties: Any) -> None:
        super().__init__(**properties)
        self.shot_id: str | None = None
        self._hovered = ""
        self.setDragEnabled(True)
        self.setDragDropMode(QListWidget.DragDropMode.DragOnly)
        self.setMouseTracking(True)

    def _hover(self, take_id: str) -> None:
        if take_id != self._hovered:
            self._hovered = take_id
            self.hovered.emit(take_id)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        item = self.itemAt(event.position().toPoint())
        self._hover(item.data(Qt.ItemDataRole.UserRole) if item is not None else "")
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._hover("")
        super().leaveEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        # Qt gives each cell its grid width and the spacing, and wraps a row that would reach the edge.
        width, spacing = self.viewport().width() - self.spacing() - 1, self.spacing()
        columns = max(1, width // (TILE.width() + CELL_MARGIN + spacing))
        cell = max(TILE.width() + CELL_MARGIN, width // columns - spacing)
        if cell != self.gridSize().width():
            self.setGridSize(QSize(cell, self.gridSize().height()))

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt's name)
        return [TAKE_MIME]

    def mimeData(self, items) -> QMimeData:  # noqa: N802
        if self.shot_id is None or not items:
            return QMimeData()
        return take_mime_data(self.shot_id, items[0].data(Qt.ItemDataRole.UserRole))
