"""Project-tool records synced into the hub: projects, workspaces, teams and users."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from integrations.models.synced import SyncedRecord


class Workspace(SyncedRecord):
    name = models.CharField(max_length=300)
    # An Asana organization: a project created in it needs a team.
    is_organization = models.BooleanField(default=False)

    class Meta(SyncedRecord.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(SyncedRecord):
    """An Asana team (to pick for a project in an organization workspace)."""

    name = models.CharField(max_length=300)
    workspace_remote_id = models.CharField(max_length=64, blank=True)

    class Meta(SyncedRecord.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectUser(SyncedRecord):
    """A user of the project tool (an owner to pick), not a hub login."""

    name = models.CharField(max_length=300)
    email = models.CharField(max_length=320, blank=True)

    class Meta(SyncedRecord.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Project(SyncedRecord):
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=40, blank=True)
    priority = models.CharField(max_length=40, blank=True)
    owner_remote_id = models.CharField(max_length=64, blank=True)
    owner_name = models.CharField(max_length=300, blank=True)
    workspace_remote_id = models.CharField(max_length=64, blank=True)
    workspace_name = models.CharField(max_length=300, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    search_text = models.TextField(blank=True)

    class Meta(SyncedRecord.Meta):
        ordering = ["name"]
        indexes = [
            models.Index(fields=["connection", "is_deleted", "name"]),
            models.Index(fields=["connection", "status"]),
            models.Index(fields=["connection", "workspace_remote_id"]),
        ]

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One uploaded CSV file: its parsed rows wait here between preview and submit."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    connection = models.ForeignKey(
        "integrations.Connection", on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    valid_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.file_name or self.token}"

    @property
    def invalid_count(self) -> int:
        return self.row_count - self.valid_count

    def submission_key(self, number: int) -> str:
        """The outbox key of row `number`: a re-submit of the same import never duplicates."""
        return f"project-import-{self.token.hex}-{number}"


class ImportRow(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # the line's data-row number, 1 = first after the header
    values = models.JSONField(default=dict)  # the cells as read, by column
    payload = models.JSONField(null=True, blank=True)  # the cleaned ProjectInput, when valid
    errors = models.JSONField(default=list, blank=True)  # messages found before sending
    outbox_item = models.ForeignKey(
        "integrations.OutboxItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="projects_import_row_unique")
        ]

    def __str__(self) -> str:
        return f"Row {self.number}"

    @property
    def is_valid(self) -> bool:
        return not self.errors
