"""The token bucket: documented start, header corrections, shared state, client use."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from integrations.http import ratelimit
from integrations.http.errors import RateLimitedError
from integrations.http.ratelimit import RateLimit, RateLimitWindow, TokenBucket
from integrations.providers import PROVIDERS

GENERIC = PROVIDERS["projecttool"].rate_limit_windows
AFFINITY = PROVIDERS["affinity"].rate_limit_windows


def test_starts_from_the_documented_limit():
    bucket = TokenBucket("t1", rate_limit=RateLimit(2, 60.0))
    assert bucket.acquire(max_wait=10) == 0
    assert bucket.acquire(max_wait=10) == 0
    wait = bucket.acquire(max_wait=10)  # the third must wait ~30 s: nothing reserved
    assert 29 < wait <= 30
    assert 29 < bucket.acquire(max_wait=100) <= 30  # reserved this time
    assert 59 < bucket.acquire(max_wait=10) <= 60


def test_state_is_shared_through_the_cache():
    TokenBucket("shared", rate_limit=RateLimit(1, 60.0)).acquire(max_wait=0)
    assert TokenBucket("shared", rate_limit=RateLimit(1, 60.0)).acquire(max_wait=0) > 50


def test_unknown_limit_does_not_throttle_until_headers_say_so():
    bucket = TokenBucket("generic", rate_limit=None, windows=GENERIC)
    assert all(bucket.acquire(max_wait=0) == 0 for _ in range(50))
    reset = str(int(time.time()) + 20)
    bucket.observe(
        {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    )
    assert 18 < bucket.acquire(max_wait=0) <= 21


def test_remaining_header_lowers_the_tokens():
    bucket = TokenBucket("aff", rate_limit=RateLimit(900, 60.0), windows=AFFINITY)
    bucket.observe({"X-Ratelimit-Limit-User-Remaining": "1", "X-Ratelimit-Limit-User-Reset": "40"})
    assert bucket.acquire(max_wait=0) == 0
    assert bucket.acquire(max_wait=0) > 0


def test_limit_header_resizes_the_bucket():
    bucket = TokenBucket("resize", rate_limit=RateLimit(900, 60.0), windows=AFFINITY)
    bucket.observe({"X-Ratelimit-Limit-User": "60", "X-Ratelimit-Limit-User-Remaining": "60"})
    for _ in range(60):
        bucket.acquire(max_wait=100)
    assert 0.9 < bucket.acquire(max_wait=0) <= 1.01  # 60/min is one a second


@pytest.mark.parametrize("value", ["unlimited", "garbage", "-5", ""])
def test_odd_header_values_are_ignored(value):
    window = RateLimitWindow("L", "R", "S")
    bucket = TokenBucket("odd", rate_limit=RateLimit(5, 60.0), windows=(window,))
    bucket.observe({"L": value, "R": value, "S": value})
    assert bucket.acquire(max_wait=0) == 0


def test_client_waits_within_the_deadline_and_refuses_past_it(
    rsps, make_client, sleeps, monkeypatch
):
    # The clock stands still, so no token refills while 150 calls run on a slow machine.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    rsps.add("GET", "https://app.asana.com/api/1.0/users/me", json={})
    client = make_client("asana", "https://app.asana.com/api/1.0", connection_id=9)
    for _ in range(150):  # Asana's documented 150/min
        client.get("/users/me")
    assert sleeps == []
    client.get("/users/me")  # one more token comes in 0.4 s: wait for it
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 0.4
    hurried = make_client("asana", "https://app.asana.com/api/1.0", connection_id=9, deadline=0.1)
    with pytest.raises(RateLimitedError) as caught:
        hurried.get("/users/me")
    assert caught.value.retry_at is not None
    assert len(rsps.calls) == 151


def test_client_waits_for_a_short_budget_gap(rsps, make_client, sleeps):
    rsps.add("GET", "https://api.example.test/x", json={})
    client = make_client(connection_id=3)
    client.rate_limiter.observe(
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 2)}
    )
    client.get("/x")
    assert sleeps and 0.5 < sleeps[0] <= 2.1


def test_a_limit_learned_from_headers_starts_full():
    bucket = TokenBucket("learned", rate_limit=None, windows=GENERIC)
    bucket.observe({"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "100"})
    assert bucket.acquire(max_wait=0) == 0
