"""Generate (the window's, the takes panel's, the render dialog's "generate missing"), with a
question first where the budget cannot guard what it sends.

A job whose cost is not known beforehand (a model whose provider states no price, a workflow's
first run) starts while its unit's budget is not used up, and may take the spending beyond it.
With a budget set, Generate first asks for the estimate (on the loop: the GUI never waits) and,
when some shots are such jobs, says so and sends only on Yes. Without a budget, or when every
cost is known, it sends at once, as before.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from foundry_desktop.app.generation.shot_generation import GenerateReport, GenerationEstimate
from foundry_desktop.ui.project_session import ProjectSession

TITLE = "Generate"


class BudgetCheck:
    """Sends shots from a Generate button; the open question is `box` (tests press its buttons)."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent
        self.box: QMessageBox | None = None

    def generate(self, session: ProjectSession, shot_ids: set[str] | None = None, variants: int = 0,
                 done: Callable[[GenerateReport], None] | None = None,
                 sending: Callable[[], None] | None = None) -> None:
        """Generate as `session.generate` does, asking first where the budget cannot guard it; `sending`
        runs as the shots go, `done` once the generation is over (neither, when the creator says no)."""
        def send() -> None:
            if sending is not None:
                sending()
            session.generate(shot_ids, variants, done)

        if not session.service.budgets():
            send()
            return
        session.run(TITLE, session.generation.estimate(session.service, shot_ids, variants),
                    lambda estimate: self._ask(estimate, send))

    def _ask(self, estimate: GenerationEstimate, send: Callable[[], None]) -> None:
        warnings = estimate.unguarded_words()
        if not warnings:
            send()
            return
        box = QMessageBox(QMessageBox.Icon.Warning, TITLE, "\n".join([*warnings, "Generate anyway?"]),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.parent)
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText("Generate anyway")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: send() if button is yes else None)
        box.finished.connect(lambda _: setattr(self, "box", None))
        self.box = box
        box.open()
