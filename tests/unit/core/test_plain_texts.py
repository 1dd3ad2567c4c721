"""Texts a person understands (issue #19): each case the issue lists, as the page shows it.

Every test here failed before its fix: a pending edit said when the *synced copy* was
read ("It was saved 13 minutes ago"), a record waiting in the outbox said "Synced 4
seconds ago", staff read raw API paths inline, a missing Affinity organization answered
200, a sync run opened directly was a bare fragment, and /favicon.ico was a 404.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ats.models import Candidate
from crm.models import Organization, Person
from integrations.models import Connection, OutboxItem, SyncRun
from integrations.models.synced import SyncStatus
from projects.models import Project

pytestmark = pytest.mark.django_db

RAW_ERROR = (
    "Recruitee API 503 (GET /c/1/candidates?created_after=2026-01-01): ProviderUnavailableError"
)


@pytest.fixture
def recruitee(db):
    return Connection.objects.create(
        provider="recruitee", name="default", base_url="https://api.recruitee.com",
        company_id="1", api_token="t",
    )  # fmt: skip


@pytest.fixture
def affinity(db):
    return Connection.objects.create(
        provider="affinity", name="default", base_url="https://api.affinity.co", api_token="k"
    )


OPERATIONS = {"ats.Candidate": "recruitee.candidate_update", "crm.Organization":
              "affinity.organization.create", "crm.Person": "affinity.person.update",
              "projects.Project": "projecttool.project_create"}  # fmt: skip


def _open_write(record, *, saved_ago: timedelta, **fields) -> OutboxItem:
    return OutboxItem.objects.create(
        connection=record.connection, operation=OPERATIONS[record._meta.label], payload={},
        submission_key=f"k-{record._meta.label}-{record.pk}", summary="Edit",
        record_type=record._meta.label, record_id=record.pk,
        created_at=timezone.now() - saved_ago, **fields,
    )  # fmt: skip


def _text(response) -> str:
    """The page's visible text, tags dropped and spaces squeezed."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r" ([,.;:)])", r"\1", text)


# --- "It was saved 13 minutes ago" on an edit saved seconds earlier -------------------------


def test_a_pending_candidate_edit_says_when_the_person_saved_it(logged_in_client, recruitee):
    candidate = Candidate.objects.create(
        connection=recruitee, remote_id="11", name="Ada", sync_status=SyncStatus.PENDING,
        synced_at=timezone.now() - timedelta(minutes=13),
    )  # fmt: skip
    _open_write(candidate, saved_ago=timedelta(seconds=5))

    text = _text(logged_in_client.get(f"/candidates/{candidate.pk}/"))

    assert "Your changes are waiting to be sent to Recruitee" in text
    assert "Saved 5 seconds ago." in text
    assert "13 minutes ago" not in text


# --- "Synced 4 seconds ago" on a record still waiting to be sent ----------------------------


def test_an_organization_waiting_to_be_sent_does_not_say_synced(logged_in_client, affinity):
    acme = Organization.objects.create(
        connection=affinity, name="Acme", domain="acme.io", sync_status=SyncStatus.PENDING
    )
    _open_write(acme, saved_ago=timedelta(seconds=4))

    text = _text(logged_in_client.get(f"/organizations/{acme.pk}/"))

    assert not re.search(r"Synced \d+ seconds? ago", text)
    assert "Not in Affinity yet: saved 4 seconds ago, waiting to be sent." in text


def test_a_person_with_a_change_on_its_way_says_when_affinity_was_last_read(
    logged_in_client, affinity
):
    ada = Person.objects.create(
        connection=affinity, remote_id="5", first_name="Ada", last_name="L",
        sync_status=SyncStatus.PENDING, synced_at=timezone.now() - timedelta(minutes=13),
    )  # fmt: skip
    _open_write(ada, saved_ago=timedelta(seconds=3))

    text = _text(logged_in_client.get(f"/persons/{ada.pk}/"))

    assert "Your change (saved 3 seconds ago) is waiting to be sent" in text
    assert "last read from Affinity 13 minutes ago" in text


def test_a_pending_project_says_it_is_not_at_the_provider_yet(logged_in_client, db):
    tool = Connection.objects.create(
        provider="projecttool", name="default", base_url="https://pm.example", api_token="t"
    )
    project = Project.objects.create(connection=tool, name="Apollo", sync_status="pending")
    _open_write(project, saved_ago=timedelta(seconds=2))

    text = _text(logged_in_client.get(f"/projects/{project.pk}/"))

    assert not re.search(r"Synced \d+ seconds? ago", text)
    assert "Not in Project tool yet: saved 2 seconds ago, waiting to be sent." in text


# --- raw API paths and exception names --------------------------------------------------------


def test_everyone_reads_a_plain_sentence_without_the_api_path(logged_in_client, recruitee):
    candidate = Candidate.objects.create(connection=recruitee, name="Ada")
    _open_write(candidate, saved_ago=timedelta(minutes=1), last_error=RAW_ERROR, attempts=1)

    html = logged_in_client.get("/outbox/").content.decode()

    assert "Recruitee did not answer; we will retry." in html
    assert "/c/1/candidates" not in html and "ProviderUnavailableError" not in html


def test_staff_open_the_technical_detail_behind_a_details_toggle(client, staff_user, recruitee):
    client.force_login(staff_user)
    candidate = Candidate.objects.create(connection=recruitee, name="Ada")
    item = _open_write(candidate, saved_ago=timedelta(minutes=1), last_error=RAW_ERROR, attempts=1)

    html = client.get("/outbox/").content.decode()
    cell = html.split('data-testid="outbox-error">')[1].split("</td>")[0]

    plain, _, toggle = cell.partition("<details")
    assert "Recruitee did not answer; we will retry." in plain
    assert "/c/1/candidates" not in plain
    assert "<summary" in toggle and "Details" in toggle
    assert "GET /c/1/candidates?created_after=2026-01-01" in toggle
    assert f"outbox #{item.pk}" in toggle


def test_a_flash_message_keeps_the_detail_toggle_and_escapes_the_provider(staff_user, recruitee):
    from integrations.shown_errors import ShownError

    detail = "<script>alert(1)</script> GET /c/1/x"
    error = ShownError(plain="Recruitee did not answer.", reference="outbox #3", detail=detail)
    shown = error.for_user(staff_user)

    assert "<details" in shown and "&lt;script&gt;" in shown and "<script>" not in shown


# --- the outbox's "Provider" column said "default" ---------------------------------------------


def test_the_outbox_names_the_provider_and_a_connection_that_is_not_the_default(
    logged_in_client, recruitee
):
    second = Connection.objects.create(
        provider="recruitee", name="Berlin office", base_url="https://api.recruitee.com",
        company_id="2", api_token="t",
    )  # fmt: skip
    _open_write(Candidate.objects.create(connection=recruitee, name="A"), saved_ago=timedelta())
    _open_write(Candidate.objects.create(connection=second, name="B"), saved_ago=timedelta())

    html = logged_in_client.get("/outbox/").content.decode()
    cells = re.findall(r'data-testid="outbox-provider">(.*?)</td>', html, re.S)

    assert sorted(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells) == [
        "Recruitee",
        "Recruitee · Berlin office",
    ]
    assert not any("default" in cell for cell in cells)


# --- a missing Affinity organization answered 200 ---------------------------------------------


def test_an_organization_affinity_does_not_have_is_a_404(logged_in_client, affinity, monkeypatch):
    from integrations.http.errors import NotFoundError

    def missing(client, remote_id):
        raise NotFoundError("Affinity API 404 (GET /organizations/404404)", status=404)

    monkeypatch.setattr("crm.selectors.affinity.organization_get", missing)
    response = logged_in_client.get("/organizations/affinity/404404/")

    assert response.status_code == 404
    assert "Affinity has no organization with this id." in response.content.decode()


# --- sync run pages and the sync history --------------------------------------------------------


def _run(connection, **fields) -> SyncRun:
    fields.setdefault("status", SyncRun.Status.SUCCEEDED)
    return SyncRun.objects.create(connection=connection, resource="recruitee.candidates", **fields)


def test_a_sync_run_opened_directly_is_a_whole_page(logged_in_client, recruitee):
    run = _run(recruitee, created_count=3)

    direct = logged_in_client.get(f"/sync/runs/{run.pk}/").content.decode()
    polled = logged_in_client.get(f"/sync/runs/{run.pk}/", HTTP_HX_REQUEST="true")

    assert "<html" in direct and 'rel="stylesheet"' in direct and "<nav" in direct
    assert f"Sync run #{run.pk}" in direct
    assert "<html" not in polled.content.decode()
    assert 'id="sync-status-recruiteecandidates"' in polled.content.decode()


def test_a_finished_sync_asks_for_no_reload_of_the_list_that_refreshes_itself(
    logged_in_client, recruitee
):
    run = _run(recruitee, status=SyncRun.Status.RUNNING, started_at=timezone.now())
    listing = logged_in_client.get("/candidates/").content.decode()
    assert f'hx-get="/sync/runs/{run.pk}/"' in listing and "data-live-list" in listing
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.SUCCEEDED, created_count=3, finished_at=timezone.now()
    )
    polled = logged_in_client.get(f"/sync/runs/{run.pk}/", HTTP_HX_REQUEST="true")
    done = re.search(r'data-testid="sync-done">(.*?)</span>', polled.content.decode(), re.S)
    assert "Synced: 3 new, 0 updated, 0 removed." in done.group(1)
    assert "Reload" not in done.group(1) and "<a " not in done.group(1)


def test_each_resource_has_a_sync_history_linked_from_its_sync_bar(logged_in_client, recruitee):
    now = timezone.now()
    ago = lambda seconds: now - timedelta(seconds=seconds)  # noqa: E731
    _run(recruitee, created_count=3, updated_count=1, started_at=ago(90), finished_at=ago(30),
         created_at=ago(91))  # fmt: skip
    _run(recruitee, status=SyncRun.Status.FAILED, error=RAW_ERROR, created_at=now)

    listing = logged_in_client.get("/candidates/").content.decode()
    assert f'href="/sync/{recruitee.pk}/recruitee.candidates/history/"' in listing

    page = logged_in_client.get(f"/sync/{recruitee.pk}/recruitee.candidates/history/")
    text = _text(page)
    assert page.status_code == 200
    assert text.index("Failed") < text.index("Succeeded")  # newest first
    assert "3 new" in text and "1 updated" in text and "1 minute" in text
    assert "The sync failed; it is tried again at the next scheduled sync." in text
    assert "/c/1/candidates" not in text  # not staff: no technical detail


def test_the_sync_history_needs_the_right_to_see_the_list(client, db, recruitee):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user(username="bob", password="correct-horse-42")
    client.force_login(nobody)
    assert client.get(f"/sync/{recruitee.pk}/recruitee.candidates/history/").status_code == 403
    assert client.get(f"/sync/{recruitee.pk}/nothing.here/history/").status_code == 404


# --- the favicon ----------------------------------------------------------------------------------


def test_favicon_ico_answers_with_the_svg_favicon(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain and response.redirect_chain[0][1] == 301
    assert response.redirect_chain[0][0].endswith(".svg")
