"""A shot's status as a badge: its words ("Stale: prompt changed") on its status colour."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from foundry_desktop.domain.status import ShotStatus
from foundry_desktop.ui.theme import STATUS_COLOURS


def status_words(status: ShotStatus) -> str:
    """'Stale: prompt changed', 'Current'."""
    kind = status.kind.capitalize()
    return f"{kind}: {', '.join(status.reasons)}" if status.reasons else kind


class StatusBadge(QLabel):
    def show_status(self, status: ShotStatus) -> None:
        tint = STATUS_COLOURS.get(status.kind, STATUS_COLOURS["missing"])
        self.setText(status_words(status))
        # The status colour, translucent over the theme's own background: it reads on dark and light.
        self.setStyleSheet(
            f"background: rgba({tint.red()}, {tint.green()}, {tint.blue()}, 80); border: 1px solid {tint.name()};"
            " border-radius: 4px; padding: 2px 6px;")
