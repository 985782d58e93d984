"""A cloud service's refusal (a 4xx other than 408/429) as a creator reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from foundry_desktop.generation.cloud.errors import (
    CloudAuthError,
    CloudError,
    CloudRefusedError,
    ContentModeratedError,
)

ErrorExplainer = Callable[[Any], tuple[str, bool]]  # a parsed error body -> (detail, moderated?)


def refusal_error(provider: str, status: int, detail: str, moderated: bool, what: str) -> CloudError:
    """A 4xx (other than 408/429) as a creator reads it. A 401 never quotes the service: some echo
    part of the key back."""
    detail = detail.strip().rstrip(".") or f"HTTP {status}"
    if status == 401:
        return CloudAuthError(
            f"{provider} did not accept the API key (401). Check the {provider} key in Foundry's settings.",
            provider=provider, status=status,
        )
    if moderated:
        return ContentModeratedError(
            f"{provider}'s content moderation refused this shot ({detail}). Change the prompt or the input "
            f"image and generate again.", provider=provider, status=status,
        )
    if status == 403:
        return CloudAuthError(
            f"{provider} refused access while {what} (403: {detail}). The key may not be allowed to use this "
            f"model.", provider=provider, status=status,
        )
    if status == 402:
        return CloudRefusedError(
            f"{provider} wants payment before it runs this (402: {detail}). Check the account's billing or "
            f"credit.", provider=provider, status=status,
        )
    if status == 404:
        return CloudRefusedError(
            f"{provider} does not know what Foundry asked for while {what} (404: {detail}).",
            provider=provider, status=status,
        )
    if status == 413:
        return CloudRefusedError(
            f"{provider} refused the request as too large (413: {detail}); use a smaller input image.",
            provider=provider, status=status,
        )
    return CloudRefusedError(f"{provider} refused the request while {what} ({status}: {detail}).",
                             provider=provider, status=status)
