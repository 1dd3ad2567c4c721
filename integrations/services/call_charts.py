"""What a connection's health page charts: series read only from the per-minute rollups.

Each range groups the rollups into fixed buckets in SQL (`minute / step`, integer
division on SQLite and PostgreSQL), so the 30-day view is one indexed query over at
most 43,200 rows per connection, answered as 120 buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import F, IntegerField, Max, Min, Sum
from django.db.models.expressions import ExpressionWrapper
from django.utils import timezone

from integrations.models import CallRollup, Connection
from integrations.models.call_rollup import LATENCY_FIELDS
from integrations.providers import PROVIDERS
from integrations.services.call_rollups import COUNT_FIELDS, minute_of, percentile

# Range key -> (minutes shown, minutes per bucket, label).
RANGES = {
    "1h": (60, 1, "1 hour"),
    "24h": (1440, 15, "24 hours"),
    "7d": (7 * 1440, 60, "7 days"),
    "30d": (30 * 1440, 360, "30 days"),
}
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


@dataclass(frozen=True)
class Headroom:
    """Rate-limit headroom over the range: "headers" (the provider reports it), "estimate"
    (the busiest bucket's calls per minute against the documented limit) or "unknown"."""

    source: str
    text: str


def connection_chart_buckets(
    connection: Connection, range_key: str, *, now: datetime | None = None
) -> list[Bucket]:
    """The range's buckets that had calls, oldest first."""
    span, step, _label = RANGES[range_key]
    end = minute_of(now or timezone.now())
    bucket = ExpressionWrapper(F("minute") / step, output_field=IntegerField())
    rows = (
        CallRollup.objects.filter(connection=connection, minute__gt=end - span)
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(**{f"sum_{name}": Sum(name) for name in COUNT_FIELDS})
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
        span = RANGES[range_key][0]
        rollups = CallRollup.objects.filter(
            connection=connection, minute__gt=minute_of(now or timezone.now()) - span
        )
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
