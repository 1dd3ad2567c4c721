"""The call log: the HTTP layer buffers records and hands batches to an injected sink."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError

from integrations.http import call_log
from integrations.http.call_log import CallLogBuffer, CallRecord
from integrations.models import CallLog
from integrations.services import call_log_sink
from integrations.services.call_log_sink import DatabaseCallLogSink


def call(attempt: int = 1, *, status: int | None = 200) -> CallRecord:
    return CallRecord(
        connection_id=None,
        provider="projecttool",
        method="GET",
        path="/projects?page=2",
        status=status,
        duration_ms=12,
        attempt=attempt,
        error_class="" if status else "ProviderUnavailableError",
        request_id="req-1",
        response_bytes=34,
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


class ListSink:
    def __init__(self) -> None:
        self.batches: list[list[CallRecord]] = []

    def write(self, rows):
        self.batches.append(list(rows))
        return len(rows)


def test_rows_reach_the_sink_in_one_batch_when_the_buffer_is_full():
    sink = ListSink()
    buffer = CallLogBuffer(flush_every=3, max_age=60, sink=sink)
    buffer.record(call(1))
    buffer.record(call(2))
    assert sink.batches == []
    buffer.record(call(3))
    assert [[r.attempt for r in batch] for batch in sink.batches] == [[1, 2, 3]]
    assert buffer.pending() == []


def test_rows_reach_the_sink_once_the_oldest_is_old_enough(monkeypatch):
    sink = ListSink()
    buffer = CallLogBuffer(flush_every=100, max_age=5, sink=sink)
    now = [1000.0]
    monkeypatch.setattr(call_log.time, "monotonic", lambda: now[0])
    buffer.record(call(1))
    now[0] += 4.9
    buffer.record(call(2))
    assert sink.batches == []
    now[0] += 0.2
    buffer.record(call(3))
    assert [len(batch) for batch in sink.batches] == [3]


def test_flush_hands_what_is_left_and_reports_what_the_sink_stored():
    sink = ListSink()
    buffer = CallLogBuffer(sink=sink)
    buffer.record(call(1))
    assert buffer.flush() == 1
    assert buffer.flush() == 0
    assert len(sink.batches) == 1


def test_without_a_sink_flushed_rows_are_dropped():
    buffer = CallLogBuffer()
    buffer.record(call(1))
    assert buffer.flush() == 0
    assert buffer.pending() == []


def test_the_app_installs_the_database_sink():
    assert isinstance(call_log.buffer.sink, DatabaseCallLogSink)


@pytest.mark.django_db
def test_the_database_sink_stores_each_record_as_a_call_log_row():
    assert DatabaseCallLogSink().write([call(1), call(2, status=None)]) == 2
    rows = list(CallLog.objects.order_by("attempt").values())
    assert [(r["attempt"], r["status"], r["error_class"]) for r in rows] == [
        (1, 200, ""),
        (2, None, "ProviderUnavailableError"),
    ]
    assert rows[0]["path"] == "/projects?page=2"
    assert rows[0]["created_at"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.django_db
def test_a_database_failure_drops_the_batch_with_a_warning(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise DatabaseError("disk full")

    # The rollups fail after the raw rows were inserted: the transaction takes both back.
    monkeypatch.setattr(call_log_sink, "add_records", refuse)
    assert DatabaseCallLogSink().write([call(1), call(2)]) == 0
    assert "Call log: dropped 2 rows (DatabaseError)" in caplog.text
    assert not CallLog.objects.exists()
