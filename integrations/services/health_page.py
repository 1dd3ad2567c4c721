"""The connection health page's charts and the tables of the same numbers beside them.

Each chart is a `ChartTable`: its series for uPlot (in the page's JSON script tag) and
its table, whose cells are formatted and rows written here once: the 30-day page has
six tables of up to 240 rows, and rendering them in a template loop (with `floatformat`
and `date`) cost more than all the page's queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from django.utils.safestring import SafeString, mark_safe

from integrations.services.call_charts import ERROR_CLASSES, Bucket
from integrations.services.sync_charts import SyncBucket


@dataclass(frozen=True)
class Row:
    start: str  # ISO 8601, for <time datetime>
    label: str  # "Mar 4 12:00" (UTC)
    cells: tuple[str, ...]


@dataclass
class ChartTable:
    name: str  # the chart's data-chart and the table's data-testid ("calls" -> calls-table)
    title: str
    caption: str
    headers: tuple[str, ...]  # the columns after the bucket's
    empty: str  # said instead of the chart and table when there is nothing to show
    rows: list[Row] = field(default_factory=list)
    x: list[int] = field(default_factory=list)  # bucket starts, Unix seconds
    series: list[dict] = field(default_factory=list)  # {"label", "values"} for uPlot

    def chart(self) -> dict:
        return {"x": self.x, "series": self.series}

    def body(self) -> SafeString:
        """The table's rows as HTML, every value escaped: one pass instead of a template
        loop (or `format_html`) over up to 1,500 cells, which cost the 30-day page more
        than all its queries."""
        rows = []
        for row in self.rows:
            cells = "".join(f"<td>{escape(cell)}</td>" for cell in row.cells)
            rows.append(
                f'<tr><th scope="row"><time datetime="{escape(row.start)}">'
                f"{escape(row.label)}</time></th>{cells}</tr>"
            )
        return mark_safe("".join(rows))  # noqa: S308 - every value is escaped above


def call_tables(buckets: list[Bucket], range_label: str) -> list[ChartTable]:
    """Calls per minute (every bucket), error rates and latency (the buckets with calls)."""
    no_calls = f"No calls in the last {range_label}."
    calls = ChartTable(
        "calls",
        "Calls per minute",
        "Calls per minute, by bucket",
        ("Calls", "Per minute"),
        no_calls if not any(b.calls for b in buckets) else "",
    )
    errors = ChartTable(
        "errors",
        "Error rate by class (% of calls)",
        "Error rate by class, percent of the bucket's calls",
        ERROR_CLASSES,
        no_calls,
    )
    latency = ChartTable(
        "latency",
        "Latency percentiles (ms, estimated from histogram buckets)",
        "Latency in milliseconds: p50, p95 and p99",
        ("p50", "p95", "p99"),
        no_calls,
    )
    if calls.empty:
        return [calls, errors, latency]
    called = [b for b in buckets if b.calls]
    calls.x = [_seconds(b.start) for b in buckets]
    calls.series = [
        {"label": "calls/min", "values": [round(b.calls_per_minute, 2) for b in buckets]}
    ]
    calls.rows = [_row(b.start, f"{b.calls:,}", f"{b.calls_per_minute:,.1f}") for b in buckets]
    errors.x = latency.x = [_seconds(b.start) for b in called]
    # A list, not an object: "429" would sort first as a JavaScript object key.
    errors.series = [
        {"label": f"{name} %", "values": [round(b.error_rates[n], 2) for b in called]}
        for n, name in enumerate(ERROR_CLASSES)
    ]
    errors.rows = [_row(b.start, *(f"{rate:.1f}" for rate in b.error_rates)) for b in called]
    latency.series = [
        {"label": f"{name} ms", "values": [getattr(b, name) for b in called]}
        for name in ("p50", "p95", "p99")
    ]
    latency.rows = [_row(b.start, _ms(b.p50), _ms(b.p95), _ms(b.p99)) for b in called]
    errors.empty = latency.empty = ""
    return [calls, errors, latency]


def outbox_table(buckets: list[Bucket], range_label: str) -> ChartTable:
    """The largest backlog the scheduler sampled in each bucket."""
    table = ChartTable(
        "outbox",
        "Outbox backlog (the largest in each bucket)",
        "Writes waiting to be sent and writes needing attention, the most sampled in the bucket",
        ("Pending", "Needing attention"),
        f"No outbox samples in the last {range_label} (the scheduler takes one a minute).",
    )
    sampled = [b for b in buckets if b.outbox_pending is not None]
    if not sampled:
        return table
    table.empty = ""
    table.x = [_seconds(b.start) for b in sampled]
    table.series = [
        {"label": "pending", "values": [b.outbox_pending for b in sampled]},
        {"label": "needing attention", "values": [b.outbox_attention for b in sampled]},
    ]
    table.rows = [
        _row(b.start, f"{b.outbox_pending:,}", f"{b.outbox_attention:,}") for b in sampled
    ]
    return table


def sync_tables(runs: list[SyncBucket], range_label: str) -> list[ChartTable]:
    """Each resource's longest sync and the records its syncs read, per bucket."""
    no_runs = f"No finished syncs in the last {range_label}."
    durations = ChartTable(
        "sync-durations",
        "Sync duration (s, the longest run in each bucket)",
        "Sync runs by bucket and resource: runs, failed runs and the longest run in seconds",
        ("Resource", "Runs", "Failed", "Longest (s)"),
        no_runs,
    )
    records = ChartTable(
        "sync-records",
        "Records per sync bucket (read from the provider)",
        "Records the syncs read, and how many were new, updated or deleted",
        ("Resource", "Read", "New", "Updated", "Deleted"),
        no_runs,
    )
    if not runs:
        return [durations, records]
    x = sorted({_seconds(b.start) for b in runs})
    position = {start: n for n, start in enumerate(x)}
    labels = sorted({b.resource for b in runs})
    longest = {label: [None] * len(x) for label in labels}
    read = {label: [None] * len(x) for label in labels}
    for b in runs:
        longest[b.resource][position[_seconds(b.start)]] = round(b.longest_seconds, 1)
        read[b.resource][position[_seconds(b.start)]] = b.processed
    for table, values, unit in ((durations, longest, "s"), (records, read, "records")):
        table.empty = ""
        table.x = x
        table.series = [{"label": f"{label} {unit}", "values": values[label]} for label in labels]
    durations.rows = [
        _row(b.start, b.resource, f"{b.runs:,}", f"{b.failed:,}", f"{b.longest_seconds:,.1f}")
        for b in runs
    ]
    records.rows = [
        _row(
            b.start,
            b.resource,
            f"{b.processed:,}",
            f"{b.created:,}",
            f"{b.updated:,}",
            f"{b.deleted:,}",
        )
        for b in runs
    ]
    return [durations, records]


def _row(start: datetime, *cells: str) -> Row:
    return Row(start.isoformat(), f"{start:%b} {start.day} {start:%H:%M}", cells)


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"
