"""Synced records and the bookkeeping of syncs.

List pages read records the hub has copied into its own tables, so a page is
one indexed query whatever the provider's speed. Every synced table derives
from `SyncedRecord`: one row per (connection, remote id), normalized columns
for what pages filter and sort on, and the untouched provider payload in
`raw`.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SyncStatus(models.TextChoices):
    SYNCED = "synced", "Synced"
    PENDING = "pending", "Pending"  # written locally, not yet confirmed by the provider
    FAILED = "failed", "Failed"  # the provider refused the write


class SyncedRecord(models.Model):
    connection = models.ForeignKey(
        "integrations.Connection", on_delete=models.CASCADE, related_name="+"
    )
    # Null (not "") while a locally created record waits in the outbox: the
    # unique constraint below must not treat two such records as duplicates.
    remote_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    raw = models.JSONField(default=dict, blank=True)
    remote_created_at = models.DateTimeField(null=True, blank=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)
    # The full sync run that last saw this record; a full pass that completes
    # without seeing it marks it deleted.
    last_seen_run_id = models.BigIntegerField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    sync_status = models.CharField(
        max_length=16, choices=SyncStatus.choices, default=SyncStatus.SYNCED
    )

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "remote_id"], name="%(app_label)s_%(class)s_remote_unique"
            )
        ]


class SyncState(models.Model):
    """One row per (connection, resource): the lease that keeps syncs single, and the schedule."""

    connection = models.ForeignKey(
        "integrations.Connection", on_delete=models.CASCADE, related_name="sync_states"
    )
    resource = models.CharField(max_length=64)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_full_at = models.DateTimeField(null=True, blank=True)
    # Newest remote creation time seen, for incremental syncs.
    high_water_mark = models.DateTimeField(null=True, blank=True)
    # When a webhook last changed one of its records (webhooks/stamps.py).
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "resource"], name="sync_state_unique")
        ]

    def __str__(self) -> str:
        return f"{self.resource} on {self.connection_id}"


class SyncRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        INTERRUPTED = "interrupted", "Interrupted"  # its worker stopped; it resumes
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Mode(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    connection = models.ForeignKey(
        "integrations.Connection", on_delete=models.CASCADE, related_name="sync_runs"
    )
    resource = models.CharField(max_length=64)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.FULL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    expected_total = models.PositiveIntegerField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    deleted_count = models.PositiveIntegerField(default=0)
    # Unlisted records a full pass could not ask the provider about: kept, not deleted
    # (`error` says why; the run still succeeds).
    unverified_count = models.PositiveIntegerField(default=0)
    # Where to resume: the provider's page position after the last saved page.
    checkpoint = models.JSONField(null=True, blank=True)
    since = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    resumed_times = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["connection", "resource", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.resource} sync #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING, self.Status.INTERRUPTED)

    @property
    def percent(self) -> int | None:
        """Progress in percent when the provider told us the total, else None."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.expected_total:
            return None
        return min(99, round(100 * self.processed / self.expected_total))

    @property
    def duration_seconds(self) -> float | None:
        if not self.started_at:
            return None
        end = self.finished_at or timezone.now()
        return (end - self.started_at).total_seconds()
