"""Where a cloud backend gets its API key.

The app reads the key from the OS keyring; backends never touch the keyring
or the project. The key is asked for each time one is needed, and kept out of
every message.
"""

from __future__ import annotations

from collections.abc import Callable

from foundry_desktop.generation.cloud.errors import CloudAuthError

KeySource = str | Callable[[], str | None]


class CloudCredentials:
    """Where a backend gets its API key: asked each time, so a key changed in the settings applies at once.

    `source` is the key itself (tests, the CLI) or a callable returning it or
    None (the app's keyring look-up). The key never appears in a repr or a message.
    """

    def __init__(self, provider: str, source: KeySource) -> None:
        self.provider = provider
        self._source = source

    def key(self) -> str:
        try:
            key = self._source() if callable(self._source) else self._source
        except Exception as exc:  # a keyring backend failing is the creator's to fix, in words
            raise CloudAuthError(
                f"The {self.provider} API key could not be read from the system's password store "
                f"({type(exc).__name__}).", provider=self.provider,
            ) from None
        key = (key or "").strip()
        if not key:
            raise CloudAuthError(
                f"No {self.provider} API key is set. Add one in Foundry's settings under cloud services.",
                provider=self.provider,
            )
        return key

    def configured(self) -> bool:
        try:
            return bool(self.key())
        except CloudAuthError:
            return False

    def scrub(self, text: str) -> str:
        """`text` without the key, should a service have echoed it back."""
        try:
            key = self.key()
        except CloudAuthError:
            return text
        return text.replace(key, "[API key]") if len(key) >= 4 else text

    def __repr__(self) -> str:
        return f"CloudCredentials({self.provider!r}, key hidden)"
