"""Per-minute rollups: the sink adds each batch to its minutes' rows, with the raw rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import responses
from django.core.management import call_command
from django.utils import timezone

from integrations.http.call_log import CallRecord
from integrations.models import CallLog, CallRollup, Connection
from integrations.services.call_log_sink import DatabaseCallLogSink
from integrations.services.call_rollups import minute_of, minute_start, percentile

MINUTE = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def call(connection_id: int | None, *, second: int = 5, **changes: object) -> CallRecord:
    record = CallRecord(
        connection_id=connection_id,
        provider="affinity",
        method="GET",
        path="/organizations",
        status=200,
        duration_ms=80,
        attempt=1,
        error_class="",
        request_id="",
        response_bytes=100,
        created_at=MINUTE + timedelta(seconds=second),
    )
    return replace(record, **changes)


@pytest.fixture
def conn(db) -> Connection:
    return Connection.objects.create(provider="affinity", name="rollups", api_token="t")


def test_a_batch_is_summed_by_minute_with_errors_by_class_latency_and_headroom(conn):
    rows = [
        call(conn.pk),
        call(conn.pk, duration_ms=250, response_bytes=50, rate_remaining=40, rate_limit=900),
        call(conn.pk, status=404, error_class="NotFoundError", rate_remaining=12, rate_limit=900),
        call(conn.pk, status=429, error_class="RateLimitedError", quota_remaining=300),
        call(conn.pk, status=503, error_class="ProviderUnavailableError", duration_ms=1200),
        call(conn.pk, status=None, error_class="ProviderUnavailableError", timed_out=True),
        call(conn.pk, status=None, error_class="ProviderUnavailableError", duration_ms=25000),
        call(conn.pk, second=65),  # the next minute
        call(None),  # no connection: raw row only
    ]
    assert DatabaseCallLogSink().write(rows) == 9

    assert CallLog.objects.count() == 9
    first, second = CallRollup.objects.order_by("minute")
    assert (minute_start(first.minute), minute_start(second.minute)) == (
        MINUTE,
        MINUTE + timedelta(minutes=1),
    )
    assert first.calls == 7 and second.calls == 1
    assert (first.errors_4xx, first.errors_429, first.errors_5xx) == (1, 1, 1)
    assert (first.errors_timeout, first.errors_other) == (1, 1)
    assert first.response_bytes == 650
    assert (first.lat_100, first.lat_300, first.lat_1500, first.lat_inf) == (4, 1, 1, 1)
    assert (first.rate_remaining_min, first.rate_limit) == (12, 900)
    assert (first.quota_remaining_min, first.quota_limit) == (300, None)
    assert second.rate_remaining_min is None


def test_batches_of_the_same_minute_add_up(conn):
    sink = DatabaseCallLogSink()
    sink.write([call(conn.pk), call(conn.pk, status=500, error_class="X", rate_remaining=30)])
    sink.write([call(conn.pk, rate_remaining=50, rate_limit=60)] * 3)

    rollup = CallRollup.objects.get()
    assert (rollup.calls, rollup.errors_5xx, rollup.lat_100) == (5, 1, 5)
    assert (rollup.rate_remaining_min, rollup.rate_limit) == (30, 60)


def test_percentiles_are_estimated_inside_the_true_values_bucket():
    # 90 calls of 40 ms, 9 of 250 ms, 1 of 4 s.
    histogram = {"lat_50": 90, "lat_300": 9, "lat_5000": 1}
    assert 0 <= percentile(histogram, 0.5) <= 50
    assert 200 <= percentile(histogram, 0.95) <= 300
    assert 3000 <= percentile(histogram, 0.999) <= 5000
    assert percentile({}, 0.5) is None
    assert percentile({"lat_inf": 3}, 0.99) == 20000


def test_the_client_records_the_headroom_the_headers_give(conn, make_client, rsps):
    rsps.add(
        responses.GET,
        "https://api.example.test/organizations",
        json={"organizations": []},
        headers={
            "X-Ratelimit-Limit-User": "900",
            "X-Ratelimit-Limit-User-Remaining": "880",
            "X-Ratelimit-Limit-User-Reset": "30",
            "X-Ratelimit-Limit-Org": "40000",
            "X-Ratelimit-Limit-Org-Remaining": "3500",
            "X-Ratelimit-Limit-Org-Reset": "100000",
        },
    )
    from integrations.http import call_log

    client = make_client("affinity", record_calls=True, connection_id=conn.pk)
    client.get("/organizations")
    (record,) = call_log.buffer.pending()
    assert (record.rate_remaining, record.rate_limit) == (880, 900)
    assert (record.quota_remaining, record.quota_limit) == (3500, 40000)


def test_a_timeout_is_recorded_as_one(conn, make_client, rsps):
    import requests

    from integrations.http import call_log
    from integrations.http.errors import ProviderUnavailableError

    rsps.add(responses.GET, "https://api.example.test/x", body=requests.ReadTimeout("slow"))
    client = make_client("recruitee", record_calls=True, connection_id=conn.pk)
    with pytest.raises(ProviderUnavailableError):
        client.get("/x")
    attempts = call_log.buffer.pending()
    assert attempts and all(r.timed_out for r in attempts)


def test_backfill_rebuilds_the_minutes_of_stored_rows_once(conn):
    old = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=2)
    CallLog.objects.bulk_create(
        [
            CallLog(
                connection=conn,
                provider="affinity",
                method="GET",
                path="/",
                status=s,
                duration_ms=10,
                created_at=old + timedelta(seconds=n),
            )
            for n, s in enumerate([200, 200, 500])
        ]
    )
    call_command("rollup_call_log", stdout=StringIO())
    call_command("rollup_call_log", stdout=StringIO())  # idempotent

    rollup = CallRollup.objects.get()
    assert (minute_start(rollup.minute), rollup.calls, rollup.errors_5xx) == (old, 3, 1)


def test_prune_keeps_rollups_longer_than_raw_rows(conn, settings):
    settings.CALL_LOG_RETENTION_DAYS = 14
    settings.CALL_ROLLUP_RETENTION_DAYS = 90
    now = timezone.now().replace(second=0, microsecond=0)
    for days in (20, 100):
        CallLog.objects.create(
            connection=conn,
            provider="affinity",
            method="GET",
            path="/",
            created_at=now - timedelta(days=days),
        )
        CallRollup.objects.create(
            connection=conn, minute=minute_of(now - timedelta(days=days)), calls=1
        )
    call_command("prune_call_log", stdout=StringIO())

    assert CallLog.objects.count() == 0
    assert [r.minute for r in CallRollup.objects.all()] == [minute_of(now - timedelta(days=20))]
