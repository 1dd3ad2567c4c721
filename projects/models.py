"""Project-tool records synced into the hub: projects, workspaces and users."""

from __future__ import annotations

from django.db import models

from integrations.models.synced import SyncedRecord


class Workspace(SyncedRecord):
    name = models.CharField(max_length=300)

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
