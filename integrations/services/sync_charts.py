"""What a connection's health page charts about its syncs: each finished run's duration
and record counts (from `SyncRun`), in the range's buckets.

A bucket holds the runs that started in it, per resource: how many ran and failed,
the longest run, and the records read, new, updated and deleted. A 15-minute sync
interval makes about 96 runs a resource a day, so 30 days are a few thousand small
rows read once, grouped here (the bucket of a datetime is not the same SQL on SQLite
and PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from integrations.models import Connection, SyncRun
from integrations.services.call_charts import RANGES
from integrations.sync.registry import resources


@dataclass
class SyncBucket:
    start: datetime
    resource: str  # the resource's label ("persons")
    runs: int = 0
    failed: int = 0
    longest_seconds: float = 0.0
    processed: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0


def sync_chart_buckets(
    connection: Connection, range_key: str, *, now: datetime | None = None
) -> list[SyncBucket]:
    """The range's finished runs grouped by (bucket, resource), oldest first."""
    span, step, _label = RANGES[range_key]
    since = (now or timezone.now()) - timedelta(minutes=span)
    labels = {key: resource.label for key, resource in resources().items()}
    runs = (
        SyncRun.objects.filter(
            connection=connection, started_at__gt=since, finished_at__isnull=False
        )
        .order_by("started_at")
        .values_list(
            "resource",
            "status",
            "started_at",
            "finished_at",
            "processed",
            "created_count",
            "updated_count",
            "deleted_count",
        )
    )
    buckets: dict[tuple[int, str], SyncBucket] = {}
    for key, status, started, finished, processed, created, updated, deleted in runs:
        number = int(started.timestamp()) // 60 // step
        label = labels.get(key, key)
        bucket = buckets.get((number, label))
        if bucket is None:
            start = datetime.fromtimestamp(number * step * 60, UTC)
            bucket = buckets[(number, label)] = SyncBucket(start, label)
        bucket.runs += 1
        bucket.failed += status == SyncRun.Status.FAILED
        bucket.longest_seconds = max(bucket.longest_seconds, (finished - started).total_seconds())
        bucket.processed += processed
        bucket.created += created
        bucket.updated += updated
        bucket.deleted += deleted
    return [buckets[key] for key in sorted(buckets)]
