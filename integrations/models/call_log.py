"""The call log: one row per attempt of every provider call."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class CallLog(models.Model):
    """Buffered by `integrations.http.call_log`, written in bulk by its sink
    (`integrations.services.call_log_sink`); pruned by `prune_call_log`.

    `path` is redacted before it gets here; no header or body is stored.
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

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["connection", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status or self.error_class}"
