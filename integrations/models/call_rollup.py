"""Per-minute rollups of the call log: what the health state and the charts read."""

from __future__ import annotations

from django.db import models

# Upper edges (inclusive, milliseconds) of the latency histogram's buckets; a last
# bucket holds everything slower. Fixed, so buckets of any two minutes add up.
LATENCY_EDGES_MS = (50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 20000)
LATENCY_FIELDS = (*(f"lat_{edge}" for edge in LATENCY_EDGES_MS), "lat_inf")


class RollupCounts(models.Model):
    """What a rollup row sums over its span: calls, errors by class, the latency
    histogram and bytes (added), the rate-limit headroom (the lowest remaining and the
    largest limit) and the outbox backlog sampled by the scheduler (the largest).

    Every column combines across rows (sum, min or max), so a coarser row or bucket
    is exactly its finer rows combined, the histogram included.
    """

    calls = models.PositiveIntegerField(default=0)
    # Errors by class. 429 is not in 4xx; "timeout" is a transport timeout (no status);
    # "other" is any other failed attempt (a dropped connection, an unreadable 2xx).
    errors_4xx = models.PositiveIntegerField(default=0)
    errors_5xx = models.PositiveIntegerField(default=0)
    errors_timeout = models.PositiveIntegerField(default=0)
    errors_429 = models.PositiveIntegerField(default=0)
    errors_other = models.PositiveIntegerField(default=0)
    duration_ms_total = models.BigIntegerField(default=0)
    response_bytes = models.BigIntegerField(default=0)
    # The latency histogram: attempts whose duration is at most the edge (and over
    # the previous one); lat_inf: over the last edge. See LATENCY_EDGES_MS.
    lat_50 = models.PositiveIntegerField(default=0)
    lat_100 = models.PositiveIntegerField(default=0)
    lat_200 = models.PositiveIntegerField(default=0)
    lat_300 = models.PositiveIntegerField(default=0)
    lat_500 = models.PositiveIntegerField(default=0)
    lat_750 = models.PositiveIntegerField(default=0)
    lat_1000 = models.PositiveIntegerField(default=0)
    lat_1500 = models.PositiveIntegerField(default=0)
    lat_2000 = models.PositiveIntegerField(default=0)
    lat_3000 = models.PositiveIntegerField(default=0)
    lat_5000 = models.PositiveIntegerField(default=0)
    lat_10000 = models.PositiveIntegerField(default=0)
    lat_20000 = models.PositiveIntegerField(default=0)
    lat_inf = models.PositiveIntegerField(default=0)
    # Rate-limit headroom from the responses' headers, where the provider sends
    # them: the lowest remaining count seen in the minute and the largest limit.
    # "rate" is the per-minute window, "quota" the monthly one (Affinity's org).
    rate_remaining_min = models.PositiveIntegerField(null=True, blank=True)
    rate_limit = models.PositiveIntegerField(null=True, blank=True)
    quota_remaining_min = models.PositiveIntegerField(null=True, blank=True)
    quota_limit = models.PositiveIntegerField(null=True, blank=True)

    # The outbox backlog, sampled about once a minute by the scheduler
    # (`call_rollups.sample_outbox`): the largest count of pending (or sending) writes
    # and of writes needing attention seen in the span; NULL when nothing was sampled.
    outbox_pending = models.PositiveIntegerField(null=True, blank=True)
    outbox_attention = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class CallRollup(RollupCounts):
    """One connection's calls in one minute (UTC), summed from the call log's records.

    Written by the call log's sink in the same transaction as the raw rows, as an
    upsert that adds counts, so two workers flushing the same minute both count
    (`integrations.services.call_rollups`). Kept `CALL_ROLLUP_RETENTION_DAYS`
    (pruned by `prune_history`); raw rows keep their own, shorter retention.
    Records without a connection are not rolled up.
    """

    connection = models.ForeignKey(
        "integrations.Connection", on_delete=models.CASCADE, related_name="rollups"
    )
    # Minutes since the Unix epoch (UTC): charts group them into coarser buckets with
    # integer division, the same SQL on SQLite and PostgreSQL (`call_rollups.minute_of`).
    minute = models.IntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "minute"], name="call_rollup_minute")
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} at minute {self.minute}: {self.calls} calls"


class CallRollupHour(RollupCounts):
    """One connection's calls in one hour (UTC): its minutes' rows combined.

    Upserted by the same statement batch as the minutes, in the same transaction
    (`call_rollups.add_records`), so it always equals the sum of its minutes, with any
    number of workers and after any crash. The 7- and 30-day charts read it (720 rows a
    connection for 30 days instead of 43,200). Kept `CALL_ROLLUP_HOUR_RETENTION_DAYS`.
    """

    connection = models.ForeignKey(
        "integrations.Connection", on_delete=models.CASCADE, related_name="hourly_rollups"
    )
    hour = models.IntegerField(db_index=True)  # hours since the Unix epoch (UTC)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "hour"], name="call_rollup_hour")
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} at hour {self.hour}: {self.calls} calls"
