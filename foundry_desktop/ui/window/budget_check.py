"""The window's Generate, with a question first where the budget cannot guard what it sends.

A job whose cost is not known beforehand (a model whose provider states no price, a workflow's
first run) starts while its unit's budget is not used up, and may take the spending beyond it.
With a budget set, Generate first asks for the estimate (on the loop: the GUI never waits) and,
when some shots are such jobs, says so and sends only on Yes. Without a budget, or when every
cost is known, it sends at once, as before.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from foundry_desktop.app.generation.shot_generation import GenerationEstimate
from foundry_desktop.ui.project_session import ProjectSession

TITLE = "Generate"


class BudgetCheck:
    """Sends shots from the window's Generate; the open question is `box` (tests press its buttons)."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent
        self.box: QMessageBox | None = None

    def generate(self, session: ProjectSession, shot_ids: set[str] | None = None) -> None:
        if not session.service.budgets():
            session.generate(shot_ids)
            return
        session.run(TITLE, session.generation.estimate(session.service, shot_ids),
                    lambda estimate: self._ask(session, shot_ids, estimate))

    def _ask(self, session: ProjectSession, shot_ids: set[str] | None, estimate: GenerationEstimate) -> None:
        warnings = estimate.unguarded_words()
        if not warnings:
            session.generate(shot_ids)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, TITLE, "\n".join([*warnings, "Generate anyway?"]),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.parent)
        send = box.button(QMessageBox.StandardButton.Yes)
        send.setText("Generate anyway")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: session.generate(shot_ids) if button is send else None)
        box.finished.connect(lambda _: setattr(self, "box", None))
        self.box = box
        box.open()
