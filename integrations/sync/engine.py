"""Run one sync of one resource for one connection.

The engine streams the provider's pages and upserts each page in bulk in one
transaction that also saves the run's checkpoint, so memory stays bounded and
an interrupted sync resumes after the last saved page. A lease on the
resource's `SyncState` row keeps two workers from syncing the same resource
at once. A heartbeat thread renews the lease while the sync runs (a page can
wait minutes for the provider); every write of the sync first checks the lease
is still this worker's, so a worker whose lease ran out (it stalled, and the
scheduler handed the sync to another) changes nothing and stops. A full pass
that completes marks every record it did not see as deleted; incremental
passes only add what was created since the last one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from integrations import audit
from integrations.heartbeat import Heartbeat
from integrations.http import call_log
from integrations.http.errors import (
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ValidationError,
)
from integrations.models import Connection, SyncRun, SyncState
from integrations.models.synced import SyncedRecord, SyncStatus
from integrations.outbox.duplicates import duplicates_flag
from integrations.services.connections import connection_client
from integrations.sync.resources import FetchedPage, FetchRequest, Presence, SyncedResource
from integrations.sync.upsert import stale_remote_ids, stored_pks, stored_versions, upsert_rows

logger = logging.getLogger(__name__)

# A failed or interrupted run younger than this resumes from its checkpoint.
RESUME_WINDOW = timedelta(hours=6)
# Unlisted records a full pass asks the provider about before marking them deleted.
UNSEEN_CHECK_LIMIT = 5000
RESUMABLE = (SyncRun.Status.RUNNING, SyncRun.Status.INTERRUPTED, SyncRun.Status.FAILED)

ProgressCallback = Callable[[SyncRun], None]


class SyncAlreadyRunning(Exception):
    """Another worker holds the lease on this resource."""


class LeaseLost(Exception):
    """This worker's lease ran out and another worker holds the resource now."""


def lease() -> timedelta:
    """How long a sync's lease lasts without a heartbeat (`SYNC_LEASE_SECONDS`)."""
    return timedelta(seconds=settings.SYNC_LEASE_SECONDS)


def sync_resource(
    *,
    connection: Connection,
    resource: SyncedResource,
    full: bool = False,
    run: SyncRun | None = None,
    progress: ProgressCallback | None = None,
) -> SyncRun:
    """Sync `resource` for `connection` and return the finished run.

    `run` is a queued run created by `sync_request` (the browser shows its
    progress); without one the engine resumes an interrupted run or starts anew.
    Provider errors end the run as failed, with its checkpoint kept.
    """
    owner = uuid.uuid4().hex
    state = _acquire_lease(connection, resource, owner)
    try:
        run = _start_run(connection, resource, state, full=full, queued=run)
        try:
            beat_every = lease().total_seconds() / 3
            with (
                call_log.linked(sync_run_id=run.pk),
                Heartbeat(_beat(state, run, owner), every=beat_every) as beat,
            ):
                _pull_pages(connection, resource, run, state, owner, progress, beat)
            _complete(resource, run, state, owner)
        except LeaseLost as lost:
            logger.warning("sync %s stopped: %s", run, lost)
            return run
        except (IntegrationError, ConfigurationError) as error:
            _finish(run, SyncRun.Status.FAILED, state, owner, error=str(error))
            logger.warning("sync %s failed: %s", run, error)
            return run
        except Exception:
            # A bug or a database failure: the run must not look alive forever.
            error = "The sync stopped on an unexpected error."
            _finish(run, SyncRun.Status.FAILED, state, owner, error=error)
            raise
        duplicates_flag(connection=connection, model=resource.model)
        if resource.after_sync:
            resource.after_sync(connection)
        if progress:
            progress(run)
        return run
    finally:
        SyncState.objects.filter(pk=state.pk, lease_owner=owner).update(
            lease_owner="", lease_until=None
        )


def _beat(state: SyncState, run: SyncRun, owner: str) -> Callable[[], bool]:
    def beat() -> bool:
        now = timezone.now()
        held = SyncState.objects.filter(pk=state.pk, lease_owner=owner).update(
            lease_until=now + lease()
        )
        if held:
            SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=now)
        return bool(held)

    return beat


def _hold(state: SyncState, owner: str) -> None:
    """Renew the lease, or raise LeaseLost: call first in each transaction that writes."""
    held = SyncState.objects.filter(pk=state.pk, lease_owner=owner).update(
        lease_until=timezone.now() + lease()
    )
    if not held:
        raise LeaseLost(f"the lease on {state.resource} passed to another worker")


def _acquire_lease(connection: Connection, resource: SyncedResource, owner: str) -> SyncState:
    state, _ = SyncState.objects.get_or_create(connection=connection, resource=resource.key)
    now = timezone.now()
    # One conditional UPDATE: atomic on every database, so only one worker wins.
    claimed = (
        SyncState.objects.filter(pk=state.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_owner=owner, lease_until=now + lease())
    )
    if not claimed:
        raise SyncAlreadyRunning(f"{resource.label} are already syncing for {connection}")
    state.refresh_from_db()
    return state


def _start_run(
    connection: Connection,
    resource: SyncedResource,
    state: SyncState,
    *,
    full: bool,
    queued: SyncRun | None,
) -> SyncRun:
    now = timezone.now()
    resumable = (
        SyncRun.objects.filter(
            connection=connection,
            resource=resource.key,
            status__in=RESUMABLE,
            created_at__gte=now - RESUME_WINDOW,
        )
        .exclude(checkpoint=None)
        .order_by("-created_at")
        .first()
    )
    if resumable and not (full and resumable.mode != SyncRun.Mode.FULL):
        if queued and queued.pk != resumable.pk:
            queued.delete()
        resumable.resumed_times += 1
        resumable.status = SyncRun.Status.RUNNING
        resumable.error = ""
        resumable.heartbeat_at = now
        resumable.save()
        return resumable

    incremental = (
        resource.incremental
        and not full
        and state.high_water_mark is not None
        and state.last_full_at is not None
        and state.last_full_at > now - timedelta(minutes=settings.SYNC_FULL_INTERVAL_MINUTES)
    )
    run = queued or SyncRun(connection=connection, resource=resource.key)
    run.mode = SyncRun.Mode.INCREMENTAL if incremental else SyncRun.Mode.FULL
    run.since = state.high_water_mark if incremental else None
    run.status = SyncRun.Status.RUNNING
    run.started_at = now
    run.heartbeat_at = now
    run.save()
    return run


def _pull_pages(
    connection: Connection,
    resource: SyncedResource,
    run: SyncRun,
    state: SyncState,
    owner: str,
    progress: ProgressCallback | None,
    beat: Heartbeat,
) -> None:
    make_client = resource.make_client or (lambda c: connection_client(c, background=True))
    client = make_client(connection)
    resumed_from, pages_before = run.checkpoint, run.pages
    try:
        _pull(client, connection, resource, run, state, owner, progress, beat)
    except (ValidationError, NotFoundError) as refusal:
        # The provider refuses the saved position itself: Asana's offset tokens expire
        # (project-tool.md §2), Affinity refuses a token minted for other params, a
        # connected API forgets a next link it gave (404). Failing would fail every
        # resume alike until RESUME_WINDOW passed; start the pass again.
        if resumed_from is None or run.pages != pages_before:
            raise
        logger.info("sync %s: its checkpoint was refused (%s); starting again", run, refusal)
        with transaction.atomic():
            _hold(state, owner)
            run.checkpoint = None
            run.save(update_fields=["checkpoint"])
        _pull(client, connection, resource, run, state, owner, progress, beat)
    _keep_present(client, connection, resource, run, state, owner)


def _pull(
    client: Any,
    connection: Connection,
    resource: SyncedResource,
    run: SyncRun,
    state: SyncState,
    owner: str,
    progress: ProgressCallback | None,
    beat: Heartbeat,
) -> None:
    request = FetchRequest(checkpoint=run.checkpoint, since=run.since)
    # Closed at once when saving fails, so a page fetched ahead stops its thread.
    with closing(resource.fetch(client, connection, request)) as pages:
        for page in pages:
            if beat.lost.is_set():
                raise LeaseLost(f"the lease on {resource.label} passed to another worker")
            with transaction.atomic():
                _hold(state, owner)
                _save_page(connection, resource, run, page)
            call_log.flush()
            if progress:
                progress(run)


def _save_page(
    connection: Connection, resource: SyncedResource, run: SyncRun, page: FetchedPage
) -> None:
    model = resource.model
    now = timezone.now()
    remote_ids = [row.remote_id for row in page.rows]
    scope = resource.scope_filter
    stored = stored_versions(model, connection_id=connection.pk, remote_ids=remote_ids, scope=scope)
    existing = {remote_id: found[0] for remote_id, found in stored.items()}
    # A record a webhook applied while the page was on its way keeps what it applied: a
    # newer version, or its deletion since this pass began (`stale_remote_ids`). Its row
    # is left out, and the upsert is newer-only for one applied after this read.
    stale = stale_remote_ids(model, page.rows, stored, deleted_since=run.started_at)
    fresh = [row for row in page.rows if row.remote_id not in stale]
    # What the audit trail compares with.
    before = audit.provider_copies(
        model.objects.filter(
            pk__in=[existing[r.remote_id] for r in fresh if r.remote_id in existing]
        )
    )
    seen_run = run.pk if run.mode == SyncRun.Mode.FULL else None
    rows = [
        {
            "connection": connection.pk,
            "remote_id": row.remote_id,
            "raw": row.raw,
            "remote_created_at": row.remote_created_at,
            "remote_updated_at": row.remote_updated_at,
            "synced_at": now,
            "last_seen_run_id": seen_run,
            "is_deleted": False,
            "sync_status": SyncStatus.SYNCED,
            **row.fields,
            **scope,
        }
        for row in fresh
    ]
    # An incremental pass does not vouch for the rest, so it leaves last_seen_run_id.
    keep = {"connection", "remote_id", *scope} | (
        {"last_seen_run_id"} if seen_run is None else set()
    )
    upsert_rows(
        model,
        rows,
        update=[name for name in rows[0] if name not in keep] if rows else [],
        newer_only=True,
        key=tuple(scope),
    )
    after = {row.remote_id: row.fields for row in fresh}
    audit.arrived(connection=connection, model=model, source="sync", before=before, after=after)
    if resource.after_upsert and fresh:
        created = [row.remote_id for row in fresh if row.remote_id not in existing]
        pk_by_remote_id = existing | stored_pks(
            model, connection_id=connection.pk, remote_ids=created, scope=scope
        )
        resource.after_upsert(connection, fresh, pk_by_remote_id)

    run.pages += 1
    run.processed += len(page.rows)
    run.created_count += len(remote_ids) - len(existing)
    run.updated_count += len(existing)
    if page.expected_total is not None:
        run.expected_total = page.expected_total
    run.checkpoint = page.checkpoint
    run.heartbeat_at = now
    run.save()


def _complete(resource: SyncedResource, run: SyncRun, state: SyncState, owner: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        _hold(state, owner)
        if run.mode == SyncRun.Mode.FULL:
            unseen = _unseen(resource, run)
            before = audit.provider_copies(unseen)
            run.deleted_count = unseen.update(is_deleted=True, synced_at=now)
            audit.deleted_at_provider(
                connection=run.connection,
                model=resource.model,
                source="sync",
                before=before,
                gone=[pk for pk, _, _ in before.values()],
            )
            state.last_full_at = now
        newest = (
            resource.model.objects.filter(connection_id=run.connection_id, **resource.scope_filter)
            .exclude(remote_created_at=None)
            .order_by("-remote_created_at")
            .values_list("remote_created_at", flat=True)
            .first()
        )
        state.high_water_mark = newest
        state.last_success_at = now
        state.save(update_fields=["last_full_at", "high_water_mark", "last_success_at"])
        _end_run(run, SyncRun.Status.SUCCEEDED, error=run.error)  # what it could not check


def _unseen(resource: SyncedResource, run: SyncRun) -> QuerySet[SyncedRecord]:
    """The records a full pass did not list: deleted at the provider, unless skipped."""
    return (
        resource.model.objects.filter(
            connection_id=run.connection_id,
            is_deleted=False,
            sync_status=SyncStatus.SYNCED,
            **resource.scope_filter,
        )
        # A record written after the pass began may sit behind its cursor.
        .filter(synced_at__lt=run.started_at)
        .exclude(last_seen_run_id=run.pk)
    )


def _keep_present(
    client: Any, connection: Connection, resource: SyncedResource, run: SyncRun,
    state: SyncState, owner: str,
) -> None:  # fmt: skip
    """Count as seen the unlisted records the provider still has (`still_present`): with
    offset or page paging, a record deleted before the cursor moves a later one past it.
    At most UNSEEN_CHECK_LIMIT are asked about (oldest first); the rest are marked
    deleted unasked, as before. A record the provider could not be asked about (an error
    other than 404) is kept as it is, and the run says how many and why: one failed read
    neither deletes a record nor fails a pass that listed everything."""
    if run.mode != SyncRun.Mode.FULL or resource.still_present is None:
        return
    unseen_ids = _unseen(resource, run).order_by("pk").values_list("remote_id", flat=True)
    unseen = list(unseen_ids[:UNSEEN_CHECK_LIMIT])
    if not unseen:
        return
    try:
        presence = resource.still_present(client, connection, unseen)
    except IntegrationError as error:
        presence = Presence(present=set(), unverified=set(unseen), error=str(error))
    with transaction.atomic():
        _hold(state, owner)
        resource.model.objects.filter(
            connection_id=run.connection_id,
            remote_id__in=presence.present | presence.unverified,
            **resource.scope_filter,
        ).update(last_seen_run_id=run.pk)
        run.unverified_count = len(presence.unverified)
        if presence.unverified:
            n = run.unverified_count
            run.error = (
                f"Could not check {n} unlisted record{'s' if n != 1 else ''} at the provider "
                f"(kept as {'it was' if n == 1 else 'they were'}): {presence.error}"
            )
        run.save(update_fields=["unverified_count", "error"])


def _finish(run: SyncRun, status: str, state: SyncState, owner: str, *, error: str) -> None:
    """End the run as `status`, unless another worker holds it now."""
    try:
        with transaction.atomic():
            _hold(state, owner)
            _end_run(run, status, error=error)
    except LeaseLost as lost:
        logger.warning("sync %s: %s; left to that worker", run, lost)


def _end_run(run: SyncRun, status: str, *, error: str = "") -> None:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    if status == SyncRun.Status.SUCCEEDED:
        run.checkpoint = None
    run.save()
