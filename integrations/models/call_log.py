"""The call log: one row per attempt of every provider call."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class CallLog(models.Model):
    """Buffered by `integrations.http.call_log`, written in bulk by its sink
    (`integrations.services.call_log_sink`); pruned by `prune_history`.

    `path` is redacted before it gets here; no header or body is stored.
    `sync_run` / `outbox_item`: what the call was made for (`call_log.linked`).
    They have no database constraint: a batch is written seconds after its calls,
    and a run or row deleted meanwhile must not make the whole batch fail. Their
    indexes are partial (most calls belong to neither), so inserts stay cheap.
    """

    connection = models.ForeignKey(
        "integrations.Connection",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calls",
    )
    provider = models.CharField(max_length=32)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    attempt = models.PositiveSmallIntegerField(default=1)
    error_class = models.CharField(max_length=100, blank=True)
    request_id = models.CharField(max_length=200, blank=True)
    response_bytes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sync_run = models.ForeignKey(
        "integrations.SyncRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,  # a partial index below
        related_name="calls",
    )
    outbox_item = models.ForeignKey(
        "integrations.OutboxItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,  # a partial index below
        related_name="calls",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["connection", "-created_at"]),
            # The call log page's filters on failures: a small share of the rows, in
            # time order. Every call without a 2xx answer has an error class, so one
            # partial index serves the error and the status filters
            # (`selectors.call_log_search` states its condition, as SQLite requires).
            models.Index(
                fields=["-created_at"],
                condition=~Q(error_class=""),
                name="calllog_failed_idx",
            ),
            models.Index(
                fields=["sync_run"],
                condition=Q(sync_run__isnull=False),
                name="calllog_sync_run_idx",
            ),
            models.Index(
                fields=["outbox_item"],
                condition=Q(outbox_item__isnull=False),
                name="calllog_outbox_item_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status or self.error_class}"
