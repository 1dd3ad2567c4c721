"""What a list page's sync bar reads: the latest run, the last success and the last change."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from ats.sync import CANDIDATES
from integrations.models import SyncRun, SyncState
from integrations.sync.service import sync_recover_stale, sync_request, sync_status

LAST_SUCCESS = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
CHANGED = datetime(2026, 5, 1, 9, 45, tzinfo=UTC)


def test_the_latest_run_comes_with_the_last_success(connection, django_assert_num_queries):
    SyncState.objects.create(
        connection=connection,
        resource=CANDIDATES.key,
        last_success_at=LAST_SUCCESS,
        changed_at=CHANGED,
    )
    SyncRun.objects.create(connection=connection, resource=CANDIDATES.key)
    latest = SyncRun.objects.create(
        connection=connection, resource=CANDIDATES.key, status=SyncRun.Status.FAILED
    )
    SyncRun.objects.create(connection=connection, resource="recruitee.offers")
    with django_assert_num_queries(1):
        status = sync_status(connection=connection, resource=CANDIDATES)
    assert (status.run, status.last_success_at, status.changed_at) == (
        latest,
        LAST_SUCCESS,
        CHANGED,
    )


def test_without_runs_the_last_success_still_shows(connection):
    assert sync_status(connection=connection, resource=CANDIDATES).last_success_at is None
    SyncState.objects.create(
        connection=connection, resource=CANDIDATES.key, last_success_at=LAST_SUCCESS
    )
    status = sync_status(connection=connection, resource=CANDIDATES)
    assert (status.run, status.last_success_at, status.changed_at) == (None, LAST_SUCCESS, None)


def test_a_run_whose_lease_is_still_held_is_not_queued_twice(connection, settings):
    """A killed worker's run is stale only once both its heartbeat and its lease ran out
    (`sync_recover_stale`); until then a request finds that run, so the scheduler queues
    no second one that would hide the resumed run behind a queued one in the sync bar."""
    settings.SYNC_LEASE_SECONDS = 3
    now = timezone.now()
    SyncState.objects.create(
        connection=connection,
        resource=CANDIDATES.key,
        lease_owner="a-worker-just-killed",
        lease_until=now + timedelta(seconds=2),  # renewed by its last page's write
    )
    running = SyncRun.objects.create(
        connection=connection,
        resource=CANDIDATES.key,
        status=SyncRun.Status.RUNNING,
        heartbeat_at=now - timedelta(seconds=4),  # older than a lease
    )
    assert sync_request(connection=connection, resource=CANDIDATES) == running
    assert SyncRun.objects.filter(connection=connection).count() == 1

    later = now + timedelta(seconds=3)
    assert sync_recover_stale(now=later) == [running]
    assert sync_request(connection=connection, resource=CANDIDATES) == running
    running.refresh_from_db()
    assert running.status == SyncRun.Status.INTERRUPTED
    assert SyncRun.objects.filter(connection=connection).count() == 1
