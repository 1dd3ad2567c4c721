"""Each fault setting does what it promises, on the wire."""

import time

import pytest
import requests

from .conftest import TIMEOUT

RECRUITEE = {"Authorization": "Bearer sandbox-recruitee"}


def offers_url(sbx):
    return f"{sbx.url_for('recruitee')}/c/1/offers"


def create_candidate(sbx, name, timeout=TIMEOUT):
    url = f"{sbx.url_for('recruitee')}/c/1/candidates"
    return requests.post(
        url, headers=RECRUITEE, json={"candidate": {"name": name}}, timeout=timeout
    )


def test_latency_fixed_plus_jitter(sbx):
    sbx.set_faults("recruitee", latency_ms=150, jitter_ms=50)
    started = time.monotonic()
    requests.get(offers_url(sbx), headers=RECRUITEE, timeout=TIMEOUT)
    assert 0.15 <= time.monotonic() - started < 1.0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_error_statuses(sbx, status):
    sbx.set_faults("recruitee", error_rate=1, error_statuses=[status])
    response = requests.get(offers_url(sbx), headers=RECRUITEE, timeout=TIMEOUT)
    assert response.status_code == status
    if status == 502:  # a gateway's HTML page, not the provider's JSON
        assert response.headers["Content-Type"].startswith("text/html")
    else:  # the provider's own error shape
        assert isinstance(response.json()["error"], list)


def test_injected_429_carries_retry_after_and_the_provider_body(sbx):
    sbx.set_faults("asana", error_rate=1, error_statuses=[429], retry_after=7)
    response = requests.get(
        f"{sbx.url_for('asana')}/users/me",
        headers={"Authorization": "Bearer sandbox-asana"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["errors"][0]["message"]


def test_affinity_faults_keep_the_rate_limit_headers(sbx):
    sbx.set_faults("affinity", error_rate=1, error_statuses=[503])
    response = requests.get(
        f"{sbx.url_for('affinity')}/auth/whoami", auth=("", "sandbox-affinity"), timeout=TIMEOUT
    )
    assert response.status_code == 503
    assert "X-Ratelimit-Limit-User-Remaining" in response.headers


def test_share_of_errors_is_deterministic_with_a_seed(sbx):
    def run():
        sbx.set_faults("recruitee", error_rate=0.5, error_statuses=[500, 503], seed=42)
        return [
            requests.get(offers_url(sbx), headers=RECRUITEE, timeout=TIMEOUT).status_code
            for _ in range(12)
        ]

    first = run()
    assert first == run()
    assert {200, 500} <= set(first) or {200, 503} <= set(first)


def test_max_faults_then_success(sbx):
    sbx.set_faults("recruitee", error_rate=1, error_statuses=[503], max_faults=2)
    statuses = [
        requests.get(offers_url(sbx), headers=RECRUITEE, timeout=TIMEOUT).status_code
        for _ in range(3)
    ]
    assert statuses == [503, 503, 200]


def test_methods_limit_faults_to_some_verbs(sbx):
    sbx.set_faults("recruitee", error_rate=1, error_statuses=[500], methods=["POST"])
    assert requests.get(offers_url(sbx), headers=RECRUITEE, timeout=TIMEOUT).status_code == 200
    assert create_candidate(sbx, "Never Created").status_code == 500


def test_hang_outlasts_the_client_timeout(sbx):
    sbx.set_faults("recruitee", hang_rate=1, hang_seconds=1.0, max_faults=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(offers_url(sbx), headers=RECRUITEE, timeout=(TIMEOUT, 0.3))
    assert requests.get(offers_url(sbx), headers=RECRUITEE, timeout=TIMEOUT).status_code == 200


def test_a_hung_write_is_received_then_handled_after_the_hang(sbx):
    before = sbx.count("recruitee_candidates")
    sbx.set_faults("recruitee", hang_rate=1, hang_seconds=1.0, max_faults=1, methods=["POST"])
    with pytest.raises(requests.exceptions.ReadTimeout):
        create_candidate(sbx, "Late Answer", timeout=(TIMEOUT, 0.3))
    assert sbx.count("recruitee_candidates") == before  # accepted, still queued
    deadline = time.monotonic() + 5
    while sbx.count("recruitee_candidates") == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sbx.count("recruitee_candidates") == before + 1  # handled, though nobody heard


@pytest.mark.parametrize(
    ("provider", "path"),
    [("recruitee", "/c/1/offers"), ("affinity", "/auth/whoami"), ("projects", "/users/me"),
     ("asana", "/users/me")],
)  # fmt: skip
def test_a_hang_holds_only_what_the_door_accepted(sbx, provider, path):
    sbx.set_faults(provider, hang_rate=1, hang_seconds=5)
    started = time.monotonic()
    refused = requests.get(
        sbx.url_for(provider) + path, headers={"Authorization": "Bearer wrong"}, timeout=TIMEOUT
    )
    assert refused.status_code == 401
    assert time.monotonic() - started < 2, "bad credentials are refused at once"


def test_drop_before_the_body_changes_nothing(sbx):
    before = sbx.count("recruitee_candidates")
    sbx.set_faults("recruitee", drop_before_rate=1, methods=["POST"])
    with pytest.raises(requests.exceptions.ConnectionError):
        create_candidate(sbx, "Dropped Before")
    assert sbx.count("recruitee_candidates") == before


def test_drop_after_processing_leaves_the_outcome_unknown(sbx):
    before = sbx.count("recruitee_candidates")
    sbx.set_faults("recruitee", drop_after_rate=1, methods=["POST"])
    with pytest.raises(requests.exceptions.ConnectionError):
        create_candidate(sbx, "Dropped After")
    assert sbx.count("recruitee_candidates") == before + 1  # the write happened


def test_truncated_body(sbx):
    sbx.set_faults("recruitee", truncate_rate=1)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(offers_url(sbx), headers=RECRUITEE, timeout=TIMEOUT)


def test_faults_stay_with_their_provider(sbx):
    sbx.set_faults("recruitee", error_rate=1, error_statuses=[500])
    response = requests.get(
        f"{sbx.url_for('asana')}/users/me",
        headers={"Authorization": "Bearer sandbox-asana"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200


def test_rate_limit_fault_gives_recruitee_a_budget(sbx):
    sbx.set_faults("recruitee", rate_limit_per_minute=1, retry_after=1)
    assert requests.get(offers_url(sbx), headers=RECRUITEE, timeout=TIMEOUT).status_code == 200
    limited = requests.get(offers_url(sbx), headers=RECRUITEE, timeout=TIMEOUT)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
