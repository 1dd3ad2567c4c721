"""A resource of the sandbox's JSONPlaceholder synced into the hub over real HTTP with the
shared engine, and its list read from the table (issue #16's optional sync)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from apis.models import ApiRecord, ResourceColumns
from integrations.http.client import ApiClient
from integrations.models import Connection, OpenApiSource, SyncRun
from integrations.sync.engine import sync_resource
from integrations.sync.registry import resource_for

DOCUMENT = Path("integrations/sandbox/documents/jsonplaceholder.json")


@pytest.fixture
def connection(db, sandbox_clean) -> Connection:
    base_url = sandbox_clean.url_for("jsonplaceholder")
    row = Connection.objects.create(provider="openapi", name="jsonplaceholder", base_url=base_url)
    OpenApiSource.objects.create(connection=row, document=DOCUMENT.read_text())
    ResourceColumns.objects.create(connection=row, resource="posts", synced=True)
    return row


def test_all_100_posts_are_synced_and_listed_from_the_table(logged_in_client, connection):
    run = sync_resource(connection=connection, resource=resource_for("openapi:posts"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert (run.processed, run.expected_total) == (100, 100)
    posts = ApiRecord.objects.filter(connection=connection, resource="posts", is_deleted=False)
    assert posts.count() == 100
    assert sorted(int(i) for i in posts.values_list("remote_id", flat=True)) == list(range(1, 101))
    first = posts.get(remote_id="1")
    assert set(first.raw) == {"userId", "id", "title", "body"}
    assert first.search_text.startswith("1 1 " + first.raw["title"].lower()[:10])

    page = logged_in_client.get("/apis/jsonplaceholder/posts/").content.decode()
    assert "100 posts" in page and "Page 1 of 4" in page and "Synced from JSONPlaceholder" in page
    word = first.raw["title"].split()[-1]
    found = logged_in_client.get("/apis/jsonplaceholder/posts/", {"q": word}).content.decode()
    expected = posts.filter(search_text__contains=word.lower()).count()
    assert f"{expected} posts" in found and 0 < expected < 100
    by_user = logged_in_client.get("/apis/jsonplaceholder/posts/", {"user_id": 3}).content.decode()
    assert "10 posts" in by_user

    again = sync_resource(connection=connection, resource=resource_for("openapi:posts"), full=True)
    assert (again.created_count, again.updated_count, again.deleted_count) == (0, 100, 0)


def test_a_sync_failing_on_a_later_page_goes_on_from_there(connection, sandbox_clean, monkeypatch):
    """500 comments, 100 a page (the sandbox pages by `_page` and a `Link` header): the
    sandbox fails every request once two pages are saved; the next run reads pages 3 to
    5 only, and the copy is whole."""
    monkeypatch.setattr("integrations.http.client.ApiClient.sleep", lambda seconds: None)
    ResourceColumns.objects.create(connection=connection, resource="comments", synced=True)
    resource = resource_for("openapi:comments")

    def fail_after_two_pages(run: SyncRun) -> None:
        if run.pages == 2:
            sandbox_clean.set_faults("jsonplaceholder", error_rate=1, error_statuses=[503])

    failed = sync_resource(connection=connection, resource=resource, progress=fail_after_two_pages)
    assert failed.status == SyncRun.Status.FAILED and "503" in failed.error
    assert (failed.pages, failed.processed) == (2, 200)
    assert "_page=3" in failed.checkpoint["link"]

    sandbox_clean.reset_faults()
    asked: list[str] = []
    request = ApiClient.request

    def record(client: ApiClient, method: str, path: str, **kwargs: Any) -> Any:
        asked.append(parse_qs(urlsplit(path).query).get("_page", ["1"])[0])
        return request(client, method, path, **kwargs)

    monkeypatch.setattr(ApiClient, "request", record)
    resumed = sync_resource(connection=connection, resource=resource)
    assert resumed.pk == failed.pk and resumed.status == SyncRun.Status.SUCCEEDED, resumed.error
    assert asked == ["3", "4", "5"]  # not the first two pages again
    comments = ApiRecord.objects.filter(connection=connection, resource="comments")
    assert (resumed.processed, resumed.deleted_count) == (500, 0)
    ids = sorted(
        int(i) for i in comments.filter(is_deleted=False).values_list("remote_id", flat=True)
    )
    assert ids == list(range(1, 501))
