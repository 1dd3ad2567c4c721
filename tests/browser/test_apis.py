"""An API connected from its OpenAPI document, in Chromium (issue #16): an administrator
uploads JSONPlaceholder's document in the admin; a person lists posts, opens one, and
creates one, meeting a validation error first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from apis.models import ApiRecord, ResourceColumns
from core.groups import permission_named
from integrations import jsoncodec
from integrations.models import Connection, OpenApiSource, OutboxItem
from integrations.openapi.source import read_file
from integrations.sandbox.credentials import ASANA_TOKEN
from integrations.sandbox.jsonplaceholder import DOCUMENTS
from integrations.sandbox.jsonplaceholder_data import records

from .conftest import PASSWORD


def _log_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_connect_jsonplaceholder_then_list_open_and_create_a_post(
    page, live_server, sandbox_clean, django_user_model, screenshot
):
    django_user_model.objects.create_superuser(username="admin", password=PASSWORD)
    person = django_user_model.objects.create_user(username="person", password=PASSWORD)
    rights = ("apis.view_api_records", "apis.change_api_records")
    person.user_permissions.set([permission_named(right) for right in rights])

    # The administrator connects the API by uploading its document.
    _log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/integrations/connection/add/?provider=openapi")
    page.fill("#id_name", "jsonplaceholder")
    page.fill("#id_base_url", sandbox_clean.url_for("jsonplaceholder"))
    page.set_input_files("#id_openapi_source-0-upload", str(DOCUMENTS / "jsonplaceholder.json"))
    page.get_by_role("button", name="Save", exact=True).click()
    found = page.locator("ul.messagelist .openapi-found")
    expect(found).to_contain_text("JSONPlaceholder (OpenAPI 3.0.3), 6 resources:")
    expect(found).to_contain_text("posts: delete, get, list, list_comments, patch, post, put")
    expect(found).to_contain_text("0 operations not supported.")
    screenshot("apis-admin-connected")

    # A person lists the posts from the APIs menu.
    _log_in(page, live_server, "person")
    page.get_by_role("button", name="APIs").or_(page.get_by_role("link", name="APIs")).click()
    page.get_by_test_id("apis-menu").get_by_role("link", name="jsonplaceholder").click()
    page.get_by_role("link", name="posts", exact=True).click()
    expect(page.get_by_role("heading", name="Posts")).to_be_visible()
    expect(page.get_by_test_id("result-count")).to_have_text("100 posts")
    table = page.get_by_test_id("api-table")
    expect(table.locator("thead")).to_contain_text("User id")
    expect(table.locator("tbody tr")).to_have_count(25)
    screenshot("apis-posts-list")

    # … narrows it with a filter from the list operation's query parameters …
    page.get_by_label("User id").fill("3")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("result-count")).to_have_text("10 posts")

    # … opens one …
    table.locator("tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Post 21")).to_be_visible()
    expect(page.get_by_test_id("api-record")).to_contain_text("User id")
    screenshot("apis-post-detail")

    # … and creates one: the document's schema refuses it first.
    page.get_by_role("link", name="Posts").click()
    page.get_by_role("link", name="New post").click()
    page.get_by_label("User id").fill("1")
    page.get_by_label("Title").fill("")
    page.get_by_label("Body").fill("Written in Chromium")
    page.get_by_role("button", name="Create post").click()
    expect(page.locator("#id_title").locator("..")).to_contain_text("This field is required.")
    assert not OutboxItem.objects.exists()  # nothing sent
    screenshot("apis-post-form-error")

    page.get_by_label("Title").fill("Hello from the hub")
    page.get_by_role("button", name="Create post").click()
    expect(page.get_by_text("Post created in JSONPlaceholder (id 101).")).to_be_visible()
    item = OutboxItem.objects.get()
    assert item.status == OutboxItem.Status.DONE
    assert item.payload["body"] == {
        "userId": 1,
        "title": "Hello from the hub",
        "body": "Written in Chromium",
    }


ASANA = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "asana_oas.yaml"


@pytest.fixture
def asana_projects(sandbox_clean) -> Iterator[str]:
    """The sandbox's Asana with 34 projects (24 seeded, 10 more: a second page of 25);
    seeded first and again afterwards, since the session's sandbox is shared by the tests
    before and after (an earlier test may have created projects in it)."""
    if not ASANA.exists():
        pytest.skip(f"{ASANA} is missing: the real OpenAPI documents live in ../shared/specs/")
    sandbox_clean.reseed()
    base, auth = sandbox_clean.url_for("asana"), {"Authorization": f"Bearer {ASANA_TOKEN}"}
    workspace = requests.get(f"{base}/workspaces", headers=auth, timeout=5).json()["data"][0]
    for n in range(10):
        body = {"data": {"name": f"Paged {n}", "workspace": workspace["gid"]}}
        requests.post(f"{base}/projects", json=body, headers=auth, timeout=5).raise_for_status()
    yield base
    sandbox_clean.reseed()


def test_a_cursor_paged_list_goes_to_the_next_page_and_back(
    page, live_server, asana_projects, django_user_model, screenshot
):
    """Asana's real document over the sandbox's Asana: its lists page by `offset` tokens."""
    connection = Connection.objects.create(
        provider="openapi", name="asana", base_url=asana_projects, api_token=ASANA_TOKEN
    )
    OpenApiSource.objects.create(connection=connection, document=jsoncodec.dumps(read_file(ASANA)))
    person = django_user_model.objects.create_user(username="person", password=PASSWORD)
    person.user_permissions.set([permission_named("apis.view_api_records")])

    _log_in(page, live_server, "person")
    page.goto(f"{live_server.url}/apis/asana/projects/")
    rows = page.get_by_test_id("api-table").locator("tbody tr")
    pages = page.get_by_test_id("api-pages")
    expect(rows).to_have_count(25)
    expect(pages).to_contain_text("Page 1")
    first_gid = rows.first.locator("td").first.inner_text()
    pages.get_by_role("link", name="Next").click()
    expect(pages).to_contain_text("Page 2")
    expect(rows).to_have_count(9)
    expect(rows.last).to_contain_text("Paged 9")
    expect(pages.get_by_text("Next")).not_to_have_attribute("href", re.compile("."))
    screenshot("apis-cursor-page-2")
    pages.get_by_role("link", name="Previous").click()
    expect(pages).to_contain_text("Page 1")
    expect(rows.first.locator("td").first).to_have_text(first_gid)


def test_an_administrator_turns_sync_on_and_a_person_searches_the_synced_posts(
    page, live_server, sandbox_clean, django_user_model, task_worker, screenshot
):
    django_user_model.objects.create_superuser(username="admin", password=PASSWORD)
    person = django_user_model.objects.create_user(username="person", password=PASSWORD)
    rights = ("apis.view_api_records", "apis.change_api_records")
    person.user_permissions.set([permission_named(right) for right in rights])
    base_url = sandbox_clean.url_for("jsonplaceholder")
    connection = Connection.objects.create(
        provider="openapi", name="jsonplaceholder", base_url=base_url
    )
    OpenApiSource.objects.create(
        connection=connection, document=(DOCUMENTS / "jsonplaceholder.json").read_text()
    )

    # Read live at first: the page says so.
    _log_in(page, live_server, "person")
    page.goto(f"{live_server.url}/apis/jsonplaceholder/posts/")
    expect(page.get_by_text("Read live from JSONPlaceholder.")).to_be_visible()

    # The administrator switches the posts' sync on.
    _log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/apis/resourcecolumns/add/")
    page.select_option("#id_connection", label=str(connection))
    page.fill("#id_resource", "posts")
    page.fill("#id_columns", "[]")
    page.check("#id_synced")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")

    # The person's first visit starts the first sync; the worker copies all 100 posts.
    _log_in(page, live_server, "person")
    page.goto(f"{live_server.url}/apis/jsonplaceholder/posts/")
    expect(page.get_by_text("Synced from JSONPlaceholder into the hub")).to_be_visible()
    count = page.get_by_test_id("result-count")
    for _ in range(40):
        if count.count() and count.inner_text() == "100 posts":
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(count).to_have_text("100 posts")
    expect(page.get_by_test_id("last-synced")).to_contain_text("Last synced")
    screenshot("apis-synced-posts")

    # Searching words (each one, in any order, any case) is answered by the hub's copy.
    words = records("posts")[6]["title"].split()
    texts = [f"{p['title']} {p['body']}" for p in records("posts")]
    matching = sum(all(word in text for word in words) for text in texts)
    assert 1 <= matching < 25
    page.get_by_label("Search").fill(" ".join(reversed(words)).upper())
    page.get_by_role("button", name="Apply").click()
    expect(count).to_have_text(f"{matching} posts")
    expect(page.get_by_test_id("api-table").locator("tbody tr")).to_have_count(matching)


@pytest.fixture
def jsonplaceholder(sandbox_clean, transactional_db) -> Connection:
    base_url = sandbox_clean.url_for("jsonplaceholder")
    connection = Connection.objects.create(
        provider="openapi", name="jsonplaceholder", base_url=base_url
    )
    document = (DOCUMENTS / "jsonplaceholder.json").read_text()
    OpenApiSource.objects.create(connection=connection, document=document)
    return connection


@pytest.mark.parametrize("path", ["/apis/jsonplaceholder/posts/", "/apis/jsonplaceholder/posts/2/"])
def test_while_the_api_is_down_the_page_says_so_and_offers_to_try_again(
    jsonplaceholder, sandbox_clean, logged_in_page, live_server, path
):
    """The page itself says what it could not read, with a way to try again, after its
    message is closed too (a blank page under a closed alert explained nothing)."""
    sandbox_clean.set_faults("jsonplaceholder", error_rate=1, error_statuses=[503])
    page = logged_in_page
    page.goto(live_server.url + path)
    page.get_by_role("alert").get_by_role("button", name="Close").click()
    failed = page.get_by_test_id("read-failed")
    expect(failed).to_contain_text("could not be read from JSONPlaceholder just now")
    sandbox_clean.reset_faults()
    failed.get_by_role("link", name="Try again").click()
    expect(page.get_by_test_id("read-failed")).to_have_count(0)
    expect(page.get_by_test_id("api-table").or_(page.get_by_test_id("api-record"))).to_be_visible()


def test_a_synced_lists_headings_sort_it_both_ways_keeping_the_search(
    logged_in_page, live_server, transactional_db
):
    connection = Connection.objects.create(
        provider="openapi", name="jsonplaceholder", base_url="https://api.example.invalid"
    )
    document = (DOCUMENTS / "jsonplaceholder.json").read_text()
    OpenApiSource.objects.create(connection=connection, document=document)
    ResourceColumns.objects.create(connection=connection, resource="posts", synced=True)
    posts = records("posts")[:40]
    for post in posts:  # as a sync saves them (nothing is asked of the API)
        ApiRecord.objects.create(connection=connection, resource="posts",
                                 remote_id=str(post["id"]), raw=post,
                                 search_text=f"{post['title']} {post['body']}".lower())  # fmt: skip
    word = "et"
    matching = [p for p in posts if word in p["title"] or word in p["body"]]
    assert 25 < len(matching) < len(posts)  # the search narrows it, and it has two pages
    page = logged_in_page
    page.goto(f"{live_server.url}/apis/jsonplaceholder/posts/?q={word}")
    ids = page.get_by_test_id("api-table").locator("tbody tr td:first-child")
    expect(ids).to_have_text([str(p["id"]) for p in matching[:25]])  # the saved order
    heading = page.locator("th", has=page.locator("a[data-sort=userId]"))
    expect(heading).to_have_attribute("aria-sort", "none")

    heading.get_by_role("link").click()
    expect(heading).to_have_attribute("aria-sort", "ascending")
    expect(page.get_by_label("Search")).to_have_value(word)
    ascending = sorted(matching, key=lambda p: (p["userId"], p["id"]))
    expect(ids).to_have_text([str(p["id"]) for p in ascending[:25]])

    heading.get_by_role("link").click()
    expect(heading).to_have_attribute("aria-sort", "descending")
    expect(ids).to_have_text([str(p["id"]) for p in reversed(ascending[-25:])])
    assert f"q={word}" in page.url and "sort=-userId" in page.url
    page.get_by_role("link", name="Next").click()
    expect(ids.first).to_have_text(str(ascending[-26]["id"]))  # the next page, still sorted
