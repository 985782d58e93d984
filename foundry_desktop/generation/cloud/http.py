"""Talking to a cloud service's HTTP API: `CloudApi`, one provider's API over the app's
shared httpx.AsyncClient, its refusals turned into `CloudError`s a creator understands.

What it is built from, each in its own module: the API key (credentials.py),
trying again without ever submitting twice (retries.py), refusals in words
(refusals.py), and saving a download whole or not at all (media_download.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from foundry_desktop.generation.bounded_download import TransferLimits
from foundry_desktop.generation.cloud.credentials import CloudCredentials
from foundry_desktop.generation.cloud.errors import CloudError, CloudReplyError
from foundry_desktop.generation.cloud.media_download import (
    DEFAULT_MAX_DOWNLOAD_BYTES,
    SavedMedia,
    Wanted,
    save_media,
)
from foundry_desktop.generation.cloud.refusals import ErrorExplainer, refusal_error
from foundry_desktop.generation.cloud.retries import (
    AMBIGUOUS_STATUSES,
    RetryPolicy,
    TransientFailure,
    request_never_sent,
    retry_after_seconds,
    retryable_status,
    with_retries,
)

MAX_ANSWER_BYTES = 16 * 1024**2  # far above any JSON answer of a task or a model's schema


class CloudApi:
    """One provider's HTTP API over the app's shared httpx.AsyncClient.

    Adds the key and the provider's fixed headers, retries as `retry` says,
    and turns refusals into CloudErrors worded with the provider's own
    explanation (`explain` reads its error body)."""

    def __init__(
        self, provider: str, http: httpx.AsyncClient, credentials: CloudCredentials, *, base_url: str,
        explain: ErrorExplainer, retry: RetryPolicy, headers: Mapping[str, str] | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES, limits: TransferLimits | None = None,
    ) -> None:
        self.provider, self.credentials = provider, credentials
        self.base_url = base_url.rstrip("/")
        self.retry, self.max_download_bytes = retry, max_download_bytes
        self.limits = limits or TransferLimits()
        self._http, self._explain, self._headers = http, explain, dict(headers or {})

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"

    def _request_headers(self, authorized: bool, extra: Mapping[str, str] | None) -> dict[str, str]:
        if not authorized:  # signed output URLs: the key stays with the API, never goes to a CDN
            return dict(extra or {})
        return {"Authorization": f"Bearer {self.credentials.key()}", **self._headers, **(extra or {})}

    def _transport_failure(self, exc: httpx.HTTPError | httpx.InvalidURL, url: str) -> Exception:
        if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
            shown = url if len(url) <= 200 else url[:200] + "…"
            return CloudError(f"{self.provider}'s address {shown} is not a web address Foundry can use.",
                              provider=self.provider)
        reason = "no answer in time" if isinstance(exc, httpx.TimeoutException) else f"{type(exc).__name__}"
        return TransientFailure(f"connection failed: {reason}", maybe_delivered=not request_never_sent(exc))

    def _check(self, response: httpx.Response, content: bytes, what: str) -> None:
        status = response.status_code
        if status < 300:
            return
        if retryable_status(status):
            raise TransientFailure(
                f"HTTP {status}", status=status, retry_after_s=retry_after_seconds(response.headers),
                maybe_delivered=status in AMBIGUOUS_STATUSES,
            )
        try:
            body = json.loads(content)
        except ValueError:
            body = None
        detail, moderated = self._explain(body) if body is not None else ("", False)
        raise refusal_error(self.provider, status, detail or response.reason_phrase, moderated, what)

    async def _read_answer(self, response: httpx.Response, what: str) -> bytes:
        """A JSON answer's bytes, refused (not read on) past MAX_ANSWER_BYTES: an API answer is small.
        A body that stalls longer than the stall timeout is given up (a TransientFailure)."""
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_ANSWER_BYTES:
            raise self._unreadable(what, "it was far too large")
        content = bytearray()
        chunks = aiter(response.aiter_bytes())
        while True:
            try:
                async with asyncio.timeout(self.limits.stall_s):
                    chunk = await anext(chunks)
            except StopAsyncIteration:
                return bytes(content)
            except TimeoutError:
                raise TransientFailure("the answer stopped coming", maybe_delivered=True) from None
            content += chunk
            if len(content) > MAX_ANSWER_BYTES:
                raise self._unreadable(what, "it was far too large")

    def _unreadable(self, what: str, why: str) -> CloudReplyError:
        return CloudReplyError(f"{self.provider} sent an answer Foundry cannot read while {what} ({why}).",
                               provider=self.provider)

    async def call(
        self, method: str, path: str, *, what: str, submits: bool = False, attempts: int | None = None,
        authorized: bool = True, answer_is_json: bool = True, **kwargs: Any,
    ) -> Any:
        """One JSON API call: the parsed answer (None when empty). `authorized=False` sends no key
        (an upload to a storage address the API handed out); `answer_is_json=False` reads the
        answer's status only (a storage service's answer is empty or its own XML)."""
        url, headers = self._url(path), kwargs.pop("headers", None)

        async def attempt() -> bytes:
            try:
                # The deadline bounds an upload (an input image inline) and its answer together.
                async with asyncio.timeout(self.limits.deadline_s):
                    async with self._http.stream(method, url, headers=self._request_headers(authorized, headers),
                                                 **kwargs) as response:
                        content = await self._read_answer(response, what)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL is no HTTPError
                raise self._transport_failure(exc, url) from None
            except TimeoutError:
                raise TransientFailure("no answer in time", maybe_delivered=True) from None
            self._check(response, content, what)
            return content

        content = await with_retries(attempt, provider=self.provider, what=what, submits=submits,
                                     policy=self.retry, attempts=attempts)
        if not content.strip() or not answer_is_json:
            return None
        try:
            return json.loads(content)
        except (ValueError, RecursionError):
            raise self._unreadable(what, "it is not JSON") from None

    async def save(
        self, method: str, url: str, stem: Path, *, what: str, want: Wanted, submits: bool = False,
        authorized: bool = False, inspect: Callable[[httpx.Headers], None] | None = None, **kwargs: Any,
    ) -> SavedMedia:
        """Stream a media answer into `stem` + suffix (see save_media), retried like any call.

        `inspect` sees the headers of a successful answer before anything is
        written, to refuse it on what they say (a content filter's verdict)."""
        url, headers = self._url(url), kwargs.pop("headers", None)

        async def attempt() -> SavedMedia:
            try:
                async with contextlib.AsyncExitStack() as stack:
                    try:  # until the answer begins: an upload (Stability's form) and the service's work
                        async with asyncio.timeout(self.limits.deadline_s):
                            response = await stack.enter_async_context(self._http.stream(
                                method, url, headers=self._request_headers(authorized, headers),
                                follow_redirects=True, **kwargs))
                            if response.status_code >= 300:
                                self._check(response, await self._read_answer(response, what), what)
                    except TimeoutError:
                        raise TransientFailure("no answer in time", maybe_delivered=True) from None
                    if inspect is not None:
                        inspect(response.headers)
                    length = response.headers.get("content-length", "")
                    return await save_media(
                        response.aiter_bytes(), stem, provider=self.provider, want=want,
                        content_type=response.headers.get("content-type", ""), url=url,
                        expected_bytes=int(length) if length.isdigit() else None, max_bytes=self.max_download_bytes,
                        limits=self.limits,
                    )
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL is no HTTPError
                raise self._transport_failure(exc, url) from None

        return await with_retries(attempt, provider=self.provider, what=what, submits=submits, policy=self.retry)

