"""The list columns an administrator picks for a connected API's resource."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from apis.columns import default_columns
from apis.models import ResourceColumns
from apis.pages import api_pages
from integrations.http.errors import ConfigurationError


class ResourceColumnsForm(forms.ModelForm):
    class Meta:
        model = ResourceColumns
        fields = ["connection", "resource", "columns", "synced"]

    def clean(self) -> dict[str, Any]:
        """The resource must have pages, and every column must be a field of its items."""
        cleaned = super().clean()
        connection, name = cleaned.get("connection"), cleaned.get("resource")
        columns = cleaned.get("columns")
        if connection is None or not name:
            return cleaned
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            self.add_error("columns", 'A list of field names, e.g. ["id", "title"].')
            return cleaned
        try:
            pages = api_pages(connection, name)
        except ConfigurationError as exc:
            raise forms.ValidationError(f"The document cannot be read: {exc}") from exc
        if pages is None:
            self.add_error("resource", f"{connection.name} has no list of {name!r}.")
            return cleaned
        known = list(pages.item.get("properties") or {})
        if unknown := [c for c in columns if c not in known]:
            self.add_error(
                "columns",
                f"Not fields of one item: {', '.join(unknown)}. Known: {', '.join(known)}.",
            )
        return cleaned


@admin.register(ResourceColumns)
class ResourceColumnsAdmin(admin.ModelAdmin):
    form = ResourceColumnsForm
    list_display = ["connection", "resource", "columns", "synced"]
    list_filter = ["connection", "synced"]
    readonly_fields = ["default"]

    @admin.display(description="default columns")
    def default(self, obj: ResourceColumns) -> str:
        if not obj.pk:
            return "Shown once saved."
        pages = api_pages(obj.connection, obj.resource)
        if pages is None:
            return "—"
        return ", ".join(default_columns(pages.resolver, pages.item))
