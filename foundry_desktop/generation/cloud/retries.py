"""Trying a cloud call again: 429, 5xx and dropped connections are tried again
with exponential backoff and jitter, honouring `Retry-After` / `retry-after-ms`,
a bounded number of times; 400/401/403/404/422 never.

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
import email.utils
import math
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from foundry_desktop.generation.cloud.errors import CloudUnavailableError, SubmissionUncertainError

T = TypeVar("T")

# A gateway answering these passed the request on and gave up waiting: the provider may have it.
AMBIGUOUS_STATUSES = frozenset({504, 524})
# The request never left this machine (httpx's and the openai package's httpx2's names alike).
_NEVER_SENT = frozenset({"ConnectError", "ConnectTimeout", "PoolTimeout"})


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
