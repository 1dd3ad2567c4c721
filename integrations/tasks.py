"""Background work, as tasks of Django's tasks framework (the django-tasks backport).

The database backend (django-tasks-db, `manage.py db_worker`) runs them by
default; `manage.py run_scheduler` enqueues what is due.
"""

from __future__ import annotations

import logging

from django_tasks import task

from integrations.models import Connection, OutboxItem, SyncRun
from integrations.outbox.delivery import outbox_deliver, outbox_deliver_due
from integrations.services.health_alerts import health_alerts_send
from integrations.services.retention import history_prune
from integrations.sync.engine import SyncAlreadyRunning, sync_resource
from integrations.sync.registry import resource_for
from integrations.webhooks.apply import RecordFetcher, deliveries_apply
from integrations.webhooks.queue import apply_queue_release

logger = logging.getLogger(__name__)


@task()
def sync_resource_task(
    connection_id: int, resource_key: str, full: bool = False, run_id: int | None = None
) -> str:
    connection = Connection.objects.get(pk=connection_id)
    run = SyncRun.objects.filter(pk=run_id).first() if run_id else None
    try:
        finished = sync_resource(
            connection=connection, resource=resource_for(resource_key), full=full, run=run
        )
    except SyncAlreadyRunning as busy:
        if run is not None and run.status == SyncRun.Status.QUEUED:
            run.delete()  # the sync that holds the lease reports for both
        return str(busy)
    return finished.status


@task()
def deliver_outbox_item_task(item_id: int) -> str:
    item = outbox_deliver(item_id, background=True)
    return item.status if item else "skipped"


@task()
def deliver_due_outbox_task() -> int:
    return outbox_deliver_due()


def enqueue_delivery(item: OutboxItem) -> None:
    deliver_outbox_item_task.enqueue(item_id=item.pk)


@task()
def apply_webhooks_task() -> int:
    """Apply every due webhook delivery, a batch at a time, until none is left."""
    apply_queue_release()
    applied = 0
    with RecordFetcher() as fetcher:
        while claimed := deliveries_apply(fetcher=fetcher):
            applied += claimed
    return applied


def enqueue_webhook_apply() -> None:
    apply_webhooks_task.enqueue()


@task()
def health_alerts_task() -> int:
    """Report connections that became failing or recovered to the alert channels."""
    return health_alerts_send()


@task()
def history_prune_task() -> dict[str, int]:
    """Delete the hub's history past its retention (queued by the scheduler once an hour,
    so a long first prune delays no tick)."""
    return history_prune()
