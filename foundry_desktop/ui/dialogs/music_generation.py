"""Generate music…: a prompt, a length (the film's, or seconds), a backend, variants, and what it
will cost; the music is generated in the background through the app's GenerationSession and
appears on the music track at the playhead, its takes in the clip's inspector.

The estimate is asked on the app's loop whenever a field changes (it never blocks the GUI
thread); a request the app refuses (no prompt, a film with no length yet, an unknown backend)
is shown in words in the dialog.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.generation.music_generation import MusicReport, estimate_words
from foundry_desktop.app.generation.shot_generation import GenerationEstimate
from foundry_desktop.domain.music_fingerprint import music_seconds
from foundry_desktop.ui.background_work import BackgroundWork
from foundry_desktop.ui.dialogs.dialog_work import ErrorLine
from foundry_desktop.ui.project_session import ProjectSession

# Backends that make sound (the built-in bed needs nothing; the others a model or a template).
MUSIC_BACKENDS = (("Built in (a synthesised bed, free)", "builtin"), ("Replicate", "replicate"),
                  ("ComfyUI", "comfyui"))


class GenerateMusicDialog(QDialog):
    """New music, or (`clip_id`) a generated clip's again, its fields filled from what it was asked."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None, *, clip_id: str | None = None) -> None:
        super().__init__(parent)
        self.session, self.clip_id = session, clip_id
        self.work = BackgroundWork(self._show_estimate)  # the estimates; the generation is the session's
        self.setWindowTitle("Generate music")
        self.setMinimumWidth(480)
        self.prompt = QLineEdit(placeholderText="calm piano, warm, slow…")
        self.film_length = QCheckBox("The film's length", checked=True)
        self.seconds = QDoubleSpinBox(decimals=1, minimum=1.0, maximum=1200.0, value=30.0, suffix=" s", enabled=False)
        self.backend = QComboBox()
        for words, name in MUSIC_BACKENDS:
            self.backend.addItem(words, name)
        self.model = QLineEdit(placeholderText="the backend's model, e.g. meta/musicgen on Replicate")
        self.variants = QSpinBox(minimum=0, maximum=8)
        self.estimate = QLabel(wordWrap=True)
        self.error_line = ErrorLine()
        self.generate_button = QPushButton("Generate")
        self.generate_button.setProperty("primary", True)
        self.generate_button.setDefault(True)
        cancel = QPushButton("Cancel")
        if clip_id is not None:
            self._fill_from_clip(clip_id)
        length = QHBoxLayout()
        length.addWidget(self.film_length)
        length.addWidget(self.seconds)
        form = QFormLayout()
        form.addRow("Music", self.prompt)
        form.addRow("Length", length)
        form.addRow("Backend", self.backend)
        form.addRow("Model", self.model)
        form.addRow("Variants", self.variants)
        form.addRow("Costs", self.estimate)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.generate_button)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.error_line)
        column.addLayout(buttons)
        self.film_length.toggled.connect(lambda auto: self.seconds.setEnabled(not auto))
        self.prompt.textChanged.connect(lambda _: self.error_line.clear_error())  # answered: the error goes
        self.film_length.toggled.connect(lambda _: self.error_line.clear_error())
        self.backend.currentIndexChanged.connect(self._backend_changed)
        for signal in (self.film_length.toggled, self.seconds.valueChanged, self.backend.currentIndexChanged,
                       self.variants.valueChanged, self.model.editingFinished, self.prompt.editingFinished):
            signal.connect(self.update_estimate)
        self.generate_button.clicked.connect(self.generate)
        cancel.clicked.connect(self.reject)
        self._backend_changed()
        self.update_estimate()

    def _backend_changed(self) -> None:
        """The built-in bed has no models; a music service's default model is named in the field."""
        name = self.backend.currentData()
        self.model.setEnabled(name != "builtin")
        self.model.setPlaceholderText({"replicate": "meta/musicgen (default), or another owner/name",
                                       "comfyui": "the template's own model by default"}
                                      .get(name, "the built-in bed has no models"))

    def _fill_from_clip(self, clip_id: str) -> None:
        clip = self.session.service.music_clip(clip_id)
        spec = clip.spec
        assert spec is not None, "only a generated clip is generated again"
        self.setWindowTitle("Generate music again")
        self.generate_button.setText("Generate again")
        self.prompt.setText(spec.prompt)
        self.film_length.setChecked(False)
        self.seconds.setEnabled(True)
        self.seconds.setValue(float(music_seconds(spec)))
        self.backend.setCurrentIndex(max(0, self.backend.findData(spec.backend)))
        self.model.setText(spec.model or "")

    def options(self) -> dict:
        """What generate_music and estimate_music are asked, from the fields."""
        model = (self.model.text().strip() or None) if self.model.isEnabled() else None
        return {"prompt": self.prompt.text(), "seconds": "auto" if self.film_length.isChecked() else self.seconds.value(),
                "backend": self.backend.currentData(), "model": model, "variants": self.variants.value(),
                "clip_id": self.clip_id}

    def update_estimate(self) -> None:
        options = {**self.options(), "prompt": self.prompt.text().strip() or "music"}  # priced before it is typed
        service, generation = self.session.service, self.session.generation

        # A task of its own at once (shielded): a dialog closed mid-estimate drops only the answer.
        self.work.run(asyncio.shield(generation.estimate_music(service, **options)), self._show_estimate)

    def _show_estimate(self, estimate: GenerationEstimate | str) -> None:
        self.estimate.setText(estimate if isinstance(estimate, str) else  # and what the budget cannot guard
                              "\n".join([estimate_words(estimate), *estimate.unguarded_words()]))

    def generate(self) -> None:
        """Check the request, then generate in the background; the dialog closes once it is sent on."""
        if not self.prompt.text().strip():
            self.error_line.show_error("Say what the music should be like (for example: calm piano, warm, slow).")
            self.prompt.setFocus()
            return
        if self.film_length.isChecked() and not self.session.service.cut_plan().length:
            self.error_line.show_error("The film has no shots yet: untick \"The film's length\" and give seconds.")
            return
        self.error_line.clear_error()
        session = self.session
        work = session.generation.generate_music(session.service, at_frame=session.playhead, **self.options())
        session.run("Generate music", work, lambda report: music_arrived(session, report))
        self.accept()

    def done(self, result: int) -> None:  # noqa: D102 (closing: estimates have nowhere to go)
        self.work.cancel()
        super().done(result)


def music_arrived(session: ProjectSession, report: MusicReport) -> None:
    """After the dialog has gone: failures said, and the new clip selected for its inspector."""
    if report.run.failures:
        session.error.emit("Generate music", "\n".join(report.run.failures))
    if report.clip_id is not None:
        session.select([], music=[report.clip_id])
