"""The hub's own history is kept for its retention and no longer: the scheduler queues its
pruning once an hour."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from integrations.management.commands.run_scheduler import Command
from integrations.models import CallLog, Connection, WebhookDelivery
from integrations.services import retention
from integrations.tasks import apply_webhooks_task, history_prune_task

pytestmark = pytest.mark.django_db

RETENTION = {
    "CALL_LOG_RETENTION_DAYS": 14,
    "WEBHOOK_RETENTION_DAYS": 14,
    "TASK_RESULT_RETENTION_DAYS": 7,
}


@pytest.fixture(autouse=True)
def _no_scheduled_syncs(monkeypatch):
    monkeypatch.setattr("integrations.management.commands.run_scheduler.syncs_due", lambda: [])


def _call(days_ago: float) -> CallLog:
    at = timezone.now() - timedelta(days=days_ago)
    return CallLog.objects.create(provider="asana", method="GET", path="/x", created_at=at)


def _delivery(days_ago: float, state: str) -> WebhookDelivery:
    connection, _ = Connection.objects.get_or_create(provider="affinity", name="events")
    at = timezone.now() - timedelta(days=days_ago)
    return WebhookDelivery.objects.create(
        provider="affinity", connection=connection, body=b"{}", dedupe_key=uuid.uuid4().hex,
        received_at=at, next_attempt_at=at, state=state,
    )  # fmt: skip


def _task_result(days_ago: float, status: str) -> DBTaskResult:
    at = timezone.now() - timedelta(days=days_ago)
    finished = at if status in ("SUCCESSFUL", "FAILED") else None
    return DBTaskResult.objects.create(
        status=status, args_kwargs={"args": [], "kwargs": {}}, task_path="integrations.tasks.x",
        backend_name="default", run_after=at, finished_at=finished, exception_class_path="",
        traceback="",
    )  # fmt: skip


@override_settings(**RETENTION)
def test_pruning_deletes_history_past_its_retention_and_keeps_the_rest():
    old_call, recent_call = _call(15), _call(13)
    old_applied = _delivery(15, WebhookDelivery.State.APPLIED)
    old_failed = _delivery(15, WebhookDelivery.State.FAILED)
    old_waiting = _delivery(15, WebhookDelivery.State.RECEIVED)  # still to be applied
    recent_applied = _delivery(2, WebhookDelivery.State.APPLIED)
    old_done, old_running = _task_result(8, "SUCCESSFUL"), _task_result(8, "RUNNING")
    recent_done = _task_result(1, "FAILED")

    history_prune_task.call()

    assert set(CallLog.objects.values_list("pk", flat=True)) == {recent_call.pk}
    assert not CallLog.objects.filter(pk=old_call.pk).exists()
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {
        old_waiting.pk,
        recent_applied.pk,
    }
    assert not WebhookDelivery.objects.filter(pk__in=[old_applied.pk, old_failed.pk]).exists()
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        old_running.pk,
        recent_done.pk,
    }
    assert not DBTaskResult.objects.filter(pk=old_done.pk).exists()


def test_the_scheduler_queues_the_pruning_once_an_hour_not_every_tick():
    def queued() -> int:
        return sum(1 for r in default_task_backend.results if "history_prune" in r.task.name)

    default_task_backend.clear()
    scheduler = Command()
    scheduler.tick()
    scheduler.tick()
    assert queued() == 1
    scheduler.pruned_at -= retention.PRUNE_EVERY.total_seconds()
    scheduler.tick()
    assert queued() == 2


@override_settings(**RETENTION)
def test_a_large_backlog_is_deleted_in_batches(monkeypatch):
    """A first prune after months deletes in short transactions, not one long lock."""
    monkeypatch.setattr(retention, "PRUNE_BATCH", 3)
    for _ in range(7):
        _call(20)
    assert retention.history_prune()["call log rows"] == 7
    assert not CallLog.objects.exists()


def test_the_scheduler_survives_its_last_task_result_being_pruned():
    """Its last queued apply task finished long ago and its result was pruned."""
    default_task_backend.clear()
    scheduler = Command()
    scheduler.webhooks = apply_webhooks_task.enqueue()
    default_task_backend.clear()  # the result is gone, as after a prune
    _delivery(1 / 24, WebhookDelivery.State.RECEIVED)  # unapplied for an hour: due
    scheduler.tick()
    assert sum(1 for r in default_task_backend.results if "apply_webhooks" in r.task.name) == 1
