"""How the timeline shows a shot whose take file is offline (missing from the media folder): red
stripes across the tile and the word "Offline", as editors mark media they cannot find, so it
reads apart from a shot that is simply not generated yet (grey, "Missing")."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter

from foundry_desktop.domain.project import Take
from foundry_desktop.domain.status import ShotStatus

OFFLINE_FILL = QColor("#4a1f1f")
OFFLINE_STRIPES = QColor(224, 82, 74, 110)
OFFLINE_TEXT = QColor("#ffb4ae")


def is_offline(status: ShotStatus, take: Take | None) -> bool:
    """A shot with a take whose file is gone (shot_status says "missing" only then, or with no take)."""
    return take is not None and status.kind == "missing"


def paint_offline(painter: QPainter, area: QRectF) -> None:
    painter.save()
    painter.fillRect(area, OFFLINE_FILL)
    painter.fillRect(area, QBrush(OFFLINE_STRIPES, Qt.BrushStyle.BDiagPattern))
    painter.setPen(OFFLINE_TEXT)
    metrics = QFontMetrics(painter.font())
    painter.drawText(area.adjusted(4, 0, -4, 0), Qt.AlignmentFlag.AlignCenter,
                     metrics.elidedText("Offline", Qt.TextElideMode.ElideRight, max(0, int(area.width()) - 8)))
    painter.restore()
