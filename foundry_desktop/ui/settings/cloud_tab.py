"""Settings › Cloud services: for each provider, whether a key is kept for it (the key itself
never comes back to the screen), a password field to give one, and where the service is,
the model a shot gets when it names none, and how its tasks are followed.

Keys live in the operating system's password store, which can be slow or ask the
user to unlock it, so every keyring call runs in a worker thread.
"""

from __future__ import annotations

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.generation.api_keys import PROVIDERS, api_key, remove_api_key, set_api_key
from foundry_desktop.app.generation.cloud_models import ProviderModels, cloud_catalogue
from foundry_desktop.app.generation.service_address import insecure_address, service_address
from foundry_desktop.app.generation.settings import (
    CloudServiceSettings,
    GenerationSettings,
    TransferSettings,
    load_settings,
    save_settings,
)
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.background_work import BackgroundWork, in_words
from foundry_desktop.ui.dialogs.dialog_work import ErrorLine
from foundry_desktop.ui.settings.cloud_models_box import CloudModelsBox
from foundry_desktop.ui.theme import DIM_TEXT, STATUS_COLOURS

PROVIDER_LABELS = {
    "runway": "Runway",
    "replicate": "Replicate",
    "stability": "Stability AI",
    "openai": "OpenAI-compatible videos",
    "openai-images": "OpenAI-compatible images",
    "gemini": "Google Gemini API",
    "fal": "fal.ai",
}
# What an empty address means for each: OpenAI's own videos API has closed, so its
# backend is used only with the address of a compatible service.
ADDRESS_HINTS = {"openai": "needed: the address of an OpenAI-compatible videos service"}
FORM_LABELS = {"base_url": "Address", "default_model": "Default model", "poll_seconds": "First status check after",
               "timeout_minutes": "Give up after"}
NO_KEY, KEY_SET, KEY_UNKNOWN = "no key", "key set", "…"


def provider_label(provider: str) -> str:
    return PROVIDER_LABELS.get(provider, provider.title())


def keys_kept() -> dict[str, bool]:
    """Which providers have a key, without the keys ever leaving this function (worker thread)."""
    return {provider: api_key(provider) is not None for provider in PROVIDERS}


class CloudServicesTab(QWidget):
    changed = Signal()  # a service's settings changed (the app's generation should pick them up)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = ErrorLine()
        self.work = BackgroundWork(self.error.show_error)
        self.key_states: dict[str, str] = dict.fromkeys(PROVIDERS, KEY_UNKNOWN)
        self.providers = QListWidget()
        for provider in PROVIDERS:
            item = QListWidgetItem(provider_label(provider))
            item.setData(Qt.ItemDataRole.UserRole, provider)
            self.providers.addItem(item)
        # As wide as its longest line will be once the keys are known ("… — key set"): a fixed
        # 230 px cut "OpenAI-compatible videos — no key" short.
        widest = max(self.providers.fontMetrics().horizontalAdvance(f"{provider_label(p)} — {state}")
                     for p in PROVIDERS for state in (NO_KEY, KEY_SET))
        self.providers.setFixedWidth(widest + 2 * self.providers.frameWidth() + 24)
        self.providers.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.service_title = QLabel()
        self.service_title.setStyleSheet("font-size: 16px; font-weight: 600;")
        column = QWidget()
        right = QVBoxLayout(column)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.service_title)
        right.addWidget(self._build_key_box())
        right.addWidget(self._build_service_box())
        self.models = CloudModelsBox()  # the provider's video models, once read (load_models)
        self.catalogue: dict[str, ProviderModels] = {}
        right.addWidget(self.models, 1)  # the room left over goes to the models' table
        right.addWidget(self._build_transfers_box())
        right.addWidget(self.error)
        right.addStretch(0)
        # The column scrolls when the dialog is lower than it: squeezed instead, its layout gave the
        # models' table the height its wrapped words ask and cut the Service box's fields in half.
        scroller = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroller.setWidget(column)
        row = QHBoxLayout(self)
        row.addWidget(self.providers)
        row.addWidget(scroller, 1)

        self._shown_provider: str | None = None
        self.providers.currentItemChanged.connect(lambda *_: self._show_provider())
        self.providers.setCurrentRow(0)
        self.refresh_keys()
        self.load_models()

    def _build_key_box(self) -> QGroupBox:
        """The service's API key: whether one is kept, and setting or removing it."""
        self.key_state = QLabel(KEY_UNKNOWN)
        self.key_field = QLineEdit()
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setPlaceholderText("Paste a new API key")
        self.key_field.returnPressed.connect(self.set_key_from_field)
        self.set_key_button = QPushButton("Set key")
        self.set_key_button.clicked.connect(self.set_key_from_field)
        self.remove_key_button = QPushButton("Remove key")
        self.remove_key_button.clicked.connect(self.remove_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_field, 1)
        key_row.addWidget(self.set_key_button)
        key_row.addWidget(self.remove_key_button)
        key_hint = QLabel("Kept in this computer's password store, never in projects or settings files.")
        key_hint.setProperty("hint", True)
        key_hint.setWordWrap(True)

        key_box = QGroupBox("API key")
        key_form = QFormLayout(key_box)
        key_form.addRow("Kept here", self.key_state)
        key_form.addRow("New key", key_row)
        key_form.addRow("", key_hint)
        return key_box

    def _build_service_box(self) -> QGroupBox:
        """Where the service is, its default model, how often to ask about a task and when to give up."""
        self.base_url = QLineEdit()
        self.default_model = QLineEdit()
        self.default_model.setPlaceholderText("the service's default")
        # 0 stands for "not set": Foundry's defaults, which the backends keep for themselves.
        self.poll_seconds = QDoubleSpinBox()
        self.poll_seconds.setRange(0.0, 600.0)
        self.poll_seconds.setDecimals(1)
        self.poll_seconds.setSingleStep(1.0)
        self.poll_seconds.setSuffix(" s")
        self.poll_seconds.setSpecialValueText("Foundry's default (5 s)")
        self.timeout_minutes = QDoubleSpinBox()
        self.timeout_minutes.setRange(0.0, 24 * 60.0)
        self.timeout_minutes.setDecimals(0)
        self.timeout_minutes.setSuffix(" min")
        self.timeout_minutes.setSpecialValueText("Foundry's default (30 min)")
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save_service)
        self.saved_note = QLabel("")
        self.saved_note.setProperty("hint", True)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.saved_note)
        save_row.addWidget(self.save_button)

        service_box = QGroupBox("Service")
        service_form = QFormLayout(service_box)
        # Asked, not assumed: the key would cross the network unencrypted (service_address.py).
        self.allow_insecure = QCheckBox("Allow plain http:// to another machine (the key crosses unencrypted)")
        service_form.addRow("Address", self.base_url)
        service_form.addRow("", self.allow_insecure)
        service_form.addRow("Default model", self.default_model)
        service_form.addRow("First status check after", self.poll_seconds)
        service_form.addRow("Give up after", self.timeout_minutes)
        service_form.addRow(save_row)
        return service_box

    def _build_transfers_box(self) -> QGroupBox:
        """How long a take's download or upload may take, for every service and ComfyUI server."""
        self.deadline_minutes = QDoubleSpinBox()
        self.deadline_minutes.setRange(0.1, 24 * 60.0)
        self.deadline_minutes.setDecimals(1)
        self.deadline_minutes.setSuffix(" min")
        self.stall_seconds = QDoubleSpinBox()
        self.stall_seconds.setRange(1.0, 3600.0)
        self.stall_seconds.setDecimals(0)
        self.stall_seconds.setSuffix(" s")
        transfers = load_settings_quietly().transfers
        self.deadline_minutes.setValue(transfers.deadline_minutes)
        self.stall_seconds.setValue(transfers.stall_seconds)
        box = QGroupBox("Downloads and uploads (every service and ComfyUI server; saved with Save)")
        form = QFormLayout(box)
        form.addRow("Give up on one after", self.deadline_minutes)
        form.addRow("Or when nothing moves for", self.stall_seconds)
        return box

    # -- which service --------------------------------------------------------------------

    @property
    def provider(self) -> str:
        item = self.providers.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else PROVIDERS[0]

    def choose(self, provider: str) -> None:
        self.providers.setCurrentRow(PROVIDERS.index(provider))

    def _show_provider(self) -> None:
        self.error.clear_error()
        self.saved_note.clear()
        # Edits to the service left behind are kept, not lost by a click in the list.
        if self._shown_provider is not None and self._shown_provider != self.provider:
            self._save_if_edited(self._shown_provider)
        self._shown_provider = self.provider
        self.key_field.clear()
        self.service_title.setText(provider_label(self.provider))
        self.base_url.setPlaceholderText(ADDRESS_HINTS.get(self.provider, "the service's own address"))
        self._show_key_state()
        self.models.show_models(self.catalogue.get(self.provider))
        try:
            service = load_settings().cloud.get(self.provider, CloudServiceSettings())
        except FoundryError as exc:
            self.error.show_error(str(exc))
            service = CloudServiceSettings()
        self.base_url.setText(service.base_url or "")
        self.allow_insecure.setChecked(bool(service.base_url) and insecure_address(service.base_url))
        self.default_model.setText(service.default_model or "")
        self.poll_seconds.setValue(service.poll_seconds or 0.0)
        self.timeout_minutes.setValue(service.timeout_minutes or 0.0)

    # -- models ---------------------------------------------------------------------------

    def load_models(self) -> None:
        """Read every provider's models and defaults (the settings file: a worker thread)."""
        self.work.in_thread(cloud_catalogue, self._show_catalogue)

    def _show_catalogue(self, catalogue: list[ProviderModels]) -> None:
        self.catalogue = {entry.provider: entry for entry in catalogue}
        self.models.show_models(self.catalogue.get(self.provider))

    # -- keys -----------------------------------------------------------------------------

    def refresh_keys(self) -> None:
        self.work.in_thread(keys_kept, self._show_keys)

    def _show_keys(self, kept: dict[str, bool]) -> None:
        self.key_states = {provider: KEY_SET if has_key else NO_KEY for provider, has_key in kept.items()}
        for row, provider in enumerate(PROVIDERS):
            self.providers.item(row).setText(f"{provider_label(provider)} — {self.key_states[provider]}")
        self._show_key_state()

    def _show_key_state(self) -> None:
        state = self.key_states[self.provider]
        self.key_state.setText(state)
        colour = STATUS_COLOURS["current"].name() if state == KEY_SET else DIM_TEXT.name()
        self.key_state.setStyleSheet(f"color: {colour};")
        self.remove_key_button.setEnabled(state == KEY_SET)

    def set_key_from_field(self) -> None:
        key, provider = self.key_field.text(), self.provider
        self.key_field.clear()  # the key is not kept on the screen a moment longer than needed
        if not key.strip():
            self.error.show_error("Paste the key into the field first.")
            return
        self.error.clear_error()
        self.work.in_thread(lambda: set_api_key(provider, key), lambda _: self.refresh_keys())

    def remove_key(self) -> None:
        provider = self.provider
        self.error.clear_error()
        self.work.in_thread(lambda: remove_api_key(provider), lambda _: self.refresh_keys())

    # -- the service's settings -----------------------------------------------------------

    def _form_service(self) -> CloudServiceSettings:
        """What the form says; raises ValidationError or FoundryError where it says something impossible."""
        base_url = self.base_url.text().strip().rstrip("/") or None
        # The settings model takes any text here, and a bad address would only fail at the first
        # generation, in httpx's words; it is refused now, where it was typed.
        if base_url is not None:
            base_url = service_address(base_url, service=self.provider,
                                       allow_insecure=self.allow_insecure.isChecked())
        return CloudServiceSettings(
            base_url=base_url,
            default_model=self.default_model.text().strip() or None,
            poll_seconds=self.poll_seconds.value() or None,
            timeout_minutes=self.timeout_minutes.value() or None,
        )

    def save_service(self) -> bool:
        return self._save(self.provider)

    def _save_if_edited(self, provider: str) -> None:
        try:
            edited = self._form_service() != load_settings().cloud.get(provider, CloudServiceSettings())
        except (ValidationError, FoundryError):
            edited = True  # saving says what is wrong
        if edited:
            self._save(provider)

    def _save(self, provider: str) -> bool:
        try:
            service = self._form_service()
            settings = load_settings()  # as saved now: the servers tab writes the same file
            cloud = dict(settings.cloud)
            if service == CloudServiceSettings():
                cloud.pop(provider, None)
            else:
                cloud[provider] = service
            transfers = TransferSettings(deadline_minutes=self.deadline_minutes.value(),
                                         stall_seconds=self.stall_seconds.value())
            save_settings(settings.model_copy(update={"cloud": cloud, "transfers": transfers}))
        except ValidationError as exc:
            self.error.show_error(f"{provider_label(provider)}: {in_words(exc, FORM_LABELS)}")
            return False
        except FoundryError as exc:
            self.error.show_error(f"{provider_label(provider)}: {exc}")
            return False
        self.error.clear_error()
        self.saved_note.setText(f"{provider_label(provider)} saved.")
        self.load_models()  # its default model may have changed
        self.changed.emit()
        return True


def load_settings_quietly() -> GenerationSettings:
    """The saved settings, or the defaults when they cannot be read (the tab says why when it loads them)."""
    try:
        return load_settings()
    except FoundryError:
        return GenerationSettings()
