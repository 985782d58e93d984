"""The media bin: what the project holds (the footage, stills and sound brought in with
File > Import media…, and the creator's own media the timeline uses), each with a picture,
its length, how often the film uses it, and an "Offline" mark when its file is missing (as
the offline notice found: ProjectSession.offline).

Importing (or dropping files from the file manager on the bin) checks and copies the files in
a worker thread (app.shots.media_bin) and adds them to the bin as one undo step; a file that
cannot be used says why, by its name. A tile dragged onto the timeline carries the file's content hash (MEDIA_MIME): dropped there, footage and
stills become shots and sound a music clip (ui.timeline.drops.place_dropped_media).
Pictures are made by the app in worker threads and kept; the GUI thread never opens a file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDropEvent, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from foundry_desktop.app.shots.media_bin import BinEntry, bin_entries, prepare_import
from foundry_desktop.app.shots.take_previews import media_thumbnail
from foundry_desktop.app.user_folders import documents_folder
from foundry_desktop.domain.project import MediaItem
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.picture_loading import read_picture
from foundry_desktop.ui.project_session import ProjectSession

MEDIA_MIME = "application/x-foundry-media"
TILE = QSize(128, 72)
IMPORT_FILTER = ("Media (*.mp4 *.mov *.m4v *.mkv *.webm *.avi *.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff "
                 "*.wav *.mp3 *.m4a *.aac *.flac *.ogg *.opus);;All files (*)")
KIND_WORDS = {"video": "Footage", "still": "Still", "sound": "Sound"}


def media_mime_data(content_hash: str) -> QMimeData:
    data = QMimeData()
    data.setData(MEDIA_MIME, content_hash.encode())
    return data


def dragged_media(data: QMimeData) -> str | None:
    """The content hash of a file dragged from the bin; None when the drag carries something else."""
    if not data.hasFormat(MEDIA_MIME):
        return None
    return bytes(data.data(MEDIA_MIME).data()).decode(errors="replace") or None


def bin_tile(picture: QImage | None, entry: BinEntry, offline: bool, palette: QPalette) -> QIcon:
    """The file's picture (a note for sound) letterboxed into a tile; red stripes when offline."""
    canvas = QPixmap(TILE)
    canvas.fill(palette.color(QPalette.ColorRole.Mid))
    painter = QPainter(canvas)
    if picture is not None and not offline:
        scaled = picture.scaled(TILE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        painter.drawImage((TILE.width() - scaled.width()) // 2, (TILE.height() - scaled.height()) // 2, scaled)
    elif offline:
        painter.fillRect(canvas.rect(), QColor("#4a1f1f"))
        painter.fillRect(canvas.rect(), QBrush(QColor(224, 82, 74, 110), Qt.BrushStyle.BDiagPattern))
        painter.setPen(QColor("#ffb4ae"))
        painter.drawText(canvas.rect(), Qt.AlignmentFlag.AlignCenter, "Offline")
    else:
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 2.5)  # a sign to read at a glance, not a caption
        painter.setFont(font)
        painter.drawText(canvas.rect(), Qt.AlignmentFlag.AlignCenter, "♪" if entry.kind == "sound" else "…")
    painter.end()
    return QIcon(canvas)


def entry_text(entry: BinEntry, offline: bool) -> str:
    length = "still" if entry.kind == "still" else f"{entry.seconds:.1f} s"
    used = f"used {entry.uses}×" if entry.uses else "not used yet"
    return f"{entry.name}\n{length} · {'offline' if offline else used}"


class BinList(QListWidget):
    """The bin's tiles; a tile dragged out carries its file (MEDIA_MIME)."""

    def __init__(self, **properties: Any) -> None:
        super().__init__(**properties)
        self.setDragEnabled(True)
        self.setDragDropMode(QListWidget.DragDropMode.DragOnly)

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt's name)
        return [MEDIA_MIME]

    def mimeData(self, items) -> QMimeData:  # noqa: N802
        return media_mime_data(items[0].data(Qt.ItemDataRole.UserRole)) if items else QMimeData()


class MediaBinPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: ProjectSession | None = None
        self._connections: list[tuple[Any, Callable[..., None]]] = []
        self._pictures: dict[str, QImage | None] = {}  # content hash -> its picture (None: none to be had)
        self.heading = QLabel("Media")
        self.import_button = QPushButton("Import…",
                                         toolTip="Bring footage, stills or sound into the project (Ctrl+I)")
        self.import_button.clicked.connect(self.import_files)
        self.list = BinList(viewMode=QListView.ViewMode.IconMode, iconSize=TILE, wordWrap=True,
                            movement=QListView.Movement.Static, resizeMode=QListView.ResizeMode.Adjust, spacing=4)
        lines = self.fontMetrics().lineSpacing()
        self.list.setGridSize(QSize(TILE.width() + 24, TILE.height() + 2 * lines + 14))
        self.hint = QLabel("Import footage, stills or sound with File > Import media… (Ctrl+I) or drop them "
                           "here, then drag them onto the timeline.", wordWrap=True,
                           alignment=Qt.AlignmentFlag.AlignCenter)
        self.hint.setProperty("hint", True)
        self.setAcceptDrops(True)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.import_button)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.hint, 1)
        column.addWidget(self.list, 1)
        self._refresh()

    # -- files dropped from the file manager come in as File > Import media… brings them -------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if self._session is not None and event.mimeData().hasUrls():
            event.setDropAction(Qt.DropAction.CopyAction)  # the files stay where they are
            event.accept()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if self._session is None or not paths:
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.import_media(paths)

    def set_session(self, session: ProjectSession | None) -> None:
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        self._session = session
        self._pictures.clear()
        if session is not None:
            for signal in (session.changed, session.offline_changed):
                signal.connect(self._refresh)
                self._connections.append((signal, self._refresh))
        self._refresh()

    def entries(self) -> list[BinEntry]:
        return bin_entries(self._session.service.project) if self._session is not None else []

    # -- showing the bin ------------------------------------------------------------

    def _refresh(self, *_: object) -> None:
        entries = self.entries()
        offline_paths = self._session.offline if self._session is not None else frozenset()
        self.import_button.setEnabled(self._session is not None)
        self.heading.setText(f"Media · {len(entries)} file{'s' if len(entries) != 1 else ''}"
                             if self._session is not None else "Media")
        self.hint.setVisible(self._session is not None and not entries)
        self.list.setVisible(not self.hint.isVisibleTo(self))
        shown = [self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())]
        if shown != [entry.content_hash for entry in entries]:
            self.list.clear()
            for entry in entries:
                item = QListWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, entry.content_hash)
                item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
                self.list.addItem(item)
        for row, entry in enumerate(entries):
            offline = entry.media_path in offline_paths
            item = self.list.item(row)
            if not offline:
                self._want_picture(entry)
            picture = self._pictures.get(entry.content_hash)
            look = (offline, picture is not None)  # an edit elsewhere repaints no tile whose look is the same
            if item.data(Qt.ItemDataRole.UserRole + 1) != look:
                item.setData(Qt.ItemDataRole.UserRole + 1, look)
                item.setIcon(bin_tile(picture, entry, offline, self.palette()))
            item.setText(entry_text(entry, offline))
            item.setToolTip(f"{KIND_WORDS[entry.kind]}: {entry.name}" + (f"\nFrom {entry.origin}" if entry.origin else "") + (
                "\nOffline: its file is missing from the project's media folder. Use File > Relink media…"
                if offline else "\nDrag it onto the timeline to use it."))

    def _want_picture(self, entry: BinEntry) -> None:
        key, session = entry.content_hash, self._session
        if entry.kind == "sound" or key in self._pictures or session is None:
            return
        self._pictures[key] = None  # asked: one worker per file
        media = session.service.media

        def make() -> tuple[QImage | None, bool]:
            """(the picture, None if damaged; whether the file is there at all)."""
            if not media.exists(entry.media_path):
                return None, False
            try:
                return read_picture(media_thumbnail(media, entry.media_path, key, at_s=entry.seconds / 2,
                                                    width=TILE.width() * 2), TILE.width() * 2), True
            except FoundryError:
                return None, True  # damaged: the tile keeps its sign, no dialog for it

        def made(result: tuple[QImage | None, bool]) -> None:
            picture, present = result
            if not isValid(self):
                return
            if not present:  # offline: asked again once it is back (Relink)
                self._pictures.pop(key, None)
            elif picture is not None and not picture.isNull():
                self._pictures[key] = picture
                self._refresh()

        session.in_thread("Picture of a file", make, made)

    # -- importing ------------------------------------------------------------------

    def import_files(self) -> None:
        """File > Import media…: footage, stills and sound, as many as the creator picks."""
        if self._session is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(self, "Import media", str(documents_folder()), IMPORT_FILTER)
        if paths:
            self.import_media([Path(path) for path in paths])

    def import_media(self, paths: list[Path]) -> None:
        """Check and copy `paths` in a worker thread, then add the good ones to the bin as one undo
        step; each file that cannot be used says why, and changes nothing."""
        session = self._session
        if session is None:
            return
        media = session.service.media

        def prepare_all() -> list[tuple[Path, MediaItem | FoundryError]]:
            prepared: list[tuple[Path, MediaItem | FoundryError]] = []
            for path in paths:
                try:
                    prepared.append((path, prepare_import(media, path)))
                except FoundryError as exc:
                    prepared.append((path, exc))
            return prepared

        def add_all(prepared: list[tuple[Path, MediaItem | FoundryError]]) -> None:
            for path, item in prepared:
                if isinstance(item, FoundryError):
                    session.error.emit(f"Cannot import {path.name}", str(item))
            items = [item for _, item in prepared if isinstance(item, MediaItem)]
            if not items or self._session is not session:
                return
            added = session.edit("Import media", lambda: session.service.add_media(items)) or []
            held = [item.name for item in items if item not in added]
            if held:
                session.notice.emit(f"Already in the bin: {', '.join(held)}.")

        session.in_thread("Import media", prepare_all, add_all)
