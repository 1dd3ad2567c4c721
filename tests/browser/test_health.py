"""The dashboard in Chromium shows a failing connection, and why, for a known call log."""

from dataclasses import replace
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from integrations.http.call_log import CallRecord
from integrations.models import Connection
from integrations.services.call_log_sink import DatabaseCallLogSink
from tests.browser.conftest import PASSWORD


def test_the_dashboard_shows_a_failing_connection(
    page, live_server, django_user_model, transactional_db, screenshot, browser_problems
):
    conn = Connection.objects.create(provider="affinity", name="prod", api_token="t")
    good = CallRecord(conn.pk, "affinity", "GET", "/", 200, 120, 1, "", "", 10, timezone.now())
    timeout = replace(good, status=None, error_class="ProviderUnavailableError", timed_out=True)
    DatabaseCallLogSink().write([good] * 3 + [timeout] * 7)
    django_user_model.objects.create_user(username="ops", password=PASSWORD, is_staff=True)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "ops")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    expect(page.get_by_test_id("health-banner")).to_contain_text("Affinity · prod is failing")
    alert = page.get_by_test_id("connection-alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("7 of 10 calls failed in the last 5 minutes.")
    row = page.get_by_test_id("connection-health-row")
    expect(row).to_contain_text("Failing")
    expect(row).to_contain_text("10 (7 failed)")
    expect(page.locator("[data-provider=Affinity]")).to_be_visible()  # the cards stay
    screenshot("dashboard-failing-connection")
    assert browser_problems == []


def test_the_connection_page_draws_its_charts_with_the_numbers_beside_them(
    logged_in_page, live_server, transactional_db, screenshot, browser_problems
):
    conn = Connection.objects.create(provider="asana", name="charts", api_token="t")
    at = timezone.now() - timedelta(minutes=5)
    good = CallRecord(conn.pk, "asana", "GET", "/", 200, 40, 1, "", "", 10, at)
    DatabaseCallLogSink().write(
        [good] * 8 + [replace(good, status=503, error_class="ProviderUnavailableError")] * 2
    )
    page = logged_in_page
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Asana · charts").click()
    page.get_by_role("link", name="1 hour").click()

    for name in ("calls", "errors", "latency"):
        chart = page.locator(f"[data-chart={name}]")
        expect(chart).to_have_attribute("data-rendered", "true")
        expect(chart.locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("calls-table").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("calls-table")).to_contain_text("10")
    expect(page.get_by_test_id("errors-table").locator("tbody td").first).to_have_text("20.0")
    expect(page.get_by_test_id("headroom")).to_contain_text("at most 10.0 calls a minute")
    screenshot("connection-health-charts")
    assert browser_problems == []
