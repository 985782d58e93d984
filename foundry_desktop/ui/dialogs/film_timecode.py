"""Timeline ▸ Film timecode: where the film's timecode starts (01:00:00:00 unless set, as editors start
their timelines) and whether it drops frame labels, as a project setting the way Resolve keeps it.
Every export writes these unless told otherwise, and the ruler and timecode displays count from them.
Set as one undo step; a timecode that does not read is refused in words, in the dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from foundry_desktop.app.exchange.conform_keys import (drop_frame_exists, film_drop_frame, film_start_frames,
                                                       film_timecode_label, timecode_frames)
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.project_session import ProjectSession


class FilmTimecodeDialog(QDialog):
    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Film timecode")
        self.setMinimumWidth(440)  # room for a refusal in words
        project = session.service.project
        label, drop_frame = film_timecode_label(project)
        self.start = QLineEdit(label)
        self.start.setToolTip("The timecode of the film's first frame, such as 01:00:00:00 (a ; before the frames "
                              "for drop frame)")
        self.drop_frame = QCheckBox("Drop-frame timecode")
        self.drop_frame.setChecked(drop_frame)
        ntsc = drop_frame_exists(project)
        self.drop_frame.setEnabled(ntsc)
        self.drop_frame.setToolTip("Drop frame keeps timecode in step with the clock at 29.97 and 59.94 fps" if ntsc
                                   else f"Drop frame exists only at 29.97 and 59.94 fps; this film runs at "
                                   f"{float(project.format.frame_rate):g} fps")
        self.error_line = QLabel()
        self.error_line.setWordWrap(True)
        self.error_line.setStyleSheet("color: #e06c5a")
        self.error_line.hide()
        form = QFormLayout()
        form.addRow("Starts at", self.start)
        form.addRow("", self.drop_frame)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_line)
        layout.addWidget(buttons)

    def apply(self) -> None:
        """Set both as one edit and close; a refusal stays in the dialog, in words, for the creator to fix."""
        service = self.session.service
        drop_frame = self.drop_frame.isChecked()
        try:
            start = timecode_frames(self.start.text(), service.format.frame_rate, drop_frame)
            if (start, drop_frame) != (film_start_frames(service.project), film_drop_frame(service.project)):
                service.set_film_timecode(start, drop_frame)
        except FoundryError as exc:
            self.error_line.setText(str(exc))
            self.error_line.show()
            return
        self.accept()
