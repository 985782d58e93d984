"""Where the preview shows video: the picture on black, fitted to the view with its shape
kept, or a line of text when there is no picture.

A take plays into a QGraphicsVideoItem, not a QVideoWidget: the widget paints nothing into
grab(), and the item's video sink tells how many frames arrived. The cut's frames, made by
the film player, are pictures shown by a pixmap item in the same place.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPixmap
from PySide6.QtMultimediaWidgets import QGraphicsVideoItem
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QSizePolicy,
    QWidget,
)


class VideoView(QGraphicsView):
    """The picture on black, fitted to the view with its shape kept; a hint when there is none."""

    def __init__(self, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)  # kept: a view does not own its scene
        self.video = QGraphicsVideoItem()
        self.picture = QGraphicsPixmapItem()
        self.picture.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.hint = QGraphicsSimpleTextItem()
        self._scene.addItem(self.video)
        self._scene.addItem(self.picture)
        self._scene.addItem(self.hint)
        self.setScene(self._scene)
        # Black like every player's picture area, whatever the theme: it is where the film is.
        self.setBackgroundBrush(QBrush(QColor(Qt.GlobalColor.black)))
        self.hint.setBrush(QColor(Qt.GlobalColor.gray))  # on that black, in any theme
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumSize(160, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.video.nativeSizeChanged.connect(self._fit)
        self.show_hint(hint)

    def show_hint(self, text: str) -> None:
        self.hint.setText(text)
        self.video.hide()
        self.picture.hide()
        self.hint.show()
        self._fit()

    def show_video(self) -> None:
        self.hint.hide()
        self.picture.hide()
        self.video.show()
        self._fit()

    def show_picture(self, picture: QImage) -> None:
        """One frame of the cut, until the next."""
        resized = picture.size() != self.picture.pixmap().size()
        self.picture.setPixmap(QPixmap.fromImage(picture))
        if not self.picture.isVisible():
            self.hint.hide()
            self.video.hide()
            self.picture.show()
            resized = True
        if resized:
            self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self.picture.isVisible():
            self._scene.setSceneRect(self.picture.boundingRect())
            self.fitInView(self.picture, Qt.AspectRatioMode.KeepAspectRatio)
            return
        size = self.video.nativeSize()
        if self.video.isVisible() and size.isValid() and not size.isEmpty():
            self.video.setSize(size)
            self._scene.setSceneRect(self.video.boundingRect())
            self.fitInView(self.video, Qt.AspectRatioMode.KeepAspectRatio)
        else:
            self.resetTransform()
            text = self.hint.boundingRect()
            self.hint.setPos(-text.width() / 2, -text.height() / 2)
            self._scene.setSceneRect(QRectF(-1, -1, 2, 2))
            self.centerOn(0, 0)
