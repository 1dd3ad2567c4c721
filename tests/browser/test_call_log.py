"""The call log in Chromium: reached from the staff menu, filtered, one call opened."""

from dataclasses import replace
from datetime import UTC, datetime

from django.utils import timezone
from playwright.sync_api import expect

from integrations.http.call_log import CallRecord
from integrations.models import Connection, SyncRun
from integrations.services.call_log_sink import DatabaseCallLogSink


def test_staff_filter_the_call_log_and_open_a_failed_call(
    logged_in_page, live_server, transactional_db, screenshot, browser_problems
):
    conn = Connection.objects.create(provider="asana", name="ops", api_token="t")
    run = SyncRun.objects.create(connection=conn, resource="asana_projects")
    ok = CallRecord(conn.pk, "asana", "GET", "/projects", 200, 40, 1, "", "", 10, timezone.now())
    failed = replace(
        ok,
        status=503,
        error_class="ProviderUnavailableError",
        path="/projects?offset=[REDACTED]",
        sync_run_id=run.pk,
    )
    DatabaseCallLogSink().write([ok] * 5 + [failed])
    page = logged_in_page

    page.get_by_test_id("user-menu").click()
    page.get_by_role("link", name="Call log").click()
    expect(page.get_by_test_id("call-row")).to_have_count(6)
    page.get_by_label("Status").select_option("5xx")
    page.get_by_label("Connection").select_option(label="Asana · ops")
    page.get_by_role("button", name="Apply").click()
    rows = page.get_by_test_id("call-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("503")
    expect(page.get_by_test_id("result-count")).to_have_text("1 call")
    screenshot("call-log-filtered")

    rows.get_by_role("link").click()
    expect(page.get_by_test_id("call-path")).to_have_text("GET /projects?offset=[REDACTED]")
    expect(page.get_by_test_id("call-link")).to_contain_text(f"Sync run #{run.pk}")
    page.get_by_role("link", name="Asana · ops").click()
    expect(page.get_by_test_id("health-state")).to_be_visible()
    page.get_by_test_id("call-log-link").click()
    expect(page.get_by_label("Connection")).to_have_value(str(conn.pk))
    assert browser_problems == []


def test_the_call_log_says_the_time_zone_its_times_are_in(
    logged_in_page, live_server, transactional_db, settings
):
    """Times are shown in the hub's TIME_ZONE, which the pages name (they said UTC always);
    a call's page leads back by its breadcrumb, as every other page does."""
    settings.TIME_ZONE = "Europe/Amsterdam"
    conn = Connection.objects.create(provider="asana", name="ops", api_token="t")
    winter = datetime(2026, 1, 15, 11, 30, tzinfo=UTC)
    call = CallRecord(conn.pk, "asana", "GET", "/projects", 200, 40, 1, "", "", 10, winter)
    DatabaseCallLogSink().write([call])
    page = logged_in_page
    page.goto(f"{live_server.url}/calls/")
    expect(page.get_by_role("columnheader").first).to_have_text("Time (Europe/Amsterdam)")
    expect(page.get_by_test_id("call-row")).to_contain_text("2026-01-15 12:30:00")

    page.get_by_test_id("call-row").get_by_role("link").click()
    expect(page.get_by_test_id("call-detail")).to_contain_text("2026-01-15 12:30:00.000000 CET")
    crumbs = page.get_by_role("navigation", name="breadcrumb")
    expect(crumbs.get_by_role("link")).to_have_text(["Call log"])
    crumbs.get_by_role("link", name="Call log").click()
    expect(page.get_by_label("Connection")).to_have_value(str(conn.pk))


def test_an_empty_call_log_does_not_blame_filters_nobody_set(
    logged_in_page, live_server, transactional_db
):
    page = logged_in_page
    page.goto(f"{live_server.url}/calls/")
    expect(page.get_by_test_id("no-calls")).to_have_text(
        "No calls recorded yet: every call the hub makes to a provider appears here."
    )
    page.get_by_label("Method").select_option("POST")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("no-calls")).to_have_text("No calls match these filters.")
