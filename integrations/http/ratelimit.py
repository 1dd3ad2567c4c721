"""Client-side rate limiting: one token bucket per connection, kept in Django's cache.

The bucket starts from the provider's documented limit and is corrected by the
remaining/reset headers of every response, so the hub slows down before the
provider answers 429. With a shared cache (Redis via CACHE_URL) every process
on every machine reads and writes the same bucket. Reads and writes are not
atomic across processes: two processes may both spend the last token, which
the provider's next headers (or its 429) then correct. That trade keeps each
call at one cache read and, usually, one write.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches

KEY_PREFIX = "integrations:ratelimit:"
DEFAULT_PERIOD = 60.0  # assumed window when a provider sends a limit but documents no period


@dataclass(frozen=True)
class RateLimit:
    """A documented limit: `requests` per `per_seconds`."""

    requests: int
    per_seconds: float = 60.0


@dataclass(frozen=True)
class RateLimitWindow:
    """The names of one set of limit/remaining/reset headers.

    A "rate" window (per minute) sizes the bucket; a "quota" window (per month)
    only blocks the bucket until its reset once it is spent.
    """

    limit: str
    remaining: str
    reset: str
    reset_is_epoch: bool = False  # Unix time rather than seconds from now
    kind: Literal["rate", "quota"] = "rate"


@dataclass(frozen=True)
class WindowReading:
    window: RateLimitWindow
    limit: int | None
    remaining: int | None
    reset_seconds: float | None


def read_windows(
    headers: Mapping[str, str], windows: tuple[RateLimitWindow, ...], now: float
) -> list[WindowReading]:
    """What the response headers say about each window (headers are untrusted)."""
    readings = []
    for window in windows:
        remaining = _number(headers.get(window.remaining))
        reset = _number(headers.get(window.reset))
        if remaining is None and reset is None:
            continue
        if reset is not None and window.reset_is_epoch:
            reset -= now
        readings.append(
            WindowReading(
                window=window,
                limit=_integer(_number(headers.get(window.limit))),
                remaining=_integer(remaining),
                reset_seconds=None if reset is None else max(0.0, reset),
            )
        )
    return readings


def _number(value: str | None) -> float | None:
    """A header value as a number; "unlimited", garbage and absence are None."""
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and 0 <= number < 1e12 else None


def _integer(value: float | None) -> int | None:
    return None if value is None else int(value)


@dataclass(slots=True)
class _State:
    tokens: float
    capacity: float  # 0 while the limit is unknown: no client-side limiting
    rate: float  # tokens per second
    updated: float  # time.time(): shared across machines, unlike monotonic time
    blocked_until: float = 0.0

    def as_tuple(self) -> tuple[float, float, float, float, float]:
        """What the cache stores (dataclasses.astuple deep-copies: too slow per call)."""
        return (self.tokens, self.capacity, self.rate, self.updated, self.blocked_until)


class TokenBucket:
    """One connection's request budget."""

    def __init__(
        self,
        key: str,
        *,
        rate_limit: RateLimit | None,
        windows: tuple[RateLimitWindow, ...] = (),
    ) -> None:
        self.key = KEY_PREFIX + key
        self.rate_limit = rate_limit
        self.windows = windows
        self.period = rate_limit.per_seconds if rate_limit else DEFAULT_PERIOD
        self._last: _State | None = None

    def acquire(self, max_wait: float) -> float:
        """Reserve one request and return how many seconds to wait before sending it.

        When the wait would be longer than `max_wait` nothing is reserved and the
        wait is returned anyway, so the caller can report when to try again.
        """
        now = time.time()
        store = caches[DEFAULT_CACHE_ALIAS]  # this thread's cache, looked up once a call
        state = self._load(store, now)
        wait = max(0.0, state.blocked_until - now)
        if state.capacity:
            wait = max(wait, (1.0 - state.tokens) / state.rate)
        if wait > max_wait:
            return wait
        if state.capacity:
            state.tokens -= 1.0
            self._save(store, state, now)
        self._last = state
        return wait

    def observe(self, headers: Mapping[str, str]) -> list[WindowReading]:
        """Correct the bucket from a response's rate-limit headers; return what they said
        (the call log keeps the headroom for the per-minute rollups)."""
        now = time.time()
        readings = read_windows(headers, self.windows, now)
        if not readings:
            return readings
        # The state read by this client's last `acquire` (milliseconds old) saves a
        # cache read; it is written back only when the headers change it.
        if self._last:
            state = self._refill(_State(*self._last.as_tuple()), now)
        else:
            state = self._load(caches[DEFAULT_CACHE_ALIAS], now)
        before = state.as_tuple()
        for reading in readings:
            self._apply(state, reading, now)
        if state.as_tuple() != before:
            self._save(caches[DEFAULT_CACHE_ALIAS], state, now)
        return readings

    def _apply(self, state: _State, reading: WindowReading, now: float) -> None:
        if reading.remaining == 0 and reading.reset_seconds:
            state.blocked_until = max(state.blocked_until, now + reading.reset_seconds)
        if reading.window.kind != "rate":
            return
        if reading.limit and reading.limit != state.capacity:
            first_sight = not state.capacity
            state.capacity = float(reading.limit)
            state.rate = reading.limit / self.period
            state.tokens = state.capacity if first_sight else min(state.tokens, state.capacity)
        # Less than one token of drift is rounding, not news: skip the write.
        if reading.remaining is not None and reading.remaining < state.tokens - 1:
            state.tokens = float(reading.remaining)

    def _load(self, store: BaseCache, now: float) -> _State:
        raw = store.get(self.key)
        if raw is None:
            capacity = float(self.rate_limit.requests) if self.rate_limit else 0.0
            return _State(
                tokens=capacity, capacity=capacity, rate=capacity / self.period, updated=now
            )
        return self._refill(_State(*raw), now)

    def _refill(self, state: _State, now: float) -> _State:
        """`state` (changed in place) with the tokens earned since it was last updated."""
        if state.capacity:
            elapsed = max(0.0, now - state.updated)
            state.tokens = min(state.capacity, state.tokens + elapsed * state.rate)
        state.updated = now
        return state

    def _save(self, store: BaseCache, state: _State, now: float) -> None:
        timeout = max(3600.0, state.blocked_until - now + 60.0)
        store.set(self.key, state.as_tuple(), timeout=timeout)
