"""How long the hub keeps its own history, and its pruning (the scheduler's, once an hour).

- the call log: `CALL_LOG_RETENTION_DAYS`; its per-minute rollups
  `CALL_ROLLUP_RETENTION_DAYS` and hourly ones `CALL_ROLLUP_HOUR_RETENTION_DAYS`;
- webhook deliveries applied or given up: `WEBHOOK_RETENTION_DAYS` (longer than any
  provider retries one, so a late copy is still known as a duplicate); those still
  to be applied stay;
- finished background task results: `TASK_RESULT_RETENTION_DAYS` (the database task
  backend keeps one row per task, and every webhook burst and delivery queues one).

Without it each grows for as long as the hub runs. Rows go a batch at a time, each
batch its own short transaction, so a first prune after months of history does not
hold SQLite's write lock for the whole deletion.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from integrations.models import CallLog, CallRollup, CallRollupHour, WebhookDelivery
from integrations.services.call_rollups import minute_of

PRUNE_EVERY = timedelta(hours=1)
PRUNE_BATCH = 5_000


def history_prune(now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its retention; how many rows of each kind went."""
    now = now or timezone.now()

    def before(days: int) -> datetime:
        return now - timedelta(days=days)

    done = (WebhookDelivery.State.APPLIED, WebhookDelivery.State.FAILED)
    return {
        "call log rows": _delete(
            CallLog.objects.filter(created_at__lt=before(settings.CALL_LOG_RETENTION_DAYS))
        ),
        "per-minute rollups": _delete(
            CallRollup.objects.filter(
                minute__lt=minute_of(before(settings.CALL_ROLLUP_RETENTION_DAYS))
            )
        ),
        "hourly rollups": _delete(
            CallRollupHour.objects.filter(
                hour__lt=minute_of(before(settings.CALL_ROLLUP_HOUR_RETENTION_DAYS)) // 60
            )
        ),
        "webhook deliveries": _delete(
            WebhookDelivery.objects.filter(
                state__in=done, received_at__lt=before(settings.WEBHOOK_RETENTION_DAYS)
            )
        ),
        "task results": _delete(
            DBTaskResult.objects.finished().filter(
                finished_at__lt=before(settings.TASK_RESULT_RETENTION_DAYS)
            )
        ),
    }


def _delete(rows: QuerySet) -> int:
    deleted = 0
    while ids := list(rows.values_list("pk", flat=True)[:PRUNE_BATCH]):
        deleted += rows.model._base_manager.filter(pk__in=ids).delete()[0]
    return deleted
