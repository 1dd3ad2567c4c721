"""The retry policy: attempts per status and method, provider-asked waits, the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
import urllib3.exceptions
from responses import matchers

from integrations.http import retries
from integrations.http.errors import (
    AuthenticationError,
    IntegrationError,
    NotFoundError,
    ProviderUnavailableError,
    RateLimitedError,
    ValidationError,
)
from integrations.http.retries import RetryPolicy

URL = "https://api.example.test/things"


@pytest.mark.parametrize(
    ("method", "status", "attempts"),
    [
        ("GET", 429, 5),
        ("GET", 502, 5),
        ("GET", 503, 5),
        ("GET", 504, 5),
        ("GET", 500, 1),
        ("GET", 400, 1),
        ("GET", 401, 1),
        ("GET", 404, 1),
        ("PUT", 502, 5),
        ("PUT", 500, 1),
        ("DELETE", 504, 5),
        ("HEAD", 503, 5),
        ("POST", 429, 5),
        ("POST", 503, 5),
        ("POST", 500, 1),
        ("POST", 502, 1),
        ("POST", 504, 1),
        ("POST", 422, 1),
        ("PATCH", 429, 5),
        ("PATCH", 503, 5),
        ("PATCH", 502, 1),
    ],
)
def test_attempts_per_status_and_method(rsps, make_client, sleeps, method, status, attempts):
    body = {} if method == "HEAD" else {"json": {"error": {"message": "nope"}}}
    rsps.add(method, URL, status=status, **body)
    client = make_client(rate_limiting=False)
    with pytest.raises(IntegrationError) as caught:
        client.request(method, "/things")
    assert caught.value.status == status
    assert len(rsps.calls) == attempts
    assert len(sleeps) == attempts - 1


def test_error_classes_by_status(rsps, make_client):
    client = make_client(rate_limiting=False)
    for status, cls in [(401, AuthenticationError), (404, NotFoundError), (422, ValidationError)]:
        rsps.add("GET", URL, status=status, json={})
        with pytest.raises(cls):
            client.get("/things")
        rsps.reset()


def test_retry_then_success_returns_the_data(rsps, make_client, sleeps):
    rsps.add("GET", URL, status=503)
    rsps.add("GET", URL, status=502)
    rsps.add("GET", URL, json={"ok": True})
    assert make_client(rate_limiting=False).get("/things").data == {"ok": True}
    assert len(sleeps) == 2
    assert all(0 <= s <= 1.0 for s in sleeps)  # full jitter under 0.5 s, then 1 s


def test_retry_after_seconds_is_the_shortest_wait(rsps, make_client, sleeps):
    rsps.add("GET", URL, status=429, headers={"Retry-After": "3"})
    rsps.add("GET", URL, json={})
    make_client(rate_limiting=False).get("/things")
    assert 2.9 <= sleeps[0] <= 3.6


def test_retry_after_http_date(rsps, make_client, sleeps):
    moment = datetime.now(UTC) + timedelta(seconds=6)
    rsps.add("POST", URL, status=503, headers={"Retry-After": format_datetime(moment, True)})
    rsps.add("POST", URL, status=201, json={"id": 1})
    assert make_client(rate_limiting=False).post("/things", json={}).status == 201
    assert 4.5 <= sleeps[0] <= 6.6


def test_affinity_user_reset_header_sets_the_wait(rsps, make_client, sleeps):
    headers = {
        "X-Ratelimit-Limit-User": "900",
        "X-Ratelimit-Limit-User-Remaining": "0",
        "X-Ratelimit-Limit-User-Reset": "4",
    }
    rsps.add("GET", "https://api.affinity.co/auth/whoami", status=429, headers=headers)
    rsps.add("GET", "https://api.affinity.co/auth/whoami", json={})
    client = make_client("affinity", "https://api.affinity.co", rate_limiting=False)
    client.get("/auth/whoami")
    assert 3.9 <= sleeps[0] <= 4.6


def test_generic_reset_header_is_unix_time(rsps, make_client, sleeps):
    reset = int(datetime.now(UTC).timestamp()) + 5
    headers = {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(reset),
    }
    rsps.add("GET", URL, status=429, headers=headers)
    rsps.add("GET", URL, json={})
    make_client(rate_limiting=False).get("/things")
    assert 3.5 <= sleeps[0] <= 5.6


def test_wait_past_the_deadline_raises_rate_limited_at_once(rsps, make_client, sleeps):
    rsps.add("GET", URL, status=429, headers={"Retry-After": "30"})
    client = make_client(rate_limiting=False, deadline=8)
    with pytest.raises(RateLimitedError) as caught:
        client.get("/things")
    assert len(rsps.calls) == 1
    assert sleeps == []
    expected = datetime.now(UTC) + timedelta(seconds=30)
    assert abs((caught.value.retry_at - expected).total_seconds()) < 2


def test_unavailable_with_retry_after_past_deadline_becomes_rate_limited(rsps, make_client):
    rsps.add("POST", URL, status=503, headers={"Retry-After": "120"})
    with pytest.raises(RateLimitedError) as caught:
        make_client(rate_limiting=False).post("/things", json={"name": "x"})
    assert caught.value.status == 503
    assert isinstance(caught.value.__cause__, ProviderUnavailableError)
    assert len(rsps.calls) == 1


def test_background_deadline_waits_instead(rsps, make_client, sleeps):
    rsps.add("GET", URL, status=429, headers={"Retry-After": "30"})
    rsps.add("GET", URL, json={})
    make_client(rate_limiting=False, deadline=300).get("/things")
    assert sleeps[0] >= 29.9


def test_affinity_spent_monthly_limit_is_not_retried(rsps, make_client, sleeps):
    five_days = 5 * 24 * 3600
    headers = {
        "X-Ratelimit-Limit-User-Remaining": "500",
        "X-Ratelimit-Limit-User-Reset": "30",
        "X-Ratelimit-Limit-Org": "100000",
        "X-Ratelimit-Limit-Org-Remaining": "0",
        "X-Ratelimit-Limit-Org-Reset": str(five_days),
    }
    whoami = "https://api.affinity.co/organizations"
    rsps.add("GET", whoami, status=429, headers=headers, json={"message": "Monthly limit"})
    client = make_client("affinity", "https://api.affinity.co", deadline=300)
    with pytest.raises(RateLimitedError) as caught:
        client.get("/organizations")
    expected = datetime.now(UTC) + timedelta(seconds=five_days)
    assert abs((caught.value.retry_at - expected).total_seconds()) < 5
    assert len(rsps.calls) == 1 and sleeps == []
    # The limiter remembers: the next call is refused without reaching Affinity.
    with pytest.raises(RateLimitedError):
        client.get("/organizations")
    assert len(rsps.calls) == 1


def _refused() -> requests.ConnectionError:
    reason = urllib3.exceptions.NewConnectionError(None, "Connection refused")
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, URL, reason))


def _dropped() -> requests.ConnectionError:
    return requests.ConnectionError(urllib3.exceptions.ProtocolError("Connection aborted."))


@pytest.mark.parametrize("failure", [requests.ReadTimeout, _dropped])
def test_post_is_not_retried_once_sent(rsps, make_client, failure):
    rsps.add("POST", URL, body=failure())
    with pytest.raises(ProviderUnavailableError) as caught:
        make_client(rate_limiting=False).post("/things", json={"name": "x"})
    assert caught.value.outcome_unknown is True
    assert isinstance(caught.value.__cause__, requests.RequestException)
    assert len(rsps.calls) == 1


def test_post_is_retried_on_connection_refused(rsps, make_client):
    rsps.add("POST", URL, body=_refused())
    rsps.add(
        "POST", URL, status=201, json={"id": 7}, match=[matchers.json_params_matcher({"name": "x"})]
    )
    response = make_client(rate_limiting=False).post("/things", json={"name": "x"})
    assert response.data == {"id": 7}
    assert len(rsps.calls) == 2


def test_connection_refused_outcome_is_known(rsps, make_client):
    rsps.add("POST", URL, body=_refused())
    with pytest.raises(ProviderUnavailableError) as caught:
        make_client(rate_limiting=False).post("/things", json={})
    assert caught.value.outcome_unknown is False
    assert len(rsps.calls) == 5


@pytest.mark.parametrize("failure", [requests.ReadTimeout, requests.ConnectTimeout, _dropped])
def test_get_is_retried_on_any_transport_error(rsps, make_client, failure):
    rsps.add("GET", URL, body=failure())
    rsps.add("GET", URL, json={"ok": 1})
    assert make_client(rate_limiting=False).get("/things").data == {"ok": 1}


def test_outcome_known_on_503_and_429(rsps, make_client):
    client = make_client(rate_limiting=False, deadline=0.01)
    for status in (503, 429):
        rsps.add("POST", URL, status=status)
        with pytest.raises(IntegrationError) as caught:
            client.post("/things", json={})
        assert getattr(caught.value, "outcome_unknown", False) is False
        rsps.reset()


def test_the_deadline_counts_the_time_the_attempts_took(monkeypatch):
    """A slow failed attempt uses up the deadline: no retry is started past it."""
    policy = RetryPolicy(retry_statuses=frozenset({503}), write_retry_statuses=frozenset())
    now = iter([0.0, 9.5])  # the loop's start, then the end of a 9.5 s first attempt
    monkeypatch.setattr(retries.time, "monotonic", lambda: next(now))
    monkeypatch.setattr(policy, "backoff", lambda attempt_number: 0.25)
    attempts, sleeps = [], []

    def attempt(number: int) -> None:
        attempts.append(number)
        raise ProviderUnavailableError("unavailable", status=503)

    with pytest.raises(ProviderUnavailableError):
        policy.call("GET", attempt, deadline=9.6, sleep=sleeps.append)
    assert attempts == [1]
    assert sleeps == []
