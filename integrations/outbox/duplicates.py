"""Possible duplicates: flag what slipped through the outbox's reconciliation.

After each successful sync of a resource, the engine calls `duplicates_flag`.
It takes the identity of each of the connection's done creates of that
resource saved within `WINDOW` (`OutboxOperation.identity`), and of every flag
still open, then reads the synced records once per kind of identity, from the
field the operation's `identity_rules` name. One pass over the table, however
many creates there are: a query per create would scan it each time, since no
index holds the items of a JSON list. Two or more records holding one identity
make a flag; a later sync that finds one copy left closes it. A person can mark
a flag "not a duplicate": it stays dismissed for that set of copies, and a new
copy reopens it. Nothing at the provider is ever deleted.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from integrations.models import Connection, DuplicateFlag, OutboxItem
from integrations.models.synced import SyncedRecord
from integrations.outbox.identity import Identity, IdentityRule, normalized_all
from integrations.outbox.operations import OutboxOperation
from integrations.outbox.registry import operation_for, operations

# Creates saved longer ago than this are no longer compared (open flags still are).
WINDOW = timedelta(days=30)
READ_CHUNK = 2000


def duplicates_flag(*, connection: Connection, model: type[SyncedRecord]) -> None:
    """Update the possible-duplicate flags of `model`'s records for `connection`."""
    now = timezone.now()
    record_type = model._meta.label
    creates = [
        op for op in operations().values() if op.record_model == record_type and op.creates_record
    ]
    flags = {
        _flag_identity(flag): flag
        for flag in DuplicateFlag.objects.filter(
            connection=connection, record_type=record_type
        ).select_related("outbox_item")
    }
    checks = _identities_to_check(connection, creates, flags, now)
    if not checks:
        return
    rules = {kind: rule for op in creates for kind, rule in op.identity_rules.items()}
    copies = _copies(model, connection, rules, set(checks))
    for identity, item in checks.items():
        flag = flags.get(identity) or DuplicateFlag(
            connection=connection,
            record_type=record_type,
            identity_kind=identity.kind,
            identity_value=identity.value,
            identity_scope=identity.scope,
        )
        _flag_update(flag, item, sorted(copies[identity]), now)


def _identities_to_check(
    connection: Connection,
    creates: list[OutboxOperation],
    flags: dict[Identity, DuplicateFlag],
    now: datetime,
) -> dict[Identity, OutboxItem]:
    """Each identity to compare (the recent creates' and the open flags'), with the
    latest create that gave it."""
    checks = {
        identity: flag.outbox_item for identity, flag in flags.items() if flag.closed_at is None
    }
    recent = OutboxItem.objects.filter(
        connection=connection,
        operation__in=[op.name for op in creates],
        status=OutboxItem.Status.DONE,
        created_at__gte=now - WINDOW,
    ).order_by("created_at", "pk")
    for item in recent.iterator():
        identity = operation_for(item.operation).identity(item.payload)
        if identity and _fits(identity):
            checks[identity] = item
    return checks


def _fits(identity: Identity) -> bool:
    """Whether a flag can store it (longer values are no email, domain or synced name)."""
    value_max = DuplicateFlag._meta.get_field("identity_value").max_length or 0
    scope_max = DuplicateFlag._meta.get_field("identity_scope").max_length or 0
    return len(identity.value) <= value_max and len(identity.scope) <= scope_max


def _copies(
    model: type[SyncedRecord],
    connection: Connection,
    rules: dict[str, IdentityRule],
    wanted: set[Identity],
) -> dict[Identity, set[int]]:
    """The primary keys of the synced records (at the provider, not deleted) holding
    each wanted identity: one read of the table per kind of identity."""
    found: dict[Identity, set[int]] = defaultdict(set)
    for kind, rule in rules.items():
        if not any(identity.kind == kind for identity in wanted):
            continue
        records = (
            model.objects.filter(connection=connection, is_deleted=False, **rule.only)
            .exclude(remote_id=None)
            .order_by()
        )
        columns = ["pk", rule.field, *([rule.scope_field] if rule.scope_field else [])]
        for pk, held, *scope in records.values_list(*columns).iterator(chunk_size=READ_CHUNK):
            where = str(scope[0] or "") if scope else ""
            for value in normalized_all(held):
                # A write that named no scope (a project without a workspace) matches any.
                for identity in {Identity(kind, value, where), Identity(kind, value)}:
                    if identity in wanted:
                        found[identity].add(pk)
    return found


def _flag_identity(flag: DuplicateFlag) -> Identity:
    return Identity(kind=flag.identity_kind, value=flag.identity_value, scope=flag.identity_scope)


def _flag_update(
    flag: DuplicateFlag, item: OutboxItem, record_ids: list[int], now: datetime
) -> None:
    """Open, update or close `flag` (unsaved when new) for the copies found now."""
    if len(record_ids) < 2:
        if flag.pk is not None and flag.closed_at is None:
            flag.record_ids, flag.checked_at, flag.closed_at = record_ids, now, now
            flag.save(update_fields=["record_ids", "checked_at", "closed_at"])
        return
    was_open = flag.pk is not None and flag.is_open
    flag.closed_at = None
    if flag.dismissed_at and not set(record_ids) <= set(flag.dismissed_record_ids):
        flag.dismissed_at, flag.dismissed_by, flag.dismissed_record_ids = None, None, []
    if flag.is_open and not was_open:
        flag.detected_at = now
    flag.outbox_item, flag.record_ids, flag.checked_at = item, record_ids, now
    flag.save()


def _open_flags(record_types: list[str] | None) -> QuerySet[DuplicateFlag]:
    flags = DuplicateFlag.objects.filter(closed_at=None, dismissed_at=None)
    return flags if record_types is None else flags.filter(record_type__in=record_types)


def duplicate_flags_open(
    *, limit: int = 50, record_types: list[str] | None = None
) -> list[DuplicateFlag]:
    """The newest open flags, for the dashboard (of these "app.Model" labels; None: all)."""
    return list(
        _open_flags(record_types)
        .select_related("connection", "outbox_item")
        .order_by("-detected_at", "-pk")[:limit]
    )


def duplicate_flags_open_count(*, record_types: list[str] | None = None) -> int:
    return _open_flags(record_types).count()


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
