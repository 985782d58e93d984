"""The inspector's "Into the next shot" group: the selected shot's transition and its length."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any, get_args

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel

from foundry_desktop.domain.project import Shot, TransitionKind
from foundry_desktop.domain.time import frames_to_seconds
from foundry_desktop.domain.timeline_ops import max_transition_frames
from foundry_desktop.ui.inspector.typed_fields import TypedFields

TRANSITION_WORDS = {"cut": "Cut", "dissolve": "Dissolve", "fade_black": "Fade through black",
                    "fade_white": "Fade through white"}
DEFAULT_TRANSITION_S = Fraction(1, 2)

Apply = Callable[[str, Callable[[int], object]], None]


class TransitionFields(QGroupBox):
    """Kind and length of the shown shot's transition; each change is one edit through `apply`
    (the inspector's: it finds the shot's index and reports a refusal)."""

    def __init__(self, typing: TypedFields, apply: Apply, shot: Callable[[], Shot | None],
                 service: Callable[[], Any], frames_in: Callable[[QDoubleSpinBox, str], int | None],
                 filling: Callable[[], bool]) -> None:
        super().__init__("Into the next shot")
        self._typing, self._apply, self._shot, self._service = typing, apply, shot, service
        self._frames_in, self._filling = frames_in, filling
        self._index = -1
        self.kind = QComboBox()
        for kind in get_args(TransitionKind):
            self.kind.addItem(TRANSITION_WORDS.get(kind, kind), kind)
        self.kind.currentIndexChanged.connect(self._save_kind)
        self.length = QDoubleSpinBox(decimals=2, minimum=0.0, suffix=" s", singleStep=0.25)
        typing.watch(self.length, self.length.valueChanged, self._save_length)
        self.note = QLabel(wordWrap=True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form = QFormLayout(self)
        form.addRow("Transition", self.kind)
        form.addRow("Length", self.length)
        form.addRow("", self.note)

    def fill(self, shot: Shot, index: int, switched: bool) -> None:
        service = self._service()
        rate = service.format.frame_rate
        self._index = index
        longest = max_transition_frames(service.project.timeline, index)
        transition = shot.transition_out
        self.kind.setCurrentIndex(self.kind.findData(transition.kind))
        self.kind.setEnabled(longest > 0)
        self.length.setMaximum(float(frames_to_seconds(longest, rate)))
        self.length.setMinimum(0.0 if transition.kind == "cut" else float(frames_to_seconds(1, rate)))
        if switched or not self._typing.being_edited(self.length):
            self.length.setValue(float(frames_to_seconds(transition.duration, rate)))
        self.length.setEnabled(transition.kind != "cut")
        if index == len(service.project.timeline.shots) - 1:
            self.note.setText("The last shot has no next shot.")
        else:
            self.note.setText(f"At most {float(frames_to_seconds(longest, rate)):.2f} s here "
                              "(up to where each shot's other transition begins).")

    def _save_kind(self) -> None:
        shot, kind = self._shot(), self.kind.currentData()
        if self._filling() or shot is None or kind == shot.transition_out.kind:
            return
        service = self._service()
        longest = max_transition_frames(service.project.timeline, self._index)
        frames = shot.transition_out.duration or min(longest, service.frames_from_seconds(DEFAULT_TRANSITION_S))
        self._apply("Change the transition",
                    lambda index: service.set_transition(index, kind, 0 if kind == "cut" else frames))

    def _save_length(self) -> None:
        shot = self._shot()
        if shot is None or shot.transition_out.kind == "cut":
            return
        frames = self._frames_in(self.length, "Change the transition")
        if frames is not None and frames != shot.transition_out.duration:
            kind = shot.transition_out.kind
            self._apply("Change the transition", lambda index: self._service().set_transition(index, kind, frames))
