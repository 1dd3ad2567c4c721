"""The connection page's series, read from the rollups, for a known call log."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from integrations.http.call_log import CallRecord
from integrations.models import CallRollup, CallRollupHour, Connection
from integrations.services.call_charts import (
    RANGES,
    connection_chart_buckets,
    connection_headroom,
)
from integrations.services.call_log_sink import DatabaseCallLogSink
from integrations.services.call_rollups import COUNT_FIELDS, minute_of, percentile

NOW = datetime(2026, 3, 4, 12, 0, 30, tzinfo=UTC)


def record(conn: Connection, at: datetime, **changes) -> CallRecord:
    base = CallRecord(conn.pk, conn.provider, "GET", "/", 200, 40, 1, "", "", 10, at)
    return replace(base, **changes)


@pytest.fixture
def conn(db) -> Connection:
    return Connection.objects.create(provider="asana", name="charts", api_token="t")


def test_the_hour_has_one_bucket_a_minute_with_rates_and_percentiles(conn):
    minute = NOW - timedelta(minutes=10)
    rows = [record(conn, minute)] * 6 + [
        record(conn, minute, status=503, error_class="X", duration_ms=900),
        record(conn, minute, status=429, error_class="X", duration_ms=250),
        record(conn, minute, status=None, error_class="X", timed_out=True, duration_ms=15000),
        record(conn, minute, status=404, error_class="X"),
    ]
    rows.append(record(conn, NOW - timedelta(hours=2)))  # outside the hour
    DatabaseCallLogSink().write(rows)

    (bucket,) = connection_chart_buckets(conn, "1h", now=NOW)
    assert bucket.start == minute.replace(second=0)
    assert (bucket.calls, bucket.calls_per_minute) == (10, 10.0)
    assert bucket.error_rates == (10.0, 10.0, 10.0, 10.0, 0.0)  # 5xx, 429, timeout, 4xx, other
    assert bucket.p50 <= 50
    assert 10000 <= bucket.p99 <= 20000


def test_the_month_groups_minutes_into_six_hour_buckets(conn):
    start = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)  # a six-hour boundary
    DatabaseCallLogSink().write(
        [record(conn, start + timedelta(minutes=m)) for m in range(0, 360, 30)]
        + [record(conn, start - timedelta(days=3))]
    )
    buckets = connection_chart_buckets(conn, "30d", now=NOW)
    assert [(b.start, b.calls) for b in buckets] == [
        (start - timedelta(days=3), 1),
        (start, 12),
    ]
    assert buckets[1].calls_per_minute == pytest.approx(12 / 360)


def test_headroom_is_estimated_without_headers_and_unknown_without_limits(conn, db):
    DatabaseCallLogSink().write([record(conn, NOW - timedelta(minutes=3))] * 30)
    buckets = connection_chart_buckets(conn, "1h", now=NOW)
    (estimate,) = connection_headroom(conn, "1h", buckets, now=NOW)
    assert estimate.source == "estimate"
    assert "at most 30.0 calls a minute of the plan's 150" in estimate.text

    recruitee = Connection.objects.create(provider="recruitee", name="r", api_token="t")
    (unknown,) = connection_headroom(recruitee, "1h", [], now=NOW)
    assert unknown.source == "unknown"


def test_headroom_from_affinity_headers(db):
    conn = Connection.objects.create(provider="affinity", name="a", api_token="t")
    at = NOW - timedelta(minutes=2)
    DatabaseCallLogSink().write(
        [
            record(
                conn,
                at,
                rate_remaining=700,
                rate_limit=900,
                quota_remaining=39000,
                quota_limit=40000,
            ),
            record(conn, at, rate_remaining=650, rate_limit=900),
        ]
    )
    texts = [h.text for h in connection_headroom(conn, "1h", [], now=NOW)]
    assert texts == [
        "Per-minute: the fewest calls left were 650 of 900.",
        "Monthly: the fewest calls left were 39,000 of 40,000.",
    ]


def test_the_page_is_for_staff(client, user, staff_user, conn):
    client.force_login(user)
    assert client.get(f"/connections/{conn.pk}/health/").status_code == 403  # not a login page
    client.force_login(staff_user)
    page = client.get(f"/connections/{conn.pk}/health/?range=7d")
    assert page.status_code == 200
    assert b'id="health-chart-data"' in page.content


@pytest.mark.parametrize("range_key", ["7d", "30d"])
def test_the_long_views_read_hours_that_give_the_minutes_buckets_and_percentiles(
    conn, range_key, django_assert_num_queries
):
    rng = random.Random(7)
    now = NOW.replace(minute=0, second=0)  # on the hour: both readings cover the same minutes
    DatabaseCallLogSink().write(
        [
            record(
                conn,
                now - timedelta(minutes=rng.randrange(1, 6 * 1440)),
                duration_ms=int(rng.lognormvariate(5, 1.2)),
                status=rng.choice([200, 200, 200, 503]),
            )
            for _ in range(3000)
        ]
    )
    span, step, _label = RANGES[range_key]
    expected = {}
    for row in CallRollup.objects.filter(connection=conn, minute__gt=minute_of(now) - span):
        sums = expected.setdefault(row.minute // step, dict.fromkeys(COUNT_FIELDS, 0))
        for name in COUNT_FIELDS:
            sums[name] += getattr(row, name)

    with django_assert_num_queries(1):
        buckets = connection_chart_buckets(conn, range_key, now=now)

    assert [int(b.start.timestamp()) // 60 // step for b in buckets] == sorted(expected)
    for bucket in buckets:
        sums = expected[int(bucket.start.timestamp()) // 60 // step]
        assert bucket.calls == sums["calls"]
        assert bucket.error_rates[0] == pytest.approx(100 * sums["errors_5xx"] / sums["calls"])
        assert (bucket.p50, bucket.p95, bucket.p99) == tuple(
            percentile(sums, f) for f in (0.5, 0.95, 0.99)
        )
    assert sum(b.calls for b in buckets) == 3000
    assert CallRollupHour.objects.count() < CallRollup.objects.count()
