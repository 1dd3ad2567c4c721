"""A connection's health from a known call log, its syncs and its outbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.http.call_log import CallRecord
from integrations.models import Connection, OutboxItem, SyncRun, SyncState
from integrations.services.call_log_sink import DatabaseCallLogSink
from integrations.services.health import (
    DEGRADED,
    FAILING,
    HEALTHY,
    SWITCHED_OFF,
    connection_health,
)


@pytest.fixture
def conn(db) -> Connection:
    return Connection.objects.create(provider="affinity", name="health", api_token="t")


def log(conn: Connection, *, ok: int, failed: int, minutes_ago: int = 1, **changes) -> None:
    """`ok` answered calls and `failed` 503s, `minutes_ago` minutes ago."""
    at = timezone.now() - timedelta(minutes=minutes_ago)
    base = CallRecord(
        connection_id=conn.pk,
        provider=conn.provider,
        method="GET",
        path="/",
        status=200,
        duration_ms=90,
        attempt=1,
        error_class="",
        request_id="",
        response_bytes=10,
        created_at=at,
        **changes,
    )
    bad = replace(base, status=503, error_class="ProviderUnavailableError")
    DatabaseCallLogSink().write([base] * ok + [bad] * failed)


def test_mostly_failing_calls_in_the_last_five_minutes_make_it_failing(conn):
    log(conn, ok=2, failed=8)
    health = connection_health(conn)
    assert health.state == FAILING
    assert health.reasons == ("8 of 10 calls failed in the last 5 minutes.",)
    assert health.error_rate == 0.8


def test_failures_older_than_the_window_do_not_count(conn):
    log(conn, ok=0, failed=20, minutes_ago=30)
    log(conn, ok=10, failed=0)
    assert connection_health(conn).state == HEALTHY


def test_some_failures_degrade_it_and_client_errors_do_not(conn, settings):
    log(conn, ok=8, failed=2)
    assert connection_health(conn).state == DEGRADED
    conn2 = Connection.objects.create(provider="affinity", name="other", api_token="t")
    DatabaseCallLogSink().write(
        [
            CallRecord(
                conn2.pk, "affinity", "GET", "/", 404, 5, 1, "NotFoundError", "", 0, timezone.now()
            )
        ]
        * 10
    )
    assert connection_health(conn2).state == HEALTHY


def test_too_few_calls_say_nothing(conn):
    log(conn, ok=0, failed=4)
    assert connection_health(conn).state == HEALTHY


def test_a_nearly_spent_monthly_budget_makes_it_failing(conn):
    log(conn, ok=3, failed=0, quota_remaining=350, quota_limit=40000)
    health = connection_health(conn)
    assert health.state == FAILING
    assert health.reasons == (
        "Affinity's monthly budget is nearly spent: 350 of 40,000 calls left.",
    )


def test_a_switched_off_connection_says_why(conn):
    conn.is_active = False
    conn.disabled_reason = "Five logins in a row were refused."
    conn.save()
    health = connection_health(conn)
    assert (health.state, health.reasons) == (SWITCHED_OFF, ("Five logins in a row were refused.",))
    assert health.next_sync_at is None


def test_syncs_and_writes_are_reported(conn, settings):
    settings.SYNC_INTERVAL_MINUTES = 15
    done = timezone.now() - timedelta(minutes=5)
    SyncState.objects.create(
        connection=conn, resource="affinity.organizations", last_success_at=done
    )
    SyncState.objects.create(
        connection=conn, resource="affinity.persons", last_success_at=done - timedelta(minutes=2)
    )
    SyncState.objects.create(connection=conn, resource="affinity.lists", last_success_at=done)
    SyncRun.objects.create(connection=conn, resource="affinity.persons", status="failed")
    for n, status in enumerate(["pending", "pending", "needs_attention", "done"]):
        OutboxItem.objects.create(
            connection=conn, operation="x", submission_key=f"k{n}", status=status
        )

    health = connection_health(conn)
    assert health.last_sync_at == done
    assert health.next_sync_at == done - timedelta(minutes=2) + timedelta(minutes=15)
    assert (health.pending_writes, health.writes_needing_attention) == (2, 1)
    assert health.state == DEGRADED
    assert health.reasons == ("The last sync of persons failed.", "1 write needs attention.")
