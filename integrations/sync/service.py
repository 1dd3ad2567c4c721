"""Start syncs and read their state, for pages, commands and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, Subquery
from django.utils import timezone

from integrations.models import Connection, SyncRun, SyncState
from integrations.sync.resources import SyncedResource

# A run whose worker has not written a heartbeat for this long is dead.
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class SyncStatusView:
    resource: SyncedResource
    connection: Connection
    last_success_at: datetime | None
    run: SyncRun | None  # the active run, or the latest one


def sync_request(
    *, connection: Connection, resource: SyncedResource, full: bool = False
) -> SyncRun:
    """Queue a sync in the background unless one is already queued or running."""
    from integrations.tasks import sync_resource_task

    active = _active_run(connection, resource)
    if active:
        return active
    # The engine decides the mode when the run starts (full, or incremental if it may).
    run = SyncRun.objects.create(connection=connection, resource=resource.key)
    sync_resource_task.enqueue(
        connection_id=connection.pk, resource_key=resource.key, full=full, run_id=run.pk
    )
    run.refresh_from_db()
    return run


def sync_status(*, connection: Connection, resource: SyncedResource) -> SyncStatusView:
    """The latest run and the last success, in one query (every list page shows them)."""
    state = SyncState.objects.filter(connection=connection, resource=resource.key)
    latest = (
        SyncRun.objects.filter(connection=connection, resource=resource.key)
        .annotate(state_last_success_at=Subquery(state.values("last_success_at")[:1]))
        .order_by("-created_at")
        .first()
    )
    if latest is not None:
        last_success_at = latest.state_last_success_at
    else:  # never run here; a state may still exist (a run pruned, or made elsewhere)
        last_success_at = state.values_list("last_success_at", flat=True).first()
    return SyncStatusView(
        resource=resource, connection=connection, last_success_at=last_success_at, run=latest
    )


def syncs_due(*, now: datetime | None = None) -> list[tuple[Connection, SyncedResource]]:
    """(connection, resource) pairs whose scheduled sync is due."""
    from integrations.sync.registry import resources

    now = now or timezone.now()
    due = []
    for connection in Connection.objects.filter(is_active=True):
        interval = timedelta(
            minutes=connection.sync_interval_minutes or settings.SYNC_INTERVAL_MINUTES
        )
        for resource in resources().values():
            if resource.provider != connection.provider:
                continue
            state = SyncState.objects.filter(connection=connection, resource=resource.key).first()
            last = state.last_success_at if state else None
            if last is None or last <= now - interval:
                due.append((connection, resource))
    return due


def _active_run(connection: Connection, resource: SyncedResource) -> SyncRun | None:
    fresh = timezone.now() - STALE_AFTER
    return (
        SyncRun.objects.filter(
            connection=connection,
            resource=resource.key,
            status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING],
        )
        .filter(Q(heartbeat_at__gte=fresh) | Q(heartbeat_at=None, created_at__gte=fresh))
        .order_by("-created_at")
        .first()
    )


def list_sync_status(
    *, connection: Connection | None, resource: SyncedResource, has_records: bool
) -> SyncStatusView | None:
    """The sync bar of a list page. The first visit to an empty list starts the first sync."""
    if connection is None:
        return None
    status = sync_status(connection=connection, resource=resource)
    if not has_records and status.run is None and connection.is_active:
        sync_request(connection=connection, resource=resource)
        status = sync_status(connection=connection, resource=resource)
    return status
