"""The sync engine with a fake provider: checkpoints, resume, deletions, the lease."""

from datetime import UTC, datetime

import pytest

from ats.models import Candidate
from integrations.http.errors import (
    ConnectionDisabledError,
    NotFoundError,
    ProviderUnavailableError,
)
from integrations.models import SyncRun, SyncState
from integrations.models.synced import SyncStatus
from integrations.services.health import DEGRADED, connection_health
from integrations.sync.engine import SyncAlreadyRunning, sync_resource
from integrations.sync.resources import (
    FetchedPage,
    FetchedRow,
    SyncedResource,
    present_one_by_one,
)

pytestmark = pytest.mark.usefixtures("no_client")


def _row(remote_id: int) -> FetchedRow:
    return FetchedRow(
        remote_id=str(remote_id),
        fields={"name": f"Candidate {remote_id}", "search_text": f"candidate {remote_id}"},
        raw={"id": remote_id, "name": f"Candidate {remote_id}"},
        remote_created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


class FakeProvider:
    """Serves ids in pages of `page_size`; can fail once after a given page."""

    def __init__(self, ids: list[int], page_size: int = 2, fail_after_page: int | None = None):
        self.ids = ids
        self.page_size = page_size
        self.fail_after_page = fail_after_page
        self.started_at: list[object] = []

    def fetch(self, client, connection, request):
        self.started_at.append(request.checkpoint)
        offset = request.checkpoint or 0
        pages = 0
        while offset < len(self.ids):
            if self.fail_after_page is not None and pages == self.fail_after_page:
                self.fail_after_page = None
                raise ProviderUnavailableError("503 in the middle", provider="Fake", status=503)
            chunk = self.ids[offset : offset + self.page_size]
            offset += len(chunk)
            pages += 1
            yield FetchedPage(
                rows=[_row(i) for i in chunk],
                checkpoint=offset if offset < len(self.ids) else None,
                expected_total=len(self.ids),
            )


def _resource(provider: FakeProvider) -> SyncedResource:
    return SyncedResource(
        key="test.candidates", provider="recruitee", label="candidates", model=Candidate,
        fetch=provider.fetch,
    )  # fmt: skip


def _live_ids(connection) -> set[str]:
    return set(
        Candidate.objects.filter(connection=connection, is_deleted=False).values_list(
            "remote_id", flat=True
        )
    )


def test_full_sync_stores_every_record_and_counts(connection):
    provider = FakeProvider([1, 2, 3, 4, 5])
    run = sync_resource(connection=connection, resource=_resource(provider))
    assert run.status == SyncRun.Status.SUCCEEDED
    assert (run.created_count, run.updated_count, run.pages, run.processed) == (5, 0, 3, 5)
    assert run.percent == 100
    assert _live_ids(connection) == {"1", "2", "3", "4", "5"}

    again = sync_resource(connection=connection, resource=_resource(provider), full=True)
    assert (again.created_count, again.updated_count) == (0, 5)
    assert Candidate.objects.count() == 5


def test_interrupted_sync_resumes_from_its_checkpoint(connection):
    provider = FakeProvider([1, 2, 3, 4, 5, 6], fail_after_page=2)
    first = sync_resource(connection=connection, resource=_resource(provider))
    assert first.status == SyncRun.Status.FAILED
    assert first.checkpoint == 4
    assert "503 in the middle" in first.error
    assert _live_ids(connection) == {"1", "2", "3", "4"}

    second = sync_resource(connection=connection, resource=_resource(provider))
    assert second.pk == first.pk
    assert second.status == SyncRun.Status.SUCCEEDED
    assert second.resumed_times == 1
    assert provider.started_at == [None, 4]
    assert _live_ids(connection) == {"1", "2", "3", "4", "5", "6"}
    assert second.created_count == 6


def test_a_record_gone_at_the_provider_leaves_the_list(connection):
    sync_resource(connection=connection, resource=_resource(FakeProvider([1, 2, 3])))
    run = sync_resource(connection=connection, resource=_resource(FakeProvider([1, 3])), full=True)
    assert run.deleted_count == 1
    assert _live_ids(connection) == {"1", "3"}
    assert Candidate.objects.get(remote_id="2").is_deleted


def test_a_pending_local_record_is_not_deleted_by_a_full_pass(connection):
    pending = Candidate.objects.create(
        connection=connection, name="Typed, not sent yet", sync_status=SyncStatus.PENDING
    )
    sync_resource(connection=connection, resource=_resource(FakeProvider([1])), full=True)
    pending.refresh_from_db()
    assert not pending.is_deleted


def test_two_syncs_of_one_resource_never_run_at_once(connection):
    resource = _resource(FakeProvider([1, 2, 3]))
    inner_error = []

    def fetch_while_another_starts(client, conn, request):
        try:
            sync_resource(connection=conn, resource=resource)
        except SyncAlreadyRunning as busy:
            inner_error.append(busy)
        yield FetchedPage(rows=[_row(1)], checkpoint=None)

    outer = SyncedResource(
        key=resource.key, provider="recruitee", label="candidates", model=Candidate,
        fetch=fetch_while_another_starts,
    )  # fmt: skip
    run = sync_resource(connection=connection, resource=outer)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert len(inner_error) == 1
    # The lease is released at the end, so the next sync may run.
    assert SyncState.objects.get(resource=resource.key).lease_until is None


def test_a_sync_does_not_overwrite_a_record_whose_edit_is_waiting(connection):
    sync_resource(connection=connection, resource=_resource(FakeProvider([1, 2])))
    Candidate.objects.filter(remote_id="1").update(
        name="Edited, not sent yet", sync_status=SyncStatus.PENDING
    )
    sync_resource(connection=connection, resource=_resource(FakeProvider([1, 2])), full=True)
    edited = Candidate.objects.get(remote_id="1")
    assert (edited.name, edited.sync_status) == ("Edited, not sent yet", SyncStatus.PENDING)
    assert not edited.is_deleted
    assert Candidate.objects.get(remote_id="2").name == "Candidate 2"


def test_a_failed_save_closes_the_fetch_at_once(connection, monkeypatch):
    """A fetch that reads ahead in a thread stops it when closed; the engine must close it."""
    closed = []

    def fetch(client, conn, request):
        try:
            yield FetchedPage(rows=[_row(1)], checkpoint=1)
            yield FetchedPage(rows=[_row(2)], checkpoint=None)
        finally:
            closed.append(True)

    def failing_save(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("integrations.sync.engine._save_page", failing_save)
    resource = SyncedResource(
        key="test.closing", provider="recruitee", label="candidates", model=Candidate, fetch=fetch
    )
    with pytest.raises(RuntimeError, match="went away"):
        sync_resource(connection=connection, resource=resource)
    assert closed == [True]


def test_a_switched_off_connection_fails_the_run_with_the_reason(connection, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionDisabledError("The Recruitee · test connection is switched off: 401")

    monkeypatch.setattr("integrations.sync.engine.connection_client", refuse)
    run = sync_resource(connection=connection, resource=_resource(FakeProvider([1])))
    assert run.status == SyncRun.Status.FAILED
    assert "switched off" in run.error


def test_an_unexpected_error_ends_the_run_as_failed(connection):
    def broken(client, conn, request):
        raise RuntimeError("a bug")
        yield  # pragma: no cover

    resource = SyncedResource(
        key="test.broken", provider="recruitee", label="candidates", model=Candidate, fetch=broken
    )
    with pytest.raises(RuntimeError):
        sync_resource(connection=connection, resource=resource)
    run = SyncRun.objects.get(resource="test.broken")
    assert run.status == SyncRun.Status.FAILED and run.finished_at is not None
    assert SyncState.objects.get(resource="test.broken").lease_until is None


def _checked(provider: FakeProvider, still_present) -> SyncedResource:
    """Under the key of the connection's own resource, so its health reads the run."""
    return SyncedResource(
        key="recruitee.candidates", provider="recruitee", label="candidates", model=Candidate,
        fetch=provider.fetch, still_present=still_present,
    )  # fmt: skip


def test_an_error_checking_one_unlisted_record_keeps_it_and_the_pass(connection):
    """The full pass lists 1 only (paging skipped 2, 3, 4): 2 is still there, 4 is gone,
    and asking about 3 fails after the client's retries. 3 is not deleted, and the pass
    still succeeds (4 leaves the list), saying what it could not check."""

    def get(client, remote_id):
        if remote_id == "3":
            raise ProviderUnavailableError("500 on one record", provider="Fake", status=500)
        if remote_id == "4":
            raise NotFoundError("gone", provider="Fake", status=404)

    sync_resource(connection=connection, resource=_resource(FakeProvider([1, 2, 3, 4])))
    run = sync_resource(
        connection=connection,
        resource=_checked(FakeProvider([1]), present_one_by_one(get)),
        full=True,
    )
    assert run.status == SyncRun.Status.SUCCEEDED
    assert _live_ids(connection) == {"1", "2", "3"}
    assert (run.deleted_count, run.unverified_count) == (1, 1)
    assert "500 on one record" in run.error
    health = connection_health(connection)
    assert health.state == DEGRADED
    assert any("could not check 1 " in reason for reason in health.reasons), health.reasons


def test_a_lookup_of_many_that_fails_marks_none_of_them_deleted(connection):
    """A provider's lookup of many ids at once (Recruitee's) that fails vouches for none."""

    def lookup(client, conn, remote_ids):
        raise ProviderUnavailableError("timeout", provider="Fake", status=None)

    sync_resource(connection=connection, resource=_resource(FakeProvider([1, 2, 3])))
    run = sync_resource(
        connection=connection, resource=_checked(FakeProvider([1]), lookup), full=True
    )
    assert run.status == SyncRun.Status.SUCCEEDED
    assert _live_ids(connection) == {"1", "2", "3"}
    assert (run.deleted_count, run.unverified_count) == (0, 2)


def test_checking_one_by_one_stops_asking_once_the_provider_keeps_failing():
    asked = []

    def get(client, remote_id):
        asked.append(remote_id)
        raise ProviderUnavailableError("down", provider="Fake", status=503)

    presence = present_one_by_one(get)(None, None, ["1", "2", "3", "4", "5"])
    assert asked == ["1", "2", "3"]
    assert (presence.present, presence.unverified) == (set(), {"1", "2", "3", "4", "5"})
    assert "down" in presence.error
