"""The scheduler's tick: due deliveries are queued once, not once per tick."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django_tasks import default_task_backend

from integrations.management.commands.run_scheduler import Command
from integrations.models import CallRollup, CallRollupHour, OutboxItem
from integrations.outbox.delivery import outbox_submit

pytestmark = pytest.mark.usefixtures("no_client")


def _queued_deliveries() -> int:
    return sum(
        1 for result in default_task_backend.results if "deliver_due_outbox" in result.task.name
    )


@pytest.fixture(autouse=True)
def _no_scheduled_syncs(monkeypatch):
    monkeypatch.setattr("integrations.management.commands.run_scheduler.syncs_due", lambda: [])


def test_a_slow_delivery_is_not_queued_again_on_every_tick(connection):
    default_task_backend.clear()
    outbox_submit(connection=connection, operation="x", payload={}, submission_key="k1")
    scheduler = Command()
    for _ in range(5):  # the worker has not picked the first task up yet
        scheduler.tick()
    assert _queued_deliveries() == 1


def test_a_delivery_task_that_never_ran_is_queued_again_after_a_while(connection):
    default_task_backend.clear()
    outbox_submit(connection=connection, operation="x", payload={}, submission_key="k1")
    scheduler = Command()
    scheduler.tick()
    later = timezone.now() + timedelta(minutes=3)  # it still reads "ready": its worker is gone
    with mock.patch("django.utils.timezone.now", return_value=later):
        scheduler.tick()
    assert _queued_deliveries() == 2


def test_the_tick_samples_the_outbox_backlog_once_a_minute(connection, monkeypatch):
    # Both ticks in one minute, however close to its end the test starts.
    monkeypatch.setattr(
        "integrations.management.commands.run_scheduler.minute_of", lambda moment: 1
    )
    outbox_submit(connection=connection, operation="x", payload={}, submission_key="k1")
    scheduler = Command()
    scheduler.tick()
    OutboxItem.objects.all().delete()
    scheduler.tick()  # the same minute: not sampled again
    (row,) = CallRollup.objects.filter(connection=connection)
    assert (row.outbox_pending, row.outbox_attention, row.calls) == (1, 0, 0)
    assert CallRollupHour.objects.get(connection=connection).outbox_pending == 1
