"""The audit trail in Chromium: a candidate's page shows who changed what after an edit."""

import re

import pytest
from playwright.sync_api import expect

from ats.models import Candidate
from ats.sync import CANDIDATES, OFFERS
from integrations.http.client import ApiClient
from integrations.sync.engine import sync_resource


@pytest.fixture
def synced(transactional_db, sandbox_connection, monkeypatch):
    monkeypatch.setattr(ApiClient, "sleep", lambda seconds: None)
    connection = sandbox_connection("recruitee")
    for resource in (OFFERS, CANDIDATES):
        sync_resource(connection=connection, resource=resource, full=True)
    return connection


def test_the_candidates_history_after_an_edit(synced, logged_in_page, live_server, screenshot):
    someone = Candidate.objects.exclude(name="").order_by("remote_id")[3]
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/{someone.pk}/")
    expect(page.get_by_test_id("history")).to_contain_text("No changes recorded yet.")

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Name").fill("Renamed In Browser")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("heading", name="Renamed In Browser")).to_be_visible()
    entry = page.get_by_test_id("history-entry").first
    expect(entry).to_contain_text("Changed by browser on the candidate edit form")
    expect(entry).to_contain_text(f"Name: {someone.name} → Renamed In Browser")
    expect(entry).to_contain_text("Sent")
    expect(entry).to_contain_text("Recruitee took it")
    screenshot("ats-candidate-history")


def test_the_times_on_a_candidates_page_say_their_time_zone(
    synced, logged_in_page, live_server, settings
):
    """The hub shows times in its TIME_ZONE; a recruiter in another one must see which."""
    settings.TIME_ZONE = "Europe/Amsterdam"
    someone = Candidate.objects.exclude(remote_created_at=None).order_by("remote_id")[3]
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/{someone.pk}/edit/")
    page.get_by_label("Name").fill("Renamed In Amsterdam")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("heading", name="Renamed In Amsterdam")).to_be_visible()
    created = page.locator("dt:text-is('Created') + dd")
    expect(created).to_have_text(re.compile(r"\d{2}:\d{2} CES?T$"))  # winter or summer time
    expect(page.get_by_test_id("history-entry").first.locator("time")).to_have_text(
        re.compile(r"\d{2}:\d{2}:\d{2} CES?T$")
    )
    page.goto(f"{live_server.url}/candidates/")  # the dates' and the sync bar's tooltips
    tooltips = page.locator("main time[title]").evaluate_all("ts => ts.map(t => t.title)")
    zoned = [title for title in tooltips if re.search(r"\d\d? ?[ap.m]* CES?T$", title)]
    assert tooltips and zoned == tooltips, tooltips
