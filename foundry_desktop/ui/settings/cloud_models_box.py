"""Settings › Cloud services › Models: the chosen provider's video models in a table — what each
accepts and what it costs — and, under it, when those facts were checked, as `foundry cloud list`
prints them. The words a model accepts are the longest, so that column gets the width.

The tab reads the catalogue in a worker thread (it reads the settings file) and hands it here;
this box only shows what it is given.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from foundry_desktop.app.generation.cloud_models import ProviderModels

COLUMNS = ("Model", "Accepts", "Price")
PRICE_WIDTH = 150  # "0.3034 US dollars per second" on two lines: the room goes to what a model accepts


class CloudModelsBox(QGroupBox):
    def __init__(self) -> None:
        super().__init__("Video models")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # facts, not settings
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(2, PRICE_WIDTH)
        self.note = QLabel()
        self.note.setProperty("hint", True)
        self.note.setWordWrap(True)
        column = QVBoxLayout(self)
        column.addWidget(self.table)
        column.addWidget(self.note)
        self.setVisible(False)

    def show_models(self, entry: ProviderModels | None) -> None:
        """The provider's models; hidden for a provider without a table (a still service)."""
        self.setVisible(entry is not None)
        models = entry.models if entry is not None else ()
        self.table.setRowCount(len(models))
        for row, model in enumerate(models):
            name = f"{model.label}\n{model.id}" + (" — default" if model.default else "")
            cells = (name, model.accepts + (f". {model.notes}" if model.notes else ""), model.price)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{text}\nFrom {model.source}, checked {model.checked}" if column == 0 else text)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        default = entry.default_model if entry is not None else None
        self.note.setText(" ".join((
            f"A shot that names no model gets {default}." if default
            else "A shot must name its model (or set a default model above).",
            checked_words(sorted({model.checked for model in models})))))


def checked_words(dates: list[str]) -> str:
    """'Checked 2026-12-07.', or the span when the models were checked on different days."""
    if not dates:
        return ""
    return f"Checked {dates[0]}." if len(dates) == 1 else f"Checked between {dates[0]} and {dates[-1]}."
