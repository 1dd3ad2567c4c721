"""The call log page (staff): filters over a known call log, each call's redacted details
with its sync run or outbox row, who may open it, and the indexes its filters use."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import responses
from django.db import connection as db

from ats.sync import CANDIDATES
from integrations.http import call_log
from integrations.http.call_log import CallRecord
from integrations.models import CallLog, Connection, OutboxItem
from integrations.selectors import call_log_search
from integrations.services.call_log_sink import DatabaseCallLogSink
from integrations.services.connections import connection_client
from integrations.sync.engine import sync_resource
from projects.services import project_create

from integrations.providers.project_records import ProjectInput  # isort: skip

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SECRET = "tok-SECRET-9a8b7c6d5e"


@pytest.fixture
def known(db):
    """Eight calls on two connections, an hour apart, newest last."""
    asana = Connection.objects.create(provider="asana", name="a", api_token="t")
    affinity = Connection.objects.create(provider="affinity", name="b", api_token="t")
    ok = CallRecord(asana.pk, "asana", "GET", "/projects", 200, 40, 1, "", "r-1", 10, NOW)
    moved = {"connection_id": affinity.pk, "provider": "affinity"}
    rows = [
        ok,
        replace(ok, method="POST", status=201, path="/projects/new"),
        replace(ok, status=404, error_class="NotFoundError"),
        replace(ok, status=429, error_class="RateLimitedError"),
        replace(ok, status=503, error_class="ProviderUnavailableError"),
        replace(ok, status=None, error_class="ProviderUnavailableError", request_id=""),
        replace(ok, **moved, path="/organizations"),
        replace(ok, **moved, status=302, error_class="IntegrationError"),
    ]
    rows = [replace(r, created_at=NOW - timedelta(hours=len(rows) - n)) for n, r in enumerate(rows)]
    DatabaseCallLogSink().write(rows)
    return asana, affinity


def statuses(**filters) -> list[int | None]:
    return [c.status for c in call_log_search(**filters)]


def test_each_filter_keeps_the_calls_it_names(known):
    asana, affinity = known
    assert statuses() == [302, 200, None, 503, 429, 404, 201, 200]  # newest first
    assert statuses(connection=affinity) == [302, 200]
    assert statuses(method="POST") == [201]
    assert statuses(status="2xx") == [200, 201, 200]
    assert statuses(status="3xx") == [302]
    assert statuses(status="4xx") == [404]  # 429 is its own class
    assert statuses(status="429") == [429]
    assert statuses(status="5xx") == [503]
    assert statuses(status="none") == [None]
    assert statuses(error="any") == [302, None, 503, 429, 404]
    assert statuses(error="ProviderUnavailableError") == [None, 503]
    assert statuses(since=NOW - timedelta(hours=3), until=NOW - timedelta(hours=1)) == [200, None]
    assert statuses(q="organ") == [200]
    assert statuses(q="r-1", connection=asana, status="5xx") == [503]


def test_the_page_filters_from_the_query_string_and_pages(client, staff_user, known, monkeypatch):
    asana, _ = known
    client.force_login(staff_user)
    page = client.get("/calls/", {"connection": asana.pk, "error": "any"}).content.decode()
    assert page.count('data-testid="call-row"') == 4
    assert "4 calls" in page
    monkeypatch.setattr("integrations.views.CALLS_PER_PAGE", 3)
    first = client.get("/calls/", {"connection": asana.pk}).content.decode()
    assert first.count('data-testid="call-row"') == 3
    assert f"?connection={asana.pk}&amp;page=2" in first  # the next page keeps the filter
    second = client.get("/calls/", {"connection": asana.pk, "page": 2}).content.decode()
    assert second.count('data-testid="call-row"') == 3


def test_a_bad_filter_says_what_is_wrong_and_shows_no_calls(client, staff_user, known):
    client.force_login(staff_user)
    page = client.get(
        "/calls/", {"since": "2026-11-30T12:00", "until": "2026-11-30T11:00", "status": "7xx"}
    ).content.decode()
    assert "“Until” must be later than “From”." in page
    assert "Select a valid choice. 7xx is not one of the available choices." in page
    assert 'data-testid="call-row"' not in page


def test_only_staff_open_the_call_log(client, user, known):
    call = CallLog.objects.first()
    for url in ("/calls/", f"/calls/{call.pk}/"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer.url.startswith("/accounts/login/")
        client.force_login(user)  # may see every resource, but is not staff
        refused = client.get(url)
        assert refused.status_code == 403
        assert "/calls/" not in refused.content.decode().split("<main", 1)[-1]
        client.logout()


def test_the_details_show_the_stored_call_and_no_secret(client, staff_user, settings):
    """A real call through the client, its secret in the query string and echoed in the
    request id header: the page shows them masked, and links the connection."""
    conn = Connection.objects.create(
        provider="projecttool", name="pm", base_url="https://pm.example.test/v1", api_token=SECRET
    )
    with responses.RequestsMock() as rsps:
        rsps.get(
            "https://pm.example.test/v1/projects",
            json={"data": []},
            headers={"X-Request-Id": f"req-{SECRET}"},
        )
        connection_client(conn).get("/projects", params={"api_key": SECRET, "page": "2"})
    call_log.flush()
    call = CallLog.objects.get()
    client.force_login(staff_user)
    page = client.get(f"/calls/{call.pk}/").content.decode()
    assert SECRET not in page
    assert "GET /v1/projects?api_key=[REDACTED]&amp;page=2" in page
    assert "req-[REDACTED]" in page
    assert f'href="/connections/{conn.pk}/health/"' in page
    assert "Neither a sync run nor an outbox row" in page


def test_a_syncs_calls_link_to_its_run_even_from_the_read_ahead_thread(client, staff_user):
    """The candidates sync fetches its pages in a read-ahead thread."""
    conn = Connection.objects.create(
        provider="recruitee",
        name="t",
        base_url="https://api.recruitee.com",
        company_id="1",
        api_token="tok",
    )
    page = json.loads((FIXTURES / "recruitee" / "candidates_page.json").read_text())
    with responses.RequestsMock() as rsps:
        rsps.get("https://api.recruitee.com/c/1/candidates", json=page)
        run = sync_resource(connection=conn, resource=CANDIDATES, full=True)
    call_log.flush()
    assert run.status == "succeeded", run.error
    calls = list(CallLog.objects.all())
    assert calls and all(c.sync_run_id == run.pk and c.outbox_item_id is None for c in calls)
    client.force_login(staff_user)
    detail = client.get(f"/calls/{calls[0].pk}/").content.decode()
    assert f'href="/admin/integrations/syncrun/{run.pk}/change/"' in detail
    assert f"Sync run #{run.pk}" in detail


def test_an_outbox_rows_calls_link_to_it(client, staff_user):
    conn = Connection.objects.create(
        provider="projecttool", name="pm", base_url="https://pm.example.test/v1", api_token="t"
    )
    with responses.RequestsMock() as rsps:
        rsps.post(
            "https://pm.example.test/v1/projects",
            status=201,
            json={"id": 501, "name": "Apollo", "workspace_id": 7, "status": "Planning"},
        )
        project_create(
            connection=conn,
            project=ProjectInput(name="Apollo", workspace="7"),
            submission_key="form-1",
        )
    call_log.flush()
    item = OutboxItem.objects.get()
    call = CallLog.objects.get()
    assert (call.outbox_item_id, call.sync_run_id) == (item.pk, None)
    client.force_login(staff_user)
    detail = client.get(f"/calls/{call.pk}/").content.decode()
    assert f'href="/admin/integrations/outboxitem/{item.pk}/change/"' in detail
    assert call_log.current_link() == call_log.NO_LINK  # calls made after it carry none


def test_the_navbar_and_the_connection_page_link_the_call_log(client, staff_user, known):
    asana, _ = known
    client.force_login(staff_user)
    assert 'href="/calls/"' in client.get("/").content.decode()
    health = client.get(f"/connections/{asana.pk}/health/").content.decode()
    assert f'href="/calls/?connection={asana.pk}"' in health


@pytest.mark.skipif(db.vendor != "sqlite", reason="SQLite's query plan")
@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({"error": "RateLimitedError"}, "calllog_failed_idx"),
        ({"error": "any"}, "calllog_failed_idx"),
        ({"status": "5xx"}, "calllog_failed_idx"),
        ({"status": "429"}, "calllog_failed_idx"),
        ({"status": "none"}, "calllog_failed_idx"),
        ({"since": NOW}, "created_at"),
    ],
)
def test_the_failure_filters_use_their_indexes(known, filters, index):
    sql, params = call_log_search(**filters).query.sql_with_params()
    with db.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert index in plan, plan
