"""When to try a provider call again, and how long to wait first.

The policy follows civis-python, per HTTP method:

- GET, PUT, DELETE, HEAD (idempotent) are retried on the provider's retryable
  statuses (by default 429, 502, 503, 504) and on every connection error;
- POST and PATCH only on 429 and 503 and on connection errors raised before
  the request left (connection refused): never after a read timeout or a
  dropped connection, since the write may have happened.

The wait is exponential backoff with full jitter, and never shorter than what
the provider asked for (Retry-After, or the reset header of a spent limit).
Every call has a deadline: when the next wait would pass it, the call stops at
once, and if the provider asked for that wait it raises RateLimitedError with
`retry_at` instead of sleeping.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import NoReturn, TypeVar

from integrations.http.errors import (
    IntegrationError,
    ProviderUnavailableError,
    RateLimitedError,
)
from integrations.http.ratelimit import RateLimitWindow, read_windows

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
T = TypeVar("T")


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """`Retry-After` as a moment: it is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), 10**8))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def server_retry_at(
    headers: Mapping[str, str], windows: tuple[RateLimitWindow, ...], now: datetime
) -> datetime | None:
    """The earliest moment the provider allows another call, if it says so."""
    moments = [parse_retry_after(headers.get("Retry-After"), now)]
    for reading in read_windows(headers, windows, now.timestamp()):
        if reading.remaining == 0 and reading.reset_seconds:
            moments.append(now + timedelta(seconds=reading.reset_seconds))
    known = [m for m in moments if m is not None]
    return max(known) if known else None


class RetryPolicy:
    """Method-aware retries for one provider; `call()` runs the loop."""

    def __init__(
        self,
        *,
        retry_statuses: frozenset[int],
        write_retry_statuses: frozenset[int],
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
    ) -> None:
        self.retry_statuses = retry_statuses
        self.write_retry_statuses = write_retry_statuses
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap

    def should_retry(self, method: str, error: BaseException) -> bool:
        idempotent = method.upper() in IDEMPOTENT_METHODS
        if not isinstance(error, IntegrationError):
            return False
        if error.status is not None:
            statuses = self.retry_statuses if idempotent else self.write_retry_statuses
            return error.status in statuses
        # No status: a transport failure, or a client-side limit (never retried here).
        if isinstance(error, ProviderUnavailableError):
            return idempotent or not error.outcome_unknown
        return False

    def backoff(self, attempt_number: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt_number - 1))
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not cryptography

    def call(
        self,
        method: str,
        attempt: Callable[[int], T],
        *,
        deadline: float,
        sleep: Callable[[float], None],
    ) -> T:
        """`attempt(1)`, `attempt(2)`, … until one succeeds, or its error is not retried
        here, or the attempts or the `deadline` (seconds from now) run out.

        A plain loop rather than tenacity's: tenacity's per-call state and actions
        were about a fifth of what the client added to a call over a bare session
        (`bench/client_overhead.py`), for a loop this short.
        """
        started = time.monotonic()
        number = 1
        while True:
            try:
                return attempt(number)
            except IntegrationError as error:
                if not self.should_retry(method, error):
                    raise
                asked = _asked_wait(error)
                wait = max(self.backoff(number), asked or 0.0)
                past_deadline = time.monotonic() - started + wait > deadline
                if past_deadline or number >= self.max_attempts:
                    _raise_final(
                        error,
                        retry_at=datetime.now(UTC) + timedelta(seconds=wait),
                        as_rate_limited=asked is not None and past_deadline,
                    )
            sleep(wait)
            number += 1


def _asked_wait(error: IntegrationError) -> float | None:
    """Seconds until the moment the provider named in the error, if it named one."""
    retry_at = getattr(error, "retry_at", None)
    if retry_at is None:
        return None
    return max(0.0, (retry_at - datetime.now(UTC)).total_seconds())


def _raise_final(error: IntegrationError, *, retry_at: datetime, as_rate_limited: bool) -> NoReturn:
    """Raise the last error; a provider-asked wait past the deadline becomes RateLimitedError."""
    if isinstance(error, RateLimitedError):
        error.retry_at = max(error.retry_at or retry_at, retry_at)
        raise error
    if as_rate_limited:
        raise RateLimitedError(
            error.message,
            retry_at=retry_at,
            **error.context,
        ) from error
    raise error
