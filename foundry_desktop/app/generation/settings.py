"""Where generation happens: the ComfyUI servers of this machine, kept between runs.

Servers belong to the machine, not to a project (a project moved to another
computer finds that computer's servers), so they live in the user's settings
folder, in one small JSON file written whole or not at all.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from foundry_desktop.app.user_folders import config_folder
from foundry_desktop.atomic_file import write_atomically
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.generation.bounded_download import DEFAULT_DEADLINE_S, DEFAULT_STALL_S, TransferLimits

SETTINGS_FILE = "generation.json"


class ComfyServerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    url: str
    enabled: bool = True
    # Two: the next prompt waits on the server, so its GPU goes straight on (bench/dispatch.py).
    max_queued: int = Field(default=2, ge=1, le=64, description="prompts of ours it holds at once")

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ValueError("a server address starts with http:// or https://")
        return url


class CloudServiceSettings(BaseModel):
    """Where a cloud service is (None: the provider's own address), the model a shot gets
    when it names none, and how its tasks are followed (None: Foundry's defaults, a first
    look after 5 s and up to 30 minutes in all). The key is not here: it is in the
    password store (app/generation/api_keys.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = None
    default_model: str | None = None
    poll_seconds: float | None = Field(default=None, ge=0.1, le=600, description="first wait between status reads")
    timeout_minutes: float | None = Field(default=None, ge=1, le=24 * 60, description="how long a task may take")


class TransferSettings(BaseModel):
    """How long a download or upload of a take may take in all, and how long it may stall without
    a byte moving, before it is given up (bounded_download.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deadline_minutes: float = Field(default=DEFAULT_DEADLINE_S / 60, ge=0.1, le=24 * 60, allow_inf_nan=False,
                                    description="one download or upload in all")
    stall_seconds: float = Field(default=DEFAULT_STALL_S, ge=1, le=3600, allow_inf_nan=False,
                                 description="without a byte moving")

    def limits(self) -> TransferLimits:
        return TransferLimits(deadline_s=self.deadline_minutes * 60, stall_s=self.stall_seconds)


class GenerationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comfyui_servers: list[ComfyServerSettings] = Field(default_factory=list)
    # By provider (runway, replicate, stability, openai, openai-images). The OpenAI-compatible
    # videos backend is used only when a base_url is set: OpenAI's own closed in September 2026.
    # openai-images (keyframes) uses OpenAI's own Images API unless a base_url names another.
    cloud: dict[str, CloudServiceSettings] = Field(default_factory=dict)
    transfers: TransferSettings = Field(default_factory=TransferSettings)


def settings_path() -> Path:
    return config_folder() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> GenerationSettings:
    """The saved settings; none saved yet gives the defaults (no servers)."""
    path = path or settings_path()
    try:
        return GenerationSettings.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return GenerationSettings()
    except ValidationError as exc:  # pydantic's report runs over lines: the first problem says enough
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "the file"
        raise InvalidEditError(f"The generation settings in {path} cannot be read ({where}: {error['msg']}); "
                               "fix or delete the file.") from None
    except (OSError, ValueError) as exc:
        reason = " ".join(str(getattr(exc, "strerror", None) or exc).split())
        raise InvalidEditError(f"The generation settings in {path} cannot be read ({reason}); fix or delete the file.") from None


def save_settings(settings: GenerationSettings, path: Path | None = None) -> None:
    path = path or settings_path()
    content = json.dumps(settings.model_dump(), indent=2).encode()
    try:
        write_atomically(path, lambda file: file.write(content))
    except OSError as exc:
        raise InvalidEditError(f"The generation settings cannot be saved in {path}: {exc.strerror or exc}.") from None


def add_server(settings: GenerationSettings, server: ComfyServerSettings) -> GenerationSettings:
    if any(existing.name == server.name for existing in settings.comfyui_servers):
        raise InvalidEditError(f"There is already a ComfyUI server called {server.name}.")
    return settings.model_copy(update={"comfyui_servers": [*settings.comfyui_servers, server]})


def remove_server(settings: GenerationSettings, name: str) -> GenerationSettings:
    kept = [server for server in settings.comfyui_servers if server.name != name]
    if len(kept) == len(settings.comfyui_servers):
        raise InvalidEditError(f"There is no ComfyUI server called {name}.")
    return settings.model_copy(update={"comfyui_servers": kept})
