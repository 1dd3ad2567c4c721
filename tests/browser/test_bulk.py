"""Bulk actions in Chromium: tick organizations with the keyboard, delete them, and watch
the result page follow the outbox."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from crm.models import Organization
from crm.sync import LISTS, ORGANIZATIONS, PERSONS
from integrations.outbox.delivery import outbox_deliver_due
from integrations.sync.engine import sync_resource


@pytest.fixture
def synced_affinity(transactional_db, sandbox_connection):
    cache.clear()
    connection = sandbox_connection("affinity")
    sync_resource(connection=connection, resource=ORGANIZATIONS)
    return connection


def test_tick_all_on_the_page_delete_and_follow_the_results(
    synced_affinity, logged_in_page, live_server, screenshot
):
    page = logged_in_page
    local = Organization.objects.filter(is_global=False).order_by("name")
    names = list(local.values_list("name", flat=True)[:2])
    page.goto(f"{live_server.url}/organizations/?q={names[0]}")
    boxes = page.locator("input[name=ids]")
    expect(boxes.first).to_be_visible()

    select_all = page.get_by_label("Select all on this page")
    select_all.focus()
    page.keyboard.press("Space")  # the keyboard alone ticks every row
    count = boxes.count()
    for n in range(count):
        expect(boxes.nth(n)).to_be_checked()
    expect(page.get_by_test_id("bulk-form")).to_contain_text(f"{count} ticked")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("bulk-form")).to_contain_text("None ticked")
    page.get_by_label(f"Select {names[0]}", exact=True).check()
    page.get_by_label("Action", exact=True).select_option("delete")
    screenshot("crm-organization-bulk")
    asked = []
    page.once("dialog", lambda dialog: asked.append(dialog.message) or dialog.dismiss())
    page.get_by_role("button", name="Apply to ticked").click()
    assert asked == ["Delete the ticked organizations from Affinity? This cannot be undone."]
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()  # not sent
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Apply to ticked").click()

    expect(page.get_by_role("heading", name="What became of each row")).to_be_visible()
    results = page.get_by_test_id("bulk-results")
    expect(results).to_contain_text("1 waiting")
    assert outbox_deliver_due() == 1  # the worker's turn
    expect(results).to_contain_text("1 sent · 0 refused · 0 waiting", timeout=10_000)
    expect(page.get_by_test_id("bulk-row")).to_contain_text("Sent to Affinity.")
    screenshot("crm-organization-bulk-result")
    assert Organization.objects.get(name=names[0], is_global=False).is_deleted


def test_add_ticked_persons_to_an_affinity_list(
    synced_affinity, logged_in_page, live_server, screenshot
):
    for resource in (PERSONS, LISTS):
        sync_resource(connection=synced_affinity, resource=resource)
    page = logged_in_page
    page.goto(f"{live_server.url}/persons/")
    boxes = page.locator("input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    form = page.get_by_test_id("bulk-form")
    expect(form).to_contain_text("2 ticked")
    form.get_by_label("Action", exact=True).select_option(label="Add to list")
    form.get_by_label("List", exact=True).select_option(label="Warm introductions")
    page.get_by_role("button", name="Apply to ticked").click()

    results = page.get_by_test_id("bulk-results")
    expect(results).to_contain_text("2 waiting")
    assert outbox_deliver_due() == 2
    expect(results).to_contain_text("2 sent · 0 refused · 0 waiting", timeout=10_000)
    expect(page.get_by_test_id("bulk-row").first).to_contain_text("to the list Warm introductions")
    screenshot("crm-person-bulk-result")
