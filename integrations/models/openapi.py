"""Where an OpenAPI connection's document comes from, and the last good copy of it."""

from __future__ import annotations

from django.db import models

from integrations.models.connection import Connection


class OpenApiSource(models.Model):
    """The document of an `openapi` connection: its URL, or an uploaded copy.

    `document` keeps the last copy that loaded and validated (as JSON), so the
    hub keeps working while the document's URL is down; `fetched_at` dates it.
    """

    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, related_name="openapi_source"
    )
    document_url = models.CharField(
        "document URL",
        max_length=500,
        blank=True,
        help_text="Blank: the uploaded copy below is the document.",
    )
    document = models.TextField(blank=True, help_text="The last good copy, as JSON.")
    document_sha256 = models.CharField(max_length=64, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    last_fetch_error = models.TextField(blank=True)
    security_scheme = models.CharField(
        max_length=100,
        blank=True,
        help_text="Blank: the first of the document's schemes the credentials fit.",
    )
    basic_username = models.CharField("user name (HTTP Basic)", max_length=200, blank=True)

    class Meta:
        verbose_name = "OpenAPI document"

    def __str__(self) -> str:
        return f"OpenAPI document of {self.connection}"
