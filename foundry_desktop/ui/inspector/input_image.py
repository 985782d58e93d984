"""The inspector's input image box: the picture the shot starts from, shown small (read off
the GUI thread), its name, Browse… and Clear; a picture file dropped on the box is offered
as the new one (`dropped`). What to do with a choice is the inspector's: an undoable edit.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import QFrame, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from foundry_desktop.ui.picture_loading import read_picture
from foundry_desktop.ui.project_session import ProjectSession

IMAGE_SUFFIXES = {f".{bytes(fmt).decode()}" for fmt in QImageReader.supportedImageFormats()}
PICTURE_SIZE = (128, 72)


class InputImageBox(QGroupBox):
    dropped = Signal(str)  # the path of a picture file dropped on the box

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Input image", parent)
        self._session: ProjectSession | None = None
        self._picture_key: str | None = None  # the media key of the picture shown (or on its way)
        self.picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, frameShape=QFrame.Shape.StyledPanel)
        self.picture.setFixedSize(*PICTURE_SIZE)
        self.image_name = QLabel(wordWrap=True)
        self.browse_image = QPushButton("Browse…")
        self.clear_image = QPushButton("Clear")
        buttons = QWidget()
        button_row = QHBoxLayout(buttons)
        button_row.setContentsMargins(0, 0, 0, 0)
        button_row.addWidget(self.browse_image)
        button_row.addWidget(self.clear_image)
        side = QVBoxLayout()
        side.addWidget(self.image_name)
        side.addWidget(buttons)
        row = QHBoxLayout(self)
        row.addWidget(self.picture)
        row.addLayout(side, 1)
        self.setAcceptDrops(True)

    def forget(self) -> None:
        """Another project (or none): the next picture is read again, whatever its key."""
        self._session, self._picture_key = None, None

    def show_image(self, session: ProjectSession, key: str | None, name: str | None) -> None:
        """The shot's input image (`key` in the project's media, None: none), read in a worker
        thread when it is not the one shown already."""
        self.image_name.setText(name or "No input image. Drop a picture here, or browse for one.")
        self.clear_image.setEnabled(key is not None)
        self._session = session
        if key == self._picture_key:
            return
        self._picture_key = key
        self.picture.clear()
        self.picture.setText("" if key is None else "…")
        if key is not None:
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

    # -- a picture file dropped from the desktop -------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        self._take_picture(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        self._take_picture(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        path = self._take_picture(event)
        if path is not None:
            self.dropped.emit(path)

    def _take_picture(self, event: QDropEvent) -> str | None:
        """The dropped picture file, the event accepted for it; None (and the event left as
        it is) when nothing dropped is a picture."""
        for url in event.mimeData().urls():
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES:
                event.setDropAction(Qt.DropAction.CopyAction)  # the file stays where it was
                event.accept()
                return url.toLocalFile()
        return None
