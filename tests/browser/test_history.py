"""The audit trail in Chromium: a candidate's page shows who changed what after an edit."""

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
