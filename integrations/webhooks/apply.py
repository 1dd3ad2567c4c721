"""The worker's side: apply stored deliveries as change hints, a batch at a time.

For each record a delivery names (events.py), the hub fetches the record as the
provider has it now, through the shared client (`SyncedResource.fetch_one`), or
reads it from the event where the event carries the whole record with its time
(`row_from_event`, Affinity). It upserts the row only if the provider's version
(`remote_updated_at`) is not older than the hub's, in the statement itself
(`upsert_rows(newer_only=True)`), so duplicates, retries and any arrival order
end in the same rows. A record the provider no longer has is marked deleted; a
deletion event with a time leaves a deleted row of that version, so an older
event arriving after it cannot bring the record back.

Deliveries are claimed in batches (one conditional UPDATE writes a claim token
and a lease of WEBHOOK_LEASE_SECONDS, atomic on SQLite and PostgreSQL), so two
workers never apply the same one; a record named by several deliveries of a
batch is fetched once. A provider error puts the deliveries that needed it back
with backoff, and after WEBHOOK_MAX_ATTEMPTS they are failed (the admin replays
them). Applying twice is harmless (the upsert is newer-only), which is why a
delivery whose lease passed may simply be taken again.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import OperationalError, connections, router, transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations import audit
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

# Deliveries claimed together: a batch's rows become visible when it ends, so it is
# kept small; its records are fetched FETCH_THREADS at a time.
BATCH = 50
FETCH_THREADS = 4
RETRY_BASE_SECONDS = 5
RETRY_CAP_SECONDS = 3600
APPLIED_COLUMNS = ("id", "state", "applied_at", "lease_until", "error", "summary", "claim_token")
ProviderError = (IntegrationError, ConfigurationError)


@dataclass(frozen=True)
class Step:
    """One change of a delivery, resolved: its resource and what to write."""

    resource: SyncedResource
    change: Change
    row: FetchedRow | None  # None: the record is gone (or the event deletes it)


class RecordFetcher:
    """The threads that fetch the records deliveries name, each with one client per
    connection, kept for a task's batches (`with RecordFetcher() as fetcher`).

    While deliveries trickle in a batch holds a few of them, and starting FETCH_THREADS
    threads and building a client (a session, a new connection) in each for every batch
    cost more than the fetches. A client keeps the credentials it was built with until
    the task ends."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="webhook-fetch")
        self._local = threading.local()
        self._clients: list[ApiClient] = []
        self._clients_lock = threading.Lock()

    def __enter__(self) -> RecordFetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pool.shutdown()
        for client in self._clients:
            client.close()

    def fetch_all(self, connection: Connection, steps: list[Step]) -> dict:
        """(resource key, remote id) -> the record now (None: gone), or the provider's error."""
        keys = list(dict.fromkeys(key for key in map(_fetch_key, steps) if key is not None))
        resources = {step.resource.key: step.resource for step in steps}

        def fetch(key: tuple[str, str]) -> FetchedRow | Exception | None:
            try:
                return resources[key[0]].fetch_one(self._client(connection), connection, key[1])
            except ProviderError as exc:
                return exc
            finally:
                connections.close_all()  # this thread's own (the auth-failure count may write)

        return dict(zip(keys, self._pool.map(fetch, keys), strict=True))

    def _client(self, connection: Connection) -> ApiClient:
        clients = self._local.__dict__.setdefault("clients", {})
        if connection.pk not in clients:
            clients[connection.pk] = connection_client(connection, background=True)
            with self._clients_lock:
                self._clients.append(clients[connection.pk])
        return clients[connection.pk]


def deliveries_apply(limit: int = BATCH, *, fetcher: RecordFetcher | None = None) -> int:
    """Claim up to `limit` due deliveries and apply them; how many were claimed. A task
    applying batch after batch passes its `fetcher`; without one, one is made for this."""
    claimed = deliveries_claim(limit)
    if not claimed:
        return 0
    with nullcontext(fetcher) if fetcher else RecordFetcher() as using:
        for connection_deliveries in _by_connection(claimed).values():
            _apply_apart(connection_deliveries, using)
    return len(claimed)


def delivery_apply(delivery_id: int) -> str:
    """Apply one delivery if it is due and unclaimed; its state afterwards ("" if skipped)."""
    claimed = deliveries_claim(1, pk=delivery_id)
    if not claimed:
        return ""
    with RecordFetcher() as fetcher:
        _apply_apart(claimed, fetcher)
    return WebhookDelivery.objects.values_list("state", flat=True).get(pk=delivery_id)


def due_filter(now: datetime) -> Q:
    """Deliveries a worker may take: received and due, or held past their lease."""
    return Q(state=State.RECEIVED, next_attempt_at__lte=now) | Q(
        state=State.APPLYING, lease_until__lt=now
    )


def deliveries_claim(limit: int, *, pk: int | None = None) -> list[WebhookDelivery]:
    now = timezone.now()
    due = WebhookDelivery.objects.filter(due_filter(now))
    if pk is not None:
        due = due.filter(pk=pk)
    ids = list(due.order_by("received_at").values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    token = uuid.uuid4().hex
    WebhookDelivery.objects.filter(due_filter(now), pk__in=ids).update(
        state=State.APPLYING,
        claim_token=token,
        lease_until=now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS),
        attempts=F("attempts") + 1,
    )
    held = WebhookDelivery.objects.filter(claim_token=token, state=State.APPLYING)
    claimed = list(held.select_related("connection").order_by("received_at", "pk"))
    # Claimed more often than allowed: each time its worker stopped before any outcome.
    spent = {d.pk for d in claimed if d.attempts > settings.WEBHOOK_MAX_ATTEMPTS}
    if spent:
        held.filter(pk__in=spent).update(
            state=State.FAILED,
            lease_until=None,
            error="Its worker stopped while applying it, each of the times it was taken.",
        )
    return [d for d in claimed if d.pk not in spent]


def delivery_replay(delivery: WebhookDelivery) -> None:
    """Apply a delivery again (the admin's action): due now, attempts counted afresh."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=State.RECEIVED, next_attempt_at=timezone.now(), attempts=0, lease_until=None
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with equal jitter: at least half the ceiling, so the default
    WEBHOOK_MAX_ATTEMPTS span at least a full pass's interval (about 6 to 12 hours)."""
    ceiling = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2**attempts)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter, not security


def _by_connection(deliveries: list[WebhookDelivery]) -> dict[int, list[WebhookDelivery]]:
    grouped: dict[int, list[WebhookDelivery]] = defaultdict(list)
    for delivery in deliveries:
        grouped[delivery.connection_id].append(delivery)
    return grouped


def _apply_apart(deliveries: list[WebhookDelivery], fetcher: RecordFetcher) -> None:
    """`_apply_claimed`, with what no provider error explains (a bug, a value the
    database refuses) kept to the delivery that raised it: the batch is applied again one
    delivery at a time, and that one is postponed with its error, then failed after its
    attempts. Raised out of the task, it left the whole batch claimed, to be taken again
    with it once the lease passed, for ever."""
    try:
        _apply_claimed(deliveries, fetcher)
    except OperationalError:  # the database's own trouble (locked, gone): taken again later
        raise
    except Exception as exc:  # whatever else it is: see the docstring
        if len(deliveries) > 1:
            for delivery in deliveries:
                _apply_apart([delivery], fetcher)
            return
        logger.exception("Webhook delivery %s broke while being applied", deliveries[0].pk)
        _postpone(deliveries[0], exc)


def _apply_claimed(deliveries: list[WebhookDelivery], fetcher: RecordFetcher) -> None:
    """Apply one connection's claimed deliveries: fetch each named record once, then
    write every row and every delivery's outcome in one transaction."""
    connection = deliveries[0].connection
    plans = {d.pk: _resolved(connection, changes_of(d.provider, bytes(d.body))) for d in deliveries}
    try:
        fetched = fetcher.fetch_all(
            connection, [step for steps in plans.values() for step in steps]
        )
    finally:
        call_log.flush()
    with transaction.atomic():
        resources: dict[str, SyncedResource] = {}
        upserts: dict[str, list[FetchedRow]] = defaultdict(list)
        outcomes = []
        for delivery in deliveries:
            keys = [_fetch_key(step) for step in plans[delivery.pk]]
            failure = next((fetched[key] for key in keys if _failed(fetched, key)), None)
            if failure is not None:
                _postpone(delivery, failure)
                continue
            done = []
            for step, key in zip(plans[delivery.pk], keys, strict=True):
                resources[step.resource.key] = step.resource
                row = fetched[key] if key is not None else step.row
                label = f"{step.change.label} {step.change.remote_id}"
                if row is None:
                    record_delete(
                        step.resource, connection, step.change.remote_id, step.change.version
                    )
                    done.append(f"{label} deleted")
                else:
                    upserts[step.resource.key].append(row)
                    done.append(f"{label} updated")
            outcomes.append((delivery, done))
        # One statement per resource; versions decide between rows of one record.
        for key, rows in upserts.items():
            records_upsert(resources[key], connection, rows)
        _applied(outcomes)
        for key in resources:
            changes_touch(connection_id=connection.pk, resource_key=key)


def _resolved(connection: Connection, changes: list[Change]) -> list[Step]:
    """The changes the hub can apply (a resource it syncs, with the hook it needs)."""
    steps = []
    for change in changes:
        try:
            resource = resource_for(f"{connection.provider}.{change.label}")
        except LookupError:
            continue  # a record kind the hub does not sync
        if change.body is None and resource.fetch_one is not None:
            steps.append(Step(resource, change, None))
        elif change.body is not None and resource.row_from_event is not None:
            row = None if change.deleted else resource.row_from_event(connection, change.body)
            if row is not None and row.remote_updated_at is None:
                row = replace(row, remote_updated_at=change.version)
            if row is not None or change.deleted:
                steps.append(Step(resource, change, row))
    return steps


def _fetch_key(step: Step) -> tuple[str, str] | None:
    """What a step must fetch, or None when the event carried the record."""
    return (step.resource.key, step.change.remote_id) if step.change.body is None else None


def _failed(fetched: dict, key: tuple[str, str] | None) -> bool:
    return key is not None and isinstance(fetched.get(key), Exception)


def _applied(outcomes: list[tuple[WebhookDelivery, list[str]]]) -> None:
    """Mark a batch's applied deliveries, each with its summary and fenced by its claim
    token, with one prepared UPDATE run with `executemany` (as upsert.py writes rows).
    The ORM built an UPDATE per delivery at about 0.5 ms each, all inside the batch's
    transaction, i.e. while holding the write lock every receiver waits for on SQLite."""
    db = connections[router.db_for_write(WebhookDelivery)]
    meta = WebhookDelivery._meta
    column = {name: db.ops.quote_name(meta.get_field(name).column) for name in APPLIED_COLUMNS}
    sets = (
        f"{column['state']} = %s, {column['applied_at']} = %s, {column['lease_until']} = NULL, "
        f"{column['error']} = '', {column['summary']} = %s"
    )
    where = f"{column['id']} = %s AND {column['claim_token']} = %s"
    sql = f"UPDATE {db.ops.quote_name(meta.db_table)} SET {sets} WHERE {where}"  # noqa: S608 - names from the model
    now = meta.get_field("applied_at").get_db_prep_value(timezone.now(), db)
    with db.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (State.APPLIED, now, _summary(done), delivery.pk, delivery.claim_token)
                for delivery, done in outcomes
            ],
        )


def _summary(done: list[str]) -> str:
    return "; ".join(done)[:300] or "nothing the hub syncs"


def _postpone(delivery: WebhookDelivery, exc: Exception) -> None:
    """Back to received with backoff (the provider's Retry-After first), or failed."""
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        state, when = State.FAILED, timezone.now()
    else:
        state = State.RECEIVED
        when = exc.retry_at if isinstance(exc, RateLimitedError) else None
        when = when or timezone.now() + retry_delay(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token).update(
        state=state, next_attempt_at=when, lease_until=None, error=str(exc)[:2000]
    )
    logger.warning("Webhook delivery %s not applied (%s): %s", delivery.pk, state, exc)


def records_upsert(
    resource: SyncedResource, connection: Connection, rows: list[FetchedRow]
) -> None:
    """Upsert `rows` newer-only; child rows follow for the versions that were written."""
    model = resource.model
    now = timezone.now()
    values = [
        {
            "connection": connection.pk,
            "remote_id": row.remote_id,
            "raw": row.raw,
            "remote_created_at": row.remote_created_at,
            "remote_updated_at": row.remote_updated_at,
            "synced_at": now,
            "is_deleted": False,
            "sync_status": SyncStatus.SYNCED,
            **row.fields,
        }
        for row in rows
    ]
    update = [name for name in values[0] if name not in ("connection", "remote_id")]
    sent = model.objects.filter(connection=connection, remote_id__in={r.remote_id for r in rows})
    before = audit.provider_copies(sent)
    # A deletion of the same version stands: an event of the same second (Affinity's
    # sent_at), or a fetch made before another worker applied the deletion.
    upsert_rows(model, values, update=update, newer_only=True, deleted_wins_ties=True)
    if before:  # else nothing stored could change: no entry, and no second read
        # Newer only: compare with what is stored now, not with what arrived.
        now_stored = audit.provider_copies(sent)
        after = {remote_id: copy for remote_id, (_, _, copy) in now_stored.items()}
        audit.arrived(
            connection=connection, model=model, source="webhook", before=before, after=after
        )
    if resource.after_upsert is None:
        return
    stored = {
        remote_id: (pk, version, status)
        for remote_id, pk, version, status in sent.values_list(
            "remote_id", "pk", "remote_updated_at", "sync_status"
        )
    }
    # Child rows follow only when this version was written (not older, not pending).
    written = {
        row.remote_id: row
        for row in rows
        if (found := stored.get(row.remote_id))
        and found[2] != SyncStatus.PENDING
        and found[1] == row.remote_updated_at
    }
    if written:
        pks = {remote_id: stored[remote_id][0] for remote_id in written}
        resource.after_upsert(connection, list(written.values()), pks)


def record_delete(
    resource: SyncedResource, connection: Connection, remote_id: str, version: datetime | None
) -> None:
    """Mark the record deleted, as a row created if the hub never had it: with an event's
    time as its version, so an older event cannot revive it (a fetch's 404 has none: the
    stored version is kept), and so a sync's page read before the deletion does not
    bring it back either (sync/engine.py)."""
    now = timezone.now()
    record = resource.model.objects.filter(connection=connection, remote_id=remote_id)
    before = audit.provider_copies(record)
    _mark_deleted(resource, connection, remote_id, version, now)
    if before:  # else the hub had no live copy: nothing to record, no second read
        gone = record.filter(is_deleted=True).values_list("pk", flat=True)
        audit.deleted_at_provider(
            connection=connection, model=resource.model, source="webhook", before=before, gone=gone
        )


def _mark_deleted(
    resource: SyncedResource,
    connection: Connection,
    remote_id: str,
    version: datetime | None,
    now: datetime,
) -> None:
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
        update=["synced_at", "is_deleted"] + (["remote_updated_at"] if version else []),
        newer_only=True,
    )
