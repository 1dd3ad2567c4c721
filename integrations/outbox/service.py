"""The one way a page writes to a provider: save locally and in the outbox, then deliver.

Views call `outbox_write` with the form's submission key. The local record
and the outbox row are saved in one transaction; then delivery is tried at
once with the short in-request deadline. The returned row tells the view
what happened: done, refused (field errors for the form), or waiting for the
background worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from integrations.models import Connection, OutboxItem
from integrations.models.synced import SyncedRecord
from integrations.outbox.delivery import outbox_deliver, outbox_submit


def outbox_write(
    *,
    connection: Connection,
    operation: str,
    payload: dict[str, Any],
    submission_key: str,
    summary: str,
    save_record: Callable[[], SyncedRecord | None],
    user: Any = None,
) -> OutboxItem:
    """Store a write with its local record and try to deliver it now.

    `save_record` saves the local record (marked pending) and returns it; it
    runs only for the first submission of `submission_key`, so a double
    submit neither saves a second record nor sends a second write.
    """
    existing = OutboxItem.objects.filter(submission_key=submission_key).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            record = save_record()
            item, _ = outbox_submit(
                connection=connection,
                operation=operation,
                payload=payload,
                submission_key=submission_key,
                summary=summary,
                record=record,
                user=user,
            )
    except IntegrityError:
        # The same form was submitted twice at the same moment; the first one won.
        return OutboxItem.objects.get(submission_key=submission_key)
    return outbox_deliver(item.pk, background=False) or item


def waiting_message(item: OutboxItem) -> str:
    """What a person reads about a write the provider has not confirmed yet."""
    name = item.connection.provider_display
    if item.outcome_unknown:
        return f"Sent — waiting for {name} to confirm."
    return f"Saved — it will be sent to {name} as soon as it answers."
