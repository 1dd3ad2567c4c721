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
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import cast

from tenacity import RetryCallState, Retrying

from integrations.http.errors import (
    IntegrationError,
    ProviderUnavailableError,
    RateLimitedError,
)
from integrations.http.ratelimit import RateLimitWindow, read_windows

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


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
    """Method-aware retries for one provider; `retrying()` builds the tenacity loop."""

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

    def retrying(self, method: str, *, deadline: float, sleep: Callable[[float], None]) -> Retrying:
        """A tenacity loop for one call of `method` that must end within `deadline` seconds."""

        def retry(state: RetryCallState) -> bool:
            error = state.outcome.exception() if state.outcome else None
            return error is not None and self.should_retry(method, error)

        def wait(state: RetryCallState) -> float:
            hint = _asked_wait(state)
            return max(self.backoff(state.attempt_number), hint or 0.0)

        def stop(state: RetryCallState) -> bool:
            past_deadline = state.seconds_since_start + (state.upcoming_sleep or 0) > deadline
            return past_deadline or state.attempt_number >= self.max_attempts

        def give_up(state: RetryCallState) -> None:
            error = cast(IntegrationError, state.outcome.exception() if state.outcome else None)
            wait = state.upcoming_sleep or 0.0
            asked_past_deadline = (
                _asked_wait(state) is not None and state.seconds_since_start + wait > deadline
            )
            _raise_final(
                error,
                retry_at=datetime.now(UTC) + timedelta(seconds=wait),
                as_rate_limited=asked_past_deadline,
            )

        return Retrying(
            retry=retry, wait=wait, stop=stop, sleep=sleep, retry_error_callback=give_up
        )


def _asked_wait(state: RetryCallState) -> float | None:
    """Seconds until the moment the provider named in the last error, if it named one."""
    error = state.outcome.exception() if state.outcome else None
    retry_at = getattr(error, "retry_at", None)
    if retry_at is None:
        return None
    return max(0.0, (retry_at - datetime.now(UTC)).total_seconds())


def _raise_final(error: IntegrationError, *, retry_at: datetime, as_rate_limited: bool) -> None:
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
