"""Jotter's note pages: a description for `core.resource_views`, plus Jotter's rules (none)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from core.forms import ListFilters
from core.resources import ListColumn, ResourcePages, Service
from core.search import search_filter
from core.sorting import Column, Sorting
from examples.jotter import services
from examples.jotter.forms import NoteForm
from examples.jotter.models import Note
from examples.jotter.outbox import NoteCreate
from examples.jotter.sync import NOTES
from integrations.models import Connection, OutboxItem

JOTTER = Service(
    name="Jotter",
    kind="Notes",
    providers=("jotter",),
    description="Notes appear here once a Jotter connection is set up.",
)
NOTE_SORTING = Sorting(
    columns={
        "title": Column(["title"]),
        "created": Column(["remote_created_at"], descending_first=True),
    },
    default="title",
)


class NotePages(ResourcePages):
    service = JOTTER
    app, name, path = "jotter", "note", "notes"
    model = Note
    singular, plural = "Note", "Notes"
    subtitle = "Every note in Jotter, as last synced."
    pages = ("list", "create", "detail")
    list_columns = (ListColumn("Title", "title"), ListColumn("Created", "created"))
    sorting = NOTE_SORTING
    detail_fields = ("title", "body")
    form_class = NoteForm
    sync_resource = NOTES
    outbox_operations = (NoteCreate.name,)

    def list_rows(self, *, connection: Connection, filters: ListFilters) -> QuerySet[Note]:
        rows = Note.objects.filter(connection=connection, is_deleted=False)
        return search_filter(rows, filters.search).order_by(*NOTE_SORTING.order_by(filters.sort))

    def create(self, request: HttpRequest, *, connection: Connection, form: Any) -> OutboxItem:
        return services.note_create(
            connection=connection,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            submission_key=form.cleaned_data["submission_key"],
            user=request.user,
        )


NOTE_PAGES = NotePages()
