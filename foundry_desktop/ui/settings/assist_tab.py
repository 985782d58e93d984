"""Settings › Assist: the language model behind plans, mood boards and captions from speech
(app.language_model): the endpoint, its models, the key, and a live check that asks the
endpoint which models it offers.

"Save" writes the machine's assist settings; the key goes to the password store and never
comes back to the screen. Every keyring call, file write and request runs off the GUI
thread, and whatever goes wrong is said in the tab.
"""

from __future__ import annotations

import asyncio

from pydantic import ValidationError
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.generation.api_keys import api_key, remove_api_key, set_api_key
from foundry_desktop.app.assist.language_model import (
    FIELD_LABELS,
    KEY_PROVIDER,
    LanguageModelSettings,
    language_model_client,
    load_language_model,
    save_language_model,
)
from foundry_desktop.app.generation.service_address import insecure_address, service_address
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.background_work import BackgroundWork, in_words
from foundry_desktop.ui.dialogs.dialog_work import ErrorLine
from foundry_desktop.domain.ranges.value_range import REQUEST_SECONDS


class AssistTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = ErrorLine()
        self.work = BackgroundWork(self.error.show_error)
        self.base_url = QLineEdit(placeholderText="https://api.openai.com/v1, or http://localhost:11434/v1 (Ollama)")
        self.model = QLineEdit(placeholderText="e.g. gpt-4o-mini, llama3.1 — writes plans and mood boards")
        self.transcription_model = QLineEdit(placeholderText="whisper-1 — word timings for captions")
        self.image_model = QLineEdit(placeholderText="e.g. gpt-image-2 — pictures for mood boards (optional)")
        self.timeout = QDoubleSpinBox(minimum=REQUEST_SECONDS.low, maximum=REQUEST_SECONDS.high, decimals=0, suffix=" s",
                                      value=120)
        # Asked, not assumed: the key would cross the network unencrypted (service_address.py).
        self.allow_insecure = QCheckBox("Allow plain http:// to another machine (the key crosses unencrypted)")
        self.key = QLineEdit(placeholderText="the endpoint's key, if it needs one", echoMode=QLineEdit.EchoMode.Password)
        self.key_state = QLabel("")
        self.keep_key = QPushButton("Keep key")
        self.keep_key.clicked.connect(self.keep_the_key)
        self.forget_key = QPushButton("Forget key")
        self.forget_key.clicked.connect(self.forget_the_key)
        self.save_button = QPushButton("Save")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)
        self.check_button = QPushButton("Check now")
        self.check_button.clicked.connect(self.check)
        self.status = QLabel(wordWrap=True)

        form = QFormLayout()
        for field, editor in (("base_url", self.base_url), ("model", self.model),
                              ("transcription_model", self.transcription_model), ("image_model", self.image_model),
                              ("timeout_s", self.timeout)):
            form.addRow(FIELD_LABELS[field], editor)
            if field == "base_url":
                form.addRow("", self.allow_insecure)
        key_row = QHBoxLayout()
        for widget in (self.key, self.keep_key, self.forget_key):
            key_row.addWidget(widget)
        form.addRow("Key", key_row)
        form.addRow("", self.key_state)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.save_button)
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Plans from a brief, mood boards and captions from speech use an OpenAI-compatible "
                                "endpoint: OpenAI, or a server on this machine such as Ollama, LM Studio or vLLM.",
                                wordWrap=True))
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.error)
        column.addWidget(self.status)
        column.addStretch()
        self.work.in_thread(lambda: (load_language_model(), api_key(KEY_PROVIDER) is not None), self._show)

    def _show(self, loaded: tuple[LanguageModelSettings, bool]) -> None:
        settings, has_key = loaded
        self.base_url.setText(settings.base_url or "")
        self.allow_insecure.setChecked(bool(settings.base_url) and insecure_address(settings.base_url))
        self.model.setText(settings.model or "")
        self.transcription_model.setText(settings.transcription_model)
        self.image_model.setText(settings.image_model or "")
        self.timeout.setValue(settings.timeout_s)
        self._show_key_state(has_key)
        if not settings.configured:
            self.status.setText("No language model is set up yet: the assist features say so, everything else works.")

    def _show_key_state(self, has_key: bool) -> None:
        self.key_state.setText("A key is kept in this machine's password store." if has_key
                               else "No key kept (local servers need none).")
        self.forget_key.setEnabled(has_key)

    def settings_in_form(self) -> LanguageModelSettings:
        def text(editor: QLineEdit) -> str | None:
            return editor.text().strip() or None

        base_url = text(self.base_url)
        if base_url is not None:
            base_url = service_address(base_url, service="assist", allow_insecure=self.allow_insecure.isChecked())
        return LanguageModelSettings(base_url=base_url, model=text(self.model),
                                     transcription_model=text(self.transcription_model) or "whisper-1",
                                     image_model=text(self.image_model), timeout_s=self.timeout.value())

    def _checked_form(self) -> LanguageModelSettings | None:
        """The form's settings, or None with what is wrong said in the tab."""
        self.error.clear_error()
        try:
            return self.settings_in_form()
        except ValidationError as exc:
            self.error.show_error(in_words(exc, FIELD_LABELS))
            return None
        except FoundryError as exc:  # an address refused by service_address
            self.error.show_error(f"{FIELD_LABELS['base_url']}: {exc}")
            return None

    def save(self) -> asyncio.Task | None:
        settings = self._checked_form()
        if settings is None:
            return None
        return self.work.in_thread(lambda: save_language_model(settings),
                                   lambda _: self.status.setText("Saved: the assist uses this from now on."))

    def keep_the_key(self) -> asyncio.Task:
        self.error.clear_error()
        key = self.key.text()
        self.key.clear()  # the key is not kept on the screen
        return self.work.in_thread(lambda: set_api_key(KEY_PROVIDER, key), lambda _: self._show_key_state(True))

    def forget_the_key(self) -> asyncio.Task:
        self.error.clear_error()
        return self.work.in_thread(lambda: remove_api_key(KEY_PROVIDER), lambda _: self._show_key_state(False))

    def check(self) -> asyncio.Task | None:
        """Ask the endpoint in the form (saved or not) which models it offers."""
        settings = self._checked_form()
        if settings is None:
            return None

        async def ask() -> list[str]:
            client = await asyncio.to_thread(language_model_client, settings)
            try:
                page = await client.models.list()
            except Exception as exc:  # the openai package's errors, in words below
                raise ConnectionError(f"{settings.base_url} did not answer as an OpenAI-compatible endpoint: "
                                      f"{exc}") from None
            return sorted(model.id for model in page.data)

        def answered(models: list[str]) -> None:
            wanted = [m for m in (settings.model, settings.transcription_model, settings.image_model) if m]
            missing = [m for m in wanted if m not in models]
            offered = ", ".join(models[:12]) + (" …" if len(models) > 12 else "")
            self.status.setText(f"The endpoint answers and offers {len(models)} models ({offered})."
                                + (f" Not among them: {', '.join(missing)}." if missing else ""))

        self.status.setText("Checking…")
        return self.work.run(ask(), answered)
