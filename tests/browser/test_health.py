"""The dashboard and the connection page in Chromium, for a known call log, sync runs,
outbox rows and webhook deliveries: the charts are drawn and the numbers are right."""

from dataclasses import replace
from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from core.groups import ensure_default_groups
from integrations.http.call_log import CallRecord
from integrations.models import Connection, OutboxItem, SyncRun, SyncState, WebhookDelivery
from integrations.services.call_log_sink import DatabaseCallLogSink
from integrations.services.call_rollups import sample_outbox
from tests.browser.conftest import PASSWORD


def test_the_dashboard_shows_a_failing_connection(
    page, live_server, django_user_model, transactional_db, screenshot, browser_problems
):
    conn = Connection.objects.create(provider="affinity", name="prod", api_token="t")
    good = CallRecord(conn.pk, "affinity", "GET", "/", 200, 120, 1, "", "", 10, timezone.now())
    timeout = replace(good, status=None, error_class="ProviderUnavailableError", timed_out=True)
    DatabaseCallLogSink().write([good] * 3 + [timeout] * 7)
    # An operator (staff: the banner and the health table) in the Sales team (the card).
    ops = django_user_model.objects.create_user(username="ops", password=PASSWORD, is_staff=True)
    ensure_default_groups()
    ops.groups.add(Group.objects.get(name="Sales"))

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


def _known_connection(now) -> Connection:
    """An Asana connection with a known call log, sync runs, outbox rows, an outbox
    sample and webhook deliveries."""
    conn = Connection.objects.create(
        provider="asana", name="known", api_token="t", sync_interval_minutes=30
    )
    at = now - timedelta(minutes=5)
    good = CallRecord(conn.pk, "asana", "GET", "/", 200, 40, 1, "", "", 10, at)
    DatabaseCallLogSink().write(
        [good] * 8 + [replace(good, status=503, error_class="ProviderUnavailableError")] * 2
    )
    synced = now - timedelta(minutes=20)
    for key in ("asana.projects", "asana.workspaces", "asana.users", "asana.teams"):
        SyncState.objects.create(connection=conn, resource=key, last_success_at=synced)
    SyncRun.objects.create(
        connection=conn,
        resource="asana.projects",
        status="succeeded",
        started_at=synced - timedelta(seconds=42),
        finished_at=synced,
        processed=250,
        created_count=12,
        updated_count=3,
    )
    for n, status in enumerate(["pending", "pending", "sending", "needs_attention", "done"]):
        OutboxItem.objects.create(
            connection=conn, operation="x", submission_key=f"known{n}", status=status
        )
    sample_outbox(now=at)
    for n, state in enumerate(["applied"] * 5 + ["failed", "received"]):
        WebhookDelivery.objects.create(
            provider="asana", connection=conn, body=b"{}", dedupe_key=f"d{n}", state=state
        )
    return conn


def _drew(chart) -> bool:
    """Whether uPlot painted anything on the chart's canvas (a pixel not transparent)."""
    return chart.locator("canvas").evaluate(
        """canvas => {
            const context = canvas.getContext("2d");
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) return true;
            return false;
        }"""
    )


def test_the_dashboard_row_shows_syncs_writes_and_webhook_events_with_the_alert_on_top(
    logged_in_page, live_server, transactional_db, screenshot, browser_problems
):
    now = timezone.now()
    _known_connection(now)
    page = logged_in_page
    page.goto(f"{live_server.url}/")

    alert = page.get_by_test_id("connection-alert")
    expect(alert).to_contain_text("Asana · known is degraded")
    expect(alert).to_contain_text("1 write needs attention.")
    expect(alert).to_contain_text("1 webhook event could not be applied in the last 24 hours")
    row = page.get_by_test_id("connection-health-row")
    cells = row.locator("td")
    expect(cells.nth(0)).to_contain_text("Degraded")
    expect(cells.nth(1)).to_have_text("10 (2 failed)")
    expect(cells.nth(2)).to_contain_text("20 minutes ago")  # last sync
    expect(cells.nth(3)).to_contain_text("9 minutes from now")  # 30-minute interval
    expect(cells.nth(4)).to_have_text("3")  # pending and sending
    expect(cells.nth(5)).to_have_text("1")
    expect(row.get_by_test_id("webhook-events")).to_have_text("7 received, 5 applied, 1 failed")
    box = page.get_by_test_id("connection-alert").bounding_box()
    assert box["y"] < page.get_by_test_id("connection-health").bounding_box()["y"]
    screenshot("dashboard-connection-row")
    assert browser_problems == []


def test_the_connection_page_charts_syncs_and_the_outbox_with_their_numbers(
    logged_in_page, live_server, transactional_db, screenshot, browser_problems
):
    now = timezone.now()
    conn = _known_connection(now)
    page = logged_in_page
    page.goto(f"{live_server.url}/connections/{conn.pk}/health/?range=1h")

    for name in ("calls", "errors", "latency", "sync-durations", "sync-records", "outbox"):
        chart = page.locator(f"[data-chart={name}]")
        expect(chart).to_have_attribute("data-rendered", "true")
        expect(chart.locator("canvas")).to_have_count(1)
        assert _drew(chart), name
    legend = page.locator("[data-chart=outbox] .u-legend")
    expect(legend).to_contain_text("pending")  # each series is named, not only coloured
    expect(legend).to_contain_text("needing attention")

    durations = page.get_by_test_id("sync-durations-table").locator("tbody tr")
    expect(durations).to_have_count(1)
    expect(durations.locator("td")).to_have_text(["projects", "1", "0", "42.0"])
    records = page.get_by_test_id("sync-records-table").locator("tbody td")
    expect(records).to_have_text(["projects", "250", "12", "3", "0"])
    outbox = page.get_by_test_id("outbox-table").locator("tbody td")
    expect(outbox).to_have_text(["3", "1"])
    expect(page.get_by_test_id("calls-table").locator("tbody td")).to_have_text(["10", "10.0"])

    page.get_by_role("link", name="30 days").click()
    for name in ("calls", "sync-durations", "outbox"):
        expect(page.locator(f"[data-chart={name}]")).to_have_attribute("data-rendered", "true")
    expect(page.get_by_test_id("outbox-table").locator("tbody td")).to_have_text(["3", "1"])
    screenshot("connection-health-syncs-outbox")
    assert browser_problems == []
