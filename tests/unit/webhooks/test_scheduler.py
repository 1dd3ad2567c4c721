"""The scheduler queues the apply task for deliveries left unapplied, once, not per tick."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import default_task_backend

from integrations.management.commands.run_scheduler import Command
from integrations.models import Connection, WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_scheduled_syncs(monkeypatch):
    monkeypatch.setattr("integrations.management.commands.run_scheduler.syncs_due", lambda: [])


def _queued() -> int:
    return sum(1 for r in default_task_backend.results if "apply_webhooks" in r.task.name)


def _delivery(received_ago: timedelta, **fields) -> WebhookDelivery:
    connection, _ = Connection.objects.get_or_create(provider="affinity", name="events")
    at = timezone.now() - received_ago
    return WebhookDelivery.objects.create(
        provider="affinity", connection=connection, body=b"{}",
        dedupe_key=f"k{WebhookDelivery.objects.count()}", received_at=at, next_attempt_at=at,
        **fields,
    )  # fmt: skip


def test_a_fresh_delivery_is_left_to_its_own_task():
    default_task_backend.clear()
    _delivery(timedelta(seconds=2))
    Command().tick()
    assert _queued() == 0


def test_a_delivery_left_unapplied_or_held_past_its_lease_is_queued_once():
    default_task_backend.clear()
    _delivery(timedelta(minutes=2))
    scheduler = Command()
    for _ in range(3):
        scheduler.tick()
    assert _queued() == 1
    default_task_backend.clear()
    WebhookDelivery.objects.all().delete()
    _delivery(
        timedelta(minutes=5),
        state=WebhookDelivery.State.APPLYING,
        lease_until=timezone.now() - timedelta(minutes=1),
    )
    Command().tick()
    assert _queued() == 1
