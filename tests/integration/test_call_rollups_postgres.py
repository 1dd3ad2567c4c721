"""Two workers flushing the same minutes at once on PostgreSQL: every call is counted.

Runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…); SQLite
serializes writers, so the race needs a real server.
"""

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from django.db import connection as db_connection

from integrations.http.call_log import CallRecord
from integrations.models import CallLog, CallRollup, CallRollupHour, Connection
from integrations.services.call_log_sink import DatabaseCallLogSink
from tests.concurrency import at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        db_connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
    ),
]

START = datetime(2026, 1, 2, 3, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_two_workers_flushing_the_same_minutes_count_every_call():
    conns = [
        Connection.objects.create(provider="affinity", name=f"pg{n}", api_token="t")
        for n in range(2)
    ]

    # Each batch touches every (connection, minute) of the first five minutes, in an
    # order that differs between the workers.
    def batch(worker: int, n: int) -> list[CallRecord]:
        keys = [(c.pk, m) for c in conns for m in range(5)]
        if worker:
            keys.reverse()
        return [
            CallRecord(
                connection_id=pk,
                provider="affinity",
                method="GET",
                path="/",
                status=200,
                duration_ms=10,
                attempt=1,
                error_class="",
                request_id="",
                response_bytes=1,
                created_at=START + timedelta(minutes=m, seconds=n % 60),
                rate_remaining=100 - n - worker,
            )
            for pk, m in keys
        ]

    stored = [0, 0]

    def worker(number: int) -> None:
        sink = DatabaseCallLogSink()
        for n in range(40):
            stored[number] += sink.write(batch(number, n))

    at_once(partial(worker, 0), partial(worker, 1))

    assert stored == [400, 400]
    assert CallLog.objects.count() == 800
    rollups = list(CallRollup.objects.all())
    assert len(rollups) == 10
    assert all(r.calls == 80 for r in rollups)
    assert {r.rate_remaining_min for r in rollups} == {100 - 39 - 1}
    hours = list(CallRollupHour.objects.all())  # written in the same transactions
    assert [(h.calls, h.rate_remaining_min) for h in hours] == [(400, 100 - 39 - 1)] * 2
