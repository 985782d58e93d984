"""The inspector's keyframe strip: the shot's keyframe stills side by side (thumbnails read off the
GUI thread), the approved one marked. A click approves a keyframe as the shot's first frame (one
undoable edit); the context menu approves one as its last frame. "Make keyframe" makes the shot's
keyframe if it has none of what it asks for now, "+ variants" that many more with new seeds, and
"Continue from the previous shot" starts its video from the last frame of the shot before; "Made by"
picks the backend that makes its keyframes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from foundry_desktop.domain.keyframe_spec import approved_keyframe, keyframes_of
from foundry_desktop.domain.project import Shot, Take
from foundry_desktop.ui.inspector.pickers import BackendPicker, GeneratorChoices
from foundry_desktop.ui.picture_loading import read_picture
from foundry_desktop.ui.project_session import ProjectSession

THUMBNAIL = QSize(96, 54)


def keyframe_name(keyframe: Take | None) -> str | None:
    """How a creator knows a keyframe: the file they gave, or what made it."""
    if keyframe is None:
        return None
    return keyframe.request.get("file") or f"Keyframe made by {keyframe.backend}, seed {keyframe.seed}"


class KeyframeFields(QGroupBox):
    def __init__(self, edit: Callable[[str, Callable[[int], object]], None], parent: QWidget | None = None) -> None:
        """`edit(title, change)`: the inspector's way to make one undoable edit of the shown shot."""
        super().__init__("Keyframes", parent)
        self._edit = edit
        self._session: ProjectSession | None = None
        self._shot_id: str | None = None
        self._pictures: dict[str, QPixmap] = {}  # content hash -> thumbnail, for this project
        self._reading: set[str] = set()
        self._choices = GeneratorChoices([], [], {})
        self.strip = QListWidget(viewMode=QListView.ViewMode.IconMode, flow=QListView.Flow.LeftToRight,
                                 wrapping=False, movement=QListView.Movement.Static, iconSize=THUMBNAIL)
        self.strip.setFixedHeight(THUMBNAIL.height() + 44)
        self.strip.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.strip.itemClicked.connect(lambda item: self._approve(item.data(Qt.ItemDataRole.UserRole), last=False))
        self.strip.customContextMenuRequested.connect(self._menu)
        self.note = QLabel(wordWrap=True)
        self.make = QPushButton("Make keyframe")
        self.make.clicked.connect(lambda: self._make(0))
        self.variants = QSpinBox(minimum=1, maximum=8, value=2, prefix="+ ", suffix=" variants")
        self.more = QPushButton("Make variants")
        self.more.clicked.connect(lambda: self._make(self.variants.value()))
        self.continues = QCheckBox("Continue from the previous shot")
        self.continues.setToolTip("Start this shot's video from the last frame of the previous shot's take")
        self.continues.clicked.connect(self._continue)
        self.made_by = BackendPicker(toolTip="The backend that makes this shot's keyframes")
        self.made_by.activated.connect(lambda _row: self._made_by(self.made_by.currentText()))
        maker = QHBoxLayout()
        maker.addWidget(QLabel("Made by"))
        maker.addWidget(self.made_by, 1)
        buttons = QHBoxLayout()
        for widget in (self.make, self.variants, self.more):
            buttons.addWidget(widget)
        column = QVBoxLayout(self)
        column.addWidget(self.strip)
        column.addWidget(self.note)
        column.addLayout(maker)
        column.addLayout(buttons)
        column.addWidget(self.continues)

    def forget(self) -> None:
        """Another project (or none): its thumbnails are read again."""
        self._session, self._shot_id = None, None
        self._pictures.clear()
        self._reading.clear()

    def show_shot(self, session: ProjectSession, shot: Shot, choices: GeneratorChoices) -> None:
        self._session, self._shot_id, self._choices = session, shot.id, choices
        self.made_by.show_backend(choices, shot.spec.image_backend)
        project = session.service.project
        keyframes = keyframes_of(project, shot)
        self.strip.clear()
        for number, take in enumerate(keyframes, start=1):
            marks = [mark for mark, on in (("first", take.id == shot.keyframe_take_id),
                                           ("last", take.id == shot.last_keyframe_take_id)) if on]
            item = QListWidgetItem(f"{number}{' · ' + ', '.join(marks) if marks else ''}")
            item.setData(Qt.ItemDataRole.UserRole, take.id)
            item.setToolTip(keyframe_name(take) or "")
            self.strip.addItem(item)
            item.setSelected(take.id == shot.keyframe_take_id)  # the approved one stands out
            self._picture_for(session, item, take)
        approved = approved_keyframe(project, shot)
        self.note.setText("No keyframes yet: make one, or give the shot a picture." if not keyframes
                          else "Click a keyframe to start the video from it." if approved is None
                          else f"The video starts from keyframe {keyframes.index(approved) + 1}.")
        self.continues.setChecked(shot.continue_from_previous)
        self.continues.setEnabled(session.index_of(shot.id) > 0)
        self.strip.setEnabled(not shot.continue_from_previous)

    def _picture_for(self, session: ProjectSession, item: QListWidgetItem, take: Take) -> None:
        """The thumbnail, from memory or read in a worker thread (never on the GUI thread)."""
        picture = self._pictures.get(take.content_hash)
        if picture is not None:
            item.setIcon(QIcon(picture))
            return
        if take.content_hash in self._reading:
            return
        self._reading.add(take.content_hash)
        path = session.service.media.path_of(take.media_path)
        session.in_thread("Show the keyframes", lambda: read_picture(path, THUMBNAIL.width() * 2),
                          lambda image: self._picture_read(session, take.content_hash, image))

    def _picture_read(self, session: ProjectSession, content_hash: str, image: QImage) -> None:
        self._reading.discard(content_hash)
        if not isValid(self) or session is not self._session or image.isNull():
            return
        self._pictures[content_hash] = QPixmap.fromImage(image).scaled(
            THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        shot = session.shot(self._shot_id) if self._shot_id else None
        if shot is not None:
            self.show_shot(session, shot, self._choices)

    # -- what the creator does -----------------------------------------------------

    def _approve(self, take_id: str | None, *, last: bool) -> None:
        session, shot_id = self._session, self._shot_id
        if session is None or shot_id is None:
            return
        shot = session.shot(shot_id)
        if shot is None or take_id == (shot.last_keyframe_take_id if last else shot.keyframe_take_id):
            return
        title = "Approve the last-frame keyframe" if last else "Approve the keyframe"
        self._edit(title, lambda _index: session.service.approve_keyframe(shot_id, take_id, last=last))

    def _menu(self, where: QPoint) -> None:
        item = self.strip.itemAt(where)
        shot = self._session.shot(self._shot_id) if self._session is not None and self._shot_id else None
        if item is None or shot is None:
            return
        take_id = item.data(Qt.ItemDataRole.UserRole)
        menu = QMenu(self)
        menu.addAction("Approve as the first frame", lambda: self._approve(take_id, last=False))
        menu.addAction("Approve as the last frame", lambda: self._approve(take_id, last=True))
        if shot.last_keyframe_take_id is not None:
            menu.addAction("No last frame", lambda: self._approve(None, last=True))
        menu.popup(self.strip.viewport().mapToGlobal(where))

    def _made_by(self, backend: str) -> None:
        session, shot_id = self._session, self._shot_id
        shot = session.shot(shot_id) if session is not None and shot_id is not None else None
        if shot is not None and backend != shot.spec.image_backend:
            self._edit(f"Make keyframes with {backend}", lambda index: session.service.update_shot(
                index, image_backend=backend))

    def _make(self, variants: int) -> None:
        if self._session is not None and self._shot_id is not None:
            self._session.make_keyframes({self._shot_id}, variants)

    def _continue(self, on: bool) -> None:
        session, shot_id = self._session, self._shot_id
        if session is not None and shot_id is not None:
            title = "Continue from the previous shot" if on else "Start from the keyframe"
            self._edit(title, lambda _index: session.service.set_continue_from_previous(shot_id, on))
