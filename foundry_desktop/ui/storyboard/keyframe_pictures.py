"""The keyframe pictures the storyboard shows, read in a worker thread (scaled as they are read)
and kept by content, so scrolling and every change after the first paint find them at once.

One picture is read at a time, the latest asked for first: decoding a large PNG is tens of
milliseconds of CPU, and several at once would take the cores the GUI thread needs to scroll,
while the cards in sight now are the ones the creator waits for.
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
        self._waiting: list[tuple[str, Path]] = []  # (content hash, file): the last asked is read next
        self._reading = False

    def get(self, session: ProjectSession, path: Path | None, content_hash: str) -> QImage | None:
        """The picture if it has been read; else None, and it is asked for (once)."""
        if path is None or not content_hash:
            return None
        picture = self.pictures.get(content_hash)
        if picture is None and content_hash not in self._asked:
            self._asked.add(content_hash)
            self._waiting.append((content_hash, path))
            self._read_next(session)
        return picture

    def _read_next(self, session: ProjectSession) -> None:
        if self._reading or not self._waiting:
            return
        content_hash, path = self._waiting.pop()
        self._reading = True

        def keep(image: QImage) -> None:
            if isValid(self):  # else the view closed while the picture was read
                # An unreadable file is kept as a null picture: its card shows its ground, not a new try per paint.
                self.pictures[content_hash] = image
                self.ready.emit(content_hash)

        def next_one(_task: object) -> None:
            if isValid(self):  # read, refused or cancelled: on to the next picture
                self._reading = False
                self._read_next(session)

        session.in_thread("Keyframe picture", lambda: read_picture(path, PICTURE_WIDTH), keep).add_done_callback(next_one)

    def clear(self) -> None:
        self.pictures.clear()
        self._asked.clear()
        self._waiting.clear()
        self._reading = False
