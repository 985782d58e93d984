"""The language model behind the creative assist (plans from a brief, mood boards, captions
from speech): any OpenAI-compatible endpoint, OpenAI itself or a local server such as
Ollama, LM Studio or vLLM.

Where it is (base URL) and which models it offers belong to the machine, like the
generation servers: they live in the user's settings folder, in one small JSON file
written whole or not at all. A project may override any of them (a film made with a
particular model keeps asking it): the override lives in the project file, and only
the fields it names win. The key, when the endpoint needs one, is in the system's
password store under "assist" (app/generation/api_keys.py), never in a file. With nothing set up, every
assist feature says so in one line (NoLanguageModelError) and everything else works.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from foundry_desktop.app.generation.api_keys import KEY_OWNERS, api_key
from foundry_desktop.app.generation.settings import load_settings
from foundry_desktop.app.user_folders import config_folder
from foundry_desktop.atomic_file import write_atomically
from foundry_desktop.errors import FoundryError, InvalidEditError
from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.providers.openai_sdk import sdk_timeout

if TYPE_CHECKING:  # the openai package takes half a second to import: only when a model is used
    import openai

    from foundry_desktop.app.project_service import ProjectService

SETTINGS_FILE = "assist.json"
PROJECT_SETTING = "assist"  # the name of a project's override (ProjectService.setting)
KEY_PROVIDER = KEY_OWNERS[-1]  # "assist"
# Local servers need no key, but the client insists on one.
NO_KEY = "not-needed"


class NoLanguageModelError(FoundryError):
    """The creative assist was asked for, and no language model is set up on this machine."""


class LanguageModelSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = Field(default=None, description="the endpoint, e.g. https://api.openai.com/v1 or "
                                                           "http://localhost:11434/v1 (Ollama)")
    model: str | None = Field(default=None, description="the chat model that writes plans")
    transcription_model: str = Field(default="whisper-1", description="speech to text with word timings")
    image_model: str | None = Field(default=None, description="pictures for mood boards; None: no picture model")
    timeout_s: float = Field(default=120.0, gt=0, le=3600, description="how long one request may take")
    attempts: int = Field(default=3, ge=1, le=10, description="tries for an answer that is late, refused "
                                                              "for now (429) or not in the shape asked for")

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ValueError("an endpoint's address starts with http:// or https://")
        return url

    @property
    def configured(self) -> bool:
        return self.base_url is not None


# What each setting is called, in the order they are shown: `foundry assist show` and the
# window's Settings › Assist both take their words from here.
FIELD_LABELS = {"base_url": "Endpoint", "model": "Chat model", "transcription_model": "Speech model",
                "image_model": "Picture model", "timeout_s": "Timeout (s)"}


def settings_path() -> Path:
    return config_folder() / SETTINGS_FILE


def load_language_model(path: Path | None = None, *, project: ProjectService | None = None) -> LanguageModelSettings:
    """The machine's saved settings (none saved yet: nothing set up), with what `project` overrides."""
    path = path or settings_path()
    try:
        settings = LanguageModelSettings.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        settings = LanguageModelSettings()
    except (OSError, ValidationError, ValueError) as exc:
        raise InvalidEditError(f"The language model settings in {path} cannot be read ({exc}); "
                               "fix or delete the file.") from None
    override = project_override(project) if project is not None else {}
    with _project_errors():
        return LanguageModelSettings.model_validate({**settings.model_dump(), **override})


def project_override(project: ProjectService) -> dict[str, Any]:
    """The fields `project` sets for itself ({} when it follows the machine)."""
    return dict(project.setting(PROJECT_SETTING) or {})


def set_project_override(project: ProjectService, override: dict[str, Any]) -> LanguageModelSettings:
    """Make `override` (fields of LanguageModelSettings; empty: none) the project's own, checked first."""
    unknown = set(override) - set(LanguageModelSettings.model_fields)
    if unknown:
        raise InvalidEditError(f"The assist has no setting {', '.join(sorted(unknown))}.")
    with _project_errors():
        checked = LanguageModelSettings.model_validate(override)
    project.set_setting(PROJECT_SETTING, checked.model_dump(include=set(override)) or None)
    return checked


@contextlib.contextmanager
def _project_errors() -> Iterator[None]:
    try:
        yield
    except ValidationError as exc:
        error = exc.errors()[0]
        raise InvalidEditError(f"The project's assist setting {'.'.join(map(str, error['loc']))} is not valid: "
                               f"{error['msg'].removeprefix('Value error, ')}.") from None


def save_language_model(settings: LanguageModelSettings, path: Path | None = None) -> None:
    path = path or settings_path()
    content = json.dumps(settings.model_dump(), indent=2).encode()
    try:
        write_atomically(path, lambda file: file.write(content))
    except OSError as exc:
        raise InvalidEditError(f"The language model settings cannot be saved in {path}: "
                               f"{exc.strerror or exc}.") from None


def require_configured(settings: LanguageModelSettings, *, chat: bool = False) -> LanguageModelSettings:
    """The settings, if they name an endpoint (and, for `chat`, a chat model); else the one line that says how."""
    if not settings.configured or (chat and settings.model is None):
        raise NoLanguageModelError(
            "No language model is set up: choose one in Settings ▸ Assist, or run `foundry assist set --base-url URL "
            "--model NAME` (OpenAI, or a local server such as Ollama at http://localhost:11434/v1).")
    return settings


def language_model_client(settings: LanguageModelSettings, limits: TransferLimits | None = None) -> openai.AsyncOpenAI:
    """A client for the endpoint. It does not retry on its own: the assist features retry
    (a 429 after its Retry-After, a timeout, a loose answer) and say what went wrong. Nothing
    stalls longer than the transfer settings' stall time (`limits`; None: generation.json's),
    except the wait for the model's answer, which may take the assist's own `timeout_s`."""
    import openai

    require_configured(settings)
    limits = limits or _transfer_limits()
    return openai.AsyncOpenAI(base_url=settings.base_url, api_key=api_key(KEY_PROVIDER) or NO_KEY,
                              timeout=sdk_timeout(limits, answer_wait_s=settings.timeout_s), max_retries=0)


def _transfer_limits() -> TransferLimits:
    """The machine's transfer limits; the defaults when its settings cannot be read (generation says why)."""
    try:
        return load_settings().transfers.limits()
    except FoundryError:
        return TransferLimits()


@contextlib.asynccontextmanager
async def client_for(settings: LanguageModelSettings,
                     client: openai.AsyncOpenAI | None) -> AsyncIterator[openai.AsyncOpenAI]:
    """`client` when the caller lends one (it closes it), else a client of our own, closed on the
    way out (a client left open is closed by the garbage collector after its loop has gone)."""
    if client is not None:
        yield client
        return
    own = language_model_client(settings)
    try:
        yield own
    finally:
        await own.close()


def connect_language_model(load: Callable[[], LanguageModelSettings], *, chat: bool = False,
                           ) -> tuple[LanguageModelSettings, openai.AsyncOpenAI]:
    """The settings `load` gives, checked, and a client for them. Blocking (the settings file,
    the password store, the openai import): the GUI runs it in a worker thread."""
    settings = require_configured(load(), chat=chat)
    return settings, language_model_client(settings)
