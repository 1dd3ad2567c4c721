"""What a list page's sync bar reads: the latest run, the last success and the last change."""

from datetime import UTC, datetime

from ats.sync import CANDIDATES
from integrations.models import SyncRun, SyncState
from integrations.sync.service import sync_status

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
