"""An API connected from its OpenAPI document, in Chromium (issue #16): an administrator
uploads JSONPlaceholder's document in the admin; a person lists posts, opens one, and
creates one, meeting a validation error first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from core.groups import permission_named
from integrations.http import call_log
from integrations.models import OutboxItem
from integrations.openapi import cache
from integrations.sandbox.jsonplaceholder import DOCUMENTS

from .conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    cache.forget()
    yield
    call_log.buffer.clear()


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
