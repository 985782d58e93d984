"""The language model behind the creative assist (plans from a brief, mood boards, captions
from speech): any OpenAI-compatible endpoint, OpenAI itself or a local server such as
Ollama, LM Studio or vLLM.

Where it is (base URL) and which models it offers belong to the machine, like the
generation servers: they live in the user's settings folder, in one small JSON file
written whole or not at all. The key, when the endpoint needs one, is in the system's
password store under "assist" (api_keys), never in a file. With nothing set up, every
assist feature says so in one line (NoLanguageModelError) and everything else works.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from foundry_desktop.app.api_keys import KEY_OWNERS, api_key
from foundry_desktop.app.user_folders import config_folder
from foundry_desktop.atomic_file import write_atomically
from foundry_desktop.errors import FoundryError, InvalidEditError

if TYPE_CHECKING:  # the openai package takes half a second to import: only when a model is used
    import openai

SETTINGS_FILE = "assist.json"
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


def settings_path() -> Path:
    return config_folder() / SETTINGS_FILE


def load_language_model(path: Path | None = None) -> LanguageModelSettings:
    """The saved settings; none saved yet: nothing set up."""
    path = path or settings_path()
    try:
        return LanguageModelSettings.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return LanguageModelSettings()
    except (OSError, ValidationError, ValueError) as exc:
        raise InvalidEditError(f"The language model settings in {path} cannot be read ({exc}); "
                               "fix or delete the file.") from None


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


def language_model_client(settings: LanguageModelSettings) -> openai.AsyncOpenAI:
    """A client for the endpoint. It does not retry on its own: the assist features retry
    (a 429 after its Retry-After, a timeout, a loose answer) and say what went wrong."""
    import openai

    require_configured(settings)
    return openai.AsyncOpenAI(base_url=settings.base_url, api_key=api_key(KEY_PROVIDER) or NO_KEY,
                              timeout=settings.timeout_s, max_retries=0)
