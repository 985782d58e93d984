"""Reading a picture file for a view, scaled down as it is read: run it in a worker thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QImageReader


def read_picture(path: Path, width: int) -> QImage:
    """The picture at most `width` pixels wide, turned as its EXIF says (a null image if unreadable)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and size.width() > width:
        reader.setScaledSize(size.scaled(width, width * 10, Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()
