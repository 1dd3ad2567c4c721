"""Sum call-log records into per-minute `CallRollup` and hourly `CallRollupHour` rows,
sample the outbox backlog into them, and read percentiles back.

`add_records` is called by the call log's sink inside the transaction that stores
the raw rows, and by `manage.py rollup_call_log` over stored rows. It adds the
batch's counts to each (connection, minute) row, then to each (connection, hour)
row, with one upsert per row (`INSERT … ON CONFLICT DO UPDATE SET calls = calls +
excluded.calls`, on SQLite and PostgreSQL), so two workers flushing the same minute
at once both count: the database serialises the two updates of a row. The hour rows
are written in the same transaction as the minutes, so an hour is always the sum of
its minutes: a crash rolls back both, and nothing has to catch up later. Rows are
upserted in one order (minutes, then hours, each by key) so two batches never wait
on each other's rows crosswise (no deadlock).

Percentiles are estimated from the fixed latency buckets (`LATENCY_EDGES_MS`) by
linear interpolation inside the bucket holding the wanted rank. The estimate is
always inside that bucket, so its error is at most the bucket's width: 50 ms up
to 100 ms, 100 ms up to 300 ms, 250 ms up to 1 s, 500 ms up to 2 s, 1 or 2 s up to
5 s, then 5 s and 10 s; at most half the bucket's lower edge from 100 ms on. A
percentile in the last bucket (over 20 s, the default read timeout) is reported
as 20 s.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection as db
from django.db import transaction
from django.db.models import Count, F, IntegerField, Max, Min, Q, Sum
from django.db.models.expressions import ExpressionWrapper
from django.utils import timezone

from integrations.http.call_log import CallRecord
from integrations.models import CallRollup, CallRollupHour, Connection, OutboxItem
from integrations.models.call_rollup import LATENCY_EDGES_MS, LATENCY_FIELDS

COUNT_FIELDS = (
    "calls",
    "errors_4xx",
    "errors_5xx",
    "errors_timeout",
    "errors_429",
    "errors_other",
    "duration_ms_total",
    "response_bytes",
    *LATENCY_FIELDS,
)
MIN_FIELDS = ("rate_remaining_min", "quota_remaining_min")
MAX_FIELDS = ("rate_limit", "quota_limit")
SAMPLE_FIELDS = ("outbox_pending", "outbox_attention")  # the largest sample in the span


@dataclass
class MinuteCounts:
    """One (connection, minute)'s, or hour's, sums before they are added to its row."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))
    rate_remaining_min: int | None = None
    rate_limit: int | None = None
    quota_remaining_min: int | None = None
    quota_limit: int | None = None

    def add(self, record: CallRecord) -> None:
        counts = self.counts
        counts["calls"] += 1
        error = error_class_of(record.status, bool(record.error_class), record.timed_out)
        if error:
            counts[f"errors_{error}"] += 1
        counts["duration_ms_total"] += record.duration_ms
        counts["response_bytes"] += record.response_bytes
        counts[LATENCY_FIELDS[bisect_left(LATENCY_EDGES_MS, record.duration_ms)]] += 1
        self.rate_remaining_min = _lower(self.rate_remaining_min, record.rate_remaining)
        self.rate_limit = _higher(self.rate_limit, record.rate_limit)
        self.quota_remaining_min = _lower(self.quota_remaining_min, record.quota_remaining)
        self.quota_limit = _higher(self.quota_limit, record.quota_limit)

    def merge(self, other: MinuteCounts) -> None:
        """Add another span's sums (a minute into its hour)."""
        for name, value in other.counts.items():
            self.counts[name] += value
        self.rate_remaining_min = _lower(self.rate_remaining_min, other.rate_remaining_min)
        self.rate_limit = _higher(self.rate_limit, other.rate_limit)
        self.quota_remaining_min = _lower(self.quota_remaining_min, other.quota_remaining_min)
        self.quota_limit = _higher(self.quota_limit, other.quota_limit)


def error_class_of(status: int | None, failed: bool, timed_out: bool) -> str:
    """ "4xx", "5xx", "429", "timeout", "other" or "" (a success)."""
    if status == 429:
        return "429"
    if status is not None and 500 <= status <= 599:
        return "5xx"
    if status is not None and 400 <= status <= 499:
        return "4xx"
    if timed_out:
        return "timeout"
    return "other" if failed else ""


def minute_of(moment: datetime) -> int:
    """The minute (since the Unix epoch, UTC) an aware datetime falls in."""
    return int(moment.timestamp()) // 60


def minute_start(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)


def rollup(records: Iterable[CallRecord]) -> dict[tuple[int, int], MinuteCounts]:
    """The records' sums by (connection, minute); records without a connection are left out."""
    minutes: dict[tuple[int, int], MinuteCounts] = {}
    for record in records:
        if record.connection_id is None:
            continue
        key = (record.connection_id, minute_of(record.created_at))
        counts = minutes.get(key)
        if counts is None:
            counts = minutes[key] = MinuteCounts()
        counts.add(record)
    return minutes


def hours_of(
    minutes: Mapping[tuple[int, int], MinuteCounts],
) -> dict[tuple[int, int], MinuteCounts]:
    """The minutes' sums combined by (connection, hour)."""
    hours: dict[tuple[int, int], MinuteCounts] = {}
    for (connection_id, minute), counts in minutes.items():
        hour = hours.get((connection_id, minute // 60))
        if hour is None:
            hour = hours[(connection_id, minute // 60)] = MinuteCounts()
        hour.merge(counts)
    return hours


def add_records(records: Sequence[CallRecord], *, hours: bool = True) -> int:
    """Add the records to their minutes' rows and (unless `hours` is off: the rebuild
    sums hours from the minutes itself) their hours' rows; returns how many minute
    rows were touched. Call it inside the transaction that stores the raw rows."""
    minutes = rollup(records)
    if not minutes:
        return 0
    with db.cursor() as cursor:
        cursor.executemany(_upsert_sql(CallRollup, "minute"), _params(minutes))
        if hours:
            cursor.executemany(_upsert_sql(CallRollupHour, "hour"), _params(hours_of(minutes)))
    return len(minutes)


def hours_from_minutes(first: int, end: int) -> int:
    """Write the hours from `first` up to `end` (hours since the epoch) again as the sums
    of their minute rows (the rebuild's last step, in its transaction); returns the
    hour rows written."""
    sums = {f"sum_{name}": Sum(name) for name in COUNT_FIELDS}
    sums |= {f"min_{name}": Min(name) for name in MIN_FIELDS}
    sums |= {f"max_{name}": Max(name) for name in (*MAX_FIELDS, *SAMPLE_FIELDS)}
    hour = ExpressionWrapper(F("minute") / 60, output_field=IntegerField())
    rows = (
        CallRollup.objects.filter(minute__gte=first * 60, minute__lt=end * 60)
        .annotate(hour=hour)
        .values("connection_id", "hour")
        .annotate(**sums)
        .order_by("connection_id", "hour")
    )
    CallRollupHour.objects.filter(hour__gte=first, hour__lt=end).delete()
    written = CallRollupHour.objects.bulk_create(
        CallRollupHour(
            connection_id=row["connection_id"],
            hour=row["hour"],
            **{name: row[f"sum_{name}"] for name in COUNT_FIELDS},
            **{name: row[f"min_{name}"] for name in MIN_FIELDS},
            **{name: row[f"max_{name}"] for name in (*MAX_FIELDS, *SAMPLE_FIELDS)},
        )
        for row in rows
    )
    return len(written)


def _params(spans: Mapping[tuple[int, int], MinuteCounts]) -> list[tuple]:
    return [
        (
            connection_id,
            span,
            *(counts.counts[name] for name in COUNT_FIELDS),
            counts.rate_remaining_min,
            counts.quota_remaining_min,
            counts.rate_limit,
            counts.quota_limit,
        )
        for (connection_id, span), counts in sorted(spans.items())
    ]


def _upsert_sql(model: type[CallRollup | CallRollupHour], key: str) -> str:
    columns = ("connection_id", key, *COUNT_FIELDS, *MIN_FIELDS, *MAX_FIELDS)
    quote = db.ops.quote_name  # once: `db` resolves the thread's connection on every read
    quoted = [quote(c) for c in columns]
    table = quote(model._meta.db_table)
    sets = [f"{q} = {table}.{q} + excluded.{q}" for q in quoted[2 : 2 + len(COUNT_FIELDS)]]
    sets += _min_max_sets(table, MIN_FIELDS, MAX_FIELDS)
    return _insert_sql(table, quoted, sets)


def sample_outbox(*, now: datetime | None = None) -> int:
    """Write each active connection's outbox backlog (pending or sending, and needing
    attention) into its current minute's and hour's rollup rows, keeping the larger of
    what is there and the sample, so a second scheduler sampling the same minute
    changes nothing wrongly. The scheduler calls it once a minute; returns the
    connections sampled."""
    minute = minute_of(now or timezone.now())
    pending = [OutboxItem.Status.PENDING, OutboxItem.Status.SENDING]
    backlog = (
        Connection.objects.filter(is_active=True)
        .annotate(
            pending=Count("outbox_items", filter=Q(outbox_items__status__in=pending)),
            attention=Count(
                "outbox_items",
                filter=Q(outbox_items__status=OutboxItem.Status.NEEDS_ATTENTION),
            ),
        )
        .order_by("pk")
        .values_list("pk", "pending", "attention")
    )
    samples = list(backlog)
    if not samples:
        return 0
    fields = SAMPLE_FIELDS
    with transaction.atomic(), db.cursor() as cursor:
        for model, key, span in (
            (CallRollup, "minute", minute),
            (CallRollupHour, "hour", minute // 60),
        ):
            # A new row starts with no calls (the counts have no database default).
            columns = ("connection_id", key, *fields, *COUNT_FIELDS)
            quoted = [db.ops.quote_name(c) for c in columns]
            table = db.ops.quote_name(model._meta.db_table)
            sql = _insert_sql(table, quoted, _min_max_sets(table, (), fields))
            zeros = (0,) * len(COUNT_FIELDS)
            cursor.executemany(sql, [(pk, span, p, a, *zeros) for pk, p, a in samples])
    return len(samples)


def _min_max_sets(table: str, lowest: Sequence[str], highest: Sequence[str]) -> list[str]:
    """Portable min/max that keep a NULL side out (SQLite's min() and max() return NULL)."""
    sets = []
    quote = db.ops.quote_name
    for name, pick in [(c, "<") for c in lowest] + [(c, ">") for c in highest]:
        q = quote(name)
        sets.append(
            f"{q} = CASE WHEN {table}.{q} IS NULL OR excluded.{q} {pick} {table}.{q} "
            f"THEN excluded.{q} ELSE {table}.{q} END"
        )
    return sets


def _insert_sql(table: str, quoted: Sequence[str], sets: Sequence[str]) -> str:
    # Only column names from this module and the models' tables are formatted in.
    placeholders = ", ".join(["%s"] * len(quoted))
    return (
        f"INSERT INTO {table} ({', '.join(quoted)}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({quoted[0]}, {quoted[1]}) DO UPDATE SET {', '.join(sets)}"
    )


def percentile(histogram: Mapping[str, int], fraction: float) -> float | None:
    """The latency (ms) under which `fraction` of the attempts fell, estimated from the
    histogram's buckets (see the module's docstring for the error); None without calls."""
    total = sum(histogram.get(name, 0) for name in LATENCY_FIELDS)
    if not total:
        return None
    rank = fraction * total
    seen = 0
    lower = 0.0
    for name, upper in zip(LATENCY_FIELDS, (*LATENCY_EDGES_MS, None), strict=True):
        count = histogram.get(name, 0)
        if count and seen + count >= rank:
            if upper is None:
                return lower
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
        lower = float(upper) if upper is not None else lower
    return lower


def _lower(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _higher(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)
