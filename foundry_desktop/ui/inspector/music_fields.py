"""The inspector's page for a selected music clip: where it starts, how long it plays, its gain,
fades and loop; a generated clip also shows its prompt and its takes, one of which it plays
(double-click or Return on another to play that one instead). Each field saves when the creator presses Return or leaves it (or, for Loop, at
once), as one undoable edit named for what changed; the page shows the model again after every
change, an undo or a drag on the timeline included.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.domain.project import AudioClip
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.ui.dialogs.music_generation import GenerateMusicDialog
from foundry_desktop.ui.project_session import ProjectSession

MAX_SECONDS = 24 * 3600.0


def seconds_box(suffix: str = " s", low: float = 0.0, high: float = MAX_SECONDS, step: float = 0.1) -> QDoubleSpinBox:
    box = QDoubleSpinBox(decimals=2, minimum=low, maximum=high, singleStep=step, suffix=suffix)
    box.setKeyboardTracking(False)  # a value counts once it is finished, not per digit
    return box


class MusicClipFields(QWidget):
    """The selected music clip's fields (`show_selected` fills them)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: ProjectSession | None = None
        self._clip_id: str | None = None
        self.title = QLabel(wordWrap=True)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.start = seconds_box()
        self.length = seconds_box(low=0.01)
        self.gain = seconds_box(" dB", -60.0, 24.0, 0.5)
        self.fade_in = seconds_box()
        self.fade_out = seconds_box()
        self.loop = QCheckBox("Repeat it to the film's end")
        self.file = QLabel(wordWrap=True)
        self.prompt = QLabel(wordWrap=True)  # a generated clip's
        self.takes = QListWidget()
        self.takes.setMaximumHeight(120)
        self.takes.itemActivated.connect(self._choose_take)
        self.again = QPushButton("Generate again…")  # new takes: another prompt, length, backend or variants
        self.again.clicked.connect(self._generate_again)
        column = QVBoxLayout(self)
        self._layout = layout = QFormLayout()
        column.addLayout(layout)
        column.addStretch(1)  # the fields stay together at the top of a tall inspector
        layout.addRow(self.title)
        for label, field in (("Starts at", self.start), ("Plays for", self.length), ("Gain", self.gain),
                             ("Fade in", self.fade_in), ("Fade out", self.fade_out), ("Loop", self.loop),
                             ("File", self.file), ("Music of", self.prompt), ("Takes", self.takes),
                             ("", self.again)):
            layout.addRow(label, field)
        self.start.editingFinished.connect(lambda: self._save("Move", start=self._frames(self.start)))
        self.length.editingFinished.connect(self._save_length)
        self.gain.editingFinished.connect(lambda: self._save("Change the gain of", gain_db=round(self.gain.value(), 2)))
        self.fade_in.editingFinished.connect(lambda: self._save("Fade in", fade_in=self._frames(self.fade_in)))
        self.fade_out.editingFinished.connect(lambda: self._save("Fade out", fade_out=self._frames(self.fade_out)))
        self.loop.clicked.connect(lambda on: self._save("Loop" if on else "Stop looping", loop=on))

    def _clip(self) -> AudioClip | None:
        session = self._session
        if session is None or not session.selected_music:
            return None
        return next((c for c in session.service.project.timeline.music if c.id == session.selected_music[0]), None)

    def show_selected(self, session: ProjectSession | None) -> bool:
        """The music clip selected in `session` (False: none is selected)."""
        if session is not self._session:
            self._session, self._clip_id = session, None
        clip = self._clip()
        if clip is None:
            self._clip_id = None
            return False
        switched, self._clip_id = clip.id != self._clip_id, clip.id
        rate = self._session.service.format.frame_rate
        self.title.setText("Music clip")
        self.file.setText(clip.name)
        for box, frames in ((self.start, clip.start), (self.length, clip.source_out - clip.source_in),
                            (self.fade_in, clip.fade_in), (self.fade_out, clip.fade_out)):
            if switched or not box.hasFocus():
                box.blockSignals(True)
                box.setValue(float(frames_to_seconds(frames, rate)))
                box.blockSignals(False)
        if switched or not self.gain.hasFocus():
            self.gain.blockSignals(True)
            self.gain.setValue(clip.gain_db)
            self.gain.blockSignals(False)
        self.loop.setChecked(clip.loop)
        self._show_generated(clip)
        return True

    def _show_generated(self, clip: AudioClip) -> None:
        """The prompt and takes of a generated clip; the rows are hidden for a file brought in."""
        for field in (self.prompt, self.takes, self.again):
            self._layout.setRowVisible(field, clip.spec is not None)
        if clip.spec is None:
            return
        self.prompt.setText(f"{clip.spec.prompt} ({clip.spec.backend})")
        rate = self._session.service.format.frame_rate
        self.takes.clear()
        for number, take in enumerate(self._session.service.project.takes_of(clip.id), start=1):
            playing = take.id == clip.selected_take_id
            seconds = float(frames_to_seconds(take.frames, rate))
            asked = str(take.spec.get("prompt", ""))  # takes of an earlier prompt say which
            item = QListWidgetItem(f"{'▶ ' if playing else ''}{number}. {asked[:32]}, seed {take.seed}, "
                                   f"{seconds:.1f} s, {take.backend}")
            item.setData(Qt.ItemDataRole.UserRole, take.id)
            item.setToolTip("Playing" if playing else "Double-click to play this take instead")
            self.takes.addItem(item)

    def _generate_again(self) -> None:
        clip = self._clip()
        if clip is not None:
            dialog = GenerateMusicDialog(self._session, self.window(), clip_id=clip.id)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def _choose_take(self, item: QListWidgetItem) -> None:
        clip, session = self._clip(), self._session
        take_id = item.data(Qt.ItemDataRole.UserRole)
        if clip is None or take_id == clip.selected_take_id:
            return
        service = session.service
        session.edit("Choose a take", lambda: service.choose_music_take(clip.id, take_id))
        self.show_selected(session)

    def _frames(self, box: QDoubleSpinBox) -> int:
        return round(box.value() * self._session.service.format.frame_rate)

    def _save_length(self) -> None:
        clip = self._clip()
        if clip is not None:
            self._save("Change the length of", source_out=clip.source_in + max(1, self._frames(self.length)))

    def _save(self, verb: str, **changes: Any) -> None:
        """One edit of the shown clip when a field differs from it; the fields show the model after."""
        clip, session = self._clip(), self._session
        if clip is None or clip.id != self._clip_id or all(getattr(clip, k) == v for k, v in changes.items()):
            return
        label = f"{verb} music {clip.name}".strip()
        service = session.service
        if session.edit(label, lambda: service.update_music_clip(clip.id, label, **changes)) is None:
            self._clip_id = None  # refused (the creator was told why): every field shows the clip again
        self.show_selected(session)
