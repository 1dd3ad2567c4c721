"""The dashboard shows each connection's health; staff see a banner on every page."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from integrations.http.call_log import CallRecord
from integrations.models import Connection, OutboxItem, SyncRun, SyncState, WebhookDelivery
from integrations.services.call_log_sink import DatabaseCallLogSink

# The dashboard's queries for staff, whatever the number of connections and rows: the
# session and user, duplicates (2), the health table's five (`connections_health`), the
# cards (the connections, a count per resource), stuck writes, writes refused later, and
# the banner's five again plus the sandbox flag (both cached, cleared here).
DASHBOARD_QUERIES = 21


def calls(conn: Connection, *, ok: int, failed: int) -> None:
    good = CallRecord(conn.pk, conn.provider, "GET", "/", 200, 50, 1, "", "", 10, timezone.now())
    bad = replace(good, status=502, error_class="ProviderUnavailableError")
    DatabaseCallLogSink().write([good] * ok + [bad] * failed)


@pytest.fixture
def failing(db) -> Connection:
    conn = Connection.objects.create(
        provider="recruitee", name="prod", company_id="1", api_token="t"
    )
    calls(conn, ok=1, failed=9)
    return conn


def test_the_dashboard_puts_a_failing_connection_at_the_top_and_in_the_table(
    logged_in_client, failing
):
    page = logged_in_client.get("/").content.decode()
    alert = page.index('data-testid="connection-alert"')
    assert alert < page.index('data-provider="Recruitee"')
    assert (
        "Recruitee · prod</strong> is failing: 9 of 10 calls failed in the last 5 minutes." in page
    )
    assert 'data-testid="connection-health-row"' in page
    assert 'data-testid="health-banner"' not in page  # not staff


def test_staff_see_the_banner_on_other_pages(client, staff_user, failing):
    client.force_login(staff_user)
    page = client.get("/outbox/").content.decode()
    assert 'data-testid="health-banner"' in page
    assert "Recruitee · prod" in page and "is failing" in page


def test_a_healthy_hub_shows_no_alert_or_banner(client, staff_user, db):
    conn = Connection.objects.create(
        provider="recruitee", name="prod", company_id="1", api_token="t"
    )
    calls(conn, ok=10, failed=0)
    client.force_login(staff_user)
    page = client.get("/").content.decode()
    assert 'data-testid="connection-alert"' not in page
    assert 'data-testid="health-banner"' not in page
    assert "Healthy" in page


def _busy_connection(n: int) -> Connection:
    """A connection with calls, a failed sync, writes and webhook deliveries."""
    conn = Connection.objects.create(provider="affinity", name=f"c{n}", api_token="t")
    calls(conn, ok=3, failed=1)
    SyncState.objects.create(
        connection=conn, resource="affinity.persons", last_success_at=timezone.now()
    )
    SyncRun.objects.create(connection=conn, resource="affinity.persons", status="failed")
    for status in ("pending", "sending", "needs_attention", "done"):
        OutboxItem.objects.create(
            connection=conn, operation="x", submission_key=f"{n}{status}", status=status
        )
    for m, state in enumerate(("received", "applied", "applied", "failed")):
        WebhookDelivery.objects.create(
            provider="affinity", connection=conn, body=b"{}", dedupe_key=f"{n}-{m}", state=state
        )
    WebhookDelivery.objects.create(  # received two days ago: not in the last 24 hours
        provider="affinity",
        connection=conn,
        body=b"{}",
        dedupe_key=f"{n}-old",
        state="failed",
        received_at=timezone.now() - timedelta(days=2),
    )
    return conn


def test_the_dashboard_costs_the_same_queries_however_many_connections(
    client, staff_user, db, django_assert_num_queries
):
    client.force_login(staff_user)
    _busy_connection(0)
    client.get("/")  # the session and anything else a first request warms
    cache.clear()
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get("/")
    for n in range(1, 4):
        _busy_connection(n)
    cache.clear()
    with django_assert_num_queries(DASHBOARD_QUERIES):
        page = client.get("/").content.decode()

    assert page.count('data-testid="connection-health-row"') == 4
    assert page.count("4 received, 2 applied, ") == 4
    assert page.count('<strong class="text-danger">1 failed</strong>') == 4
    assert "1 webhook event could not be applied in the last 24 hours" in page
