"""Delete the hub's history past its retention now (the scheduler does it once an hour):
integrations.services.retention."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from integrations.services.retention import history_prune


class Command(BaseCommand):
    help = (
        "Delete call log rows, call rollups, webhook deliveries and finished task results "
        "past their retention (CALL_LOG_RETENTION_DAYS, CALL_ROLLUP_RETENTION_DAYS, "
        "CALL_ROLLUP_HOUR_RETENTION_DAYS, WEBHOOK_RETENTION_DAYS, TASK_RESULT_RETENTION_DAYS)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for kind, deleted in history_prune().items():
            self.stdout.write(f"Deleted {deleted} {kind}.")
