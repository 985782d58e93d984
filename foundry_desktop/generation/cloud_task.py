"""The one life cycle every cloud generation backend follows: submit → poll → download (→ cancel).

Runway, Replicate, Stability AI and OpenAI-compatible /v1/videos services
differ in routes, bodies and status words, and in nothing else that matters
here (../shared/reference/cloud-apis.md). So everything they share lives in
this module, and a provider's module is only its translation:

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
* `CloudTaskBackend`: the life cycle itself (events, polling with backoff and
  an overall timeout, download as soon as the task succeeds, since output URLs
  are temporary, cancel, resume after a restart), on four hooks a provider fills.

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
import base64
import contextlib
import dataclasses
import email.utils
import math
import random
import re
import time
import uuid
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import httpx

from foundry_desktop.domain.cost import Cost
from foundry_desktop.errors import GenerationError, MediaError
from foundry_desktop.generation.backend import (
    BackendHealth,
    EventKind,
    EventSink,
    GenerationEvent,
    GenerationRequest,
    GenerationResult,
    frames_made,
)
from foundry_desktop.media.probe import SourceInfo, probe_source

T = TypeVar("T")
Wanted = Literal["video", "still", "any"]
Phase = Literal["queued", "running", "succeeded", "failed", "cancelled"]

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
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")


# --------------------------------------------------------------------------- errors


class CloudError(GenerationError):
    """A cloud service could not make the take. The message names the service and says what to do.

    `retry_later` tells a job queue whether the same request may succeed later
    as it is; `remote_id` is set when the service holds a task of ours, so it
    can be followed again (resume) instead of submitted again.
    """

    def __init__(
        self, message: str, *, provider: str, status: int | None = None, remote_id: str | None = None,
        retry_later: bool = False,
    ) -> None:
        super().__init__(message)
        self.provider, self.status, self.remote_id, self.retry_later = provider, status, remote_id, retry_later


class CloudAuthError(CloudError):
    """No key, a wrong key, or a key without access."""


class CloudRefusedError(CloudError):
    """The service refused the request as it stands (bad input, unknown model, billing)."""


class ContentModeratedError(CloudRefusedError):
    """The service's content moderation refused the prompt, the input image or its own output."""


class CloudUnavailableError(CloudError):
    """Still rate-limited, failing or unreachable after every retry: worth trying later."""


class SubmissionUncertainError(CloudError):
    """The create call was cut off after it was sent: the service may have started the job."""


class CloudTaskFailedError(CloudError):
    """The service accepted the job and then reported that it failed."""


class CloudTaskCancelledError(CloudError):
    """The job was cancelled (by the creator, or at the service)."""


class CloudTimeoutError(CloudError):
    """The job did not finish within the overall time allowed."""


class CloudOutputError(CloudError):
    """What the service sent back is not a whole video or picture Foundry can read."""


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


@dataclass(frozen=True)
class PollPolicy:
    """How a task is followed: a status read every `interval_s`, growing by `growth` up to
    `max_interval_s` (long jobs need fewer reads), and given up after `timeout_s` in all."""

    interval_s: float = 5.0
    max_interval_s: float = 20.0
    growth: float = 1.3
    timeout_s: float = 30 * 60.0


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


def _seconds(value: float) -> str:
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
                    f"{_seconds(failure.retry_after_s)} before trying again; try again later.",
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


# --------------------------------------------------------------------------- choosing values


def _aspect_of(choice: str) -> tuple[float, float] | None:
    sides = re.split(r"[:x]", choice)
    try:
        width, height = float(sides[0]), float(sides[1])
    except (IndexError, ValueError):
        return None
    return (width, height) if len(sides) == 2 and width > 0 and height > 0 else None


def nearest_aspect(width: int, height: int, choices: Iterable[str]) -> str:
    """Of `choices` ("16:9", "1280:720", "1280x720"), the one whose aspect is nearest width:height
    (compared as logarithms, so 2:1 and 1:2 are equally far from 1:1); between equal aspects,
    the one nearest in size."""
    def distance(choice: str) -> tuple[float, float]:
        sides = _aspect_of(choice)
        if sides is None:
            return (math.inf, math.inf)
        return (round(abs(math.log(sides[0] / sides[1]) - math.log(width / height)), 6),
                abs(math.log(sides[0] * sides[1] / (width * height))))
    return min(choices, key=distance)


def nearest_choice(value: float, choices: Iterable[T]) -> T:
    """The allowed number nearest `value`; a tie goes to the larger (a clip a little long can be
    trimmed, one too short cannot be lengthened)."""
    return min(choices, key=lambda choice: (abs(float(choice) - value), -float(choice)))  # type: ignore[arg-type]


def shot_seconds(request: GenerationRequest) -> float:
    return float(Fraction(request.frames) / Fraction(request.frame_rate))


def read_input_image(path: Path, *, provider: str, max_bytes: int) -> tuple[bytes, str]:
    """The input image's bytes and MIME type (PNG, JPEG or WebP, told by content, not by name)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise GenerationError(f"The input image {Path(path).name} cannot be read: {exc.strerror or exc}.") from None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        mime = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        mime = "image/jpeg"
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    else:
        raise GenerationError(f"The input image {Path(path).name} is not a PNG, JPEG or WebP picture, "
                              f"which is what {provider} takes.")
    if len(data) > max_bytes:
        raise GenerationError(f"The input image {Path(path).name} is {len(data) / 1024**2:.1f} MiB; {provider} "
                              f"takes up to {max_bytes / 1024**2:.0f} MiB. Use a smaller picture.")
    return data, mime


def image_data_uri(path: Path, *, provider: str, max_bytes: int) -> str:
    """The input image inline, as a data URI (no upload step, nothing left on a server)."""
    data, mime = read_input_image(path, provider=provider, max_bytes=max_bytes)
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


# --------------------------------------------------------------------------- the life cycle


@dataclass(frozen=True)
class TaskStatus:
    """A task's state as the life cycle needs it, read from whatever the provider answers."""

    phase: Phase
    progress: float | None = None  # 0..1 while running, when the provider tells
    words: str = ""  # the provider's own status word, shown in progress events
    failure: str = ""  # when failed: a sentence for the creator
    moderated: bool = False  # failed because content moderation refused it
    outputs: tuple[str, ...] = ()  # output URLs, when succeeded
    info: dict[str, Any] = field(default_factory=dict)  # extra provenance (metrics, actual cost...)

    @property
    def settled(self) -> bool:
        return self.phase in ("succeeded", "failed", "cancelled")


@dataclass(frozen=True)
class Submission:
    """What a create call gave: the task's id at the provider, what to record about it, and its
    first status when the answer tells it; `saved` when the answer was the output itself (Stability)."""

    remote_id: str | None
    info: dict[str, Any]
    status: TaskStatus | None = None
    saved: SavedMedia | None = None


SubmittedHook = Callable[[str, str], None]  # (shot id, remote id): record it before anything else happens


@dataclass(eq=False)
class _Run:
    """One generate() or resume() in progress, so that cancel() can reach it."""

    shot_id: str
    remote_id: str | None = None
    cancelled: bool = False
    cancel_sent: bool = False
    cancel_problem: str = ""
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class _Reporter:
    """Events for one shot, without repeating the same one at every poll."""

    def __init__(self, on_event: EventSink, shot_id: str) -> None:
        self._on_event, self._shot_id, self._last = on_event, shot_id, None

    def __call__(self, kind: EventKind, progress: float, message: str = "", *, server: str | None = None,
                 remote_id: str | None = None) -> None:
        event = GenerationEvent(kind, self._shot_id, round(max(0.0, min(1.0, progress)), 3), message,
                                server=server, remote_id=remote_id)
        if event != self._last:
            self._last = event
            self._on_event(event)


class CloudTaskBackend:
    """The life cycle of a cloud generation, once for every provider.

    generate(): report queued → submitting → submit → record the remote id (`on_submitted`)
    → poll with backoff, reporting progress → download the output as soon as
    it succeeds → report done. resume(): the same from an existing remote id,
    without submitting. cancel(): the provider's cancel for a running task.

    A provider subclass sets `name` and `provider` and fills the hooks
    `_submit`, `_status`, `_fetch` and `_cancel_remote` (and `_health_check`).
    Cancelling the asyncio task running generate() is *not* a creator's cancel
    (the app closing, say): the remote task is left running, to be resumed.
    """

    name = "cloud"
    provider = "the cloud service"
    cost_unit: str | None = None  # the domain.cost unit the provider charges in

    def __init__(
        self, credentials: CloudCredentials, *, poll: PollPolicy | None = None,
        on_submitted: SubmittedHook | None = None,
    ) -> None:
        self.credentials = credentials
        self.poll = poll or PollPolicy()
        self.on_submitted = on_submitted
        self._runs: dict[str, list[_Run]] = {}

    # -- hooks ---------------------------------------------------------------

    async def _submit(self, request: GenerationRequest) -> Submission:
        raise NotImplementedError

    async def _status(self, remote_id: str) -> TaskStatus:
        raise NotImplementedError

    async def _fetch(self, remote_id: str, status: TaskStatus, stem: Path) -> SavedMedia:
        raise NotImplementedError

    async def _cancel_remote(self, remote_id: str) -> None:
        raise NotImplementedError

    async def _health_check(self) -> str:
        raise NotImplementedError

    def _resume_info(self, request: GenerationRequest) -> dict[str, Any]:
        """What a resumed task's provenance says (the submission's details were not kept)."""
        return {"model": request.model}

    def estimate_cost(self, request: GenerationRequest) -> float | None:
        """What the request will cost in `cost_unit`, where the price is known beforehand."""
        return None

    # -- the Backend protocol -------------------------------------------------

    async def generate(self, request: GenerationRequest, on_event: EventSink) -> GenerationResult:
        report = _Reporter(on_event, request.shot_id)
        started = time.monotonic()
        with self._run(request.shot_id) as run:
            return await self._reporting_failures(report, self._generate(request, run, report, started))

    async def resume(
        self, server: str | None, remote_id: str, request: GenerationRequest, on_event: EventSink
    ) -> GenerationResult:
        """Follow a task submitted before a restart, by its id, to its end and download its output;
        nothing is submitted. (`server` is the backend's name here: one service per backend.)"""
        report = _Reporter(on_event, request.shot_id)
        started = time.monotonic()
        with self._run(request.shot_id) as run:
            run.remote_id = remote_id
            report("progress", 0.0, f"following {self.provider} task {remote_id}")
            return await self._reporting_failures(
                report, self._finish(request, run, Submission(remote_id, self._resume_info(request)), report, started)
            )

    async def cancel(self, shot_id: str) -> None:
        """Stop the shot's task at the provider (its generate() then raises CloudTaskCancelledError).
        Asked before the create call has answered, the task is cancelled as soon as it has an id."""
        runs = list(self._runs.get(shot_id, ()))
        for run in runs:  # flagged first, so that every run stops even if a provider's cancel fails
            run.cancelled = True
            run.wake.set()
        for run in runs:
            await self._send_cancel(run, quietly=False)

    async def cancel_remote(self, server: str | None, remote_id: str) -> None:
        """Stop the task with this id: a run following it here stops (its generate() raises
        CloudTaskCancelledError), and one sent by an earlier run is cancelled at the provider."""
        runs = [run for runs in self._runs.values() for run in runs if run.remote_id == remote_id]
        for run in runs:
            run.cancelled = True
            run.wake.set()
        for run in runs:
            await self._send_cancel(run, quietly=False)
        if not runs:
            await self._cancel_remote(remote_id)

    async def health(self) -> BackendHealth:
        try:
            return BackendHealth(True, self.credentials.scrub(await self._health_check()))
        except GenerationError as exc:
            return BackendHealth(False, self.credentials.scrub(str(exc)))

    # -- the life cycle -------------------------------------------------------

    @contextlib.contextmanager
    def _run(self, shot_id: str) -> Iterator[_Run]:
        """Register a run of `shot_id` for cancel() while it lasts (a shot may be asked for twice)."""
        run = _Run(shot_id)
        self._runs.setdefault(shot_id, []).append(run)
        try:
            yield run
        finally:
            runs = self._runs.get(shot_id, [])
            if run in runs:
                runs.remove(run)
            if not runs:
                self._runs.pop(shot_id, None)

    async def _reporting_failures(self, report: _Reporter, work: Awaitable[GenerationResult]) -> GenerationResult:
        """Run `work`; a failure is reported as a `failed` event, its message scrubbed of the key."""
        try:
            return await work
        except GenerationError as exc:
            message = self.credentials.scrub(str(exc))
            exc.args = (message,)
            report("failed", 0.0, message)
            raise

    async def _generate(
        self, request: GenerationRequest, run: _Run, report: _Reporter, started: float,
    ) -> GenerationResult:
        report("queued", 0.0, f"for {self.provider}")
        # Recorded by the job before the create call: should Foundry stop before the answer,
        # the task may exist with no id known to us, and is not sent again unasked.
        report("submitting", 0.0, f"sending to {self.provider}", server=self.name)
        submission = await self._submit(request)
        if submission.remote_id is not None:
            run.remote_id = submission.remote_id
            if self.on_submitted is not None:
                self.on_submitted(request.shot_id, submission.remote_id)
            # The job records the id, so a restart follows this task instead of paying for another.
            report("submitted", 0.0, f"{self.provider} has it (task {submission.remote_id})",
                   server=self.name, remote_id=submission.remote_id)
        return await self._finish(request, run, submission, report, started)

    async def _finish(
        self, request: GenerationRequest, run: _Run, submission: Submission, report: _Reporter, started: float,
    ) -> GenerationResult:
        saved, status = submission.saved, submission.status
        if saved is None:
            assert run.remote_id is not None
            status = await self._wait(run, status, report)
            report("progress", 0.99, f"downloading from {self.provider}")
            saved = await self._following(run, self._fetch(run.remote_id, status, self._stem(request, run.remote_id)))
        if run.cancelled:  # asked while the output was on its way: the creator no longer wants it
            saved.path.unlink(missing_ok=True)
            await self._send_cancel(run, quietly=True)
            raise self._cancelled(run)
        report("done", 1.0, f"made by {self.provider}")
        info = {"provider": self.name, "remote_id": run.remote_id, "model": request.model,
                **submission.info, **(status.info if status else {})}
        if saved.info.duration_s is not None:
            info["clip_seconds"] = round(saved.info.duration_s, 3)
        # The service's own figure where it reports one (Replicate's predict time), else the
        # price of what was asked (Runway, Stability and the gateways charge by that).
        amount = info.pop("cost_actual", None)
        if amount is None:
            amount = self.estimate_cost(request)
        return GenerationResult(
            path=saved.path,
            frames=frames_made(request, saved.info),
            width=saved.info.width,
            height=saved.info.height,
            frame_rate=Fraction(request.frame_rate),
            elapsed_s=round(time.monotonic() - started, 3),
            backend_info=info,
            cost=Cost(float(amount), self.cost_unit) if amount is not None and self.cost_unit else None,
        )

    async def _wait(self, run: _Run, status: TaskStatus | None, report: _Reporter) -> TaskStatus:
        """Poll until the task settles; its final status when it succeeded, else the matching error."""
        remote_id = run.remote_id
        assert remote_id is not None
        deadline = time.monotonic() + self.poll.timeout_s
        interval = self.poll.interval_s
        while True:
            if run.cancelled:
                await self._send_cancel(run, quietly=True)
                raise self._cancelled(run)
            if status is None:
                status = await self._following(run, self._status(remote_id))
            if status.phase == "succeeded":
                return status
            if status.phase == "failed":
                error = ContentModeratedError if status.moderated else CloudTaskFailedError
                raise error(status.failure or f"{self.provider} reported that the task failed.",
                            provider=self.provider, remote_id=remote_id)
            if status.phase == "cancelled":
                raise CloudTaskCancelledError(f"The task was cancelled at {self.provider}.", provider=self.provider,
                                              remote_id=remote_id)
            if status.phase == "queued":  # as the ComfyUI backend reports a server's queue: progress 0
                report("progress", 0.0, f"queued at {self.provider}" + (f" ({status.words})" if status.words else ""))
            else:
                report("progress", min(0.98, status.progress or 0.0), f"{self.provider}: {status.words or 'running'}")
            left = deadline - time.monotonic()
            if left <= 0:
                await self._send_cancel(run, quietly=True)
                raise CloudTimeoutError(
                    f"{self.provider} had not finished the shot after {_seconds(self.poll.timeout_s)}; Foundry "
                    f"cancelled the task ({remote_id}) so that it stops costing.", provider=self.provider,
                    remote_id=remote_id,
                )
            run.wake.clear()
            try:
                await asyncio.wait_for(run.wake.wait(), timeout=min(interval, left))
            except TimeoutError:
                pass
            interval = min(self.poll.max_interval_s, interval * self.poll.growth)
            status = None

    async def _following(self, run: _Run, work: Awaitable[T]) -> T:
        """A status read or the download of a task the provider holds: when the provider stays out
        of reach, the error says that the task can be followed again later (it keeps the remote id)."""
        try:
            return await work
        except CloudUnavailableError as exc:
            raise CloudUnavailableError(
                f"{exc} The task ({run.remote_id}) is still at {self.provider}: Foundry can follow it again "
                f"later without paying twice.", provider=self.provider, status=exc.status,
                remote_id=run.remote_id, retry_later=True,
            ) from None
        except CloudError:
            if run.cancelled:  # some providers forget a task once it is cancelled
                raise self._cancelled(run) from None
            raise

    async def _send_cancel(self, run: _Run, *, quietly: bool) -> None:
        """The provider's cancel, once per run; `quietly` keeps a failure for the cancelled message
        instead of raising it (the run is stopping either way)."""
        if run.remote_id is None or run.cancel_sent:
            return
        run.cancel_sent = True
        try:
            await self._cancel_remote(run.remote_id)
        except CloudError as exc:
            run.cancel_problem = str(exc)
            if not quietly:
                raise

    def _cancelled(self, run: _Run) -> CloudTaskCancelledError:
        message = "Cancelled."
        if run.cancel_problem:
            message += (f" {self.provider} did not confirm stopping task {run.remote_id} "
                        f"({run.cancel_problem}); it may still run and cost.")
        return CloudTaskCancelledError(message, provider=self.provider, remote_id=run.remote_id)

    def _stem(self, request: GenerationRequest, remote_id: str | None) -> Path:
        """Our name for the output (never the provider's): backend and task id, made safe for a file name."""
        safe = _SAFE_ID.sub("-", remote_id or uuid.uuid4().hex).strip("-")[:80] or uuid.uuid4().hex
        return Path(request.output_dir) / f"{self.name}-{safe}"

