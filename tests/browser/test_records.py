"""The record actions and the plain texts in Chromium, against the sandbox: edit a project,
delete a person, a note on a candidate, open records at their provider, a sync's history and
one run's page, the error detail behind its toggle, and the favicon."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from ats.models import Candidate
from crm.models import Organization, Person
from crm.tasks import organization_links_fill_task
from integrations.models import Connection, OutboxItem, SyncRun
from projects.models import Project


def test_edit_a_project_and_see_it_sent(logged_in_page, live_server, synced_tool, screenshot):
    page = logged_in_page
    project = Project.objects.filter(connection=synced_tool, is_deleted=False).first()
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.get_by_test_id("edit-project").click()
    expect(page.get_by_role("heading", name="Edit project")).to_be_visible()
    expect(page.get_by_label("Workspace")).to_have_count(0)  # a project stays where it is
    expect(page.get_by_label("Name")).to_have_value(project.name)
    page.get_by_label("Name").fill("Edited in Chromium")
    page.get_by_label("Tags").fill("browser, edited")
    screenshot("records-project-edit")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_text("Project updated in Project tool.")).to_be_visible()
    expect(page.get_by_role("heading", name="Edited in Chromium")).to_be_visible()
    expect(page.get_by_test_id("last-read")).to_contain_text("Read from Project tool")
    project.refresh_from_db()
    assert project.name == "Edited in Chromium" and project.tags == ["browser", "edited"]


def test_delete_a_person_after_confirming(synced_affinity, logged_in_page, live_server, screenshot):
    page = logged_in_page
    person = Person.objects.filter(connection=synced_affinity, is_deleted=False).first()
    page.goto(f"{live_server.url}/persons/{person.pk}/")
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_text(f"Delete {person} ")).to_be_visible()
    screenshot("records-person-delete")
    page.get_by_role("button", name="Delete person").click()

    expect(page.get_by_text(f"Person “{person}” deleted in Affinity.")).to_be_visible()
    expect(page.locator(f"[data-person-id='{person.pk}']")).to_have_count(0)
    person.refresh_from_db()
    assert person.is_deleted


def test_open_an_organization_in_affinity(synced_affinity, logged_in_page, live_server):
    organization_links_fill_task.call(connection_id=synced_affinity.pk)
    org = Organization.objects.filter(connection=synced_affinity, is_deleted=False).first()
    page = logged_in_page
    page.goto(f"{live_server.url}/organizations/{org.pk}/")
    link = page.get_by_test_id("open-at-provider")
    expect(link).to_have_text("Open in Affinity")
    expect(link).to_have_attribute("href", f"https://sandbox.affinity.co/companies/{org.remote_id}")
    expect(link).to_have_attribute("target", "_blank")


def test_a_lists_sync_history_and_one_runs_page(
    logged_in_page, live_server, synced_tool, screenshot
):
    """An older run's page shows that run while a newer one runs; the running one's page
    follows it until it ends, then stops polling."""
    older = SyncRun.objects.get(connection=synced_tool, resource="projecttool.projects")
    newer = SyncRun.objects.create(
        connection=synced_tool, resource=older.resource, status=SyncRun.Status.RUNNING,
        processed=5, expected_total=50, started_at=timezone.now(), heartbeat_at=timezone.now(),
    )  # fmt: skip
    page = logged_in_page
    page.goto(f"{live_server.url}/projects/")
    page.get_by_role("link", name="Sync history").click()
    expect(page.get_by_role("heading", name="Sync history of projects")).to_be_visible()
    crumbs = page.get_by_role("navigation", name="breadcrumb")
    expect(crumbs).to_have_text(re.compile(r"^\s*Projects\s*/?\s*Sync history\s*$"))
    expect(crumbs.get_by_role("link", name="Projects")).to_have_attribute("href", "/projects/")
    rows = page.get_by_test_id("sync-history").locator("tbody tr")
    expect(rows.first).to_contain_text("Running")
    expect(rows.nth(1)).to_contain_text("Succeeded")
    screenshot("records-sync-history")

    rows.nth(1).get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=f"Sync run #{older.pk}")).to_be_visible()
    expect(crumbs.get_by_role("link")).to_have_text(["Projects", "Sync history"])
    run = page.get_by_test_id("sync-run")
    expect(run).to_contain_text("Succeeded")
    expect(run).to_contain_text(f"{older.created_count} new, 0 updated, 0 removed")
    expect(page.get_by_test_id("sync-progress")).to_have_count(0)  # not the newer run's bar
    expect(page.get_by_role("navigation").first).to_be_visible()  # the whole layout
    screenshot("records-sync-run")

    page.goto(f"{live_server.url}/sync/runs/{newer.pk}/")
    expect(page.get_by_test_id("sync-progress")).to_contain_text("5 of 50 so far")
    screenshot("records-sync-run-active")
    SyncRun.objects.filter(pk=newer.pk).update(
        status=SyncRun.Status.SUCCEEDED, processed=50, updated_count=50,
        finished_at=timezone.now(),
    )  # fmt: skip
    expect(run).to_contain_text("Succeeded", timeout=5000)  # without a reload
    expect(run).to_contain_text("0 new, 50 updated, 0 removed · 50 of 50 read")
    expect(page.get_by_test_id("sync-progress")).to_have_count(0)
    expect(page.locator(f"#sync-run-{newer.pk}")).not_to_have_attribute("hx-get", re.compile("."))


def test_staff_open_an_errors_detail_behind_its_toggle(logged_in_page, live_server, synced_tool):
    project = Project.objects.filter(connection=synced_tool).first()
    OutboxItem.objects.create(
        connection=synced_tool, operation="projecttool.project_update", payload={},
        submission_key="k-browser", summary="Update project", status="pending", attempts=1,
        record_type="projects.Project", record_id=project.pk,
        last_error="Project tool API 503 (PATCH /projects/1): ProviderUnavailableError",
    )  # fmt: skip
    page = logged_in_page
    page.goto(f"{live_server.url}/outbox/")
    cell = page.get_by_test_id("outbox-error")
    expect(cell).to_contain_text("Project tool did not answer; we will retry.")
    detail = cell.locator("details code")
    expect(detail).not_to_be_visible()
    cell.get_by_text("Details").click()
    expect(detail).to_be_visible()
    expect(detail).to_contain_text("PATCH /projects/1")


def test_dismiss_a_stuck_write_after_confirming(
    transactional_db, logged_in_page, live_server, screenshot
):
    """A person who checked at Recruitee ends a stuck write: asked first in the page, then
    it is "Dismissed by" them and offers nothing more."""
    recruitee = Connection.objects.create(
        provider="recruitee", name="default", base_url="https://api.recruitee.test",
        company_id="1", api_token="token",
    )  # fmt: skip
    item = OutboxItem.objects.create(
        connection=recruitee, operation="recruitee.candidate_create", payload={},
        submission_key="k-dismiss", summary="Create candidate Ada", status="needs_attention",
        attempts=5, last_error="Gave up after 5 attempts: Recruitee API 503",
    )  # fmt: skip
    page = logged_in_page
    page.goto(f"{live_server.url}/outbox/")
    row = page.locator(f"[data-outbox-id='{item.pk}']")
    confirm = row.get_by_role("button", name="Dismiss it: do not send")
    expect(confirm).not_to_be_visible()
    row.get_by_text("Dismiss…").click()
    expect(row.get_by_text("Only if you checked at Recruitee")).to_be_visible()
    screenshot("records-outbox-dismiss-confirm")
    confirm.click()

    expect(
        page.get_by_text("“Create candidate Ada” was dismissed: it will not be sent.")
    ).to_be_visible()
    expect(row.get_by_test_id("outbox-dismissed")).to_have_text("Dismissed by browser")
    expect(row.get_by_text("Dismiss…")).to_have_count(0)
    expect(row.get_by_role("button", name="Retry now")).to_have_count(0)
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.DISMISSED and item.dismissed_by.username == "browser"


def test_the_favicon_is_served(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    for url in (f"{live_server.url}/favicon.ico", f"{live_server.url}{icon}"):
        response = page.request.get(url)
        assert response.ok, url
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert b"<svg" in response.body()


def test_add_a_note_to_a_candidate_and_open_it_in_recruitee(
    synced_recruitee, logged_in_page, live_server, screenshot
):
    candidate = Candidate.objects.filter(connection=synced_recruitee).order_by("remote_id")[1]
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/{candidate.pk}/")
    expect(page.get_by_test_id("open-at-provider")).to_have_attribute(
        "href", candidate.raw["adminapp_url"]
    )
    page.get_by_label("Add a note").fill("Met at the job fair; call back Monday.")
    page.get_by_role("button", name="Add note").click()

    expect(page.get_by_text("Note added in Recruitee.")).to_be_visible()
    expect(page.get_by_test_id("notes")).to_contain_text("Met at the job fair; call back Monday.")
    screenshot("records-candidate-note")


STRETCHED = """(links) => links.filter((link) => {
    const range = document.createRange();
    range.selectNodeContents(link);
    const style = getComputedStyle(link);
    const frame = ["paddingLeft", "paddingRight", "borderLeftWidth", "borderRightWidth"]
        .reduce((sum, side) => sum + parseFloat(style[side]), 0);
    return link.getBoundingClientRect().width > range.getBoundingClientRect().width + frame + 2;
}).map((link) => link.textContent.trim())"""


def test_the_outbox_state_buttons_wrap_as_buttons_on_a_phone(
    logged_in_page, live_server, synced_tool, screenshot
):
    """On a phone the seven states take two rows: each stays a button its label's size,
    none a bar across the screen; the state shown is marked for a screen reader too."""
    page = logged_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/outbox/?status=needs_attention")
    states = page.get_by_role("group", name="Filter by state").get_by_role("link")
    expect(states).to_have_count(7)
    assert states.evaluate_all(STRETCHED) == []
    shown = page.get_by_role("group", name="Filter by state").locator("[aria-current=page]")
    expect(shown).to_have_text("Needs attention")
    screenshot("records-outbox-states-phone")
    # Its empty state names the state, not "nothing here" as if the outbox were empty.
    empty = page.get_by_test_id("outbox-empty")
    expect(empty).to_contain_text("No writes in “Needs attention”.")
    empty.get_by_role("link", name="Show every write").click()
    expect(page).to_have_url(f"{live_server.url}/outbox/")


def test_a_finished_big_sync_reads_its_counts_with_thousands_separators(
    logged_in_page, live_server, synced_tool
):
    running = SyncRun.objects.create(
        connection=synced_tool, resource="projecttool.projects", status=SyncRun.Status.RUNNING,
        processed=5, expected_total=4600, started_at=timezone.now(), heartbeat_at=timezone.now(),
    )  # fmt: skip
    page = logged_in_page
    page.goto(f"{live_server.url}/projects/")
    expect(page.get_by_test_id("sync-progress")).to_contain_text("5 of 4,600 so far")
    SyncRun.objects.filter(pk=running.pk).update(
        status=SyncRun.Status.SUCCEEDED, processed=4600, created_count=1200,
        updated_count=3400, finished_at=timezone.now(),
    )  # fmt: skip
    expect(page.get_by_test_id("sync-done")).to_contain_text(
        "Synced: 1,200 new, 3,400 updated, 0 removed", timeout=5000
    )
