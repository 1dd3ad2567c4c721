"""The dashboard shows each connection's health; staff see a banner on every page."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.utils import timezone

from integrations.http.call_log import CallRecord
from integrations.models import Connection
from integrations.services.call_log_sink import DatabaseCallLogSink


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
