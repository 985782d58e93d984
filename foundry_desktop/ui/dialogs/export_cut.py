"""Export the cut for another editor: FCPXML (Final Cut, Resolve), a CMX 3600 EDL
(Premiere, Avid, Resolve) or OTIO, written in a worker thread, with what the cut plan
had to change (missing handles) and the files written shown when it is done."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from foundry_desktop.app.exchange.conform_keys import film_drop_frame, reels_need_long_names
from foundry_desktop.app.exchange.cut_export import ExportReport, drop_frame_possible, export_cut
from foundry_desktop.ui.background_work import BackgroundWork
from foundry_desktop.ui.dialogs.dialog_work import ErrorLine
from foundry_desktop.ui.project_session import ProjectSession

# (label, extension, FCPXML version)
FORMATS = (
    ("FCPXML 1.10 — Final Cut Pro 10.6+, DaVinci Resolve 18.5+", ".fcpxml", "1.10"),
    ("FCPXML 1.9 — Final Cut Pro 10.4.9–10.5", ".fcpxml", "1.9"),
    ("CMX 3600 EDL — Premiere, Avid, Resolve (music in a second EDL)", ".edl", ""),
    ("OpenTimelineIO — Resolve, Kdenlive, OTIO tools", ".otio", ""),
)


class ExportDialog(QDialog):
    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.report: ExportReport | None = None
        self.setWindowTitle("Export the cut")
        self.setMinimumWidth(560)
        self.format = QComboBox()
        for label, extension, version in FORMATS:
            self.format.addItem(label, (extension, version))
        self.output = QLineEdit(str(session.path.with_suffix(".fcpxml")))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_file)
        where = QHBoxLayout()
        where.addWidget(self.output, 1)
        where.addWidget(browse)
        self.drop_frame = QCheckBox("Drop-frame timecode")
        self.drop_frame.setToolTip("Timecode that keeps to the clock at 29.97 and 59.94 fps (the film's own "
                                   "timecode is the default)")
        self.long_reels = QCheckBox("Long reel names (File129, as Resolve and Avid write them)")
        self.long_reels.setToolTip("Reels keep the media's whole name instead of 8 characters of strict CMX 3600")
        self.status = QLabel(wordWrap=True)
        self.error_line = ErrorLine()
        self.export_button = QPushButton("Export")
        self.export_button.setProperty("primary", True)
        self.export_button.clicked.connect(self.export)
        self.open_folder = QPushButton("Show in folder", visible=False)
        self.open_folder.clicked.connect(self._show_folder)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.export_button)
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("File", where)
        form.addRow("", self.drop_frame)
        form.addRow("", self.long_reels)
        form.addRow(self.error_line)
        form.addRow(self.status)
        form.addRow(buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()
        self.work = BackgroundWork(self._failed)

    def _format_changed(self) -> None:
        extension, _ = self.format.currentData()
        self.output.setText(str(Path(self.output.text()).with_suffix(extension)))
        ntsc = drop_frame_possible(self.session.service.format.frame_rate)
        self.drop_frame.setEnabled(ntsc and extension != ".otio")
        self.drop_frame.setChecked(self.drop_frame.isEnabled() and film_drop_frame(self.session.service.project))
        self.long_reels.setEnabled(extension == ".edl")
        self.long_reels.setChecked(self.long_reels.isEnabled() and reels_need_long_names(self.session.service.project))

    def _choose_file(self) -> None:
        extension, _ = self.format.currentData()
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.output.text(), f"Cut (*{extension})")
        if path:
            self.output.setText(str(Path(path).with_suffix(extension)))

    def export(self) -> None:
        _, version = self.format.currentData()
        output, drop_frame = Path(self.output.text()).expanduser(), self.drop_frame.isChecked()
        names = "long" if self.long_reels.isChecked() else "cmx"
        service = self.session.service
        self.export_button.setEnabled(False)
        self.error_line.clear_error()
        self.status.setText("Exporting…")
        self.work.in_thread(
            lambda: export_cut(service, output, fcpxml_version=version or "1.10", drop_frame=drop_frame,
                               edl_names=names), self._done,
        ).add_done_callback(lambda _: self.export_button.setEnabled(True))

    def _failed(self, message: str) -> None:
        self.status.setText("")
        self.error_line.show_error(message)
        self.adjustSize()

    def _done(self, report: ExportReport) -> None:
        self.report = report
        lines = ["Exported " + ", ".join(path.name for path in report.files) + "."]
        lines += [f"Note: {warning}" for warning in report.warnings]
        self.status.setText("\n".join(lines))
        self.open_folder.setVisible(True)
        self.adjustSize()  # room for the notes

    def done(self, result: int) -> None:  # noqa: D102 (closing: answers have nowhere to go)
        self.work.cancel()
        super().done(result)

    def _show_folder(self) -> None:
        if self.report is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.report.files[0].parent)))
