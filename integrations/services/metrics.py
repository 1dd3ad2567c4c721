"""Prometheus metrics read from the database at each scrape, so every gunicorn worker
answers the same numbers (no per-process counters).

- `hub_provider_calls_total{connection, provider, name, outcome}`: attempts by outcome
  (`ok`, `4xx`, `429`, `5xx`, `timeout`, `other`, as the rollups count them);
  `hub_provider_call_duration_seconds` (histogram on the rollups' latency edges) and
  `hub_provider_response_bytes_total`. The counters are `CallTotals` (the settled
  minutes, folded here) plus the rollups after them, so they never go down when old
  rollups are pruned. A flush that reaches a minute more than `SETTLE_MINUTES` late,
  after it was folded, is not counted (the call log is a diagnostic, not a ledger).
- `hub_outbox_items{…, status}`, `hub_sync_runs{…, resource, status}`,
  `hub_sync_last_success_timestamp_seconds{…, resource}`,
  `hub_webhook_deliveries{…, state}` and `hub_connection_active`: gauges, counted now.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Sum
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from integrations.models import (
    CallRollup,
    CallTotals,
    Connection,
    OutboxItem,
    SyncRun,
    SyncState,
    WebhookDelivery,
)
from integrations.models.call_rollup import LATENCY_EDGES_MS, LATENCY_FIELDS
from integrations.services.call_rollups import COUNT_FIELDS, minute_of

# Minutes a rollup may still grow (a worker's batch is flushed within seconds; the
# `rollup_call_log` rebuild leaves the last 10 minutes alone too).
SETTLE_MINUTES = 10
LABELS = ["connection", "provider", "name"]
ERROR_OUTCOMES = {
    "4xx": "errors_4xx",
    "429": "errors_429",
    "5xx": "errors_5xx",
    "timeout": "errors_timeout",
    "other": "errors_other",
}


def call_totals(*, now: datetime) -> dict[int, dict[str, int]]:
    """Each connection's counts (`COUNT_FIELDS`) over every call it ever made."""
    settled = minute_of(now) - SETTLE_MINUTES
    carries = {c.connection_id: c for c in CallTotals.objects.all()}
    for connection_id in Connection.objects.values_list("pk", flat=True):
        carry = (
            carries.get(connection_id)
            or CallTotals.objects.get_or_create(connection_id=connection_id)[0]
        )
        if carry.up_to_minute < settled:
            _fold(carry, settled)
    carries = {c.connection_id: c for c in CallTotals.objects.all()}
    totals = {pk: {f: c.totals.get(f, 0) for f in COUNT_FIELDS} for pk, c in carries.items()}
    oldest = min((c.up_to_minute for c in carries.values()), default=settled)
    recent = CallRollup.objects.filter(minute__gt=oldest).values(
        "connection_id", "minute", *COUNT_FIELDS
    )
    for row in recent:
        carry = carries.get(row["connection_id"])
        if carry is not None and row["minute"] > carry.up_to_minute:
            counts = totals[carry.connection_id]
            for name in COUNT_FIELDS:
                counts[name] += row[name]
    return totals


def _fold(carry: CallTotals, settled: int) -> None:
    """Add the rollups of (up_to_minute, settled] to the carry, unless another scrape
    has just done it (the update is conditional on the minute it started from)."""
    with transaction.atomic():
        sums = CallRollup.objects.filter(
            connection_id=carry.connection_id,
            minute__gt=carry.up_to_minute,
            minute__lte=settled,
        ).aggregate(**{name: Sum(name) for name in COUNT_FIELDS})
        totals = {name: carry.totals.get(name, 0) + (sums[name] or 0) for name in COUNT_FIELDS}
        CallTotals.objects.filter(pk=carry.pk, up_to_minute=carry.up_to_minute).update(
            up_to_minute=settled, totals=totals
        )


class HubCollector:
    """A prometheus_client collector over the hub's tables; built per scrape."""

    def __init__(self, *, now: datetime) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        connections = {c.pk: [str(c.pk), c.provider, c.name] for c in Connection.objects.all()}
        yield from self._calls(connections)
        yield from self._gauges(connections)

    def _calls(self, connections: dict[int, list[str]]) -> Iterator[Metric]:
        calls = CounterMetricFamily(
            "hub_provider_calls", "Provider call attempts by outcome.", labels=[*LABELS, "outcome"]
        )
        size = CounterMetricFamily(
            "hub_provider_response_bytes", "Bytes of provider responses read.", labels=LABELS
        )
        latency = HistogramMetricFamily(
            "hub_provider_call_duration_seconds",
            "Provider call attempts' duration, on the rollups' fixed buckets.",
            labels=LABELS,
        )
        for pk, counts in sorted(call_totals(now=self.now).items()):
            labels = connections.get(pk)
            if labels is None:  # deleted since the totals were read
                continue
            failed = sum(counts[field] for field in ERROR_OUTCOMES.values())
            calls.add_metric([*labels, "ok"], counts["calls"] - failed)
            for outcome, field in ERROR_OUTCOMES.items():
                calls.add_metric([*labels, outcome], counts[field])
            size.add_metric(labels, counts["response_bytes"])
            buckets, running = [], 0
            for name, edge in zip(LATENCY_FIELDS, (*LATENCY_EDGES_MS, None), strict=True):
                running += counts[name]
                buckets.append(("+Inf" if edge is None else str(edge / 1000), running))
            latency.add_metric(labels, buckets, sum_value=counts["duration_ms_total"] / 1000)
        yield from (calls, size, latency)

    def _gauges(self, connections: dict[int, list[str]]) -> Iterator[Metric]:
        active = GaugeMetricFamily(
            "hub_connection_active", "1 while a connection is switched on.", labels=LABELS
        )
        for connection in Connection.objects.all():
            active.add_metric(connections[connection.pk], int(connection.is_active))
        yield active
        yield self._counted(
            "hub_outbox_items",
            "Outbox rows by status (pending and sending are the backlog).",
            OutboxItem.objects.values("connection_id", "status"),
            connections,
            ["status"],
        )
        yield self._counted(
            "hub_sync_runs",
            "Sync runs by resource and status.",
            SyncRun.objects.values("connection_id", "resource", "status"),
            connections,
            ["resource", "status"],
        )
        yield self._counted(
            "hub_webhook_deliveries",
            "Webhook deliveries in the inbox by state.",
            WebhookDelivery.objects.values("connection_id", "state"),
            connections,
            ["state"],
        )
        last = GaugeMetricFamily(
            "hub_sync_last_success_timestamp_seconds",
            "When each resource's last sync succeeded (Unix time).",
            labels=[*LABELS, "resource"],
        )
        for state in SyncState.objects.filter(last_success_at__isnull=False).order_by("pk"):
            if labels := connections.get(state.connection_id):
                last.add_metric([*labels, state.resource], state.last_success_at.timestamp())
        yield last

    def _counted(
        self, name: str, doc: str, rows, connections: dict[int, list[str]], keys: list[str]
    ) -> GaugeMetricFamily:
        """A gauge of row counts grouped by connection and `keys`, in one query."""
        family = GaugeMetricFamily(name, doc, labels=[*LABELS, *keys])
        for row in rows.annotate(n=Count("pk")).order_by("connection_id", *keys):
            if labels := connections.get(row["connection_id"]):
                family.add_metric([*labels, *(row[k] for k in keys)], row["n"])
        return family
