"""The hub's own records that belong to no provider: a list export prepared in the
background (core/export.py)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class ListExport(models.Model):
    """One export of a list too large to write inside a request, written by a worker.

    The file is kept in the database (`ListExportPart`), so any web process on any
    machine serves it without shared disk; rows are deleted `EXPORT_KEEP_HOURS` after
    they were asked."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being written"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # The connection the list showed when it was asked: the worker exports its rows.
    connection = models.ForeignKey("integrations.Connection", on_delete=models.CASCADE)
    resource = models.CharField(max_length=100)  # the list's URL name, e.g. "ats:candidate_list"
    kind = models.CharField(max_length=4)  # "csv" or "xlsx"
    query = models.TextField(blank=True)  # the list's search, filters and sort
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField(default=0)  # the written file's, in bytes
    error = models.CharField(max_length=300, blank=True)  # why it failed, for its page
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # One export on its way per person, list, format and filters: two POSTs at
            # once queue one (`export_request`); a done or failed one does not count.
            models.UniqueConstraint(
                fields=["user", "connection", "resource", "kind", "query"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_list_export_on_its_way",
            )
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, self.rows_written * 100 // self.rows_total) if self.rows_total else 0


class ListExportPart(models.Model):
    """One piece (`core.list_exports.PART_SIZE`, 1 MB) of a written export's file, in
    order (`seq`): the file is stored and served a piece at a time, never whole in a
    process's memory."""

    export = models.ForeignKey(ListExport, on_delete=models.CASCADE, related_name="parts")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["export", "seq"], name="one_list_export_part_per_seq")
        ]

    def __str__(self) -> str:
        return f"{self.export_id} #{self.seq}"
