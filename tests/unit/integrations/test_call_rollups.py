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
from integrations.models import CallLog, CallRollup, CallRollupHour, Connection, OutboxItem
from integrations.services.call_log_sink import DatabaseCallLogSink
from integrations.services.call_rollups import (
    COUNT_FIELDS,
    minute_of,
    minute_start,
    percentile,
    sample_outbox,
)

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
    call_command("prune_history", stdout=StringIO())

    assert CallLog.objects.count() == 0
    assert [r.minute for r in CallRollup.objects.all()] == [minute_of(now - timedelta(days=20))]


def test_each_hour_row_is_the_sum_of_its_minutes(conn):
    sink = DatabaseCallLogSink()
    sink.write([call(conn.pk, second=s, rate_remaining=50 - s // 30) for s in range(0, 600, 30)])
    sink.write(
        [
            call(conn.pk, second=3355, status=503, error_class="X", duration_ms=900),
            call(conn.pk, second=3365, quota_remaining=10, quota_limit=40000),  # next hour
        ]
    )

    hours = list(CallRollupHour.objects.order_by("hour"))
    assert [h.hour for h in hours] == [minute_of(MINUTE) // 60, minute_of(MINUTE) // 60 + 1]
    for hour in hours:
        minutes = CallRollup.objects.filter(
            connection=conn, minute__gte=hour.hour * 60, minute__lt=hour.hour * 60 + 60
        )
        for name in COUNT_FIELDS:
            assert getattr(hour, name) == sum(getattr(m, name) for m in minutes), name
    assert (hours[0].calls, hours[0].errors_5xx, hours[0].rate_remaining_min) == (21, 1, 31)
    assert (hours[1].calls, hours[1].quota_remaining_min, hours[1].rate_remaining_min) == (
        1,
        10,
        None,
    )


def test_backfill_rebuilds_the_hours_and_keeps_the_outbox_samples(conn):
    old = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    CallLog.objects.bulk_create(
        [
            CallLog(
                connection=conn,
                provider="affinity",
                method="GET",
                path="/",
                status=200,
                duration_ms=10,
                created_at=old + timedelta(minutes=n),
            )
            for n in (5, 6, 70)
        ]
    )
    sample_outbox(now=old + timedelta(minutes=6))
    CallRollupHour.objects.update(calls=99)  # in doubt

    call_command("rollup_call_log", stdout=StringIO())
    call_command("rollup_call_log", stdout=StringIO())

    hours = list(CallRollupHour.objects.order_by("hour").values_list("calls", "outbox_pending"))
    assert hours == [(2, 0), (1, None)]
    assert CallRollup.objects.get(minute=minute_of(old) + 6).outbox_pending == 0


def test_prune_keeps_hourly_rollups_longer_than_minutes(conn, settings):
    settings.CALL_ROLLUP_RETENTION_DAYS = 90
    settings.CALL_ROLLUP_HOUR_RETENTION_DAYS = 400
    now = timezone.now()
    for days in (100, 500):
        CallRollupHour.objects.create(
            connection=conn, hour=minute_of(now - timedelta(days=days)) // 60
        )
    call_command("prune_history", stdout=StringIO())
    assert [h.hour for h in CallRollupHour.objects.all()] == [
        minute_of(now - timedelta(days=100)) // 60
    ]


def test_the_outbox_backlog_is_sampled_into_the_minute_and_hour(conn):
    def write(status: str, n: int) -> None:
        OutboxItem.objects.create(
            connection=conn, operation="x", submission_key=f"{status}{n}", status=status
        )

    for n in range(3):
        write(OutboxItem.Status.PENDING, n)
    write(OutboxItem.Status.SENDING, 0)
    write(OutboxItem.Status.NEEDS_ATTENTION, 0)
    write(OutboxItem.Status.DONE, 0)
    Connection.objects.create(provider="asana", name="off", api_token="t", is_active=False)

    assert sample_outbox(now=MINUTE) == 1  # active connections only
    OutboxItem.objects.filter(status=OutboxItem.Status.PENDING).delete()
    sample_outbox(now=MINUTE + timedelta(seconds=30))  # a second scheduler, the same minute
    sample_outbox(now=MINUTE + timedelta(minutes=1))

    minutes = CallRollup.objects.order_by("minute").values_list(
        "outbox_pending", "outbox_attention", "calls"
    )
    assert list(minutes) == [(4, 1, 0), (1, 1, 0)]  # the larger sample of the minute
    hour = CallRollupHour.objects.get()
    assert (hour.outbox_pending, hour.outbox_attention, hour.calls) == (4, 1, 0)
    DatabaseCallLogSink().write([call(conn.pk)])  # calls still add to the sampled row
    assert CallRollup.objects.get(minute=minute_of(MINUTE)).calls == 1
