"""/metrics: token-protected, the exposition parses, and its numbers are the call log's."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from integrations.http.call_log import CallRecord
from integrations.models import CallRollup, Connection, OutboxItem, SyncRun, SyncState
from integrations.services.call_log_sink import DatabaseCallLogSink

pytestmark = pytest.mark.django_db
TOKEN = "metrics-token-0123456789"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client) -> dict[str, dict[tuple, float]]:
    """Every sample as {name: {labels (sorted pairs): value}}."""
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(answer.content.decode()):
        for s in family.samples:
            samples.setdefault(s.name, {})[tuple(sorted(s.labels.items()))] = s.value
    return samples


def labels(conn: Connection, **more: str) -> tuple:
    pairs = {"connection": str(conn.pk), "provider": conn.provider, "name": conn.name, **more}
    return tuple(sorted(pairs.items()))


@pytest.fixture
def known(db):
    """Ten calls of one Asana connection, an hour ago (settled) and a minute ago (not yet)."""
    conn = Connection.objects.create(provider="asana", name="ops", api_token="t")
    ago = timezone.now() - timedelta(hours=1)
    ok = CallRecord(conn.pk, "asana", "GET", "/", 200, 40, 1, "", "", 100, ago)
    DatabaseCallLogSink().write(
        [ok] * 4
        + [replace(ok, duration_ms=250)] * 2
        + [replace(ok, status=503, error_class="ProviderUnavailableError", duration_ms=1200)]
        + [replace(ok, status=429, error_class="RateLimitedError", created_at=timezone.now())]
        + [replace(ok, status=404, error_class="NotFoundError", created_at=timezone.now())]
        + [
            replace(
                ok,
                status=None,
                error_class="ProviderUnavailableError",
                timed_out=True,
                duration_ms=30000,
                response_bytes=0,
                created_at=timezone.now(),
            )
        ]
    )
    return conn


def test_no_token_configured_means_no_endpoint(client, settings, known):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", TOKEN, f"Bearer {TOKEN}x", "Basic x"])
def test_a_missing_or_wrong_token_is_refused(client, token, header):
    headers = {"Authorization": header} if header else {}
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"hub_" not in answer.content


def test_the_counters_and_histogram_are_the_call_logs(client, token, known):
    samples = scrape(client)
    calls = samples["hub_provider_calls_total"]
    assert {
        o: calls[labels(known, outcome=o)] for o in ("ok", "4xx", "429", "5xx", "timeout", "other")
    } == {"ok": 6, "4xx": 1, "429": 1, "5xx": 1, "timeout": 1, "other": 0}
    buckets = samples["hub_provider_call_duration_seconds_bucket"]
    # 40 ms: four ok calls, the 429 and the 404; 250 ms: two; 1.2 s: the 503; 30 s: the timeout.
    assert buckets[labels(known, le="0.05")] == 6
    assert buckets[labels(known, le="0.3")] == 8
    assert buckets[labels(known, le="1.5")] == 9
    assert buckets[labels(known, le="20.0")] == 9
    assert buckets[labels(known, le="+Inf")] == 10
    assert samples["hub_provider_call_duration_seconds_count"][labels(known)] == 10
    seconds = (6 * 40 + 2 * 250 + 1200 + 30000) / 1000
    assert samples["hub_provider_call_duration_seconds_sum"][labels(known)] == seconds
    assert samples["hub_provider_response_bytes_total"][labels(known)] == 900


def test_the_counters_never_go_down_when_old_rollups_are_pruned(client, token, known):
    first = scrape(client)["hub_provider_calls_total"][labels(known, outcome="ok")]
    CallRollup.objects.filter(minute__lt=int(timezone.now().timestamp()) // 60 - 30).delete()
    again = scrape(client)["hub_provider_calls_total"][labels(known, outcome="ok")]
    assert first == again == 6


def test_two_scrapes_count_each_call_once(client, token, known):
    scrape(client)
    later = scrape(client)
    assert later["hub_provider_call_duration_seconds_count"][labels(known)] == 10


def test_the_gauges_count_the_outbox_syncs_and_webhooks(client, token, known):
    for status in ("pending", "pending", "needs_attention"):
        OutboxItem.objects.create(
            connection=known,
            operation="x",
            status=status,
            submission_key=f"{status}-{OutboxItem.objects.count()}",
        )
    SyncRun.objects.create(connection=known, resource="asana_projects", status="failed")
    at = timezone.now().replace(microsecond=0)
    SyncState.objects.create(connection=known, resource="asana_projects", last_success_at=at)
    samples = scrape(client)
    assert samples["hub_outbox_items"][labels(known, status="pending")] == 2
    assert samples["hub_outbox_items"][labels(known, status="needs_attention")] == 1
    runs = samples["hub_sync_runs"]
    assert runs[labels(known, resource="asana_projects", status="failed")] == 1
    last = samples["hub_sync_last_success_timestamp_seconds"]
    assert last[labels(known, resource="asana_projects")] == at.timestamp()
    assert samples["hub_connection_active"][labels(known)] == 1
