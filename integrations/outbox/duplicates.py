"""Possible duplicates: flag what slipped through the outbox's reconciliation.

After each successful sync of a resource, the engine calls `duplicates_flag`.
For the connection's creates of that resource that were delivered within
`WINDOW` (and for every flag still open), it asks the create operation for the
write's identity (`OutboxOperation.identity`) and for the synced records that
hold it (`with_identity`). Two or more such records at the provider make a
flag, one per identity; a later sync that finds one copy left closes it. A
person can mark a flag "not a duplicate": it stays dismissed for that set of
copies, and a new copy reopens it. Nothing at the provider is ever deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.utils import timezone

from integrations.models import Connection, DuplicateFlag, OutboxItem
from integrations.models.synced import SyncedRecord
from integrations.outbox.identity import Identity
from integrations.outbox.registry import operation_for, operations

# Creates delivered longer ago than this are no longer compared (open flags still are).
WINDOW = timedelta(days=30)


def duplicates_flag(*, connection: Connection, model: type[SyncedRecord]) -> None:
    """Update the possible-duplicate flags of `model`'s records for `connection`."""
    now = timezone.now()
    record_type = model._meta.label
    synced = model.objects.filter(connection=connection, is_deleted=False).exclude(remote_id=None)
    for identity, item in _identities_to_check(connection, record_type, now).items():
        operation = operation_for(item.operation)
        copies = operation.with_identity(synced, identity).values_list("pk", flat=True)
        _flag_update(item, record_type, identity, sorted(copies), now)


def _identities_to_check(
    connection: Connection, record_type: str, now: datetime
) -> dict[Identity, OutboxItem]:
    """Each identity to compare, with the latest create that gave it."""
    checks = {
        _flag_identity(flag): flag.outbox_item
        for flag in DuplicateFlag.objects.filter(
            connection=connection, record_type=record_type, closed_at=None
        ).select_related("outbox_item")
    }
    creates = [
        op.name
        for op in operations().values()
        if op.record_model == record_type and op.creates_record
    ]
    recent = OutboxItem.objects.filter(
        connection=connection,
        operation__in=creates,
        status=OutboxItem.Status.DONE,
        created_at__gte=now - WINDOW,
    ).order_by("created_at", "pk")
    for item in recent.iterator():
        if identity := operation_for(item.operation).identity(item.payload):
            checks[identity] = item
    return checks


def _flag_identity(flag: DuplicateFlag) -> Identity:
    return Identity(kind=flag.identity_kind, value=flag.identity_value, scope=flag.identity_scope)


def _flag_update(
    item: OutboxItem, record_type: str, identity: Identity, record_ids: list[int], now: datetime
) -> None:
    flag = DuplicateFlag.objects.filter(
        connection_id=item.connection_id,
        record_type=record_type,
        identity_kind=identity.kind,
        identity_value=identity.value,
        identity_scope=identity.scope,
    ).first()
    if len(record_ids) < 2:
        if flag is not None and flag.closed_at is None:
            flag.record_ids, flag.checked_at, flag.closed_at = record_ids, now, now
            flag.save(update_fields=["record_ids", "checked_at", "closed_at"])
        return
    if flag is None:
        flag = DuplicateFlag(
            connection_id=item.connection_id,
            record_type=record_type,
            identity_kind=identity.kind,
            identity_value=identity.value[:320],
            identity_scope=identity.scope[:64],
        )
    was_open = flag.pk is not None and flag.is_open
    flag.closed_at = None
    if flag.dismissed_at and not set(record_ids) <= set(flag.dismissed_record_ids):
        flag.dismissed_at, flag.dismissed_by, flag.dismissed_record_ids = None, None, []
    if flag.is_open and not was_open:
        flag.detected_at = now
    flag.outbox_item, flag.record_ids, flag.checked_at = item, record_ids, now
    flag.save()


def duplicate_flags_open(*, limit: int = 50) -> list[DuplicateFlag]:
    """The newest open flags, for the dashboard."""
    return list(
        DuplicateFlag.objects.filter(closed_at=None, dismissed_at=None)
        .select_related("connection", "outbox_item")
        .order_by("-detected_at", "-pk")[:limit]
    )


def duplicate_flags_open_count() -> int:
    return DuplicateFlag.objects.filter(closed_at=None, dismissed_at=None).count()


def duplicate_flags_of(record: SyncedRecord) -> list[DuplicateFlag]:
    """The open flags that name `record` as one of their copies."""
    flags = DuplicateFlag.objects.filter(
        connection_id=record.connection_id,
        record_type=record._meta.label,
        closed_at=None,
        dismissed_at=None,
    ).select_related("connection", "outbox_item")
    return [flag for flag in flags if record.pk in flag.record_ids]


def duplicate_copies(flag: DuplicateFlag) -> list[Any]:
    """The flag's copies as synced records, oldest first (those still shown)."""
    model = apps.get_model(flag.record_type)
    copies = model.objects.filter(pk__in=flag.record_ids, is_deleted=False)
    return list(copies.order_by("remote_created_at", "pk"))


def duplicate_flag_dismiss(*, flag: DuplicateFlag, user: Any) -> None:
    """A person says these copies are not duplicates: keep the flag quiet until a new one."""
    flag.dismissed_at = timezone.now()
    flag.dismissed_by = user
    flag.dismissed_record_ids = list(flag.record_ids)
    flag.save(update_fields=["dismissed_at", "dismissed_by", "dismissed_record_ids"])
