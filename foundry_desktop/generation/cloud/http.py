"""Talking to a cloud service's HTTP API: the key, retries, refusals in words, downloads.

* `CloudCredentials` asks for the API key each time one is needed (the app
  reads it from the OS keyring; backends never touch the keyring or the
  project), and keeps it out of every message.
* `RetryPolicy` and `with_retries`: 429, 5xx and dropped connections are tried
  again with exponential backoff and jitter, honouring `Retry-After` /
  `retry-after-ms`, a bounded number of times; 400/401/403/404/422 never.
* `CloudApi`: one provider's HTTP API over the app's shared httpx.AsyncClient,
  its refusals turned into `CloudError`s a creator understands.
* `save_media`: a download written under our own name through a .partial file,
  capped in size, checked to be whole and to decode, renamed only then.

Never submitting twice
----------------------
Retrying a status read or a download is harmless. Retrying a create call is
not: if the first call reached the provider, a second one makes (and bills) a
second job that nobody follows. So a create call is tried again only when the
failure proves that nothing was created:

* the provider *answered* 429 or 500/502/503: it said no;
* the connection never opened (connect error, connect or pool timeout): the
  request never left this machine.

Any other failure after the request was sent (the connection dropped or timed
out while waiting for the answer, or a gateway answered 504/524, meaning it
passed the request on and gave up waiting) leaves it unknown whether the
provider has the job. That is reported as `SubmissionUncertainError`, which
says the service may have started the job, and nothing is sent again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import math
import random
import uuid
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Mapping,
)
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import httpx

from foundry_desktop.errors import MediaError
from foundry_desktop.generation.cloud.errors import (
    CloudAuthError,
    CloudError,
    CloudOutputError,
    CloudRefusedError,
    CloudUnavailableError,
    ContentModeratedError,
    SubmissionUncertainError,
)
from foundry_desktop.media.probe import SourceInfo, probe_source

T = TypeVar("T")
Wanted = Literal["video", "still", "any"]

DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024**3
# A gateway answering these passed the request on and gave up waiting: the provider may have it.
AMBIGUOUS_STATUSES = frozenset({504, 524})
# The request never left this machine (httpx's and the openai package's httpx2's names alike).
_NEVER_SENT = frozenset({"ConnectError", "ConnectTimeout", "PoolTimeout"})
_MEDIA_TYPES = {
    "video/mp4": ".mp4", "video/webm": ".webm", "video/quicktime": ".mov", "video/x-matroska": ".mkv",
    "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif",
}
_MEDIA_SUFFIXES = frozenset(_MEDIA_TYPES.values()) | {".jpeg"}


# --------------------------------------------------------------------------- credentials


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


# --------------------------------------------------------------------------- retries


@dataclass(frozen=True)
class RetryPolicy:
    """How one HTTP call is tried again: `attempts` in all, waits doubling from `base_s` up to `max_s`,
    each picked at random in its upper half (jitter, so that clients rate-limited together do not
    come back together), or what `Retry-After` asks plus a little jitter. A service asking for a
    wait longer than `max_wait_s` is not waited for: the call fails saying how long it asked."""

    attempts: int = 5
    base_s: float = 1.0
    max_s: float = 30.0
    max_wait_s: float = 120.0

    def delay(self, retry: int, retry_after_s: float | None) -> float:
        if retry_after_s is not None:
            return retry_after_s + random.uniform(0.0, min(self.base_s, 1.0) / 4)
        backoff = min(self.max_s, self.base_s * 2**retry)
        return random.uniform(backoff / 2, backoff)


class TransientFailure(Exception):
    """One attempt met something worth trying again: a 429, a 5xx, a connection that failed.

    `maybe_delivered` is True when the request may have reached the service
    (see the module docstring): a create call is then never tried again."""

    def __init__(
        self, reason: str, *, status: int | None = None, retry_after_s: float | None = None,
        maybe_delivered: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status
        self.retry_after_s, self.maybe_delivered = retry_after_s, maybe_delivered


def retryable_status(status: int) -> bool:
    """429 and server errors, except 501 (the service does not do that at all: asking again will not help)."""
    return status in (408, 429) or (500 <= status < 600 and status != 501)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a 429/503 asks for: `retry-after-ms` (OpenAI's, more precise), else `Retry-After`
    as seconds (a float, as some services send) or as an HTTP date; None when absent or unreadable."""
    lowered = {name.lower(): value for name, value in headers.items()}
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        text = (lowered.get(name) or "").strip()
        if not text:
            continue
        try:
            seconds = float(text) / scale
        except ValueError:
            if scale != 1.0:
                continue
            try:
                when = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError):
                continue
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
        if math.isfinite(seconds):
            return max(0.0, seconds)
    return None


def request_never_sent(exc: BaseException) -> bool:
    """Whether a transport failure happened before the request left (safe to send again).

    Looks along the cause chain by class name, so that httpx's errors and those
    of httpx2 (which the openai package wraps in APIConnectionError) both count."""
    seen: BaseException | None = exc
    while seen is not None:
        if any(cls.__name__ in _NEVER_SENT for cls in type(seen).__mro__):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def is_transport_error(exc: BaseException) -> bool:
    """An httpx (or httpx2) failure to talk to the server: connect, read, write, protocol, timeout."""
    return any(cls.__name__ == "TransportError" for cls in type(exc).__mro__)


def seconds_in_words(value: float) -> str:
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.0f} minutes"


async def with_retries(
    attempt: Callable[[], Awaitable[T]], *, provider: str, what: str, submits: bool, policy: RetryPolicy,
    attempts: int | None = None,
) -> T:
    """Run `attempt` until it succeeds, retrying TransientFailures as `policy` says.

    `submits` marks a create call: a failure that may have reached the service
    is then reported (SubmissionUncertainError) instead of retried."""
    limit = max(1, attempts or policy.attempts)
    last: TransientFailure | None = None
    for retry in range(limit):
        try:
            return await attempt()
        except TransientFailure as failure:
            if submits and failure.maybe_delivered:
                raise SubmissionUncertainError(
                    f"The connection to {provider} was cut off while {what} ({failure.reason}), so {provider} "
                    f"may have started the job, and may charge for it. Foundry did not send it again, so as not "
                    f"to pay twice; check {provider}'s dashboard, then generate the shot again if nothing came of it.",
                    provider=provider, status=failure.status,
                ) from None
            last = failure
            if retry + 1 >= limit:
                break
            wait = policy.delay(retry, failure.retry_after_s)
            if failure.retry_after_s is not None and failure.retry_after_s > policy.max_wait_s:
                raise CloudUnavailableError(
                    f"{provider} is busy ({failure.reason}) and asks Foundry to wait "
                    f"{seconds_in_words(failure.retry_after_s)} before trying again; try again later.",
                    provider=provider, status=failure.status, retry_later=True,
                ) from None
            await asyncio.sleep(wait)
    assert last is not None
    busy = "is limiting how fast Foundry may call it" if last.status == 429 else "is not answering properly"
    raise CloudUnavailableError(
        f"{provider} {busy} ({last.reason}) while {what}, and still was after {limit} tries; try again later.",
        provider=provider, status=last.status, retry_later=True,
    )


# --------------------------------------------------------------------------- refusals


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


# --------------------------------------------------------------------------- saving outputs


@dataclass(frozen=True)
class SavedMedia:
    path: Path
    info: SourceInfo


def media_suffix(content_type: str, url: str, want: Wanted) -> str:
    """Our file's suffix: from the content type, else from the URL's path, else the usual one."""
    suffix = _MEDIA_TYPES.get(content_type)
    if suffix is None:
        from_url = Path(urlsplit(url).path).suffix.lower()
        suffix = from_url if from_url in _MEDIA_SUFFIXES else (".png" if want == "still" else ".mp4")
    return suffix


async def save_media(
    chunks: AsyncIterator[bytes], stem: Path, *, provider: str, want: Wanted, content_type: str = "",
    url: str = "", expected_bytes: int | None = None, max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
) -> SavedMedia:
    """Write `chunks` to `stem` + a suffix of ours, whole and decodable, or leave nothing behind.

    The bytes go to a hidden .partial file first; only a file that is complete,
    within `max_bytes`, and opens as the kind of media wanted is renamed into
    place. A transport error while reading `chunks` propagates (the caller
    decides whether to retry); the partial file is removed whatever happens."""
    kind = content_type.split(";")[0].strip().lower()
    noun = "picture" if want == "still" else "video"
    if kind.startswith("text/") or kind in ("application/json", "application/xml"):
        raise CloudOutputError(
            f"{provider} sent a web page instead of the {noun} (its link may have expired, or a network "
            f"sign-in page is in the way). Foundry did not keep it.", provider=provider,
        )
    destination = stem.with_name(stem.name + media_suffix(kind, url, want))
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{uuid.uuid4().hex}.partial")
    try:
        received = 0
        with partial.open("xb") as file:
            async for chunk in chunks:
                received += len(chunk)
                if received > max_bytes:
                    raise CloudOutputError(
                        f"The {noun} from {provider} is larger than Foundry accepts ({max_bytes // 1024**2} MiB).",
                        provider=provider,
                    )
                file.write(chunk)
        if expected_bytes is not None and received != expected_bytes:
            raise CloudOutputError(f"The {noun} from {provider} arrived cut short ({received} of "
                                   f"{expected_bytes} bytes).", provider=provider)
        try:
            info = await asyncio.to_thread(probe_source, partial)
        except MediaError:
            raise CloudOutputError(
                f"What {provider} sent is not a {noun} Foundry can read (damaged, cut short or not media at "
                f"all). Foundry did not keep it.", provider=provider,
            ) from None
        if want == "video" and info.still:
            raise CloudOutputError(f"{provider} sent a still picture where a video was expected.", provider=provider)
        if want == "still" and not info.still:
            raise CloudOutputError(f"{provider} sent a video where a picture was expected.", provider=provider)
        partial.replace(destination)
        return SavedMedia(destination, dataclasses.replace(info, path=destination))
    finally:
        partial.unlink(missing_ok=True)


# --------------------------------------------------------------------------- HTTP API


class CloudApi:
    """One provider's HTTP API over the app's shared httpx.AsyncClient.

    Adds the key and the provider's fixed headers, retries as `retry` says,
    and turns refusals into CloudErrors worded with the provider's own
    explanation (`explain` reads its error body)."""

    def __init__(
        self, provider: str, http: httpx.AsyncClient, credentials: CloudCredentials, *, base_url: str,
        explain: ErrorExplainer, retry: RetryPolicy, headers: Mapping[str, str] | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
    ) -> None:
        self.provider, self.credentials = provider, credentials
        self.base_url = base_url.rstrip("/")
        self.retry, self.max_download_bytes = retry, max_download_bytes
        self._http, self._explain, self._headers = http, explain, dict(headers or {})

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"

    def _request_headers(self, authorized: bool, extra: Mapping[str, str] | None) -> dict[str, str]:
        if not authorized:  # signed output URLs: the key stays with the API, never goes to a CDN
            return dict(extra or {})
        return {"Authorization": f"Bearer {self.credentials.key()}", **self._headers, **(extra or {})}

    def _transport_failure(self, exc: httpx.HTTPError, url: str) -> Exception:
        if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
            return CloudError(f"{self.provider}'s address {url} is not a web address Foundry can use.",
                              provider=self.provider)
        reason = "no answer in time" if isinstance(exc, httpx.TimeoutException) else f"{type(exc).__name__}"
        return TransientFailure(f"connection failed: {reason}", maybe_delivered=not request_never_sent(exc))

    def _check(self, response: httpx.Response, what: str) -> None:
        status = response.status_code
        if status < 300:
            return
        if retryable_status(status):
            raise TransientFailure(
                f"HTTP {status}", status=status, retry_after_s=retry_after_seconds(response.headers),
                maybe_delivered=status in AMBIGUOUS_STATUSES,
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        detail, moderated = self._explain(body) if body is not None else ("", False)
        raise refusal_error(self.provider, status, detail or response.reason_phrase, moderated, what)

    async def call(
        self, method: str, path: str, *, what: str, submits: bool = False, attempts: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """One JSON API call: the parsed answer (None when empty)."""
        url, headers = self._url(path), kwargs.pop("headers", None)

        async def attempt() -> httpx.Response:
            try:
                response = await self._http.request(method, url, headers=self._request_headers(True, headers),
                                                    **kwargs)
            except httpx.HTTPError as exc:
                raise self._transport_failure(exc, url) from None
            self._check(response, what)
            return response

        response = await with_retries(attempt, provider=self.provider, what=what, submits=submits,
                                      policy=self.retry, attempts=attempts)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise CloudError(f"{self.provider} sent an answer Foundry cannot read while {what}.",
                             provider=self.provider) from None

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
                async with self._http.stream(method, url, headers=self._request_headers(authorized, headers),
                                             follow_redirects=True, **kwargs) as response:
                    if response.status_code >= 300:
                        await response.aread()
                        self._check(response, what)
                    if inspect is not None:
                        inspect(response.headers)
                    length = response.headers.get("content-length", "")
                    return await save_media(
                        response.aiter_bytes(), stem, provider=self.provider, want=want,
                        content_type=response.headers.get("content-type", ""), url=url,
                        expected_bytes=int(length) if length.isdigit() else None, max_bytes=self.max_download_bytes,
                    )
            except httpx.HTTPError as exc:
                raise self._transport_failure(exc, url) from None

        return await with_retries(attempt, provider=self.provider, what=what, submits=submits, policy=self.retry)


