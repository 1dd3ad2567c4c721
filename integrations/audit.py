"""The audit trail (`models.AuditEntry`): written beside every outbox row, answered when
the row ends, and for changes that arrive from the provider by sync or webhook.

`integrations.outbox.service.outbox_write()` records a person's write: the user, the page
(`current_page`, set per request by `core.middleware.AuditPageMiddleware`), the
operation's action and the fields changed, old and new. `write_answered()` adds the
provider's answer in the transaction that ends the row. `arrived()` records what a sync
page or a webhook changed in records the hub already had, and what a full pass found
deleted; a record first seen by a sync gets no entry (a first sync would write one per
record, and nobody did anything).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.utils import timezone

from integrations.models import AuditEntry, Connection, OutboxItem
from integrations.models.synced import SyncedRecord, SyncStatus
from integrations.shown_errors import outbox_error

# The page of the request being served: its URL name, else its path ("" outside one).
current_page: ContextVar[str] = ContextVar("audit_page", default="")

# Bookkeeping, not data a person changes: SyncedRecord's own columns and search documents.
NOT_AUDITED = {f.name for f in SyncedRecord._meta.get_fields()} | {"id", "search_text"}
# Never store a value of a field named like a secret.
SECRET_NAME = re.compile(r"token|secret|password|passwd|api_key|credential", re.I)
VALUE_CHARS = 500
LABEL_CHARS = 200


def audited_fields(model: type[Model]) -> list[str]:
    """The model's fields an entry compares: not bookkeeping, not what the model lists in
    its `audit_ignored` (values derived from others), never a secret."""
    ignored = NOT_AUDITED | set(getattr(model, "audit_ignored", ()))
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.name not in ignored
        and not field.is_relation
        and not SECRET_NAME.search(field.name)
    ]


def shown_value(value: Any) -> Any:
    """A value as an entry keeps it (JSON, long texts cut)."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, str):
        return value[:VALUE_CHARS]
    if isinstance(value, (list, tuple)):
        return [shown_value(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, dict)):
        return value
    return str(value)[:VALUE_CHARS]


def snapshot(record: Model | None) -> dict[str, Any]:
    """The audited values of `record` now (empty for none)."""
    if record is None:
        return {}
    return {name: shown_value(getattr(record, name)) for name in audited_fields(type(record))}


def stored_snapshot(record: Model | None) -> dict[str, Any]:
    """The audited values of `record`'s row as stored now (empty for none, or a row gone),
    read into `record` itself inside the write's transaction, so that an edit changes,
    and its old values are, the record as stored, even when someone saved it after the
    page read it. PostgreSQL
    locks the row until the transaction ends (SELECT ... FOR UPDATE: a second edit of it
    waits, then reads the first one's values); SQLite's transactions take the database's
    write lock when they begin (`"transaction_mode": "IMMEDIATE"`, config/settings.py),
    so there the read and the save are one step already."""
    if record is None or record.pk is None:
        return {}
    try:
        record.refresh_from_db(from_queryset=type(record)._base_manager.select_for_update())
    except ObjectDoesNotExist:
        return {}
    return snapshot(record)


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """[{"field", "old", "new"}] of the values that differ, in the order of `after`."""
    return [
        {"field": name, "old": before.get(name), "new": value}
        for name, value in after.items()
        if before.get(name) != value and not SECRET_NAME.search(name)
    ]


def write_recorded(
    *,
    item: OutboxItem,
    action: str,
    record: Model | None,
    before: dict[str, Any],
    changes: list[dict[str, Any]] | None = None,
    record_type: str = "",
    record_id: str = "",
) -> AuditEntry:
    """A person's write, as the outbox took it (inside its transaction). `changes` for a
    write without a local record (a generated API's); else they are `before` -> now."""
    if changes is None:
        after = snapshot(record) if action != AuditEntry.Action.DELETE else {}
        changes = field_changes(before, after)
    changes = [
        {"field": c["field"], "old": shown_value(c["old"]), "new": shown_value(c["new"])}
        for c in changes
        if not SECRET_NAME.search(c["field"])
    ]
    entry = _entry(item, action, record, changes, record_type=record_type, record_id=record_id)
    entry.save()
    return entry


def creates_recorded(writes: Iterable[tuple[OutboxItem, Model]]) -> None:
    """Creates stored many at once (a CSV import's rows): one entry each, as
    `write_recorded` would make it."""
    entries = [
        _entry(item, AuditEntry.Action.CREATE, record, field_changes({}, snapshot(record)))
        for item, record in writes
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=500)


def _entry(
    item: OutboxItem,
    action: str,
    record: Model | None,
    changes: list[dict[str, Any]],
    *,
    record_type: str = "",
    record_id: str = "",
) -> AuditEntry:
    if record is not None:
        record_type, record_id = record._meta.label, str(record.pk)
    return AuditEntry(
        connection=item.connection,
        record_type=record_type,
        record_id=record_id,
        record_label=str(record)[:LABEL_CHARS] if record is not None else item.summary,
        action=action,
        user=item.created_by,
        page=current_page.get()[:200],
        changes=changes,
        outbox_item=item,
    )


def sent_again_recorded(item: OutboxItem, *, user: Any) -> None:
    """A person had a write sent again after checking it had not landed: their own entry,
    like the write's first one (the same record and action), answered with it
    (`write_answered` answers every entry of the row)."""
    first = item.audit_entries.order_by("pk").first()
    entry = first or _entry(item, AuditEntry.Action.CREATE, None, [])
    entry.pk, entry._state.adding = None, True
    entry.user = user if user is not None and user.is_authenticated else None
    entry.page, entry.changes = current_page.get()[:200], []
    entry.outcome, entry.answer, entry.answered_at = AuditEntry.Outcome.WAITING, "", None
    entry.created_at = timezone.now()
    entry.save()


def dismissal_recorded(item: OutboxItem, *, user: Any) -> None:
    """A person dismissed a stuck or refused write: their own entry, like the write's first
    one (the same record and action), answered at once, since nothing will be sent."""
    first = item.audit_entries.order_by("pk").first()
    entry = first or _entry(item, AuditEntry.Action.CREATE, None, [])
    entry.pk, entry._state.adding = None, True
    entry.user = user if user is not None and user.is_authenticated else None
    entry.page, entry.changes = current_page.get()[:200], []
    entry.outcome = AuditEntry.Outcome.DISMISSED
    entry.answer = outbox_error(item).plain
    entry.created_at = entry.answered_at = timezone.now()
    entry.save()


def write_answered(item: OutboxItem) -> None:
    """The provider's answer to the row's write, in plain words (in the transaction that
    ends the row, so it is kept exactly when the outcome is)."""
    provider = item.connection.provider_display
    if item.status == OutboxItem.Status.DONE:
        outcome = AuditEntry.Outcome.SENT
        answer = f"{provider} took it" + (f" (id {item.remote_id})." if item.remote_id else ".")
    elif item.status == OutboxItem.Status.FAILED:
        outcome, answer = AuditEntry.Outcome.REFUSED, outbox_error(item).plain
    else:
        outcome = AuditEntry.Outcome.NEEDS_ATTENTION
        shown = outbox_error(item)
        answer = f"{shown.plain} Reference: {shown.reference}."
    item.audit_entries.update(outcome=outcome, answer=answer, answered_at=timezone.now())


# remote id -> (pk, label, `snapshot()`): a synced record as the hub had it.
Copies = dict[str, tuple[Any, str, dict[str, Any]]]


def provider_copies(rows: QuerySet) -> Copies:
    """The synced records in `rows` that a sync or webhook may overwrite (not deleted; a
    record whose own write is pending keeps what the person typed)."""
    fields = audited_fields(rows.model)
    rows = rows.filter(is_deleted=False).exclude(sync_status=SyncStatus.PENDING)
    return {r.remote_id: (r.pk, str(r), snapshot(r)) for r in rows.only("remote_id", *fields)}


def arrived(
    *,
    connection: Connection,
    model: type[Model],
    source: str,
    before: Copies,
    after: dict[str, dict[str, Any]],
) -> int:
    """Record the changes that came from the provider: `before` from `provider_copies()`,
    `after` remote id -> its values now (the audited ones are compared). A record whose
    values did not change, or that the hub did not have, gets no entry. Returns how many."""
    entries = []
    audited = set(audited_fields(model))
    for remote_id, values in after.items():
        if remote_id not in before:
            continue
        pk, label, old = before[remote_id]
        shown = {name: shown_value(v) for name, v in values.items() if name in audited}
        if changes := field_changes(old, shown):
            entries.append(_arrival(connection, model, source, pk, label, changes))
    AuditEntry.objects.bulk_create(entries)
    return len(entries)


def deleted_at_provider(
    *, connection: Connection, model: type[Model], source: str, before: Copies, gone: Iterable[Any]
) -> None:
    """Records (by pk) that the provider no longer has, as a full pass or a webhook said:
    those of `before` among `gone`."""
    gone = set(gone)
    entries = [
        _arrival(connection, model, source, pk, label, [], action=AuditEntry.Action.DELETE)
        for pk, label, _ in before.values()
        if pk in gone
    ]
    AuditEntry.objects.bulk_create(entries)


def _arrival(
    connection: Connection,
    model: type[Model],
    source: str,
    pk: Any,
    label: str,
    changes: list[dict[str, Any]],
    *,
    action: str = AuditEntry.Action.UPDATE,
) -> AuditEntry:
    return AuditEntry(
        connection=connection,
        record_type=model._meta.label,
        record_id=str(pk),
        record_label=label[:LABEL_CHARS],
        action=action,
        source=source,
        changes=changes,
        outcome=AuditEntry.Outcome.ARRIVED,
        answered_at=timezone.now(),
    )


def history(record: Model) -> list[AuditEntry]:
    """The record's entries, newest first (its page's "History")."""
    rows = AuditEntry.objects.filter(record_type=record._meta.label, record_id=str(record.pk))
    return list(rows.select_related("user", "connection")[:100])
