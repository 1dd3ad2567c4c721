"""The hub's own pages: the sync bar, the outbox, the dashboard's warnings, the sandbox badge."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from ats.models import Candidate
from ats.outbox import CandidateCreate
from core.groups import permission_named
from integrations.models import Connection, OutboxItem, SyncRun
from integrations.sync.resources import FetchedPage, FetchedRow, SyncedResource

pytestmark = pytest.mark.django_db


def _fetch(client, connection, request):
    yield FetchedPage(
        rows=[FetchedRow(remote_id="9", fields={"name": "Synced"}, raw={})], checkpoint=None
    )


RESOURCE = SyncedResource(
    key="recruitee.candidates", provider="recruitee", label="candidates", model=Candidate,
    fetch=_fetch,
)  # fmt: skip


@pytest.fixture
def fake_resource(monkeypatch, no_client):
    monkeypatch.setattr("integrations.views.resource_for", lambda key: RESOURCE)
    monkeypatch.setattr("integrations.tasks.resource_for", lambda key: RESOURCE)


def test_sync_now_runs_in_the_background_and_the_bar_shows_the_result(
    logged_in_client, connection, fake_resource, immediate_tasks
):
    response = logged_in_client.post(
        f"/sync/{connection.pk}/recruitee.candidates/start/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"Last synced" in response.content
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert Candidate.objects.get(remote_id="9").name == "Synced"


def test_a_lists_sync_bar_polls_an_active_run_until_it_ends(
    logged_in_client, connection, fake_resource
):
    run = SyncRun.objects.create(
        connection=connection, resource="recruitee.candidates", status=SyncRun.Status.RUNNING,
        processed=40, expected_total=100,
    )  # fmt: skip
    poll = {"HTTP_HX_REQUEST": "true"}
    html = logged_in_client.get(f"/sync/runs/{run.pk}/", **poll).content.decode()
    assert f'hx-get="/sync/runs/{run.pk}/"' in html
    assert "40%" in html and "40 of 100" in html

    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.FAILED, error="Recruitee 503")
    html = logged_in_client.get(f"/sync/runs/{run.pk}/", **poll).content.decode()
    assert "hx-get" not in html
    assert "The sync failed; it is tried again at the next scheduled sync." in html
    assert f"Reference: sync run #{run.pk}." in html


def test_a_lists_sync_bar_says_what_a_finished_pass_could_not_check(
    logged_in_client, connection, fake_resource
):
    run = SyncRun.objects.create(
        connection=connection, resource="recruitee.candidates", status=SyncRun.Status.RUNNING,
    )  # fmt: skip
    poll = {"HTTP_HX_REQUEST": "true"}
    logged_in_client.get(f"/sync/runs/{run.pk}/", **poll)
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now(), unverified_count=2
    )
    html = logged_in_client.get(f"/sync/runs/{run.pk}/", **poll).content.decode()
    assert "0 new, 0 updated, 0 removed, 2 not checked (kept)." in html


def test_sync_now_of_a_switched_off_connection_says_so(client, staff_user, connection):
    """Staff still reach a switched-off connection's bar; nothing is queued."""
    Connection.objects.filter(pk=connection.pk).update(is_active=False)
    client.force_login(staff_user)
    response = client.post(f"/sync/{connection.pk}/recruitee.candidates/start/", follow=True)
    assert b"no active connection" in response.content
    assert not SyncRun.objects.exists()


@pytest.mark.parametrize("referer", ["https://evil.example/phish", "//evil.example/x"])
def test_sync_now_goes_back_only_to_a_page_of_the_hub(
    logged_in_client, connection, fake_resource, referer
):
    """ "Sync now" without htmx goes back to the page it was pressed on (its Referer): a
    Referer of another site is not followed, the dashboard is."""
    response = logged_in_client.post(
        f"/sync/{connection.pk}/recruitee.candidates/start/", HTTP_REFERER=referer
    )
    assert response.status_code == 302 and response.url == "/"
    back = logged_in_client.post(
        f"/sync/{connection.pk}/recruitee.candidates/start/",
        HTTP_REFERER="http://testserver/candidates/?q=x",
    )
    assert back.url == "http://testserver/candidates/?q=x"


def test_the_outbox_lists_writes_and_retries_a_stuck_one(logged_in_client, connection):
    stuck = OutboxItem.objects.create(
        connection=connection, operation="recruitee.candidate_create", submission_key="k1",
        summary="Create candidate Ada <b>Lovelace</b>", status=OutboxItem.Status.NEEDS_ATTENTION,
        last_error="Recruitee API 401: Token not found.",
    )  # fmt: skip
    page = logged_in_client.get("/outbox/?status=needs_attention").content.decode()
    assert "Create candidate Ada &lt;b&gt;Lovelace&lt;/b&gt;" in page
    assert "Needs attention" in page and "Retry now" in page

    logged_in_client.post(f"/outbox/{stuck.pk}/retry/")
    stuck.refresh_from_db()
    assert stuck.status == OutboxItem.Status.PENDING


def test_the_dashboard_warns_about_writes_that_need_attention(logged_in_client, connection):
    OutboxItem.objects.create(
        connection=connection, operation=CandidateCreate.name, submission_key="k2",
        summary="Create candidate Bo",
        status=OutboxItem.Status.NEEDS_ATTENTION, last_error="Gave up after 12 attempts",
    )  # fmt: skip
    html = logged_in_client.get("/").content.decode()
    assert "1 write needs attention" in html
    assert "Create candidate Bo: Recruitee did not take it; it waits for staff." in html
    assert "Gave up after 12 attempts" not in html  # the detail is for staff


def test_pages_show_a_sandbox_badge_while_a_connection_uses_the_sandbox(
    logged_in_client, connection, settings
):
    settings.SANDBOX_URL = "http://127.0.0.1:8001"
    assert b"Sandbox data" not in logged_in_client.get("/").content
    connection.base_url = "http://127.0.0.1:8001/recruitee"
    connection.save()
    assert b"Sandbox data" in logged_in_client.get("/").content


def test_pages_of_a_switched_off_connection_say_why(logged_in_client, connection):
    connection.is_active = False
    connection.disabled_reason = "5 consecutive 401/403 answers: Token not found."
    connection.save()
    html = logged_in_client.get("/candidates/").content.decode()
    assert "Recruitee is not connected" in html
    assert "was switched off: 5 consecutive 401/403 answers: Token not found." in html


def test_the_dashboard_counts_the_records_the_pages_list(logged_in_client, connection):
    other = Connection.objects.create(
        provider="recruitee", name="second", company_id="2", api_token="t2"
    )
    Candidate.objects.create(connection=connection, name="Listed", remote_id="1")
    Candidate.objects.create(connection=other, name="Not on the pages", remote_id="1")
    Candidate.objects.create(connection=connection, name="Gone", remote_id="2", is_deleted=True)
    providers = logged_in_client.get("/").context["providers"]
    recruitee = next(card for card in providers if card.name == "Recruitee")
    assert recruitee.resources[0].count == 1


def test_the_admin_lists_writes_and_retries_them(client, staff_user, connection):
    stuck = OutboxItem.objects.create(
        connection=connection, operation="recruitee.candidate_create", submission_key="k3",
        summary="Create candidate Cy", status=OutboxItem.Status.NEEDS_ATTENTION,
    )  # fmt: skip
    client.force_login(staff_user)
    page = client.get("/admin/integrations/outboxitem/").content.decode()
    assert "Create candidate Cy" in page
    client.post(
        "/admin/integrations/outboxitem/",
        {"action": "retry_now", "_selected_action": [stuck.pk]},
    )
    stuck.refresh_from_db()
    assert stuck.status == OutboxItem.Status.PENDING


def test_staff_who_may_only_view_the_outbox_cannot_retry_from_the_admin(client, connection):
    stuck = OutboxItem.objects.create(
        connection=connection, operation="recruitee.candidate_create", submission_key="k4",
        summary="Create candidate Di", status=OutboxItem.Status.NEEDS_ATTENTION,
    )  # fmt: skip
    viewer = get_user_model().objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(permission_named("integrations.view_outboxitem"))
    client.force_login(viewer)
    page = client.get("/admin/integrations/outboxitem/").content.decode()
    assert "Create candidate Di" in page and "Retry the selected writes now" not in page

    client.post(
        "/admin/integrations/outboxitem/",
        {"action": "retry_now", "_selected_action": [stuck.pk]},
    )

    stuck.refresh_from_db()
    assert stuck.status == OutboxItem.Status.NEEDS_ATTENTION


def test_the_admin_lists_sync_runs_with_their_duration(client, staff_user, connection):
    started = timezone.now() - timedelta(seconds=42)
    SyncRun.objects.create(
        connection=connection, resource="recruitee.candidates", status=SyncRun.Status.SUCCEEDED,
        started_at=started, finished_at=started + timedelta(seconds=12.5), processed=500,
    )  # fmt: skip
    client.force_login(staff_user)
    page = client.get("/admin/integrations/syncrun/").content.decode()
    assert "recruitee.candidates" in page and "12.5 s" in page


def _page_text(response) -> str:
    """A page's visible text, one space between words."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.split())


@pytest.mark.parametrize("newer_status", [SyncRun.Status.RUNNING, SyncRun.Status.FAILED])
def test_an_older_runs_page_shows_that_run_not_the_latest(
    logged_in_client, connection, fake_resource, newer_status
):
    """Opened from the sync history while a newer run is running or has failed, a run's
    page shows its own state, counts and times, and does not poll."""
    now = timezone.now()
    older = SyncRun.objects.create(
        connection=connection, resource="recruitee.candidates", status=SyncRun.Status.SUCCEEDED,
        created_count=3, updated_count=1, deleted_count=2, processed=40, expected_total=40,
        created_at=now - timedelta(hours=2), started_at=now - timedelta(hours=2),
        finished_at=now - timedelta(hours=2) + timedelta(seconds=75),
    )  # fmt: skip
    SyncRun.objects.create(
        connection=connection, resource="recruitee.candidates", status=newer_status,
        processed=10, expected_total=200, created_at=now, started_at=now,
        error="Recruitee 503" if newer_status == SyncRun.Status.FAILED else "",
    )  # fmt: skip

    response = logged_in_client.get(f"/sync/runs/{older.pk}/")
    html, text = response.content.decode(), _page_text(response)

    assert "Succeeded (full pass)" in text
    assert "3 new, 1 updated, 2 removed · 40 of 40 read" in text
    assert "1 minute" in text  # took 75 seconds
    assert f'datetime="{older.created_at.isoformat()}"' in html
    assert f'datetime="{older.finished_at.isoformat()}"' in html
    assert "hx-get" not in html  # a finished run is not polled
    assert "Syncing" not in text and "10 of 200" not in text and "5%" not in text
    assert "The sync failed" not in text


def test_a_runs_page_says_which_unlisted_records_it_could_not_check(
    logged_in_client, connection, fake_resource
):
    run = SyncRun.objects.create(
        connection=connection, resource="recruitee.candidates", status=SyncRun.Status.SUCCEEDED,
        deleted_count=1, unverified_count=2,
        error="Could not check 2 unlisted records at the provider (kept as they were): 500",
    )  # fmt: skip
    text = _page_text(logged_in_client.get(f"/sync/runs/{run.pk}/"))
    assert "0 new, 0 updated, 1 removed, 2 not checked" in text
    assert "2 records it did not list could not be checked" in text
    assert f"Reference: sync run #{run.pk}" in text  # the provider's words are staff's
    assert "The sync failed" not in text


def test_a_running_runs_page_updates_itself_until_the_run_ends(
    logged_in_client, connection, fake_resource
):
    run = SyncRun.objects.create(
        connection=connection, resource="recruitee.candidates", status=SyncRun.Status.RUNNING,
        processed=40, expected_total=100, started_at=timezone.now(),
    )  # fmt: skip
    html = logged_in_client.get(f"/sync/runs/{run.pk}/").content.decode()
    assert f'hx-get="/sync/runs/{run.pk}/panel/"' in html
    assert "40%" in html and "40 of 100" in html

    # a newer run queued meanwhile does not take over this run's page
    SyncRun.objects.create(connection=connection, resource="recruitee.candidates")
    polled = logged_in_client.get(f"/sync/runs/{run.pk}/panel/", HTTP_HX_REQUEST="true")
    assert f'id="sync-run-{run.pk}"' in polled.content.decode()
    assert "<html" not in polled.content.decode()
    assert f'hx-get="/sync/runs/{run.pk}/panel/"' in polled.content.decode()
    assert "Running" in _page_text(polled) and "40 of 100" in _page_text(polled)

    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.SUCCEEDED, processed=100, created_count=100,
        finished_at=timezone.now(),
    )  # fmt: skip
    polled = logged_in_client.get(f"/sync/runs/{run.pk}/panel/", HTTP_HX_REQUEST="true")
    assert "hx-get" not in polled.content.decode()  # finished: polling stops
    assert "Succeeded" in _page_text(polled)
    assert "100 new, 0 updated, 0 removed · 100 of 100 read" in _page_text(polled)


def test_the_dashboard_shows_writes_refused_after_the_page_was_left(logged_in_client, connection):
    """A create saved while Recruitee was down and refused when the worker sent it: its
    candidate is gone from the list, so the person reads why, not a silent disappearance.
    One refused on the form itself (its first, in-request attempt) was already shown."""
    later = OutboxItem.objects.create(
        connection=connection, operation=CandidateCreate.name, submission_key="k3",
        summary="Create candidate Bo", status=OutboxItem.Status.FAILED, attempts=3,
        refusal="Email is already taken", last_error="Recruitee API 422 (POST …)",
    )  # fmt: skip
    OutboxItem.objects.create(
        connection=connection, operation=CandidateCreate.name, submission_key="k4",
        summary="Create candidate Cy", status=OutboxItem.Status.FAILED, attempts=1,
        refusal="Name can't be blank",
    )  # fmt: skip
    html = logged_in_client.get("/").content.decode()
    assert "1 write was refused after it was saved" in html
    assert "Create candidate Bo: Recruitee refused the data: Email is already taken" in html
    assert f"outbox #{later.pk}" in html
    assert "Create candidate Cy" not in html
    assert "?status=failed" in html
