"""The pictures along each shot on the timeline: a filmstrip per take, made by the app (decoded
and cached beside the takes) in a worker thread the first time the take is painted, and kept.
An offline take (its file missing) gets none and no dialog; the painter marks it offline.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage
from shiboken6 import isValid

from foundry_desktop.app.shots.take_previews import take_filmstrip
from foundry_desktop.domain.project import Take
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.project_session import ProjectSession

STRIP_PICTURES = 8  # filmstrip pictures made per take; drawn as many as fit


class Filmstrips(QObject):
    ready = Signal()  # a filmstrip arrived: paint again

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pictures: dict[str, list[QImage]] = {}  # take id -> its filmstrip
        self._asked: set[str] = set()

    def __len__(self) -> int:
        """How many takes' filmstrips have arrived."""
        return len(self._pictures)

    def clear(self) -> None:
        self._pictures.clear()
        self._asked.clear()

    def pictures(self, take: Take, session: ProjectSession) -> list[QImage] | None:
        """The take's filmstrip; None while it is being made (asked for here the first time)."""
        pictures = self._pictures.get(take.id)
        if pictures is None and take.id not in self._asked:
            self._asked.add(take.id)
            media = session.service.media

            def make() -> list[QImage] | None:
                # No dialog from here: an offline file is the offline notice's to name (by the name the
                # creator knows), and a damaged take's tile is simply left without pictures.
                if not media.exists(take.media_path):
                    return None
                try:
                    return [QImage(str(path)) for path in take_filmstrip(media, take, STRIP_PICTURES)]
                except FoundryError:
                    return []

            def done(made: list[QImage] | None) -> None:
                if not isValid(self):
                    return
                if made is None:  # offline: asked again when painted once it is back (Relink)
                    self._asked.discard(take.id)
                    return
                self._pictures[take.id] = [picture for picture in made if not picture.isNull()]
                self.ready.emit()

            session.in_thread("Filmstrip", make, done)
        return pictures
