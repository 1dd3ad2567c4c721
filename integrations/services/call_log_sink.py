"""The call log's storage: buffered `CallRecord`s become `CallLog` rows, and are
added to the per-minute `CallRollup` rows in the same transaction.

`integrations.http.call_log` buffers records and knows nothing of models;
`IntegrationsConfig.ready` installs `DatabaseCallLogSink` as its sink.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import DatabaseError, transaction

from integrations.http.call_log import CallRecord
from integrations.models import CallLog
from integrations.services.call_rollups import add_records

logger = logging.getLogger(__name__)

# The record's fields a raw row keeps (the rest only feed the rollups).
RAW_FIELDS = (
    "connection_id",
    "provider",
    "method",
    "path",
    "status",
    "duration_ms",
    "attempt",
    "error_class",
    "request_id",
    "response_bytes",
    "created_at",
    "sync_run_id",
    "outbox_item_id",
)


class DatabaseCallLogSink:
    """Writes each batch with one bulk insert and the rollups' upserts in its own
    transaction: the rollups count exactly the stored rows."""

    def write(self, rows: Sequence[CallRecord]) -> int:
        try:
            with transaction.atomic():
                CallLog.objects.bulk_create(
                    [CallLog(**{name: getattr(row, name) for name in RAW_FIELDS}) for row in rows]
                )
                add_records(rows)
        except DatabaseError as exc:
            logger.warning("Call log: dropped %d rows (%s)", len(rows), type(exc).__name__)
            return 0
        return len(rows)
