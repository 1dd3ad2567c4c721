"""Record every attempt of every provider call, cheaply.

Attempts are buffered in memory as `CallRecord`s and handed in batches to
the installed `CallLogSink` when the buffer holds FLUSH_EVERY rows, when the
oldest row is MAX_AGE seconds old, at the end of each web request and
background task, and at exit. The HTTP layer knows nothing of where rows go:
`IntegrationsConfig.ready` installs the sink that stores them
(`integrations.services.call_log_sink`) and connects the signal hooks. Until
a sink is installed, flushed rows are dropped. A crash can lose the last few
unflushed rows; the call log is a diagnostic, not a ledger.

What a call is made for (a sync run, an outbox row) is set around the work
with `linked(...)`, a context variable the client reads into each record: the
HTTP layer carries the ids without knowing the models they name.
"""

from __future__ import annotations

import atexit
import contextvars
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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
    # For the per-minute rollups (not stored on the raw row): whether a transport
    # error was a timeout, and the rate-limit headroom the response's headers gave
    # ("rate" windows per minute, "quota" windows per month; None: not sent).
    timed_out: bool = False
    rate_remaining: int | None = None
    rate_limit: int | None = None
    quota_remaining: int | None = None
    quota_limit: int | None = None
    # What the call was made for, from `linked()` (stored on the raw row).
    sync_run_id: int | None = None
    outbox_item_id: int | None = None


@dataclass(frozen=True, slots=True)
class CallLink:
    """The sync run or outbox row the calls made now belong to."""

    sync_run_id: int | None = None
    outbox_item_id: int | None = None


NO_LINK = CallLink()
_link: contextvars.ContextVar[CallLink] = contextvars.ContextVar("call_link", default=NO_LINK)


@contextmanager
def linked(*, sync_run_id: int | None = None, outbox_item_id: int | None = None) -> Iterator[None]:
    """Record the calls made inside the block as part of this sync run or outbox row.

    A thread started inside the block sees the link only when it runs in a copy of
    this context (`contextvars.copy_context().run`, as the read-ahead thread does).
    """
    token = _link.set(CallLink(sync_run_id=sync_run_id, outbox_item_id=outbox_item_id))
    try:
        yield
    finally:
        _link.reset(token)


def current_link() -> CallLink:
    """The link calls made now carry (NO_LINK outside any `linked` block)."""
    return _link.get()


class CallLogSink(Protocol):
    """Where flushed rows go. Called from whichever thread flushes (never a
    deferred one), one batch at a time."""

    def write(self, rows: Sequence[CallRecord]) -> int:
        """Store the rows; return how many were stored. A storage failure is the
        sink's to log: it returns 0 rather than raise into a provider call."""
        ...


class CallLogBuffer:
    def __init__(
        self,
        *,
        flush_every: int = FLUSH_EVERY,
        max_age: float = MAX_AGE,
        sink: CallLogSink | None = None,
    ) -> None:
        self.flush_every = flush_every
        self.max_age = max_age
        self.sink = sink
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
        fetches (the sync's read-ahead) leaves the sink to its owner, which
        flushes."""
        self._local.deferred = True
        try:
            yield
        finally:
            self._local.deferred = False

    def flush(self, **_signal_kwargs: object) -> int:
        """Hand the buffered rows to the sink; returns how many it stored."""
        with self._lock:
            rows, self._rows = self._rows, []
        if not rows or self.sink is None:
            return 0
        return self.sink.write(rows)

    def clear(self) -> None:
        with self._lock:
            self._rows = []

    def pending(self) -> list[CallRecord]:
        with self._lock:
            return list(self._rows)


buffer = CallLogBuffer()
record = buffer.record
flush = buffer.flush


def install_sink(sink: CallLogSink | None) -> None:
    """Send this process's flushed rows to `sink` (None: drop them)."""
    buffer.sink = sink


@atexit.register
def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # the database may already be gone at exit
        logger.warning("Call log: could not flush at exit")
