"""Writes of Jotter notes: saved locally and in the outbox, then delivered."""

from __future__ import annotations

from typing import Any

from examples.jotter.models import Note
from examples.jotter.outbox import NoteCreate
from examples.jotter.sync import note_columns
from integrations.models import Connection, OutboxItem
from integrations.models.synced import SyncStatus
from integrations.outbox.service import outbox_write


def note_create(
    *, connection: Connection, title: str, body: str, submission_key: str, user: Any = None
) -> OutboxItem:
    """Save the note (pending) and send `POST /notes`; a repeated key writes once."""

    def save_record() -> Note:
        return Note.objects.create(
            connection=connection,
            sync_status=SyncStatus.PENDING,
            **note_columns(title=title, body=body),
        )

    return outbox_write(
        connection=connection,
        operation=NoteCreate.name,
        payload={"title": title, "body": body},
        submission_key=submission_key,
        summary=f"Create note {title}",
        save_record=save_record,
        user=user,
    )
