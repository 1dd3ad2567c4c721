"""The worker's side: apply a stored delivery as a change hint.

For each record a delivery names (events.py), the hub fetches the record as the
provider has it now, through the shared client (`SyncedResource.fetch_one`), or
reads it from the event where the event carries the whole record with its time
(`row_from_event`, Affinity). It upserts the row only if the provider's version
(`remote_updated_at`) is not older than the hub's, in the statement itself
(`upsert_rows(newer_only=True)`), so duplicates, retries and any arrival order
end in the same rows. A record the provider no longer has is marked deleted; a
deletion event with a time leaves a deleted row of that version, so an older
event arriving after it cannot bring the record back.

A delivery is claimed with one conditional UPDATE and held for
WEBHOOK_LEASE_SECONDS; a provider error puts it back with backoff, and after
WEBHOOK_MAX_ATTEMPTS it is failed (the admin replays it).
"""

from __future__ import annotations

import logging
import random
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.http import call_log
from integrations.http.client import ApiClient
from integrations.http.errors import ConfigurationError, IntegrationError, RateLimitedError
from integrations.models import Connection, WebhookDelivery
from integrations.models.synced import SyncStatus
from integrations.services.connections import connection_client
from integrations.sync.registry import resource_for
from integrations.sync.resources import FetchedRow, SyncedResource
from integrations.sync.upsert import upsert_rows
from integrations.webhooks.events import Change, changes_of
from integrations.webhooks.stamps import changes_touch

logger = logging.getLogger(__name__)
State = WebhookDelivery.State

RETRY_BASE_SECONDS = 5
RETRY_CAP_SECONDS = 3600


def delivery_apply(delivery_id: int) -> str:
    """Apply one delivery if it is due and unclaimed; its state afterwards ("" if skipped)."""
    delivery = delivery_claim(delivery_id)
    if delivery is None:
        return ""
    connection = delivery.connection
    try:
        summaries = changes_apply(connection, changes_of(delivery.provider, bytes(delivery.body)))
    except (IntegrationError, ConfigurationError) as exc:
        return delivery_postpone(delivery, exc)
    finally:
        call_log.flush()
    WebhookDelivery.objects.filter(pk=delivery.pk, state=State.APPLYING).update(
        state=State.APPLIED,
        applied_at=timezone.now(),
        lease_until=None,
        error="",
        summary="; ".join(summaries)[:300] or "nothing the hub syncs",
    )
    return State.APPLIED


def delivery_claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(due_filter(now))
        .update(
            state=State.APPLYING,
            lease_until=now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("connection").get(pk=delivery_id)


def due_filter(now: datetime) -> Q:
    """Deliveries a worker may take: received and due, or held past their lease."""
    return Q(state=State.RECEIVED, next_attempt_at__lte=now) | Q(
        state=State.APPLYING, lease_until__lt=now
    )


def deliveries_due(limit: int = 500) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(due_filter(timezone.now()))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def delivery_postpone(delivery: WebhookDelivery, exc: Exception) -> str:
    """Back to received with backoff (the provider's Retry-After first), or failed."""
    attempts = delivery.attempts
    if attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        state, when = State.FAILED, timezone.now()
    else:
        state = State.RECEIVED
        when = getattr(exc, "retry_at", None) if isinstance(exc, RateLimitedError) else None
        when = when or timezone.now() + retry_delay(attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk, state=State.APPLYING).update(
        state=state, next_attempt_at=when, lease_until=None, error=str(exc)[:2000]
    )
    logger.warning("Webhook delivery %s not applied (%s): %s", delivery.pk, state, exc)
    return state


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with full jitter."""
    ceiling = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2**attempts)
    return timedelta(seconds=random.uniform(1, ceiling))  # noqa: S311 - jitter, not security


def delivery_replay(delivery: WebhookDelivery) -> None:
    """Apply a delivery again (the admin's action): due now, attempts counted afresh."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=State.RECEIVED, next_attempt_at=timezone.now(), attempts=0, lease_until=None
    )


def changes_apply(connection: Connection, changes: list[Change]) -> list[str]:
    """Apply each change; what was done, for the delivery's summary."""
    client: ApiClient | None = None
    done = []
    for change in changes:
        try:
            resource = resource_for(f"{connection.provider}.{change.label}")
        except LookupError:
            continue  # a record kind the hub does not sync
        if change.body is None and resource.fetch_one is not None:
            client = client or connection_client(connection, background=True)
            row = resource.fetch_one(client, connection, change.remote_id)
            deleted = row is None
        elif change.body is not None and resource.row_from_event is not None:
            row = None if change.deleted else resource.row_from_event(connection, change.body)
            deleted = change.deleted
            if row is not None and row.remote_updated_at is None:
                row = replace(row, remote_updated_at=change.version)
        else:
            continue
        with transaction.atomic():
            if deleted:
                record_delete(resource, connection, change.remote_id, change.version)
            elif row is not None:
                record_upsert(resource, connection, row)
            changes_touch(connection_id=connection.pk, resource_key=resource.key)
        done.append(f"{change.label} {change.remote_id} {'deleted' if deleted else 'updated'}")
    return done


def record_upsert(resource: SyncedResource, connection: Connection, row: FetchedRow) -> None:
    model = resource.model
    values = {
        "connection": connection.pk,
        "remote_id": row.remote_id,
        "raw": row.raw,
        "remote_created_at": row.remote_created_at,
        "remote_updated_at": row.remote_updated_at,
        "synced_at": timezone.now(),
        "is_deleted": False,
        "sync_status": SyncStatus.SYNCED,
        **row.fields,
    }
    update = [name for name in values if name not in ("connection", "remote_id")]
    upsert_rows(model, [values], update=update, newer_only=True)
    if resource.after_upsert is None:
        return
    stored = (
        model.objects.filter(connection=connection, remote_id=row.remote_id)
        .values_list("pk", "remote_updated_at", "sync_status")
        .first()
    )
    # Child rows follow only when this version was written (not older, not pending).
    if stored and stored[2] != SyncStatus.PENDING and stored[1] == row.remote_updated_at:
        resource.after_upsert(connection, [row], {row.remote_id: stored[0]})


def record_delete(
    resource: SyncedResource, connection: Connection, remote_id: str, version: datetime | None
) -> None:
    """Mark the record deleted. With the event's time, as a row of that version (created
    if the hub never had it), so an older event cannot revive it."""
    now = timezone.now()
    if version is None:
        resource.model.objects.filter(connection=connection, remote_id=remote_id).exclude(
            sync_status=SyncStatus.PENDING
        ).update(is_deleted=True, synced_at=now)
        return
    tombstone = {
        "connection": connection.pk,
        "remote_id": remote_id,
        "raw": {},
        "remote_updated_at": version,
        "synced_at": now,
        "is_deleted": True,
        "sync_status": SyncStatus.SYNCED,
    }
    upsert_rows(
        resource.model,
        [tombstone],
        update=["remote_updated_at", "synced_at", "is_deleted"],
        newer_only=True,
    )
