"""Send an import's outbox rows: in bulk where the provider has a bulk endpoint.

The generic tool takes up to `bulk_create_limit` projects per
`POST /projects/bulk` and answers 207 row by row: each row is marked done
(the local project becomes the provider's copy) or failed with the provider's
message. Asana has no bulk endpoint: rows go one by one through the normal
outbox delivery, which waits for the connection's rate-limit budget.

A chunk the tool refuses as a whole (a 400 for one bad row) created nothing: its
rows are then sent one by one, so only the bad one is refused.

Rows are claimed the way `outbox_deliver` claims one (`integrations.outbox.claims`),
so the scheduler delivering the same rows at the same moment never sends one
twice. Each chunk carries an idempotency key made from its rows. A row whose
outcome is unknown (a read timeout on its chunk, a 207 whose body cannot be read)
is confirmed by `outbox_deliver` on its own, which lets it settle and looks it up
before it is sent again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone

from integrations.http.errors import (
    ConfigurationError,
    IntegrationError,
    ProviderUnavailableError,
    RateLimitedError,
    ValidationError,
)
from integrations.models import OutboxItem
from integrations.outbox.claims import ClaimLost, claim_rows, lease_deadline, still_held
from integrations.outbox.delivery import (
    mark_delivered,
    mark_postponed,
    mark_rejected,
    outbox_deliver,
    unreadable_as_unknown,
)
from integrations.outbox.registry import operation_for
from integrations.providers import provider_for
from integrations.providers.project_records import ProjectInput
from integrations.services.connections import connection_client
from projects.models import ImportBatch, ImportRow

logger = logging.getLogger(__name__)


def import_batch_send(batch_id: int) -> datetime | None:
    """Send every due row of the import. Returns when to try again if some had to wait."""
    batch = ImportBatch.objects.select_related("connection").get(pk=batch_id)
    provider = provider_for(batch.connection.provider)
    pending = list(
        ImportRow.objects.filter(batch=batch, outbox_item__status=OutboxItem.Status.PENDING)
        .order_by("number")
        .values_list("outbox_item_id", "outbox_item__unknown_since")
    )
    limit = provider.bulk_create_limit
    if not limit:
        return _send_one_by_one([pk for pk, _ in pending])
    waits = [_confirm_unknown([pk for pk, since in pending if since is not None])]
    known = [pk for pk, since in pending if since is None]
    for start in range(0, len(known), limit):
        if retry_at := _send_chunk(provider, known[start : start + limit]):
            waits.append(retry_at)
            break
    return min((w for w in waits if w is not None), default=None)


def _send_one_by_one(ids: list[int]) -> datetime | None:
    for item_id in ids:
        item = outbox_deliver(item_id, background=True)
        if item is not None and item.status == OutboxItem.Status.PENDING:
            return item.next_attempt_at  # rate limited or unavailable: the rest waits too
    return None


def _confirm_unknown(ids: list[int]) -> datetime | None:
    """Rows whose chunk's answer never came, each confirmed on its own; when the next is due."""
    for item_id in ids:
        outbox_deliver(item_id, background=True)
    waiting = OutboxItem.objects.filter(pk__in=ids, status=OutboxItem.Status.PENDING)
    return waiting.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()


def chunk_key(items: list[OutboxItem]) -> str:
    """One idempotency key per set of rows: a repeat of the same chunk creates nothing."""
    digest = hashlib.sha256(",".join(sorted(i.submission_key for i in items)).encode())
    return f"hub-import-{digest.hexdigest()[:48]}"


def _send_chunk(provider, ids: list[int]) -> datetime | None:
    order = {pk: n for n, pk in enumerate(ids)}
    items = sorted(claim_rows(ids, due_only=True), key=lambda i: order[i.pk])
    if not items:
        return None
    operation = operation_for(items[0].operation)
    key = chunk_key(items)
    sent_at = timezone.now()
    try:
        client = connection_client(items[0].connection, background=True)
        client.finish_by = lease_deadline(items)
        if not still_held(items, sending_key=key):
            raise ClaimLost("the import chunk lost its claim before sending")
        inputs = [ProjectInput.from_json(item.payload) for item in items]
        with client.idempotency_key(key), unreadable_as_unknown():
            result = operation.module.project_bulk_create(client, inputs)
    except ValidationError as error:  # the whole request was refused: nothing was created
        if len(items) == 1:
            _end_row(mark_rejected, items[0], operation, error)
            return None
        # Each row on its own, so a bad one is refused alone and the others are created.
        for item in items:
            _end_row(mark_postponed, item, operation, error, retry_at=timezone.now())
        return _send_one_by_one([item.pk for item in items])
    except (RateLimitedError, ProviderUnavailableError, IntegrationError, ConfigurationError) as e:
        for item in items:
            if getattr(e, "outcome_unknown", False):
                item.unknown_since, item.unknown_key, item.empty_lookups = sent_at, key, 0
            _end_row(mark_postponed, item, operation, e, retry_at=getattr(e, "retry_at", None))
        logger.info("project import chunk postponed: %s", e)
        return min(i.next_attempt_at for i in items)
    except ClaimLost as lost:
        logger.warning("%s", lost)
        return None
    for index, item in enumerate(items):
        if index in result.created:
            _end_row(mark_delivered, item, operation, result.created[index].raw)
        elif index in result.errors:
            row = result.errors[index]
            error = ValidationError(
                row.message,
                field_errors=row.field_errors,
                provider=provider.display_name,
                method="POST",
                path="/projects/bulk",
            )
            _end_row(mark_rejected, item, operation, error)
        else:  # the answer names neither: confirm it before any retry
            item.unknown_since, item.unknown_key = sent_at, key
            _end_row(mark_postponed, item, operation, "the bulk answer did not mention this row")
    return None


def _end_row(mark: Callable[..., None], item: OutboxItem, *args: Any, **kwargs: Any) -> None:
    """End one row's attempt; a row whose claim was lost is left to its new holder."""
    try:
        mark(item, *args, **kwargs)
    except ClaimLost as lost:
        logger.warning("%s", lost)
