"""Each connection's call counts since the hub began, for the Prometheus counters."""

from __future__ import annotations

from django.db import models


class CallTotals(models.Model):
    """The rollups' counts up to `up_to_minute`, folded into one row per connection.

    A Prometheus counter must never go down, but rollups are pruned after
    `CALL_ROLLUP_RETENTION_DAYS`: summing what is left would drop every day. So
    each scrape folds the settled minutes into this row first (a compare-and-set
    on `up_to_minute`, so two scrapes never fold a minute twice) and adds the
    rollups after it (`integrations.services.metrics`). `totals` maps the rollups'
    count fields (`call_rollups.COUNT_FIELDS`) to their sums.
    """

    connection = models.OneToOneField(
        "integrations.Connection", on_delete=models.CASCADE, related_name="call_totals"
    )
    # Rollups of minutes up to this one (minutes since the epoch) are in `totals`.
    up_to_minute = models.IntegerField(default=0)
    totals = models.JSONField(default=dict)

    class Meta:
        verbose_name_plural = "call totals"

    def __str__(self) -> str:
        calls = self.totals.get("calls", 0)
        return f"{self.connection_id}: {calls} calls up to minute {self.up_to_minute}"
