"""What production meets, with the hub's real processes: two `db_worker`s and a
`run_scheduler` in child processes on the test database, the sandbox over HTTP,
a worker killed with SIGKILL mid-work, or stopped with SIGTERM.

Each test sets short leases through the environment so it runs in seconds; the
defaults (30 s leases, a scheduler tick of 10 s) recover stopped work within a minute.
"""

from __future__ import annotations

import dataclasses
import signal
import uuid

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from ats.models import Candidate
from ats.sync import CANDIDATE_PAGE_SIZE, CANDIDATES
from integrations.models import OutboxItem, SyncRun
from integrations.models.synced import SyncStatus
from integrations.outbox.delivery import outbox_submit
from integrations.providers import recruitee
from integrations.sandbox.seed import SMALL
from integrations.sync.service import sync_request
from tests.processes import hub_processes, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queue_candidate(connection, name: str) -> OutboxItem:
    """A create saved as the form saves it, left for the workers to send."""
    email = f"{name.split()[-1].lower()}@example.com"
    record = Candidate.objects.create(
        connection=connection, name=name, emails=[email], sync_status=SyncStatus.PENDING
    )
    item, _ = outbox_submit(
        connection=connection,
        operation="recruitee.candidate_create",
        payload=recruitee.candidate_payload({"name": name, "emails": [email]}, []),
        submission_key=uuid.uuid4().hex,
        summary=f"Create candidate {name}",
        record=record,
    )
    return item


def _at_sandbox(sandbox, name: str) -> int:
    items = sandbox.store.payloads("SELECT payload FROM recruitee_candidates")
    return sum(1 for item in items if item.get("name") == name)


def _row(item: OutboxItem) -> OutboxItem:
    return OutboxItem.objects.get(pk=item.pk)


@pytest.mark.postgres
@pytest.mark.skipif(db_connection.vendor != "postgresql", reason="two workers need PostgreSQL")
def test_a_retry_after_longer_than_the_lease_sends_once_with_two_workers(
    tmp_path, sandbox_clean, sandbox_connection
):
    lease, retry_after = 6, 12
    connection = sandbox_connection("recruitee")
    sandbox_clean.set_faults(
        "recruitee",
        error_rate=1,
        error_statuses=[429],
        retry_after=retry_after,
        methods=["POST"],
        max_faults=1,
    )
    name = f"Lease Test{uuid.uuid4().hex[:8]}"
    with hub_processes(tmp_path, OUTBOX_LEASE_SECONDS=str(lease)) as hub:
        hub.worker("worker-1")
        hub.worker("worker-2")
        hub.scheduler()
        item = _queue_candidate(connection, name)
        wait_for(lambda: _row(item).attempts == 1, timeout=20, what="the first attempt")
        # The worker put it back for when Recruitee allows, instead of sleeping on it
        # past its lease, so the other worker never finds it stale.
        wait_for(
            lambda: _row(item).status == OutboxItem.Status.PENDING,
            timeout=lease,
            what="the row put back",
        )
        waiting = _row(item)
        assert waiting.next_attempt_at > timezone.now() + timezone.timedelta(seconds=lease)
        wait_for(
            lambda: _row(item).status == OutboxItem.Status.DONE,
            timeout=retry_after + 20,
            what="the delivery after the wait",
        )
    assert _at_sandbox(sandbox_clean, name) == 1
    assert _row(item).attempts == 2


def test_a_worker_killed_mid_delivery_is_recovered_and_sends_once(
    tmp_path, sandbox_clean, sandbox_connection
):
    connection = sandbox_connection("recruitee")
    # Recruitee holds the create 3 s, then makes it: the killed worker never hears.
    sandbox_clean.set_faults(
        "recruitee", hang_rate=1, hang_seconds=3, methods=["POST"], max_faults=1
    )
    name = f"Killed Test{uuid.uuid4().hex[:8]}"
    env = {"OUTBOX_LEASE_SECONDS": "8", "OUTBOX_SETTLE_SECONDS": "6"}
    with hub_processes(tmp_path, **env) as hub:
        worker = hub.worker("worker-1")
        hub.scheduler()
        item = _queue_candidate(connection, name)
        wait_for(
            lambda: _row(item).status == OutboxItem.Status.SENDING,
            timeout=20,
            what="the send in flight",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        hub.worker("worker-2")
        took = wait_for(
            lambda: _row(item).status == OutboxItem.Status.DONE,
            timeout=60,
            what="the recovered row confirmed",
        )
        assert "outbox rows recovered from a stopped worker" in hub.output()
    assert took < 60
    assert _at_sandbox(sandbox_clean, name) == 1
    record = Candidate.objects.get(pk=item.record_id)
    assert record.sync_status == SyncStatus.SYNCED and record.remote_id == _row(item).remote_id


def test_a_worker_stopped_mid_delivery_finishes_it_then_exits(
    tmp_path, sandbox_clean, sandbox_connection
):
    """An upgrade's restart (docs/deploy.md): SIGTERM, as systemd sends, lets the task end."""
    connection = sandbox_connection("recruitee")
    sandbox_clean.set_faults(
        "recruitee", hang_rate=1, hang_seconds=3, methods=["POST"], max_faults=1
    )
    name = f"Stopped Test{uuid.uuid4().hex[:8]}"
    with hub_processes(tmp_path) as hub:
        worker = hub.worker("worker-1")
        hub.scheduler()  # queues the delivery
        item = _queue_candidate(connection, name)
        wait_for(
            lambda: _row(item).status == OutboxItem.Status.SENDING,
            timeout=20,
            what="the send in flight",
        )
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    assert _row(item).status == OutboxItem.Status.DONE and _row(item).attempts == 1
    assert _at_sandbox(sandbox_clean, name) == 1


def test_a_worker_killed_mid_sync_resumes_from_its_checkpoint(
    tmp_path, sandbox_clean, sandbox_connection, client, user
):
    total = 2 * CANDIDATE_PAGE_SIZE + 150  # pages still to fetch when the worker dies
    sandbox_clean.reseed(dataclasses.replace(SMALL, candidates=total))
    try:
        connection = sandbox_connection("recruitee")
        client.force_login(user)
        sandbox_clean.set_faults("recruitee", latency_ms=1000, methods=["GET"])
        with hub_processes(tmp_path, SYNC_LEASE_SECONDS="3") as hub:
            worker = hub.worker("worker-1")
            hub.scheduler()
            run = sync_request(connection=connection, resource=CANDIDATES)

            def saved_pages() -> int:
                run.refresh_from_db()
                return run.pages

            wait_for(lambda: saved_pages() >= 1, timeout=30, what="a first saved page")
            worker.send_signal(signal.SIGKILL)
            worker.wait()

            def bar() -> str:
                return client.get("/candidates/").content.decode()

            took = wait_for(
                lambda: "Interrupted — resuming" in bar(), timeout=60, what="the interrupted run"
            )
            assert took < 60
            hub.worker("worker-2")
            wait_for(
                lambda: SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.SUCCEEDED,
                timeout=60,
                what="the resumed sync",
            )
        run.refresh_from_db()
        assert run.resumed_times >= 1
        assert Candidate.objects.filter(connection=connection, is_deleted=False).count() == total
        assert "sync-progress" not in bar(), "a finished sync shows no progress bar"
    finally:
        sandbox_clean.reseed()
