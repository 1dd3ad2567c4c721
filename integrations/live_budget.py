"""A per-user budget for provider calls made while a page renders.

A live read (Affinity's search, a record read by id on its detail or edit
page) spends the provider's quota that every user and every sync share;
Affinity's is monthly. So each person may make LIVE_CALLS_PER_USER_PER_MINUTE
of them per clock minute, counted in Django's cache (Redis shares the count
across processes; `incr` is atomic there). Once the minute's calls are spent,
`page_client` raises `LiveBudgetSpentError`, a `RateLimitedError`, which the
pages already turn into "showing the synced copy", here with how many seconds
live data stays paused.

Every view that calls a provider while rendering gets its client from
`page_client`; background work and writes (the outbox) do not.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache

from integrations.http.client import ApiClient
from integrations.http.errors import RateLimitedError
from integrations.models import Connection
from integrations.services.connections import connection_client

WINDOW_SECONDS = 60
now = time.time  # the budget's clock; tests freeze it


class LiveBudgetSpentError(RateLimitedError):
    """This person's live calls for the current minute are spent; nothing was sent."""

    def __init__(self, message: str, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def page_client(connection: Connection, *, user: Any) -> ApiClient:
    """The client for one live call made while rendering a page for `user`.

    The client is built first: a connection that cannot be used costs no call.
    """
    client = connection_client(connection)
    live_call_spend(user=user, provider=connection.provider_display)
    return client


def live_call_spend(*, user: Any, provider: str) -> None:
    """Count one live call for `user`, or raise `LiveBudgetSpentError` if none is left."""
    limit = settings.LIVE_CALLS_PER_USER_PER_MINUTE
    moment = now()
    window = int(moment // WINDOW_SECONDS)
    if limit > 0 and _count(f"live-budget:{user.pk}:{window}") <= limit:
        return
    retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - moment))
    why = f"you have used the {limit} live reads a person may make each minute"
    raise LiveBudgetSpentError(
        f"Live data from {provider} is paused for {retry_after} seconds: {why}."
        if limit > 0
        else f"Live data from {provider} is turned off here.",
        retry_after=retry_after,
        retry_at=datetime.fromtimestamp(moment + retry_after, UTC),
        provider=provider,
    )


def _count(key: str) -> int:
    """One more call in this window's counter (a key lives two windows, then expires)."""
    cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=2 * WINDOW_SECONDS)
        return 1
