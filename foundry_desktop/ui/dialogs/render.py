"""Render: preset, encoder and file; the render runs in a process of its own (the GUI
never waits for it), with its progress and time left shown, can be cancelled, and
offers the folder when it is done."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QSettings, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QWidget,
)

from foundry_desktop.app.render.film_render import FilmRender
from foundry_desktop.app.render.output_presets import OUTPUT_PRESETS, RenderSettings
from foundry_desktop.app.render.render_process import render_in_process
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.settings.rendering_tab import render_encoder, render_loudness


class RenderDialog(QDialog):
    progressed = Signal(float, float)  # fraction, seconds left (-1: not known); from the render's thread
    finished_render = Signal(object)  # the FilmRender

    def __init__(self, session: ProjectSession, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.loudness_lufs = render_loudness(settings) if settings is not None else -14.0
        self.setWindowTitle("Render the film")
        self.setMinimumWidth(520)
        self.preset = QComboBox()
        self.preset.addItem("The project's size, H.264", None)
        for name, preset in OUTPUT_PRESETS.items():
            self.preset.addItem(preset.label, name)
        self.encoder = QComboBox()
        self.encoder.addItem("Fastest that works here (auto)", "auto")
        self.encoder.addItem("Software (x264 / x265)", "software")
        if settings is not None:
            self.encoder.setCurrentIndex(max(0, self.encoder.findData(render_encoder(settings))))
        default = session.path.with_suffix(".mp4")
        self.output = QLineEdit(str(default))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_file)
        where = QHBoxLayout()
        where.addWidget(self.output, 1)
        where.addWidget(browse)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.start = QPushButton("Render")
        self.start.setProperty("primary", True)
        self.start.clicked.connect(self.render)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.open_folder = QPushButton("Show in folder")
        self.open_folder.setVisible(False)
        self.open_folder.clicked.connect(self._show_folder)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.start)
        form = QFormLayout(self)
        form.addRow("Format", self.preset)
        form.addRow("Encoder", self.encoder)
        form.addRow("File", where)
        form.addRow(self.progress)
        form.addRow(self.status)
        form.addRow(buttons)
        self._cancel: threading.Event | None = None
        self.result: FilmRender | None = None
        self.progressed.connect(self._show_progress)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Render to", self.output.text(),
                                              "Video (*.mp4 *.mov *.webm *.mkv)")
        if path:
            self.output.setText(path)

    def render(self) -> None:
        """Start the render in a worker thread; progress comes back as signals."""
        output = Path(self.output.text()).expanduser()
        settings = RenderSettings(preset=self.preset.currentData(), encoder=self.encoder.currentData())
        self._cancel = threading.Event()
        cancel, project, loudness = self._cancel, self.session.path, self.loudness_lufs
        self.start.setEnabled(False)
        self.open_folder.setVisible(False)
        self.cancel_button.setText("Cancel")
        self.status.setText("Rendering…")
        self.progress.setValue(0)

        def work() -> FilmRender:
            return render_in_process(project, output, cancel=cancel, settings=settings, loudness_lufs=loudness,
                                     on_progress=lambda p: self.progressed.emit(p.fraction,
                                                                                -1.0 if p.eta_s is None else p.eta_s))

        self.session.in_thread("Render", work, self._done).add_done_callback(lambda _: self._ended())

    def _show_progress(self, fraction: float, seconds_left: float) -> None:
        self.progress.setValue(round(fraction * 1000))
        left = f", about {seconds_left:.0f} s left" if seconds_left >= 0 else ""
        self.status.setText(f"Rendering: {fraction:.0%}{left}")

    def _done(self, render: FilmRender) -> None:
        self.result = render
        media = render.report.media
        self.progress.setValue(1000)
        self.status.setText(f"Rendered {media.path.name}: {media.width}×{media.height}, {media.duration_s:.1f} s "
                            f"({render.report.segments_encoded} segments encoded, "
                            f"{render.report.segments_reused} reused)")
        self.open_folder.setVisible(True)
        self.finished_render.emit(render)

    def _ended(self) -> None:
        """After success, failure or cancel: ready to render again."""
        if self.result is None and self._cancel is not None and self._cancel.is_set():
            self.status.setText("Cancelled; nothing was written.")
        self._cancel = None
        self.start.setEnabled(True)
        self.cancel_button.setText("Close")

    def _cancel_or_close(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        else:
            self.reject()

    def _show_folder(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.report.media.path.parent)))
