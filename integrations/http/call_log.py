"""Record every attempt of every provider call, cheaply.

Attempts are buffered in memory and written with one bulk insert when the
buffer holds FLUSH_EVERY rows, when the oldest row is MAX_AGE seconds old,
at the end of each web request and background task, and at exit (the signal
hooks are connected in `IntegrationsConfig.ready`). A crash can lose the last
few unflushed rows; the call log is a diagnostic, not a ledger.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime

from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)

FLUSH_EVERY = 100
MAX_AGE = 5.0  # seconds


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One attempt. `path` is already redacted; no body or header is kept."""

    connection_id: int | None
    provider: str
    method: str
    path: str
    status: int | None
    duration_ms: int
    attempt: int
    error_class: str
    request_id: str
    response_bytes: int
    created_at: datetime


_FIELDS = [f.name for f in fields(CallRecord)]


def _values(row: CallRecord) -> dict[str, object]:
    return {name: getattr(row, name) for name in _FIELDS}


class CallLogBuffer:
    def __init__(self, *, flush_every: int = FLUSH_EVERY, max_age: float = MAX_AGE) -> None:
        self.flush_every = flush_every
        self.max_age = max_age
        self._rows: list[CallRecord] = []
        self._oldest = 0.0
        self._lock = threading.Lock()
        self._local = threading.local()

    def record(self, row: CallRecord) -> None:
        with self._lock:
            if not self._rows:
                self._oldest = time.monotonic()
            self._rows.append(row)
            due = len(self._rows) >= self.flush_every
            due = due or time.monotonic() - self._oldest >= self.max_age
        if due and not getattr(self._local, "deferred", False):
            self.flush()

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Record without writing from this thread: a helper thread that only
        fetches (the sync's read-ahead) leaves the database to its owner, which
        flushes."""
        self._local.deferred = True
        try:
            yield
        finally:
            self._local.deferred = False

    def flush(self, **_signal_kwargs: object) -> int:
        """Write the buffered rows; returns how many were written."""
        with self._lock:
            rows, self._rows = self._rows, []
        if not rows:
            return 0
        from integrations.models import CallLog  # the http layer loads before the models

        try:
            with transaction.atomic():
                CallLog.objects.bulk_create([CallLog(**_values(row)) for row in rows])
        except DatabaseError as exc:
            logger.warning("Call log: dropped %d rows (%s)", len(rows), type(exc).__name__)
            return 0
        return len(rows)

    def clear(self) -> None:
        with self._lock:
            self._rows = []

    def pending(self) -> list[CallRecord]:
        with self._lock:
            return list(self._rows)


buffer = CallLogBuffer()
record = buffer.record
flush = buffer.flush


@atexit.register
def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # the database may already be gone at exit
        logger.warning("Call log: could not flush at exit")
