"""The chosen shot's keyframe variants under the storyboard's grid: one tile per keyframe still,
the approved one ticked. A click on a tile (or Enter on it) approves it, and the approved
keyframe becomes the picture the shot's video starts from.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QListView, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from foundry_desktop.ui.panels.take_gallery import TILE, tile_icon
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.storyboard.keyframe_pictures import KeyframePictures


class VariantTiles(QListWidget):
    """Enter approves the tile under the keyboard's focus, as a click does; Escape goes back."""

    left = Signal()  # Escape: the keys back to the cards

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.itemClicked.emit(self.currentItem())
            return
        if event.key() == Qt.Key.Key_Escape:
            self.left.emit()
            return
        super().keyPressEvent(event)


class KeyframeVariants(QWidget):
    def __init__(self, pictures: KeyframePictures, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self.shot_id: str | None = None
        self.pictures = pictures
        self.heading = QLabel("Choose a shot to see its keyframe variants.")
        self.heading.setObjectName("storyboard-variants-heading")
        self.tiles = VariantTiles(viewMode=QListView.ViewMode.IconMode, flow=QListView.Flow.LeftToRight,
                                  wrapping=False, iconSize=TILE, movement=QListView.Movement.Static)
        self.tiles.setFixedHeight(TILE.height() + 44)
        self.tiles.setGridSize(QSize(TILE.width() + 14, TILE.height() + 26))
        self.tiles.itemClicked.connect(self._approve)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.tiles)
        pictures.ready.connect(self._picture_ready)

    def show_shot(self, session: ProjectSession | None, shot_id: str | None) -> None:
        self.session, self.shot_id = session, shot_id
        self.refresh()

    def refresh(self) -> None:
        """The tiles of the shot's keyframes as the project has them now (the keys' place kept)."""
        current = self.tiles.currentItem()
        kept = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        self.tiles.clear()
        session = self.session
        shot = session.shot(self.shot_id) if session is not None and self.shot_id else None
        if shot is None:
            self.heading.setText("Choose a shot to see its keyframe variants.")
            return
        number = session.index_of(shot.id) + 1
        stills = session.service.keyframes_of(shot.id)
        if not stills:
            self.heading.setText(f"Shot {number} has no keyframes yet: Make keyframes draws them.")
            return
        approved = shot.keyframe_take_id
        self.heading.setText(f"Shot {number}: {len(stills)} keyframe variant{'s' if len(stills) != 1 else ''} — "
                             + _what_to_do(len(stills), approved=bool(approved)))
        for index, take in enumerate(stills, start=1):
            picture = self.pictures.get(session, session.service.media.path_of(take.media_path), take.content_hash)
            icon = tile_icon(picture, "Reading…", take.id == approved, self.palette())
            item = QListWidgetItem(icon, f"Variant {index}" + (" ✓" if take.id == approved else ""))
            item.setData(Qt.ItemDataRole.UserRole, take.id)
            item.setToolTip(f"Seed {take.seed} · {take.backend}")
            self.tiles.addItem(item)
            if take.id == kept:
                self.tiles.setCurrentItem(item)

    def _picture_ready(self, content_hash: str) -> None:
        if self.session is not None and self.shot_id and any(
                take.content_hash == content_hash for take in self.session.service.keyframes_of(self.shot_id)):
            self.refresh()  # one of this shot's tiles: the rest of the board's pictures are not shown here

    def _approve(self, item: QListWidgetItem) -> None:
        session, shot_id = self.session, self.shot_id
        if session is None or shot_id is None:
            return
        take_id = item.data(Qt.ItemDataRole.UserRole)
        shot = session.shot(shot_id)
        if shot is not None and shot.keyframe_take_id != take_id:
            session.edit("Approve the keyframe", lambda: session.service.approve_keyframe(shot_id, take_id))


def _what_to_do(count: int, *, approved: bool) -> str:
    """What a click on the tiles does: with one variant there is no other to choose instead."""
    if count == 1:
        return "approved. For others to choose from, set Variants and Make keyframes." if approved else "click it to approve it."
    return "click another to approve it instead." if approved else "click one to approve it."
