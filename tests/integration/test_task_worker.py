"""The background worker runs queued syncs: the path `make run` uses."""

import time

from ats.models import Candidate
from integrations.models import SyncRun
from integrations.sync.resources import FetchedPage, FetchedRow, SyncedResource
from integrations.sync.service import sync_request


def test_a_queued_sync_is_run_by_the_worker(task_worker, sandbox_connection, monkeypatch):
    connection = sandbox_connection("recruitee")

    def fetch(client, conn, request):
        yield FetchedPage(
            rows=[FetchedRow(remote_id="1", fields={"name": "From the worker"}, raw={})],
            checkpoint=None,
        )

    resource = SyncedResource(
        key="test.worker", provider="recruitee", label="candidates", model=Candidate, fetch=fetch
    )
    monkeypatch.setattr("integrations.tasks.resource_for", lambda key: resource)
    run = sync_request(connection=connection, resource=resource)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if not run.is_active:
            break
        time.sleep(0.05)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert Candidate.objects.get(remote_id="1").name == "From the worker"
