"""Jotter's notes, declared for the sync engine: full passes, the page number as checkpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.search import search_document
from examples.jotter import provider
from examples.jotter.models import Note
from integrations.sync.resources import FetchedPage, FetchedRow, FetchRequest, SyncedResource

PAGE_SIZE = 100  # Jotter's largest page


def note_columns(*, title: str, body: str) -> dict[str, Any]:
    """Model fields of a note (the same keys for every row: the engine needs that)."""
    return {"title": title[:300], "body": body, "search_text": search_document(title, body)}


def note_fields(note: provider.NoteRecord) -> dict[str, Any]:
    return note_columns(title=note.title, body=note.body)


def note_row(note: provider.NoteRecord) -> FetchedRow:
    return FetchedRow(
        remote_id=note.id,
        fields=note_fields(note),
        raw=note.raw,
        remote_created_at=note.created_at,
        remote_updated_at=note.updated_at,
    )


def fetch_notes(client: Any, connection: Any, request: FetchRequest) -> Iterator[FetchedPage]:
    pages = provider.note_pages(client, start=request.checkpoint, page_size=PAGE_SIZE)
    for page in pages:
        yield FetchedPage(rows=[note_row(n) for n in page.notes], checkpoint=page.resume)


NOTES = SyncedResource(
    key="jotter.notes", provider="jotter", label="notes", model=Note, fetch=fetch_notes
)
RESOURCES = (NOTES,)
