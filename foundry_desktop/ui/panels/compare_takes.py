"""Two takes of a shot side by side: their pictures, where each came from, what differs
between them, and a button to use either."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGridLayout, QLabel, QPushButton, QWidget

from foundry_desktop.domain.project import Take
from foundry_desktop.ui.panels.take_gallery import STILL_WIDTH
from foundry_desktop.ui.panels.take_provenance import provenance


class CompareTakesDialog(QDialog):
    """Two takes side by side: their pictures, where each came from, and what differs."""

    def __init__(self, parent: QWidget, takes: list[tuple[str, Take, QImage | None, bool]],
                 use: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare takes")
        grid = QGridLayout(self)
        for column, (title, take, picture, in_use) in enumerate(takes):
            image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
            image.setMinimumSize(STILL_WIDTH, STILL_WIDTH * 9 // 16)
            if picture is not None:
                image.setPixmap(QPixmap.fromImage(picture))
            else:
                image.setText("No picture yet")
            heading = QLabel(f"<b>{title}</b>{' · in use' if in_use else ''}")
            facts = QLabel("\n".join(provenance(take)), textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
            button = QPushButton("In use" if in_use else f"Use {title.lower()}", enabled=not in_use)
            button.clicked.connect(lambda _=False, take_id=take.id: (use(take_id), self.accept()))
            for row, widget in enumerate((image, heading, facts, button)):
                grid.addWidget(widget, row, column)
        (_, first, _, _), (_, second, _, _) = takes
        self.differences = QLabel(self._differences(first, second), wordWrap=True)
        grid.addWidget(self.differences, 4, 0, 1, 2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        grid.addWidget(buttons, 5, 0, 1, 2)

    @staticmethod
    def _differences(first: Take, second: Take) -> str:
        changed = []
        for key in sorted(set(first.spec) | set(second.spec)):
            a, b = first.spec.get(key), second.spec.get(key)
            if a != b:
                simple = all(isinstance(v, (str, int, float)) or v is None for v in (a, b))
                changed.append(f"{key.replace('_', ' ')}: {a} → {b}" if simple else f"{key.replace('_', ' ')} differs")
        return "Differences: " + "; ".join(changed) if changed else "Same settings: the takes differ by chance only."
