"""Possible duplicates in Chromium: the dashboard lists one, its link opens the copy, dismiss."""

import uuid

import pytest
import requests
from playwright.sync_api import expect

from ats.models import Candidate
from ats.sync import CANDIDATES, OFFERS
from integrations.http.client import ApiClient
from integrations.sandbox.credentials import RECRUITEE_COMPANY_ID, RECRUITEE_TOKEN
from integrations.sync.engine import sync_resource


@pytest.fixture
def recruitee(transactional_db, sandbox_connection, monkeypatch):
    monkeypatch.setattr(ApiClient, "sleep", lambda seconds: None)
    connection = sandbox_connection("recruitee")
    for resource in (OFFERS, CANDIDATES):
        sync_resource(connection=connection, resource=resource, full=True)
    return connection


def test_a_flagged_duplicate_is_listed_opened_and_dismissed(
    recruitee, sandbox_clean, logged_in_page, live_server, screenshot
):
    email = f"twin-{uuid.uuid4().hex[:8]}@example.com"
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/new/")
    page.get_by_label("Name").fill("Tess Twin")
    page.get_by_label("Emails").fill(email)
    page.get_by_role("button", name="Create candidate").click()
    expect(page.get_by_text("Candidate created in Recruitee.")).to_be_visible()
    # The same person again, created at Recruitee by someone else.
    answer = requests.post(
        f"{sandbox_clean.url_for('recruitee')}/c/{RECRUITEE_COMPANY_ID}/candidates",
        json={"candidate": {"name": "Tess T. Twin", "emails": [email]}},
        headers={"Authorization": f"Bearer {RECRUITEE_TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 201
    assert sync_resource(connection=recruitee, resource=CANDIDATES).status == "succeeded"
    mine = Candidate.objects.get(name="Tess Twin", emails=[email])

    page.goto(f"{live_server.url}/")
    flags = page.get_by_test_id("duplicate-flag")
    expect(flags).to_have_count(1)
    expect(flags).to_contain_text(f"2 candidates in Recruitee with the email {email}")
    expect(flags.get_by_role("link", name="Tess Twin", exact=True)).to_be_visible()
    screenshot("duplicates-dashboard")

    flags.get_by_role("link", name="Tess T. Twin").click()
    expect(page.get_by_role("heading", name="Tess T. Twin")).to_be_visible()
    notice = page.get_by_test_id("duplicate-notice")
    expect(notice).to_contain_text("Possible duplicate")
    expect(notice.get_by_role("link", name="Tess Twin", exact=True)).to_have_attribute(
        "href", f"/candidates/{mine.pk}/"
    )
    screenshot("duplicates-candidate-notice")

    notice.get_by_role("button", name="Not a duplicate").click()
    expect(page.get_by_text("as not duplicates")).to_be_visible()
    expect(page.get_by_role("heading", name="Tess T. Twin")).to_be_visible()
    expect(page.get_by_test_id("duplicate-notice")).to_have_count(0)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("duplicates")).to_have_count(0)
