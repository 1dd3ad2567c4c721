"""Rebuild the per-minute and hourly rollups from the stored call log rows (once,
after deploying the rollups; again whenever they are in doubt).

Each whole minute the raw rows cover, up to the last whole hour SETTLE_MINUTES ago,
has its rollup rows' call counts cleared and summed again from the raw rows; then
each hour those minutes touch is summed again from its minute rows; all in one
transaction, so running it twice counts each call once. The newest minutes are left
to the sink, which is still adding batches recorded in them. Raw rows keep neither
the rate-limit headroom nor whether a transport error was a timeout: rebuilt minutes
have no headroom and count such errors as "other". The outbox samples are kept, and
so are rollups older than the oldest raw row.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from integrations.http.call_log import CallRecord
from integrations.models import CallLog, CallRollup
from integrations.services.call_log_sink import RAW_FIELDS
from integrations.services.call_rollups import (
    COUNT_FIELDS,
    MAX_FIELDS,
    MIN_FIELDS,
    add_records,
    hours_from_minutes,
    minute_of,
    minute_start,
)

SETTLE_MINUTES = 10
CHUNK = 5000


class Command(BaseCommand):
    help = "Rebuild the per-minute call rollups from the stored call log rows."

    def handle(self, *args: Any, **options: Any) -> None:
        oldest = CallLog.objects.aggregate(oldest=Min("created_at"))["oldest"]
        if oldest is None:
            self.stdout.write("No call log rows to roll up.")
            return
        # The oldest minute may have been pruned in part: start at the next whole one.
        first = minute_of(oldest)
        start = first if minute_start(first) == oldest else first + 1
        end = (minute_of(timezone.now()) - SETTLE_MINUTES) // 60 * 60  # a whole hour
        if end <= start:
            self.stdout.write("No whole hour of call log rows to roll up yet.")
            return
        rows = CallLog.objects.filter(
            created_at__gte=minute_start(start), created_at__lt=minute_start(end)
        )
        total = 0
        with transaction.atomic():
            CallRollup.objects.filter(minute__gte=start, minute__lt=end).update(
                **dict.fromkeys(COUNT_FIELDS, 0), **dict.fromkeys(MIN_FIELDS + MAX_FIELDS)
            )
            batch: list[CallRecord] = []
            for values in rows.order_by("pk").values_list(*RAW_FIELDS).iterator(CHUNK):
                batch.append(CallRecord(**dict(zip(RAW_FIELDS, values, strict=True))))
                if len(batch) == CHUNK:
                    add_records(batch, hours=False)
                    total, batch = total + len(batch), []
            add_records(batch, hours=False)
            total += len(batch)
            hours_from_minutes(start // 60, end // 60)
        self.stdout.write(
            f"Rolled up {total} call log rows from {minute_start(start):%Y-%m-%d %H:%M} UTC."
        )
