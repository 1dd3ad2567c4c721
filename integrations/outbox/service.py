"""The one way a page writes to a provider: save locally and in the outbox, then deliver.

Views call `outbox_write` with the form's submission key. The local record
and the outbox row are saved in one transaction; then delivery is tried at
once with the short in-request deadline. The returned row tells the view
what happened: done, refused (field errors for the form), or waiting for the
background worker.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import IntegrityError, transaction

from integrations import audit
from integrations.models import Connection, OutboxItem
from integrations.models.synced import SyncedRecord
from integrations.outbox.delivery import outbox_deliver, outbox_submit
from integrations.outbox.registry import operation_for
from integrations.tasks import enqueue_delivery

# Inside `deliver_later()`: writes are saved and queued for the worker, not tried now,
# as rows of the bulk action `_bulk_key` when it is set.
_later: ContextVar[bool] = ContextVar("outbox_deliver_later", default=False)
_bulk_key: ContextVar[uuid.UUID | None] = ContextVar("outbox_bulk_key", default=None)


@contextmanager
def deliver_later(*, bulk_key: uuid.UUID | None = None) -> Iterator[None]:
    """Writes made inside are saved and queued for the background worker instead of being
    tried within the request: a bulk action over many rows answers at once, and its
    result page follows the outbox (the rows saved with its `bulk_key`)."""
    later, bulk = _later.set(True), _bulk_key.set(bulk_key)
    try:
        yield
    finally:
        _later.reset(later)
        _bulk_key.reset(bulk)


class SubmissionChanged(Exception):
    """A submission key came back with other values than its first write had (a form
    submitted, then Back, changed and submitted again): nothing was saved or sent.
    Answering with the first write would tell the person their change was saved."""

    def __init__(self, item: OutboxItem) -> None:
        super().__init__(f"submission {item.submission_key} was stored with other values")
        self.item = item  # the first write


def submission_stored(submission_key: str) -> bool:
    """Whether a write was stored with this key: `outbox_write` answers the submission
    with that write, or `SubmissionChanged`, so checks made before a new write are moot."""
    return OutboxItem.objects.filter(submission_key=submission_key).exists()


def _first_write(item: OutboxItem, operation: str, payload: dict[str, Any]) -> OutboxItem:
    """`item`, stored first with this submission key, if this submission is the same write:
    the same operation and what would be sent (`OutboxOperation.submitted`)."""
    sent = operation_for(operation).submitted
    same = item.operation == operation and sent(item.payload) == sent(_json_copy(payload))
    if not same:
        raise SubmissionChanged(item)
    return item


def _json_copy(payload: dict[str, Any]) -> dict[str, Any]:
    """`payload` as the outbox row's JSON column gives it back (tuples become lists)."""
    return json.loads(json.dumps(payload))


class _SubmittedBefore(Exception):
    """Rolls back a write whose submission key another request stored first."""

    def __init__(self, item: OutboxItem) -> None:
        super().__init__(f"submission {item.submission_key} was stored before")
        self.item = item


def outbox_write(
    *,
    connection: Connection,
    operation: str,
    payload: dict[str, Any] | Callable[[Any], dict[str, Any]],
    submission_key: str,
    summary: str,
    save_record: Callable[[], SyncedRecord | None],
    user: Any = None,
    record: SyncedRecord | None = None,
    changes: list[dict[str, Any]] | None = None,
    audit_record: tuple[str, str] = ("", ""),
) -> OutboxItem:
    """Store a write with its local record and try to deliver it now.

    `save_record` saves the local record (marked pending) and returns it; it
    runs only for the first submission of `submission_key`, so a double
    submit neither saves a second record nor sends a second write. A repeated key with
    another payload (Back, a field changed, submitted again) raises `SubmissionChanged`
    and saves nothing; a `payload` function is called for that comparison on a
    `save_record` that is rolled back.

    An edit or delete passes its `record`: it is read again from its row, and locked, in
    the transaction just before `save_record`, so `save_record` changes the record as
    stored now (another edit may have saved it since the page read it) and may refuse
    with `core.forms.EditConflict` (or `EditBreaksRule`), which rolls everything back and
    reaches the caller.
    A `payload` that depends on the saved record is a function of it, called after
    `save_record`.

    The audit trail gets an entry in the same transaction: who, from which page, what
    was changed; an edit's old values are its record as stored just before `save_record`,
    not the values the page read. A write without a local record passes its `changes`
    and `audit_record` ("apis:<resource>", its id at the API).
    """
    existing = OutboxItem.objects.filter(submission_key=submission_key).first()
    if existing and not callable(payload):
        return _first_write(existing, operation, payload)
    try:
        with transaction.atomic():
            before = audit.stored_snapshot(record)
            saved = save_record()
            data = payload(saved) if callable(payload) else payload
            item, created = outbox_submit(
                connection=connection,
                operation=operation,
                payload=data,
                submission_key=submission_key,
                summary=summary,
                record=saved,
                user=user,
                bulk_key=_bulk_key.get(),
            )
            if not created:
                # Stored before: by this form submitted twice at the same moment (it passed
                # the check above twice), or with a payload function. The first one won,
                # and this one's record must not stay.
                raise _SubmittedBefore(_first_write(item, operation, data))
            audit.write_recorded(
                item=item,
                action=operation_for(operation).action,
                record=saved,
                before=before,
                changes=changes,
                record_type=audit_record[0],
                record_id=audit_record[1],
            )
    except _SubmittedBefore as submitted:
        return submitted.item
    except IntegrityError:
        # The same form was submitted twice at the same moment; the first one won.
        return OutboxItem.objects.get(submission_key=submission_key)
    if _later.get():
        transaction.on_commit(lambda: enqueue_delivery(item))
        return item
    return outbox_deliver(item.pk, background=False) or item


def waiting_message(item: OutboxItem) -> str:
    """What a person reads about a write the provider has not confirmed yet."""
    name = item.connection.provider_display
    if item.outcome_unknown:
        return f"Sent — waiting for {name} to confirm."
    return f"Saved — it will be sent to {name} as soon as it answers."
