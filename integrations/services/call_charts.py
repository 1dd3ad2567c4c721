"""What a connection's health page charts: series read only from the rollups.

Each range groups the rollups into fixed buckets in SQL (`minute / step`, integer
division on SQLite and PostgreSQL). The 1-hour and 24-hour views read the per-minute
rows (at most 1,440 a connection); the 7- and 30-day views the hourly ones (at most
720 instead of 43,200), which hold exactly the sums of their minutes, so the buckets,
and the percentiles estimated from their summed histograms, are the same as from the
minutes. Those two views start at the first whole hour of the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import F, IntegerField, Max, Min, QuerySet, Sum
from django.db.models.expressions import ExpressionWrapper
from django.utils import timezone

from integrations.models import CallRollup, CallRollupHour, Connection
from integrations.models.call_rollup import LATENCY_FIELDS
from integrations.providers import PROVIDERS
from integrations.services.call_rollups import (
    COUNT_FIELDS,
    SAMPLE_FIELDS,
    minute_of,
    percentile,
)

# Range key -> (minutes shown, minutes per bucket, label).
RANGES = {
    "1h": (60, 1, "1 hour"),
    "24h": (1440, 15, "24 hours"),
    "7d": (7 * 1440, 60, "7 days"),
    "30d": (30 * 1440, 360, "30 days"),
}
# Ranges at least this long read the hourly rollups (their buckets are whole hours).
HOURLY_FROM_MINUTES = 7 * 1440
ERROR_CLASSES = ("5xx", "429", "timeout", "4xx", "other")


@dataclass(frozen=True)
class Bucket:
    start: datetime
    calls: int
    calls_per_minute: float
    error_rates: tuple[float, ...]  # percent of the bucket's calls, in ERROR_CLASSES order
    p50: float | None
    p95: float | None
    p99: float | None
    # The largest outbox backlog the scheduler sampled in the bucket (None: no sample).
    outbox_pending: int | None
    outbox_attention: int | None


@dataclass(frozen=True)
class Headroom:
    """Rate-limit headroom over the range: "headers" (the provider reports it), "estimate"
    (the busiest bucket's calls per minute against the documented limit) or "unknown"."""

    source: str
    text: str


def rollups_in_range(
    connection: Connection, range_key: str, now: datetime | None = None
) -> tuple[QuerySet, str, int]:
    """The range's rollup rows, the column holding their span (minute or hour) and how
    many of those spans make one bucket."""
    span, step, _label = RANGES[range_key]
    end = minute_of(now or timezone.now())
    if span >= HOURLY_FROM_MINUTES:
        rows = CallRollupHour.objects.filter(connection=connection, hour__gt=(end - span) // 60)
        return rows, "hour", step // 60
    return CallRollup.objects.filter(connection=connection, minute__gt=end - span), "minute", step


def connection_chart_buckets(
    connection: Connection, range_key: str, *, now: datetime | None = None
) -> list[Bucket]:
    """The range's buckets that have a rollup row (calls or an outbox sample), oldest first."""
    step = RANGES[range_key][1]
    rollups, key, per_bucket = rollups_in_range(connection, range_key, now)
    bucket = ExpressionWrapper(F(key) / per_bucket, output_field=IntegerField())
    rows = (
        rollups.annotate(bucket=bucket)
        .values("bucket")
        .annotate(
            **{f"sum_{name}": Sum(name) for name in COUNT_FIELDS},
            **{f"max_{name}": Max(name) for name in SAMPLE_FIELDS},
        )
        .order_by("bucket")
    )
    buckets = []
    for row in rows:
        calls = row["sum_calls"]
        histogram = {name: row[f"sum_{name}"] for name in LATENCY_FIELDS}
        buckets.append(
            Bucket(
                start=datetime.fromtimestamp(row["bucket"] * step * 60, UTC),
                calls=calls,
                calls_per_minute=calls / step,
                error_rates=tuple(
                    100 * row[f"sum_errors_{name}"] / calls if calls else 0.0
                    for name in ERROR_CLASSES
                ),
                p50=percentile(histogram, 0.50),
                p95=percentile(histogram, 0.95),
                p99=percentile(histogram, 0.99),
                outbox_pending=row["max_outbox_pending"],
                outbox_attention=row["max_outbox_attention"],
            )
        )
    return buckets


def connection_headroom(
    connection: Connection, range_key: str, buckets: list[Bucket], *, now: datetime | None = None
) -> list[Headroom]:
    provider = PROVIDERS.get(connection.provider)
    if provider is None:
        return [Headroom("unknown", "Unknown: the provider is not installed.")]
    if provider.rate_limit_windows:
        rollups = rollups_in_range(connection, range_key, now)[0]
        readings = []
        for window, remaining, limit in (
            ("Per-minute", "rate_remaining_min", "rate_limit"),
            ("Monthly", "quota_remaining_min", "quota_limit"),
        ):
            seen = rollups.aggregate(least=Min(remaining), limit=Max(limit))
            if seen["least"] is not None:
                of = f" of {seen['limit']:,}" if seen["limit"] else ""
                text = f"{window}: the fewest calls left were {seen['least']:,}{of}."
                readings.append(Headroom("headers", text))
        return readings or [Headroom("headers", "No rate-limit headers in this range.")]
    if provider.rate_limit:
        per_minute = provider.rate_limit.requests * 60 / provider.rate_limit.per_seconds
        busiest = max((b.calls_per_minute for b in buckets), default=0.0)
        return [
            Headroom(
                "estimate",
                f"Estimated from call counts: at most {busiest:,.1f} calls a minute of the "
                f"plan's {per_minute:,.0f} (no rate-limit headers).",
            )
        ]
    return [Headroom("unknown", f"Unknown: {provider.display_name} reports no rate limits.")]
