"""The keyframe pictures the storyboard shows, read in worker threads (scaled as they are read)
and kept by content, so scrolling and every change after the first paint find them at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage
from shiboken6 import isValid

from foundry_desktop.ui.picture_loading import read_picture
from foundry_desktop.ui.project_session import ProjectSession

PICTURE_WIDTH = 480  # a card at its widest on a large screen, and the variants strip's tiles


class KeyframePictures(QObject):
    ready = Signal(str)  # a content hash whose picture (or its failure to read) is known

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pictures: dict[str, QImage] = {}
        self._asked: set[str] = set()

    def get(self, session: ProjectSession, path: Path | None, content_hash: str) -> QImage | None:
        """The picture if it has been read; else None, and it is asked for (once)."""
        if path is None or not content_hash:
            return None
        picture = self.pictures.get(content_hash)
        if picture is None and content_hash not in self._asked:
            self._asked.add(content_hash)
            session.in_thread("Keyframe picture", lambda: read_picture(path, PICTURE_WIDTH),
                              lambda image: self._keep(content_hash, image))
        return picture

    def _keep(self, content_hash: str, image: QImage) -> None:
        if not isValid(self):
            return  # the view closed while the picture was read
        # An unreadable file is kept as a null picture: the card shows its ground, not a new try per paint.
        self.pictures[content_hash] = image
        self.ready.emit(content_hash)

    def clear(self) -> None:
        self.pictures.clear()
        self._asked.clear()
