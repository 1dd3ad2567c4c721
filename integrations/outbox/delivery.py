"""Save writes in the outbox and deliver them.

`outbox_submit` stores a write (call it inside the transaction that saves the
local record). `outbox_deliver` sends one row: claimed with a row lock that
skips locked rows, so two workers never send the same row. An attempt whose
outcome is unknown (a read timeout, a dropped connection) is reconciled
before anything is sent again: the operation looks the record up at the
provider, and the write is re-sent only if it is not there.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.http.errors import (
    ConfigurationError,
    IntegrationError,
    ProviderUnavailableError,
    RateLimitedError,
    ValidationError,
)
from integrations.models import Connection, OutboxItem
from integrations.outbox.registry import operation_for

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
BACKOFF_BASE_SECONDS = 5
BACKOFF_CAP_SECONDS = 3600


def outbox_submit(
    *,
    connection: Connection,
    operation: str,
    payload: dict[str, Any],
    submission_key: str,
    summary: str = "",
    record: Any = None,
    user: Any = None,
) -> tuple[OutboxItem, bool]:
    """Store a write; return (row, created). A repeated `submission_key` returns
    the first row and stores nothing: a double submit never writes twice."""
    existing = OutboxItem.objects.filter(submission_key=submission_key).first()
    if existing:
        return existing, False
    item = OutboxItem(
        connection=connection,
        operation=operation,
        payload=payload,
        submission_key=submission_key,
        summary=summary[:200],
        record_type=record._meta.label if record is not None else "",
        record_id=record.pk if record is not None else None,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        return OutboxItem.objects.get(submission_key=submission_key), False
    return item, True


def outbox_deliver(item_id: int, *, background: bool = True) -> OutboxItem | None:
    """Try to deliver one row now. Returns the row as it ends, or None when the
    row is not deliverable (already done, or another worker holds it)."""
    item = _claim(item_id, due_only=background)
    if item is None:
        return None
    operation = operation_for(item.operation)
    from integrations.services.connections import connection_client

    try:
        client = connection_client(item.connection, background=background)
        remote = operation.find_existing(client, item) if item.outcome_unknown else None
        if remote is None:
            remote = operation.send(client, item)
    except ValidationError as error:
        mark_rejected(item, operation, error)
    except RateLimitedError as error:
        mark_postponed(item, operation, error, retry_at=error.retry_at)
    except ProviderUnavailableError as error:
        item.outcome_unknown = item.outcome_unknown or error.outcome_unknown
        mark_postponed(item, operation, error)
    except IntegrationError as error:
        _needs_attention(item, operation, str(error))
    except ConfigurationError as error:
        # The connection is switched off or incomplete: wait for an administrator.
        mark_postponed(item, operation, error)
    else:
        mark_delivered(item, operation, remote)
    return item


def outbox_deliver_due(*, limit: int = 50) -> int:
    """Deliver the rows that are due, as a background worker does. Returns how many were tried."""
    ids = list(
        OutboxItem.objects.filter(
            status=OutboxItem.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if outbox_deliver(pk) is not None)


def outbox_recover_stale() -> int:
    """Rows left `sending` by a worker that died: their outcome is unknown."""
    return OutboxItem.objects.filter(
        status=OutboxItem.Status.SENDING, lease_until__lt=timezone.now()
    ).update(status=OutboxItem.Status.PENDING, outcome_unknown=True, lease_until=None)


def outbox_retry(item: OutboxItem) -> None:
    """A person asks to try a failed or stuck row again."""
    if item.status in (OutboxItem.Status.NEEDS_ATTENTION, OutboxItem.Status.PENDING):
        OutboxItem.objects.filter(pk=item.pk).update(
            status=OutboxItem.Status.PENDING, next_attempt_at=timezone.now()
        )


def _claim(item_id: int, *, due_only: bool) -> OutboxItem | None:
    with transaction.atomic():
        rows = OutboxItem.objects.select_for_update(skip_locked=True).filter(
            pk=item_id, status=OutboxItem.Status.PENDING
        )
        if due_only:
            rows = rows.filter(next_attempt_at__lte=timezone.now())
        item = rows.select_related("connection").first()
        if item is None:
            return None
        item.status = OutboxItem.Status.SENDING
        item.attempts += 1
        item.lease_until = timezone.now() + LEASE
        item.save(update_fields=["status", "attempts", "lease_until", "updated_at"])
        return item


# The outcomes of one attempt. Public for senders that deliver several rows in
# one provider call (a bulk endpoint) and must end each row exactly as here.


def mark_delivered(item: OutboxItem, operation: Any, remote: dict[str, Any]) -> None:
    """The provider has the write: the local record becomes the provider's copy."""
    with transaction.atomic():
        operation.on_delivered(item, remote)
        item.status = OutboxItem.Status.DONE
        item.remote_id = str(remote.get("id") or remote.get("gid") or "")
        item.delivered_at = timezone.now()
        item.outcome_unknown = False
        item.last_error = ""
        item.field_errors = {}
        item.lease_until = None
        item.save()


def mark_rejected(item: OutboxItem, operation: Any, error: ValidationError) -> None:
    """The provider refused the data: failed, with its field errors for the form."""
    with transaction.atomic():
        operation.on_rejected(item)
        item.status = OutboxItem.Status.FAILED
        item.last_error = str(error)
        item.field_errors = error.field_errors
        item.lease_until = None
        item.save()


def mark_postponed(
    item: OutboxItem, operation: Any, error: Exception | str, *, retry_at=None
) -> None:
    """No answer we can use: try again later (at `retry_at`, or after a backoff)."""
    if item.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        _needs_attention(item, operation, f"Gave up after {item.attempts} attempts: {error}")
        return
    item.status = OutboxItem.Status.PENDING
    item.next_attempt_at = retry_at or timezone.now() + _backoff(item.attempts)
    item.last_error = str(error)
    item.lease_until = None
    item.save()
    logger.info("outbox %s postponed to %s: %s", item, item.next_attempt_at, error)


def _needs_attention(item: OutboxItem, operation: Any, message: str) -> None:
    with transaction.atomic():
        operation.on_stuck(item)
        item.status = OutboxItem.Status.NEEDS_ATTENTION
        item.last_error = message
        item.lease_until = None
        item.save()


def _backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempts)
    return timedelta(seconds=random.uniform(1, ceiling))  # noqa: S311 - jitter, not security
