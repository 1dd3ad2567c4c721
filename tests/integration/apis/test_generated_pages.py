"""The generated pages over the sandbox's JSONPlaceholder, through real HTTP (issue #16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from apis.models import ResourceColumns
from core.groups import permission_named
from integrations.models import AuditEntry, Connection, OpenApiSource, OutboxItem
from integrations.services.connections import connection_test

DOCUMENT = Path("integrations/sandbox/documents/jsonplaceholder.json")


@pytest.fixture
def connection(db, sandbox_clean) -> Connection:
    base_url = sandbox_clean.url_for("jsonplaceholder")
    row = Connection.objects.create(provider="openapi", name="jsonplaceholder", base_url=base_url)
    OpenApiSource.objects.create(connection=row, document=DOCUMENT.read_text())
    return row


def test_every_page_needs_login(client, connection):
    for url in ("/apis/", "/apis/jsonplaceholder/posts/", "/apis/jsonplaceholder/posts/1/",
                "/apis/jsonplaceholder/posts/new/", "/apis/jsonplaceholder/posts/1/edit/",
                "/apis/jsonplaceholder/posts/1/delete/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_every_form_needs_its_csrf_token(user, connection):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    for url in ("/apis/jsonplaceholder/posts/new/", "/apis/jsonplaceholder/posts/1/edit/",
                "/apis/jsonplaceholder/posts/1/delete/"):  # fmt: skip
        page = client.get(url).content.decode()
        assert 'name="csrfmiddlewaretoken"' in page, url
        assert client.post(url, {"submission_key": "k", "title": "x"}).status_code == 403, url
    assert not OutboxItem.objects.exists()


PAGES = ("/apis/", "/apis/jsonplaceholder/posts/", "/apis/jsonplaceholder/posts/1/")
FORMS = ("/apis/jsonplaceholder/posts/new/", "/apis/jsonplaceholder/posts/1/edit/",
         "/apis/jsonplaceholder/posts/1/delete/")  # fmt: skip


def _member(*rights: str):
    person = get_user_model().objects.create_user(username=f"member-{len(rights)}")
    person.user_permissions.set([permission_named(f"apis.{right}") for right in rights])
    return person


def test_without_the_apis_rights_every_page_and_form_is_refused(client, connection):
    client.force_login(_member())
    for url in (*PAGES, *FORMS):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You may not" in response.content.decode(), url
    page = client.get("/candidates/").content.decode()
    assert 'data-testid="apis-menu"' not in page  # nor the navbar's entry
    assert client.post(FORMS[0], {"submission_key": "k", "title": "x"}).status_code == 403
    assert not OutboxItem.objects.exists()


def test_the_view_right_opens_the_pages_and_not_the_forms(client, connection):
    client.force_login(_member("view_api_records"))
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    for url in FORMS:
        assert client.get(url).status_code == 403, url
    client.force_login(_member("view_api_records", "change_api_records"))
    for url in FORMS:
        assert client.get(url).status_code == 200, url


def test_the_menu_lists_the_connected_api_and_its_resources(logged_in_client, connection):
    page = logged_in_client.get("/apis/").content.decode()
    for name in ("posts", "comments", "albums", "photos", "todos", "users"):
        assert f'href="/apis/jsonplaceholder/{name}/"' in page
    assert 'data-testid="apis-menu"' in page  # the navbar's entry


def test_posts_list_pages_through_the_api_with_its_columns(logged_in_client, connection):
    page = logged_in_client.get("/apis/jsonplaceholder/posts/").content.decode()
    assert "100 posts" in page
    assert "Page 1 of 4" in page
    headings = page.split("<thead")[1].split("</thead>")[0]
    assert [h in headings for h in ("Id", "User id", "Title", "Body")] == [True] * 4
    assert 'href="/apis/jsonplaceholder/posts/1/"' in page
    assert 'href="/apis/jsonplaceholder/posts/26/"' not in page
    second = logged_in_client.get("/apis/jsonplaceholder/posts/?page=2").content.decode()
    assert 'href="/apis/jsonplaceholder/posts/26/"' in second


def test_filters_come_from_the_query_parameters(logged_in_client, connection):
    page = logged_in_client.get("/apis/jsonplaceholder/posts/?user_id=2").content.decode()
    assert "10 posts" in page
    assert 'href="/apis/jsonplaceholder/posts/11/"' in page
    assert 'href="/apis/jsonplaceholder/posts/1/"' not in page
    assert 'name="user_id"' in page and 'name="q"' in page
    assert 'name="_sort"' not in page and 'name="_page"' not in page


def test_an_administrator_picks_the_columns(logged_in_client, connection):
    ResourceColumns.objects.create(connection=connection, resource="posts", columns=["title", "id"])
    page = logged_in_client.get("/apis/jsonplaceholder/posts/").content.decode()
    headings = page.split("<thead")[1].split("</thead>")[0]
    assert "Title" in headings and "Body" not in headings
    assert headings.index("Title") < headings.index("Id")


def test_detail_shows_every_field_nested_ones_flattened(logged_in_client, connection):
    page = logged_in_client.get("/apis/jsonplaceholder/users/1/").content.decode()
    assert "Address &gt; City" in page and "Company &gt; Name" in page
    assert logged_in_client.get("/apis/jsonplaceholder/posts/999/").status_code == 404
    assert logged_in_client.get("/apis/jsonplaceholder/posts/abc/").status_code == 404
    assert logged_in_client.get("/apis/jsonplaceholder/nothing/").status_code == 404


def test_create_checks_the_schema_then_goes_through_the_outbox(logged_in_client, connection):
    form = logged_in_client.get("/apis/jsonplaceholder/posts/new/")
    key = form.context["form"].initial["submission_key"]
    refused = logged_in_client.post(
        "/apis/jsonplaceholder/posts/new/", {"submission_key": key, "userId": "", "title": "x"}
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors["userId"] == ["This field is required."]
    assert not OutboxItem.objects.exists()  # nothing sent, nothing stored
    done = logged_in_client.post(
        "/apis/jsonplaceholder/posts/new/",
        {"submission_key": key, "userId": "1", "title": "Hello", "body": "World"},
        follow=True,
    )
    item = OutboxItem.objects.get()
    assert item.status == OutboxItem.Status.DONE and item.remote_id == "101"
    assert item.payload["body"] == {"userId": 1, "title": "Hello", "body": "World"}
    assert "Post created in JSONPlaceholder" in done.content.decode()


def test_nested_objects_are_fieldsets(logged_in_client, connection):
    page = logged_in_client.get("/apis/jsonplaceholder/users/new/").content.decode()
    assert "<fieldset" in page and 'name="address__city"' in page
    assert 'name="address__geo__lat"' in page


def test_edit_sends_only_what_changed(logged_in_client, connection):
    form = logged_in_client.get("/apis/jsonplaceholder/todos/1/edit/")
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    data["title"] = "Renamed"
    data["base"] = form.context["form"]["base"].value()
    logged_in_client.post("/apis/jsonplaceholder/todos/1/edit/", data)
    item = OutboxItem.objects.get()
    assert item.operation == "openapi.update" and item.payload["body"] == {"title": "Renamed"}
    assert item.status == OutboxItem.Status.DONE
    old_title = form.context["form"].initial["title"]
    (entry,) = AuditEntry.objects.filter(record_type="apis:todos", record_id="1")
    assert entry.changes == [{"field": "title", "old": old_title, "new": "Renamed"}]


def test_delete_goes_through_the_outbox(logged_in_client, connection):
    page = logged_in_client.get("/apis/jsonplaceholder/posts/3/delete/")
    key = page.context["form"].initial["submission_key"]
    logged_in_client.post("/apis/jsonplaceholder/posts/3/delete/", {"submission_key": key})
    item = OutboxItem.objects.get()
    assert item.operation == "openapi.delete" and item.status == OutboxItem.Status.DONE


def test_the_connection_test_calls_the_fake_for_one_item(connection):
    result = connection_test(connection)
    assert result.ok, result.message
    assert "GET /albums?_limit=1 answered HTTP 200 (it needs no credentials)" in result.message
