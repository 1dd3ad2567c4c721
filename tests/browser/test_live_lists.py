"""Lists update without a reload: what changes in the hub's table (a webhook applied, a
sync finished) shows in the open list within seconds, as the person left it."""

from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect

from apis.models import ApiRecord, ResourceColumns
from apis.sync import synced_resource
from ats.sync import CANDIDATES, OFFERS
from core.groups import permission_named
from crm.links import organization_search_text
from crm.models import Organization
from integrations.http.client import ApiClient
from integrations.models import Connection, OpenApiSource, SyncRun
from integrations.sandbox.jsonplaceholder import DOCUMENTS
from integrations.sandbox.jsonplaceholder_data import records
from integrations.sync.engine import sync_resource
from integrations.tasks import apply_webhooks_task
from integrations.webhooks.endpoints import endpoint_for, receiver_url
from integrations.webhooks.stamps import changes_touch
from tests.processes import hub_processes, wait_for

from .conftest import PASSWORD

KEY = "affinity.organizations"


@pytest.fixture
def organizations(transactional_db):
    """60 organizations, 30 of them Acme: sorted by name descending, page 2 of the Acme
    search holds Acme 05 down to Acme 01."""
    affinity = Connection.objects.create(
        provider="affinity", name="live", base_url="https://example.invalid", api_token="k"
    )
    for number in range(1, 31):
        for name in (f"Acme {number:02}", f"Globex {number:02}"):
            domain = f"{name.lower().replace(' ', '')}.example"
            Organization.objects.create(
                connection=affinity, remote_id=name, name=name, domain=domain,
                search_text=organization_search_text(name, [domain]),
            )  # fmt: skip
    return affinity


def rename(connection: Connection, old: str, new: str) -> None:
    """What applying a webhook does: the row changes, and so does the list's stamp."""
    Organization.objects.filter(connection=connection, name=old).update(
        name=new, search_text=organization_search_text(new, [])
    )
    changes_touch(connection_id=connection.pk, resource_key=KEY)


def test_a_change_shows_in_the_open_list_as_the_person_left_it(
    organizations, logged_in_page, live_server
):
    page = logged_in_page
    page.goto(f"{live_server.url}/organizations/?q=Acme&sort=-name&page=2")
    rows = page.locator("[data-live-list] tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("Acme 05")
    search = page.get_by_role("searchbox", name="Search organizations by name or domain")
    search.click()
    search.press("End")
    search.type(" Ini")  # half-typed, not sent

    rename(organizations, "Acme 03", "Acme 03 (renamed at Affinity)")
    expect(page.get_by_text("Acme 03 (renamed at Affinity)")).to_be_visible(timeout=5000)
    # The same search, sort and page; the typing and the focus are where they were.
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("Acme 05")
    expect(rows.last).to_contain_text("Acme 01")
    assert page.url.endswith("/organizations/?q=Acme&sort=-name&page=2")
    expect(search).to_have_value("Acme Ini")
    expect(search).to_be_focused()

    # Tabbing through the table: the keyboard stays on the same link after a refresh.
    link = page.get_by_role("link", name="Acme 04", exact=True)
    link.focus()
    rename(organizations, "Acme 02", "Acme 02 (renamed again)")
    expect(page.get_by_text("Acme 02 (renamed again)")).to_be_visible(timeout=5000)
    expect(page.get_by_role("link", name="Acme 04", exact=True)).to_be_focused()


def test_a_hidden_tab_does_not_poll_and_checks_when_shown(
    organizations, logged_in_page, live_server
):
    page = logged_in_page
    polls: list[str] = []
    page.on("request", lambda r: "/changes/" in r.url and polls.append(r.url))
    page.goto(f"{live_server.url}/organizations/")
    page.wait_for_timeout(2500)
    assert polls, "the list polls its stamp every 2 s"

    def set_hidden(hidden: bool) -> None:
        page.evaluate(
            """(hidden) => {
                Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
                Object.defineProperty(document, "visibilityState",
                    {value: hidden ? "hidden" : "visible", configurable: true});
                document.dispatchEvent(new Event("visibilitychange"));
            }""",
            hidden,
        )

    set_hidden(True)
    polls.clear()
    rename(organizations, "Acme 01", "Acme 01 (renamed while hidden)")
    page.wait_for_timeout(7000)
    assert polls == []
    set_hidden(False)  # shown again: it checks at once, and refreshes
    expect(page.get_by_text("Acme 01 (renamed while hidden)")).to_be_visible(timeout=2000)


# --- end to end over HTTP: the provider's webhook, the receiver, a worker, the open list -----

SECRET = "pasted-from-recruitee"


@pytest.fixture
def recruitee_hooked(transactional_db, sandbox_connection, sandbox_clean, settings, live_server):
    """A synced Recruitee connection whose webhook (as a person adds it in Recruitee's
    settings, its test ping answered) points at the live server's receiver."""
    settings.HUB_PUBLIC_URL = live_server.url
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    connection = sandbox_connection("recruitee")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ApiClient, "sleep", lambda seconds: None)
        for resource in (OFFERS, CANDIDATES):
            sync_resource(connection=connection, resource=resource, full=True)
    endpoint = endpoint_for(connection)
    endpoint.secret_add(SECRET)
    endpoint.save()
    hooks = f"{sandbox_clean.url}/_sandbox/webhooks/recruitee"
    added = requests.post(hooks, json={"url": receiver_url(endpoint), "secret": SECRET}, timeout=5)
    assert added.status_code == 201, added.text
    yield connection
    requests.delete(hooks, timeout=5)


@pytest.fixture
def worker(tmp_path, transactional_db):
    """A `manage.py db_worker` process on the test database, ready: it has run a task."""
    with hub_processes(tmp_path) as hub:
        hub.worker("worker")
        probe = apply_webhooks_task.enqueue()

        def finished() -> bool:
            probe.refresh()
            return probe.is_finished

        wait_for(finished, timeout=60, what=f"the worker to start\n{hub.output()}")
        yield hub


def test_a_candidate_created_in_recruitee_appears_in_the_open_list_within_5_seconds(
    recruitee_hooked, worker, logged_in_page, live_server, sandbox_clean
):
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/")
    expect(page.locator("[data-testid=candidate-table] tbody tr").first).to_be_visible()
    runs = SyncRun.objects.count()
    page.evaluate("window.openedOnce = true")  # gone if the page were loaded again

    created = requests.post(
        sandbox_clean.url_for("recruitee") + "/c/1/candidates",
        json={"candidate": {"name": "Hooked Live", "emails": ["hooked.live@example.com"]}},
        headers={"Authorization": "Bearer sandbox-recruitee"},
        timeout=5,
    )
    assert created.status_code == 201, created.text
    started = time.monotonic()
    # Newest first: the row shows at the top of the open page, without a reload.
    first_row = page.locator("[data-testid=candidate-table] tbody tr").first
    expect(first_row).to_contain_text("Hooked Live", timeout=5000)
    assert time.monotonic() - started < 5
    assert page.evaluate("window.openedOnce") is True
    assert SyncRun.objects.count() == runs  # no sync brought it


def test_a_list_with_ticked_rows_waits_until_they_are_unticked(
    organizations, logged_in_page, live_server
):
    """A refresh would untick the rows someone chose for a bulk action: it waits."""
    page = logged_in_page
    page.goto(f"{live_server.url}/organizations/?q=Acme&sort=-name&page=2")
    ticked = page.locator('[data-live-list] input[name="ids"]').first
    ticked.check()

    rename(organizations, "Acme 03", "Acme 03 (renamed at Affinity)")
    page.wait_for_timeout(5000)  # more than two polls (LIST_POLL_SECONDS is 2)
    expect(page.get_by_text("Acme 03 (renamed at Affinity)")).to_have_count(0)
    expect(ticked).to_be_checked()

    ticked.uncheck()
    expect(page.get_by_text("Acme 03 (renamed at Affinity)")).to_be_visible(timeout=5000)


# --- an API connected from its document, its posts synced into the hub ----------------------


@pytest.fixture
def synced_posts(transactional_db, sandbox_clean):
    """JSONPlaceholder's posts synced into the hub from the sandbox, all but the last: the
    hub has not seen post 100 yet (it is user 10's tenth)."""
    connection = Connection.objects.create(
        provider="openapi",
        name="jsonplaceholder",
        base_url=sandbox_clean.url_for("jsonplaceholder"),
    )
    OpenApiSource.objects.create(
        connection=connection, document=(DOCUMENTS / "jsonplaceholder.json").read_text()
    )
    ResourceColumns.objects.create(connection=connection, resource="posts", synced=True)
    run = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    ApiRecord.objects.filter(connection=connection, resource="posts", remote_id="100").delete()
    return connection


def test_a_finished_sync_shows_in_the_open_synced_api_list(
    synced_posts, page, live_server, django_user_model
):
    reader = django_user_model.objects.create_user(username="reader", password=PASSWORD)
    reader.user_permissions.set([permission_named("apis.view_api_records")])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "reader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    queued = SyncRun.objects.create(connection=synced_posts, resource="openapi:posts")
    page.goto(f"{live_server.url}/apis/jsonplaceholder/posts/?user_id=10")
    rows = page.get_by_test_id("api-table").locator("tbody tr")
    expect(rows).to_have_count(9)
    expect(page.get_by_test_id("sync-progress")).to_contain_text("Syncing posts")
    expect(page.get_by_test_id("result-count")).to_have_text("9 posts")
    page.evaluate("window.openedOnce = true")  # gone if the page were loaded again
    search = page.get_by_label("Search")
    search.fill("half-typ")  # not sent

    run = sync_resource(
        connection=synced_posts, resource=synced_resource("openapi:posts"), run=queued
    )
    assert (run.status, run.created_count) == (SyncRun.Status.SUCCEEDED, 1), run.error
    title = records("posts")[99]["title"]
    expect(rows.last).to_contain_text(title[:40], timeout=5000)
    # the bar followed the run: it says the sync finished, not "Syncing…"
    expect(page.get_by_test_id("sync-done")).to_contain_text("1 new", timeout=5000)
    expect(page.get_by_test_id("sync-done").get_by_role("link")).to_have_count(0)  # no reload
    expect(page.get_by_test_id("sync-progress")).to_have_count(0)
    expect(rows).to_have_count(10)
    expect(page.get_by_test_id("result-count")).to_have_text("10 posts")
    assert page.url.endswith("/apis/jsonplaceholder/posts/?user_id=10")
    assert page.evaluate("window.openedOnce") is True
    expect(search).to_have_value("half-typ")
    expect(search).to_be_focused()
