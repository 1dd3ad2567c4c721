"""What an administrator chooses about a connected API's generated pages."""

from __future__ import annotations

from django.db import models

from integrations.models import Connection


class ResourceColumns(models.Model):
    """The list columns of one resource of an `openapi` connection (its item's field
    names, in order); without a row the list shows the id and the first few scalar
    fields of the item schema."""

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
    )

    class Meta:
        verbose_name = "list columns of an API resource"
        verbose_name_plural = "list columns of API resources"
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
