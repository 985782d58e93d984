"""A one-line label whose text never sizes the window: too long for its width, it ends in "…"
and the whole text is in its tooltip.

A QLabel needs at least the width of its text, so a status line that grows while background work
runs ("Rendering the timeline preview… 45%", a heading naming a shot) pushed the panels
beside it narrower, and the main window remembered the squeezed layout. This label would
like its whole text (its size hint) but makes do with a few letters (its minimum), and
shows what fits.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QStyle, QStyleOption, QWidget

MIN_CHARACTERS = 4  # what the label still asks room for: enough for "Sho…"


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None, **properties: Any) -> None:
        super().__init__(text, parent, **properties)
        self.setWordWrap(False)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self.setToolTip(text if self._elided(text) != text else "")

    def _elided(self, text: str) -> str:
        return self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, max(0, self.contentsRect().width()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().horizontalAdvance("M" * MIN_CHARACTERS), super().minimumSizeHint().height())

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.setToolTip(self.text() if self._elided(self.text()) != self.text() else "")

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()) | Qt.AlignmentFlag.AlignVCenter,
                         self._elided(self.text()))
