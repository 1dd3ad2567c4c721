"""Delete call log rows older than CALL_LOG_RETENTION_DAYS, per-minute rollups older
than CALL_ROLLUP_RETENTION_DAYS and hourly ones older than CALL_ROLLUP_HOUR_RETENTION_DAYS."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from integrations.models import CallLog, CallRollup, CallRollupHour
from integrations.services.call_rollups import minute_of


class Command(BaseCommand):
    help = (
        "Delete call log rows older than CALL_LOG_RETENTION_DAYS (or --days) and "
        "rollups older than CALL_ROLLUP_RETENTION_DAYS (or --rollup-days), hourly ones "
        "older than CALL_ROLLUP_HOUR_RETENTION_DAYS (or --hour-rollup-days)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--rollup-days", type=int, default=None)
        parser.add_argument("--hour-rollup-days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        days = options["days"] if options["days"] is not None else settings.CALL_LOG_RETENTION_DAYS
        deleted, _ = CallLog.objects.filter(created_at__lt=now - timedelta(days=days)).delete()
        self.stdout.write(f"Deleted {deleted} call log rows older than {days} days.")
        rollup_days = options["rollup_days"]
        if rollup_days is None:
            rollup_days = settings.CALL_ROLLUP_RETENTION_DAYS
        cutoff = now - timedelta(days=rollup_days)
        deleted, _ = CallRollup.objects.filter(minute__lt=minute_of(cutoff)).delete()
        self.stdout.write(f"Deleted {deleted} per-minute rollups older than {rollup_days} days.")
        hour_days = options["hour_rollup_days"]
        if hour_days is None:
            hour_days = settings.CALL_ROLLUP_HOUR_RETENTION_DAYS
        cutoff = now - timedelta(days=hour_days)
        deleted, _ = CallRollupHour.objects.filter(hour__lt=minute_of(cutoff) // 60).delete()
        self.stdout.write(f"Deleted {deleted} hourly rollups older than {hour_days} days.")
