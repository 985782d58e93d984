"""An OpenAI-compatible service through the `openai` package, under the shared retry rule.

The videos and the images backends both talk to such a service this way. The
SDK's own retries are off (`max_retries=0`): its errors are mapped onto the
rule of retries.py instead, so that a create call is never sent twice after a
dropped connection, and its refusals are worded by refusals.py. Its own timeouts
(ten minutes a read by default) are replaced by the transfer settings' (`sdk_timeout`):
a gateway that takes the request and then says nothing is given up after the
stall time, and the deadline bounds each call in all. The package is
imported on first use: it takes half a second, which every command of the CLI
that opens the backends would otherwise pay.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import asyncio
import json

from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.credentials import CloudCredentials
from foundry_desktop.generation.cloud.errors import CloudReplyError
from foundry_desktop.generation.cloud.refusals import refusal_error
from foundry_desktop.generation.cloud.retries import (
    AMBIGUOUS_STATUSES,
    RetryPolicy,
    TransientFailure,
    is_transport_error,
    request_never_sent,
    retry_after_seconds,
    retryable_status,
    with_retries,
)

if TYPE_CHECKING:
    import openai

T = TypeVar("T")


def explain_openai_error(body: Any) -> tuple[str, bool]:
    """The SDK's error body: {"message", "code", "param"} (or wrapped in {"error": ...});
    a code naming moderation (moderation_blocked) is a moderation refusal."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    if not isinstance(body, dict):
        return (str(body) if isinstance(body, str) else ""), False
    code = str(body.get("code") or "")
    return str(body.get("message") or code), "moderation" in code


CONNECT_S = 10.0  # a connection that does not open in this long will not (as the app's own httpx client)


def sdk_timeout(limits: TransferLimits, *, answer_wait_s: float | None = None) -> openai.Timeout:
    """The openai package's timeouts from the transfer limits: nothing may stall longer than the stall
    time, except the wait for an answer that only comes once the work is done, where the caller
    says how long that may be (`answer_wait_s`: a picture made while the request waits, a language
    model writing its answer)."""
    import openai

    stall = limits.stall_s
    read = answer_wait_s if answer_wait_s is not None else stall
    return openai.Timeout(connect=min(CONNECT_S, stall), read=read, write=stall, pool=stall)


class OpenAISdk:
    """The SDK client for one service, made on first use and kept (made again when the key
    changes); `call()` runs one SDK call under the retry rule; `aclose()` closes the client."""

    def __init__(self, provider: str, credentials: CloudCredentials, *, base_url: str, retry: RetryPolicy,
                 limits: TransferLimits, answer_wait_s: float | None = None) -> None:
        self.provider, self.credentials = provider, credentials
        self.base_url, self.retry = base_url.rstrip("/"), retry
        self.limits, self.answer_wait_s = limits, answer_wait_s
        self.deadline_s = limits.deadline_s  # one call in all, upload and answer (the SDK bounds each read only)
        self._client: openai.AsyncOpenAI | None = None
        self._client_key: str | None = None

    async def client(self) -> openai.AsyncOpenAI:
        """The SDK client for the current key (made again, the old one closed, when the key changed)."""
        import openai

        key = self.credentials.key()
        if self._client is None or key != self._client_key:
            await self.aclose()
            # Its own connection pool: the SDK follows the redirects some gateways answer with,
            # and is built on httpx2, not on the app's httpx client.
            self._client = openai.AsyncOpenAI(base_url=self.base_url, api_key=key, max_retries=0,
                                              timeout=sdk_timeout(self.limits, answer_wait_s=self.answer_wait_s))
            self._client_key = key
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def call(self, what: str, call: Callable[[openai.AsyncOpenAI], Awaitable[T]], *, submits: bool = False,
                   attempts: int | None = None, deadline: bool = True) -> T:
        """One SDK call under the shared retry rule: its errors sorted into retry, refuse, or report.
        `deadline` False: the call bounds itself (a download, through bounded_download)."""
        import openai

        async def attempt() -> T:
            try:
                async with asyncio.timeout(self.deadline_s if deadline else None):
                    return await call(await self.client())
            except TimeoutError:
                raise TransientFailure("no answer in time", maybe_delivered=True) from None
            except openai.APIStatusError as exc:
                status = exc.status_code
                if retryable_status(status):
                    raise TransientFailure(f"HTTP {status}", status=status,
                                           retry_after_s=retry_after_seconds(exc.response.headers),
                                           maybe_delivered=status in AMBIGUOUS_STATUSES) from None
                detail, moderated = explain_openai_error(exc.body)
                raise refusal_error(self.provider, status, detail, moderated, what) from None
            except openai.APIConnectionError as exc:  # APITimeoutError among them
                cause = type(exc.__cause__ or exc).__name__
                raise TransientFailure(f"connection failed: {cause}",
                                       maybe_delivered=not request_never_sent(exc)) from None
            except Exception as exc:
                if not is_transport_error(exc):  # a download cut off mid-way surfaces as httpx2's own error
                    raise
                raise TransientFailure(f"connection failed: {type(exc).__name__}",
                                       maybe_delivered=not request_never_sent(exc)) from None

        return await with_retries(attempt, provider=self.provider, what=what, submits=submits, policy=self.retry,
                                  attempts=attempts)


def json_answer(raw: Any, *, provider: str, what: str) -> Any:
    """The parsed JSON of an SDK call made `with_raw_response` (its body is read whole by then).
    The SDK's own models are built without checking, so the answer is read by replies/ instead."""
    try:
        return json.loads(raw.http_response.content)
    except (ValueError, RecursionError):
        raise CloudReplyError(f"{provider} sent an answer Foundry cannot read while {what} (it is not JSON).",
                              provider=provider) from None
