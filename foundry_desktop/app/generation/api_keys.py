"""Cloud API keys, kept in the operating system's password store (keyring).

Never in the project file, the settings file, logs or messages. A machine with
no password store (a headless server) can give a key in the environment
instead: FOUNDRY_RUNWAY_API_KEY, FOUNDRY_OPENAI_IMAGES_API_KEY and so on.
"""

from __future__ import annotations

import os

from foundry_desktop.errors import InvalidEditError

# keyring (a tenth of a second, and a look for password stores) is imported by the functions
# that use it: `foundry key --help` and the service names below need none of it.

KEYRING_SERVICE = "foundry-desktop"
PROVIDERS = ("runway", "replicate", "stability", "openai", "openai-images", "fal", "gemini")  # the cloud generation services
# Every holder of a key: the services, and the language model of the creative assist (app.language_model).
KEY_OWNERS = (*PROVIDERS, "assist")


def _environment_name(provider: str) -> str:
    return f"FOUNDRY_{provider.upper().replace('-', '_')}_API_KEY"  # a shell name has no hyphen


def _check(provider: str) -> None:
    if provider not in KEY_OWNERS:
        raise InvalidEditError(f"There is no service called {provider!r}; choose one of {', '.join(KEY_OWNERS)}.")


def api_key(provider: str) -> str | None:
    """The provider's key: from the environment, else from the password store; None if neither has one."""
    _check(provider)
    from_environment = os.environ.get(_environment_name(provider))
    if from_environment:
        return from_environment
    import keyring
    import keyring.errors

    try:
        return keyring.get_password(KEYRING_SERVICE, provider)
    except keyring.errors.KeyringError:
        return None  # no password store here: as if no key was set


def set_api_key(provider: str, key: str) -> None:
    _check(provider)
    if not key.strip():
        raise InvalidEditError("An API key cannot be empty.")
    import keyring
    import keyring.errors

    try:
        keyring.set_password(KEYRING_SERVICE, provider, key.strip())
    except keyring.errors.KeyringError:
        raise InvalidEditError(
            f"This machine has no password store to keep the key in; set {_environment_name(provider)} "
            "in the environment instead."
        ) from None


def remove_api_key(provider: str) -> None:
    _check(provider)
    import keyring
    import keyring.errors

    try:
        keyring.delete_password(KEYRING_SERVICE, provider)
    except keyring.errors.PasswordDeleteError:
        raise InvalidEditError(f"No {provider} key is kept on this machine.") from None
    except keyring.errors.KeyringError:
        raise InvalidEditError("This machine has no password store.") from None
