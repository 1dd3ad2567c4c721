"""What an administrator chooses about a connected API's generated pages."""

from __future__ import annotations

from django.db import models

from integrations.models import Connection
from integrations.models.synced import SyncedRecord


class ResourceColumns(models.Model):
    """What an administrator chose for one resource of an `openapi` connection: its list
    columns (its item's field names, in order; empty: the id and the first few scalar
    fields of the item schema) and whether it is synced into the hub (`ApiRecord`)."""

    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"provider": "openapi"},
    )
    resource = models.CharField(max_length=100, help_text="As the APIs menu names it: posts.")
    columns = models.JSONField(
        default=list,
        help_text='Field names of one item, in order, e.g. ["id", "title", "userId"].',
        blank=True,
    )
    synced = models.BooleanField(
        "sync into the hub",
        default=False,
        help_text="Copy every record into the hub (on the connection's sync schedule, or "
        "“Sync now”), so the list is read here: fast, and searchable by any word. Off: "
        "the list is read live from the API.",
    )

    class Meta:
        verbose_name = "API resource: columns and sync"
        verbose_name_plural = "API resources: columns and sync"
        # The rights behind every generated page (apis.pages.ApiResourcePages): one pair
        # for all connected APIs, which the admin's groups grant like any tool's.
        permissions = [
            ("view_api_records", "Can see the records of connected APIs"),
            ("change_api_records", "Can create, edit and delete records of connected APIs"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "resource"], name="unique_resource_columns"
            )
        ]

    def __str__(self) -> str:
        return f"{self.connection.name} · {self.resource}"


class ApiRecord(SyncedRecord):
    """One record of a synced resource of an `openapi` connection (`apis/sync.py`): the
    JSON as the API gave it (`raw`), the values of the list's columns as shown, and the
    text the list's search looks in. One table for every resource of every API."""

    resource = models.CharField(max_length=100)
    columns = models.JSONField(default=dict, blank=True)  # field -> the cell's text
    search_text = models.TextField(blank=True)  # every scalar value, lower case

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "resource", "remote_id"], name="apis_record_unique"
            )
        ]
        indexes = [
            models.Index(fields=["connection", "resource", "is_deleted"], name="apis_record_listed")
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.remote_id}"
