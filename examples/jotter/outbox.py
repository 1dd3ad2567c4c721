"""Jotter's writes through the outbox: create a note.

Jotter honours no idempotency key, so after an unknown outcome the note is
looked up by its exact title before anything is sent again.
"""

from __future__ import annotations

from typing import Any

from examples.jotter import provider
from examples.jotter.sync import note_fields
from integrations.models import OutboxItem
from integrations.outbox.operations import OutboxOperation


class NoteCreate(OutboxOperation):
    name = "jotter.note_create"
    record_model = "jotter.Note"

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        return provider.note_create(client, **item.payload).raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        found = provider.note_find(client, title=item.payload["title"])
        return found.raw if found else None

    def fields_from_remote(self, remote: dict[str, Any]) -> dict[str, Any]:
        note = provider.parse_note(remote)
        return note_fields(note) if note else {}


OPERATIONS = (NoteCreate,)
