"""Delete call log rows older than CALL_LOG_RETENTION_DAYS."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from integrations.models import CallLog


class Command(BaseCommand):
    help = "Delete call log rows older than CALL_LOG_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else settings.CALL_LOG_RETENTION_DAYS
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = CallLog.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} call log rows older than {days} days.")
