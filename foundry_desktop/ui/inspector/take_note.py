"""Under the shot's status in the inspector: what the creator should know about the take the
shot shows — a shape or length other than the shot's, or a workflow that ignored the prompt,
seed or picture it was given (app/shots/take_fit) — hidden when there is nothing to say."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from foundry_desktop.app.shots.take_fit import take_warnings
from foundry_desktop.domain.project import Take
from foundry_desktop.ui.theme import STATUS_COLOURS


class TakeNote(QLabel):
    def __init__(self) -> None:
        super().__init__(wordWrap=True)
        tint = STATUS_COLOURS["stale"]
        # The stale colour, translucent over the theme's own background, like the status badge.
        self.setStyleSheet(f"background: rgba({tint.red()}, {tint.green()}, {tint.blue()}, 50); "
                           f"border: 1px solid {tint.name()}; border-radius: 4px; padding: 2px 6px;")
        self.hide()

    def show_take(self, take: Take | None, fit: str) -> None:
        warnings = take_warnings(take, fit) if take is not None else []
        self.setText("\n".join(f"⚠ {warning}" for warning in warnings))
        self.setToolTip(self.text())
        self.setVisible(bool(warnings))
