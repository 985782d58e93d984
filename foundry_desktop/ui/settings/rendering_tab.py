"""Settings › Rendering: which encoder renders use, what this machine's encoders can do, and
the loudness a render's sound is brought to.

The encoders are found by encoding one frame with each (output_presets.encoder_checks);
the first time that takes a couple of seconds, so it runs in a worker thread, and only
once the tab is looked at. The two choices are the creator's, kept in QSettings;
`render_encoder` and `render_loudness` read them back for the render.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.render.output_presets import EncoderCheck, encoder_checks
from foundry_desktop.ui.background_work import BackgroundWork
from foundry_desktop.ui.dialogs.dialog_work import ErrorLine
from foundry_desktop.ui.theme import STATUS_COLOURS
from foundry_desktop.domain.ranges.value_range import LOUDNESS_LUFS

ENCODER_KEY = "render/encoder"
LOUDNESS_KEY = "render/loudness"
DEFAULT_ENCODER = "auto"
DEFAULT_LOUDNESS_LUFS = -14.0  # what YouTube and most streaming services play at
LOUDNESS_RANGE_LUFS = (LOUDNESS_LUFS.low, LOUDNESS_LUFS.high)  # as `foundry render --loudness`
# The values are RenderSettings.encoder's.
ENCODER_CHOICES = {
    "auto": "Fastest that works here (auto)",
    "software": "Software (x264, x265, …): slower, the same file on every machine",
}
CHECKING = "Checking encoders…"
COLUMNS = ("Encoder", "Kind", "Works here", "Why not")


def render_encoder(settings: QSettings) -> str:
    value = settings.value(ENCODER_KEY, DEFAULT_ENCODER)
    return value if value in ENCODER_CHOICES else DEFAULT_ENCODER


def render_loudness(settings: QSettings) -> float:
    """The integrated loudness renders are normalised to, in LUFS."""
    try:
        value = float(settings.value(LOUDNESS_KEY, DEFAULT_LOUDNESS_LUFS))  # an INI file gives it back as text
    except (TypeError, ValueError):
        return DEFAULT_LOUDNESS_LUFS
    low, high = LOUDNESS_RANGE_LUFS
    return value if low <= value <= high else DEFAULT_LOUDNESS_LUFS


class RenderingTab(QWidget):
    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.error = ErrorLine()
        self.work = BackgroundWork(self.error.show_error)
        self.checks: list[EncoderCheck] | None = None

        self.encoder = QComboBox()
        for value, label in ENCODER_CHOICES.items():
            self.encoder.addItem(label, value)
        self.encoder.setCurrentIndex(list(ENCODER_CHOICES).index(render_encoder(settings)))
        self.encoder.currentIndexChanged.connect(
            lambda _: self.settings.setValue(ENCODER_KEY, self.encoder.currentData()))
        self.loudness = QDoubleSpinBox()
        self.loudness.setRange(*LOUDNESS_RANGE_LUFS)
        self.loudness.setDecimals(1)
        self.loudness.setSingleStep(0.5)
        self.loudness.setSuffix(" LUFS")
        self.loudness.setValue(render_loudness(settings))
        self.loudness.valueChanged.connect(lambda value: self.settings.setValue(LOUDNESS_KEY, value))
        loudness_hint = QLabel("−14 LUFS suits YouTube and most streaming, −16 Apple devices and podcasts, "
                               "−23 broadcast television (EBU R128).")
        loudness_hint.setProperty("hint", True)
        loudness_hint.setWordWrap(True)

        self.state = QLabel("")
        self.state.setWordWrap(True)
        self.check_again = QPushButton("Check again")
        self.check_again.setToolTip("Try every encoder again, after a new graphics driver, say.")
        self.check_again.clicked.connect(lambda: self.check_encoders(refresh=True))
        state_row = QHBoxLayout()
        state_row.addWidget(self.state, 1)
        state_row.addWidget(self.check_again)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        form = QFormLayout()
        form.addRow("Encoder", self.encoder)
        form.addRow("Loudness", self.loudness)
        form.addRow("", loudness_hint)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addSpacing(8)
        found = QLabel("Encoders on this machine")
        found.setStyleSheet("font-weight: 600;")
        column.addWidget(found)
        column.addLayout(state_row)
        column.addWidget(self.table, 1)
        column.addWidget(self.error)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.checks is None and not self.work.busy:
            self.check_encoders()

    def check_encoders(self, refresh: bool = False) -> None:
        self.error.clear_error()
        self.state.setText(CHECKING)
        self.check_again.setEnabled(False)
        self.work.in_thread(lambda: encoder_checks(refresh=refresh), self._show_checks, self._check_failed)

    def _check_failed(self, message: str) -> None:
        self.state.setText("")
        self.check_again.setEnabled(True)
        self.error.show_error(f"The encoders could not be tried: {message}")

    def _show_checks(self, checks: list[EncoderCheck]) -> None:
        self.checks = checks
        self.check_again.setEnabled(True)
        self.table.setRowCount(len(checks))
        for row, check in enumerate(checks):
            works = QTableWidgetItem("yes" if check.works else "no")
            works.setForeground(STATUS_COLOURS["current" if check.works else "failed"])
            reason = QTableWidgetItem(check.reason)
            reason.setToolTip(check.reason)
            for column, item in enumerate((QTableWidgetItem(check.encoder),
                                           QTableWidgetItem("hardware" if check.hardware else "software"),
                                           works, reason)):
                self.table.setItem(row, column, item)
        hardware = [check.encoder for check in checks if check.works and check.hardware]
        working = sum(check.works for check in checks)
        self.state.setText(f"{working} of {len(checks)} encoders work here; "
                           + (f"hardware: {', '.join(hardware)}." if hardware
                              else "no hardware encoder works, so renders use the software ones."))
