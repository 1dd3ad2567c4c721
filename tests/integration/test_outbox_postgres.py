"""Two workers on PostgreSQL deliver each outbox row exactly once.

Runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…), as CI does
in its second pass; SQLite serializes writers, so the race needs a real server.
"""

import threading

import pytest
from django.db import connection as db_connection

from integrations.models import Connection, OutboxItem
from integrations.outbox import delivery
from integrations.outbox.delivery import outbox_deliver_due, outbox_submit
from integrations.outbox.operations import OutboxOperation
from tests.concurrency import at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        db_connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
    ),
]


class CountingOperation(OutboxOperation):
    name = "test.count"
    creates_record = False

    def __init__(self):
        self.lock = threading.Lock()
        self.sent: list[int] = []

    def send(self, client, item):
        with self.lock:
            self.sent.append(item.pk)
        return {"id": item.pk}

    def find_existing(self, client, item):
        return None

    def fields_from_remote(self, remote):
        return {}


@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_row_exactly_once(monkeypatch):
    operation = CountingOperation()
    monkeypatch.setattr(delivery, "operation_for", lambda name: operation)
    conn = Connection.objects.create(provider="recruitee", name="pg", company_id="1", api_token="t")
    for n in range(200):
        outbox_submit(connection=conn, operation=operation.name, payload={}, submission_key=f"k{n}")

    def worker() -> None:
        while outbox_deliver_due(limit=20):
            pass

    at_once(worker, worker)

    assert sorted(operation.sent) == sorted(OutboxItem.objects.values_list("pk", flat=True))
    assert len(set(operation.sent)) == 200
    assert OutboxItem.objects.filter(status=OutboxItem.Status.DONE).count() == 200


@pytest.mark.django_db(transaction=True)
def test_dismiss_and_retry_at_the_same_moment_leave_one_of_them(monkeypatch, django_user_model):
    """A "Dismiss" in one tab and a "Retry now" in another: either the row is dismissed, not
    queued, or queued and not dismissed; never dismissed and then sent."""
    operation = CountingOperation()
    monkeypatch.setattr(delivery, "operation_for", lambda name: operation)
    conn = Connection.objects.create(provider="recruitee", name="pg", company_id="1", api_token="t")
    ann = django_user_model.objects.create_user(username="ann")
    for n in range(20):
        item, _ = outbox_submit(
            connection=conn, operation=operation.name, payload={}, submission_key=f"d{n}"
        )
        OutboxItem.objects.filter(pk=item.pk).update(status=OutboxItem.Status.NEEDS_ATTENTION)
        stuck = OutboxItem.objects.get(pk=item.pk)
        won: dict[str, bool] = {}

        def dismiss(stuck=stuck, won=won) -> None:
            won["dismiss"] = delivery.outbox_dismiss(stuck, user=ann)

        def retry(stuck=stuck, won=won) -> None:
            won["retry"] = delivery.outbox_retry(stuck)

        at_once(dismiss, retry)

        stuck.refresh_from_db()
        assert sorted(won.values()) == [False, True]
        expected = OutboxItem.Status.DISMISSED if won["dismiss"] else OutboxItem.Status.PENDING
        assert stuck.status == expected
