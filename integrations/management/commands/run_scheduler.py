"""Enqueue the background work that is due, forever: scheduled syncs, outbox deliveries,
webhook deliveries left unapplied and, while an alert channel is set, the health alerts;
and once a minute sample the outbox backlog into the rollups (the connection page's
backlog chart) and tidy the list exports (delete those past `EXPORT_KEEP_HOURS`, fail
those whose worker died); once an hour queue the pruning of the hub's own history past
its retention (integrations.services.retention). A connection whose secrets cannot be
decrypted is skipped and logged once (again if it comes back after being fixed)."""

import logging
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from core.list_exports import exports_tidy
from integrations.models import Connection, OutboxItem, WebhookDelivery
from integrations.outbox.claims import recover_stale
from integrations.services.call_rollups import minute_of, sample_outbox
from integrations.services.health_alerts import alert_channels
from integrations.services.retention import PRUNE_EVERY
from integrations.sync.service import sync_recover_stale, sync_request, syncs_due
from integrations.tasks import (
    apply_webhooks_task,
    deliver_due_outbox_task,
    health_alerts_task,
    history_prune_task,
)
from integrations.webhooks.apply import due_filter

logger = logging.getLogger(__name__)

# A delivery task still waiting this long after it was queued is presumed lost.
DELIVERY_TASK_STALE_AFTER = timedelta(minutes=2)
# A webhook delivery has its own task queued when it arrives; past this it was lost.
WEBHOOK_GRACE = timedelta(seconds=30)
# How often connections' health is compared with what the alert channels were told.
HEALTH_ALERTS_EVERY = timedelta(minutes=1)


class Command(BaseCommand):
    help = "Enqueue due syncs and outbox deliveries every few seconds (Ctrl-C stops)."

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.delivery: TaskResult | None = None  # the last delivery task this scheduler queued
        self.webhooks: TaskResult | None = None  # the same for webhook deliveries
        self.alerts: TaskResult | None = None  # the same for the health alerts
        self.sampled_minute: int | None = None  # the minute the outbox was last sampled
        self.pruned_at: float | None = None  # time.monotonic() of the last history prune
        self.unreadable: set[int] = set()  # connections whose secrets problem was logged

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=10.0, help="seconds between ticks")
        parser.add_argument("--once", action="store_true", help="run one tick and exit")

    def handle(self, *args, interval: float, once: bool, **options) -> None:
        while True:
            self.tick()
            if once:
                return
            time.sleep(interval)

    def tick(self) -> None:
        minute = minute_of(timezone.now())
        if minute != self.sampled_minute:
            sample_outbox()
            exports_tidy()
            self.sampled_minute = minute
        now = time.monotonic()
        if self.pruned_at is None or now - self.pruned_at >= PRUNE_EVERY.total_seconds():
            history_prune_task.enqueue()
            self.pruned_at = now
        recovered = recover_stale()
        if recovered:
            self.stdout.write(f"{recovered} outbox rows recovered from a stopped worker")
        for run in sync_recover_stale():
            self.stdout.write(f"sync run {run.pk} of {run.resource}: its worker stopped; resuming")
        due = OutboxItem.objects.filter(
            status=OutboxItem.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        if due.exists() and not self.still_waiting(self.delivery):
            self.delivery = deliver_due_outbox_task.enqueue()
        unapplied = WebhookDelivery.objects.filter(due_filter(timezone.now() - WEBHOOK_GRACE))
        if unapplied.exists() and not self.still_waiting(self.webhooks):
            self.webhooks = apply_webhooks_task.enqueue()
        if alert_channels() and self.alerts_due():
            self.alerts = health_alerts_task.enqueue()
        self.report_unreadable()
        for connection, resource in syncs_due():
            run = sync_request(connection=connection, resource=resource)
            self.stdout.write(f"sync of {resource.label} for {connection}: {run.status}")

    def report_unreadable(self) -> None:
        """Log each active connection whose secrets cannot be decrypted, once."""
        problems = {
            c.pk: c.secrets_problem
            for c in Connection.objects.filter(is_active=True)
            if c.secrets_problem
        }
        for pk in problems.keys() - self.unreadable:
            logger.warning("%s Its syncs are not scheduled until then.", problems[pk])
        self.unreadable = set(problems)

    def alerts_due(self) -> bool:
        """A minute since the last health alerts task was queued, and none waits."""
        if self.alerts is None:
            return True
        queued_at = self.alerts.enqueued_at or timezone.now()
        return timezone.now() - queued_at >= HEALTH_ALERTS_EVERY and not self.still_waiting(
            self.alerts
        )

    def still_waiting(self, queued: TaskResult | None) -> bool:
        """The last such task still waits for a worker: queue no other, so a slow
        provider never piles up tasks that will find nothing to do. One that runs
        does not count: its worker may have died with it."""
        if queued is None:
            return False
        try:
            queued.refresh()
        except TaskResultDoesNotExist:  # finished long ago, and pruned since
            return False
        queued_at = queued.enqueued_at or timezone.now()
        waiting = queued.status == TaskResultStatus.READY
        return waiting and timezone.now() - queued_at < DELIVERY_TASK_STALE_AFTER
