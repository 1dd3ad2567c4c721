"""Start syncs and read their state, for pages, commands and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from integrations.models import Connection, SyncRun, SyncState
from integrations.sync.engine import lease
from integrations.sync.registry import connection_resources
from integrations.sync.resources import SyncedResource
from integrations.tasks import sync_resource_task

# A queued run no worker has started for this long is forgotten ("Sync now" queues anew).
QUEUED_STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class SyncStatusView:
    resource: SyncedResource
    connection: Connection
    last_success_at: datetime | None
    changed_at: datetime | None  # the last webhook change applied (`SyncState`)
    run: SyncRun | None  # the active run, or the latest one


def sync_request(
    *, connection: Connection, resource: SyncedResource, full: bool = False
) -> SyncRun:
    """Queue a sync in the background unless one is already queued or running."""
    # The engine decides the mode when the run starts (full, or incremental if it may).
    run, _ = _queue_run(connection, resource, full=full, unless=_active_runs(connection, resource))
    return run


def _queue_run(
    connection: Connection, resource: SyncedResource, *, full: bool, unless: QuerySet[SyncRun]
) -> tuple[SyncRun, bool]:
    """(a new run queued in the background, True), unless `unless` has a run: (it, False).

    The check and the new row are one transaction holding the resource's `SyncState`
    row (unique per connection and resource; the row of the engine's lease), so two
    requests at the same moment queue one run: PostgreSQL locks the row
    (`select_for_update`), and SQLite's IMMEDIATE transactions let one writer in at a
    time. The task is enqueued after that transaction, so its worker finds the run.
    """
    with transaction.atomic():
        SyncState.objects.select_for_update().get_or_create(
            connection=connection, resource=resource.key
        )
        if (found := unless.first()) is not None:
            return found, False
        run = SyncRun.objects.create(connection=connection, resource=resource.key)
    sync_resource_task.enqueue(
        connection_id=connection.pk, resource_key=resource.key, full=full, run_id=run.pk
    )
    run.refresh_from_db()
    return run, True


def sync_status(*, connection: Connection, resource: SyncedResource) -> SyncStatusView:
    """The latest run, the last success and the last webhook change, in one query (every
    list page shows them, and polls from the later of the two times: `stamp_of`)."""
    state = SyncState.objects.filter(connection=connection, resource=resource.key)
    latest = (
        SyncRun.objects.filter(connection=connection, resource=resource.key)
        .annotate(
            state_last_success_at=Subquery(state.values("last_success_at")[:1]),
            state_changed_at=Subquery(state.values("changed_at")[:1]),
        )
        .order_by("-created_at")
        .first()
    )
    if latest is not None:
        last_success_at, changed_at = latest.state_last_success_at, latest.state_changed_at
    else:  # never run here; a state may still exist (a run pruned, made elsewhere, a webhook)
        times = state.values_list("last_success_at", "changed_at").first()
        last_success_at, changed_at = times or (None, None)
    return SyncStatusView(
        resource=resource,
        connection=connection,
        last_success_at=last_success_at,
        changed_at=changed_at,
        run=latest,
    )


def syncs_due(*, now: datetime | None = None) -> list[tuple[Connection, SyncedResource]]:
    """(connection, resource) pairs whose scheduled sync is due; none of a connection
    whose secrets cannot be decrypted (its sync could only fail; its health says why)."""
    now = now or timezone.now()
    due = []
    for connection in Connection.objects.filter(is_active=True):
        if connection.secrets_problem:
            continue
        interval = timedelta(
            minutes=connection.sync_interval_minutes or settings.SYNC_INTERVAL_MINUTES
        )
        for resource in connection_resources(connection):
            state = SyncState.objects.filter(connection=connection, resource=resource.key).first()
            last = state.last_success_at if state else None
            if last is None or last <= now - interval:
                due.append((connection, resource))
    return due


def _active_runs(connection: Connection, resource: SyncedResource) -> QuerySet[SyncRun]:
    """The runs of the resource queued or running (newest first). A running run counts
    until `sync_recover_stale` may take it (heartbeat and lease both ran out), so no
    request queues a second run in the seconds between its worker's death and then."""
    now = timezone.now()
    queued_fresh = now - QUEUED_STALE_AFTER
    return (
        SyncRun.objects.filter(connection=connection, resource=resource.key)
        .filter(
            (Q(status=SyncRun.Status.RUNNING) & ~_stopped(now))
            | Q(status=SyncRun.Status.INTERRUPTED, heartbeat_at__gte=queued_fresh)
            | Q(status=SyncRun.Status.QUEUED, created_at__gte=queued_fresh)
        )
        .order_by("-created_at")
    )


def _stopped(now: datetime) -> Q:
    """A running run whose worker stopped: no heartbeat for a lease (it beats three
    times per lease) and its resource's lease ran out (each page's write renews it)."""
    expired_lease = SyncState.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        connection_id=OuterRef("connection_id"),
        resource=OuterRef("resource"),
    )
    return Q(Exists(expired_lease), heartbeat_at__lt=now - lease())


def sync_recover_stale(*, now: datetime | None = None) -> list[SyncRun]:
    """Runs whose worker stopped (no heartbeat for a lease, and the lease ran out):
    marked interrupted and queued again, so they resume from their checkpoint."""
    now = now or timezone.now()
    stale = SyncRun.objects.filter(_stopped(now), status=SyncRun.Status.RUNNING)
    recovered = []
    for run in stale:
        # Conditional on what was read, so two schedulers never queue it twice.
        marked = SyncRun.objects.filter(
            pk=run.pk, status=SyncRun.Status.RUNNING, heartbeat_at=run.heartbeat_at
        ).update(status=SyncRun.Status.INTERRUPTED, heartbeat_at=now)
        if marked:
            sync_resource_task.enqueue(
                connection_id=run.connection_id, resource_key=run.resource, run_id=run.pk
            )
            recovered.append(run)
    return recovered


@dataclass(frozen=True)
class FirstSync:
    """What `start_first_sync()` did: `queued` a first run (`run`), or nothing."""

    queued: bool
    run: SyncRun | None = None


def start_first_sync(*, connection: Connection, resource: SyncedResource) -> FirstSync:
    """Queue the first sync of a resource never synced here (no run of it at all).

    A list page calls this by name when its list is empty, so the first visit
    fetches the records; a resource that ran before, or a switched-off
    connection, queues nothing. Reading the sync bar is `sync_status()`.
    """
    if not connection.is_active:
        return FirstSync(queued=False)
    runs = SyncRun.objects.filter(connection=connection, resource=resource.key)
    if runs.exists():  # the usual answer, without taking the write lock
        return FirstSync(queued=False)
    run, queued = _queue_run(connection, resource, full=False, unless=runs)
    return FirstSync(queued=queued, run=run if queued else None)
