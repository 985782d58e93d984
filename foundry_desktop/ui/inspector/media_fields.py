"""The inspector's fields for a shot that shows the creator's own footage or still (backend
"media"): the source file, the part of it used (in and out), how it fills the frame, and its
sound. Nothing about generating: a prompt, seed or backend means nothing for such a shot, and a
backend picker there once sent a creator's footage to a paid service.

Each field is one undoable edit through the app service, as in the rest of the inspector.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel

from foundry_desktop.domain.project import Shot, Take
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.ui.elided_label import ElidedLabel
from foundry_desktop.ui.inspector.input_image import IMAGE_SUFFIXES
from foundry_desktop.ui.inspector.typed_fields import TypedFields
from foundry_desktop.domain.ranges.value_range import GAIN_DB

FIT_WORDS = {"fit": "Fit: whole picture, bars", "fill": "Fill: cover the frame, crop"}
Apply = Callable[[str, Callable[[int], object]], None]  # the inspector's one edit of the shown shot


def is_media_shot(shot: Shot) -> bool:
    return shot.spec.backend == "media"


def is_still(shot: Shot) -> bool:
    return Path(shot.spec.input_media or "").suffix.lower() in IMAGE_SUFFIXES


def source_name(shot: Shot, take: Take | None) -> str:
    """The file name the creator brought (the media folder holds it under a content hash)."""
    if take is not None and take.request.get("file"):
        return str(take.request["file"])
    return shot.spec.prompt or Path(shot.spec.input_media or "").name


class MediaFields(QGroupBox):
    """Source, in/out (a clip) or how long it is held (a still), fit, gain and mute."""

    def __init__(self, apply: Apply, service: Callable[[], Any]) -> None:
        super().__init__("Media")
        self._apply, self._service = apply, service
        self._shot: Shot | None = None
        self._filling = False
        self._typing = TypedFields(self, filling=lambda: self._filling)
        self.source = ElidedLabel()
        self.length = QLabel()
        self.length.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.trim_in = self._seconds(self._save_trim, "Where the shot starts in the clip")
        self.trim_out = self._seconds(self._save_trim, "Where the shot ends in the clip")
        self.hold = self._seconds(self._save_hold, "How long the still stays on screen")
        self.fit = QComboBox()
        for mode, words in FIT_WORDS.items():
            self.fit.addItem(words, mode)
        self.fit.currentIndexChanged.connect(self._save_fit)
        self.gain = QDoubleSpinBox(decimals=1, minimum=GAIN_DB.low, maximum=GAIN_DB.high, singleStep=1.0, suffix=" dB")
        self._typing.watch(self.gain, self.gain.valueChanged, self._save_gain)
        self.mute = QCheckBox("Mute its sound")
        self.mute.toggled.connect(self._save_mute)
        self.form = QFormLayout(self)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for label, widget in (("Source", self.source), ("", self.length), ("In", self.trim_in),
                              ("Out", self.trim_out), ("Hold", self.hold), ("Picture", self.fit),
                              ("Sound", self.gain), ("", self.mute)):
            self.form.addRow(label, widget)

    def _seconds(self, save: Callable[[], None], tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=36000.0, singleStep=0.25, suffix=" s", toolTip=tip)
        self._typing.watch(box, box.valueChanged, save)
        return box

    def flush_all(self) -> None:
        self._typing.flush_all()

    def show_shot(self, shot: Shot, take: Take | None, rate: Any, switched: bool) -> None:
        """Show `shot`'s media; a field being typed in keeps what is typed."""
        self._shot, self._filling = shot, True
        try:
            still = is_still(shot)
            self.source.setText(source_name(shot, take))
            whole = float(frames_to_seconds(shot.spec.duration, rate))
            self.length.setText("A still picture" if still else f"The clip lasts {whole:.2f} s")
            for box in (self.trim_in, self.trim_out):
                self.form.setRowVisible(box, not still)
            self.form.setRowVisible(self.hold, still)
            self.trim_in.setMaximum(whole)
            self.trim_out.setMaximum(whole)
            for box, frames in ((self.trim_in, shot.trim_in), (self.trim_out, shot.source_end),
                                (self.hold, shot.spec.duration)):
                if switched or not self._typing.being_edited(box):
                    box.setValue(float(frames_to_seconds(frames, rate)))
            self.fit.setCurrentIndex(max(0, self.fit.findData(shot.fit)))
            if switched or not self._typing.being_edited(self.gain):
                self.gain.setValue(shot.audio_gain_db)
            self.gain.setEnabled(not still and not shot.audio_muted)
            self.mute.setChecked(shot.audio_muted)
            self.mute.setEnabled(not still)
        finally:
            self._filling = False

    # -- edits ---------------------------------------------------------------------

    def _frames(self, box: QDoubleSpinBox, *, allow_zero: bool = False) -> int:
        return self._service().frames_from_seconds(f"{box.value():.2f}", allow_zero=allow_zero)

    def _save_trim(self) -> None:
        shot = self._shot
        if self._filling or shot is None:
            return
        self._apply("Trim the shot", lambda index: self._trim(index, shot))

    def _trim(self, index: int, shot: Shot) -> None:
        # Frames decide: a boundary shown rounded to hundredths must not move an NTSC trim on its own.
        rate = self._service().format.frame_rate
        trim_in, trim_out = shot.trim_in, shot.source_end
        if f"{self.trim_in.value():.2f}" != f"{float(frames_to_seconds(trim_in, rate)):.2f}":
            trim_in = self._frames(self.trim_in, allow_zero=True)
        if f"{self.trim_out.value():.2f}" != f"{float(frames_to_seconds(trim_out, rate)):.2f}":
            trim_out = self._frames(self.trim_out)
        if (trim_in, trim_out) != (shot.trim_in, shot.source_end):
            self._service().trim_shot(index, trim_in, trim_out)

    def _save_hold(self) -> None:
        shot = self._shot
        if self._filling or shot is None or not is_still(shot):
            return
        self._apply("Change how long the still is held", lambda index: self._hold(index, shot))

    def _hold(self, index: int, shot: Shot) -> None:
        # Frames decide, as for the trim: an unchanged box must not move the length by rounding.
        if self._frames(self.hold) != shot.spec.duration:
            self._service().update_shot(index, duration_seconds=f"{self.hold.value():.2f}")

    def _save_fit(self) -> None:
        shot, mode = self._shot, self.fit.currentData()
        if not self._filling and shot is not None and mode != shot.fit:
            self._apply("Change the framing", lambda index: self._service().set_shot_picture_and_sound(index, fit=mode))

    def _save_gain(self) -> None:
        shot, gain = self._shot, round(self.gain.value(), 1)
        if not self._filling and shot is not None and gain != shot.audio_gain_db:
            self._apply("Change the shot's volume",
                        lambda index: self._service().set_shot_picture_and_sound(index, audio_gain_db=gain))

    def _save_mute(self, muted: bool) -> None:
        shot = self._shot
        if not self._filling and shot is not None and muted != shot.audio_muted:
            self._apply("Mute the shot" if muted else "Unmute the shot",
                        lambda index: self._service().set_shot_picture_and_sound(index, audio_muted=muted))
