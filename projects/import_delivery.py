"""Send an import's outbox rows: in bulk where the provider has a bulk endpoint.

The generic tool takes up to `bulk_create_limit` projects per
`POST /projects/bulk` and answers 207 row by row: each row is marked done
(the local project becomes the provider's copy) or failed with the provider's
message. Asana has no bulk endpoint: rows go one by one through the normal
outbox delivery, which waits for the connection's rate-limit budget.

Rows are claimed the way `outbox_deliver` claims one (a row lock that skips
rows another worker holds), so the scheduler delivering the same rows at the
same moment never sends one twice. A chunk whose outcome is unknown (a read
timeout) is reconciled row by row before it is sent again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integrations.http.errors import (
    ConfigurationError,
    IntegrationError,
    ProviderUnavailableError,
    RateLimitedError,
    ValidationError,
)
from integrations.models import OutboxItem
from integrations.outbox.delivery import (
    LEASE,
    mark_delivered,
    mark_postponed,
    mark_rejected,
    outbox_deliver,
)
from integrations.outbox.registry import operation_for
from integrations.providers import provider_for
from integrations.providers.project_records import ProjectInput
from projects.models import ImportBatch, ImportRow

logger = logging.getLogger(__name__)


def import_batch_send(batch_id: int) -> datetime | None:
    """Send every due row of the import. Returns when to try again if some had to wait."""
    batch = ImportBatch.objects.select_related("connection").get(pk=batch_id)
    provider = provider_for(batch.connection.provider)
    ids = list(
        ImportRow.objects.filter(batch=batch, outbox_item__status=OutboxItem.Status.PENDING)
        .order_by("number")
        .values_list("outbox_item_id", flat=True)
    )
    limit = getattr(provider, "bulk_create_limit", 0)
    if not limit:
        return _send_one_by_one(ids)
    for start in range(0, len(ids), limit):
        if retry_at := _send_chunk(provider, ids[start : start + limit]):
            return retry_at
    return None


def _send_one_by_one(ids: list[int]) -> datetime | None:
    for item_id in ids:
        item = outbox_deliver(item_id, background=True)
        if item is not None and item.status == OutboxItem.Status.PENDING:
            return item.next_attempt_at  # rate limited or unavailable: the rest waits too
    return None


def _claim(ids: list[int]) -> list[OutboxItem]:
    now = timezone.now()
    with transaction.atomic():
        items = list(
            OutboxItem.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=OutboxItem.Status.PENDING, next_attempt_at__lte=now)
            .select_related("connection")
            .order_by("pk")
        )
        OutboxItem.objects.filter(pk__in=[i.pk for i in items]).update(
            status=OutboxItem.Status.SENDING, attempts=F("attempts") + 1, lease_until=now + LEASE
        )
    for item in items:
        item.status, item.attempts, item.lease_until = "sending", item.attempts + 1, now + LEASE
    order = {pk: n for n, pk in enumerate(ids)}
    return sorted(items, key=lambda i: order[i.pk])


def _send_chunk(provider, ids: list[int]) -> datetime | None:
    items = _claim(ids)
    if not items:
        return None
    operation = operation_for(items[0].operation)
    from integrations.services.connections import connection_client

    try:
        client = connection_client(items[0].connection, background=True)
        to_send = []
        for item in items:
            remote = operation.find_existing(client, item) if item.outcome_unknown else None
            if remote is None:
                to_send.append(item)
            else:
                mark_delivered(item, operation, remote)
        if not to_send:
            return None
        inputs = [ProjectInput.from_json(item.payload) for item in to_send]
        result = operation.module.project_bulk_create(client, inputs)
    except ValidationError as error:  # the whole request was refused
        for item in items:
            if item.status == OutboxItem.Status.SENDING:
                mark_rejected(item, operation, error)
        return None
    except (RateLimitedError, ProviderUnavailableError, IntegrationError, ConfigurationError) as e:
        return _postpone_all(items, operation, e)
    for index, item in enumerate(to_send):
        if index in result.created:
            mark_delivered(item, operation, result.created[index].raw)
        elif index in result.errors:
            row = result.errors[index]
            error = ValidationError(
                row.message,
                field_errors=row.field_errors,
                provider=provider.display_name,
                method="POST",
                path="/projects/bulk",
            )
            mark_rejected(item, operation, error)
        else:  # the answer names neither: look it up before any retry
            item.outcome_unknown = True
            mark_postponed(item, operation, "the bulk answer did not mention this row")
    return None


def _postpone_all(items: list[OutboxItem], operation, error: Exception) -> datetime | None:
    retry_at = getattr(error, "retry_at", None)
    unknown = getattr(error, "outcome_unknown", False)
    for item in items:
        if item.status == OutboxItem.Status.SENDING:
            item.outcome_unknown = item.outcome_unknown or unknown
            mark_postponed(item, operation, error, retry_at=retry_at)
    logger.info("project import chunk postponed: %s", error)
    waiting = [i.next_attempt_at for i in items if i.status == OutboxItem.Status.PENDING]
    return min(waiting) if waiting else None
