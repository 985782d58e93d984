"""The inspector's parameter table: for a comfyui shot, each role of its workflow's parameter
map with the node input it goes to (the roles the shot fills from its own fields greyed, the
others with the workflow's default); then the shot's own parameters; then a blank row to add
one. A value keeps the type it is typed in: 20, 7.5, true or "a word"; anything else is text.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from foundry_desktop.app.generation.workflows import WorkflowTemplate
from foundry_desktop.domain.project import Shot

# Workflow roles the shot fills from its own fields; the rest are free parameters.
SHOT_ROLES = {"prompt", "negative_prompt", "seed", "width", "height", "frames", "fps", "input_image", "filename_prefix"}
ROWS_SHOWN = 8  # the table is as tall as its rows, up to this many


def value_from_text(text: str) -> Any:
    """A parameter typed as 20, 7.5, true or "a word" keeps its type; anything else is text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def text_of_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def parameter_rows(shot: Shot, template: WorkflowTemplate | None) -> list[tuple[str, str, str, bool]]:
    """(key, value, where it goes, editable) per row: what the creator may set first, what the
    shot fills after."""
    rows: list[tuple[str, str, str, bool]] = []
    roles = dict(template.roles) if template is not None else {}
    for role, targets in roles.items():
        where = ", ".join(f"node {t.node_id} · {t.input_name}" for t in targets)
        if role in SHOT_ROLES:
            rows.append((role, "from the shot", where, False))
            continue
        default = template.graph.get(targets[0].node_id, {}).get("inputs", {}).get(targets[0].input_name)
        if default is not None and not isinstance(default, list):  # a list is a link to another node
            where += f" (default {text_of_value(default)})"
        value = shot.spec.params.get(role)
        rows.append((role, "" if value is None else text_of_value(value), where, True))
    for key, value in shot.spec.params.items():
        if key not in roles:
            rows.append((key, text_of_value(value), "not in this workflow" if template else "", True))
    rows.sort(key=lambda row: not row[3])
    return rows


class WorkflowParamsTable(QTableWidget):
    """Parameter, value, goes to: only the values of free parameters (and the blank row's key)
    can be typed in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels(["Parameter", "Value", "Goes to"])
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        for section, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch,
                                        QHeaderView.ResizeMode.Stretch)):
            self.horizontalHeader().setSectionResizeMode(section, mode)

    def being_typed_in(self) -> bool:
        return self.state() == QAbstractItemView.State.EditingState

    def show_params(self, shot: Shot, template: WorkflowTemplate | None) -> None:
        """The workflow's parameter map (`template`: the comfyui shot's), the shot's own
        parameters, and a blank row to add one."""
        rows = parameter_rows(shot, template)
        self.setRowCount(len(rows) + 1)
        for row, (key, value, where, editable) in enumerate([*rows, ("", "", "new parameter", True)]):
            for column, text in enumerate((key, value, where)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # a narrow dock cuts long ones short
                if not (column == 1 and editable) and not (column == 0 and row == len(rows)):
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if column == 2 or not editable:
                    item.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
                self.setItem(row, column, item)
        shown = min(self.rowCount(), ROWS_SHOWN)
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
                            + shown * self.verticalHeader().defaultSectionSize())

    def typed_params(self) -> dict[str, Any]:
        """The parameters as the table has them now: each editable row with a key and a value."""
        params: dict[str, Any] = {}
        for row in range(self.rowCount()):
            key, value = self.item(row, 0), self.item(row, 1)
            if key is None or value is None or not value.flags() & Qt.ItemFlag.ItemIsEditable:
                continue
            if key.text().strip() and value.text().strip():
                params[key.text().strip()] = value_from_text(value.text().strip())
        return params
