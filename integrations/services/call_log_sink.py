"""The call log's storage: buffered `CallRecord`s become `CallLog` rows.

`integrations.http.call_log` buffers records and knows nothing of models;
`IntegrationsConfig.ready` installs `DatabaseCallLogSink` as its sink.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import fields

from django.db import DatabaseError, transaction

from integrations.http.call_log import CallRecord
from integrations.models import CallLog

logger = logging.getLogger(__name__)

_FIELDS = [f.name for f in fields(CallRecord)]


class DatabaseCallLogSink:
    """Writes each batch with one bulk insert in its own transaction."""

    def write(self, rows: Sequence[CallRecord]) -> int:
        try:
            with transaction.atomic():
                CallLog.objects.bulk_create(
                    [CallLog(**{name: getattr(row, name) for name in _FIELDS}) for row in rows]
                )
        except DatabaseError as exc:
            logger.warning("Call log: dropped %d rows (%s)", len(rows), type(exc).__name__)
            return 0
        return len(rows)
