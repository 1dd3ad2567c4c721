"""A connected API's resource synced into the hub with the shared engine (apis/sync.py),
and its list read from the table (the API mocked with `responses`: an unmocked URL fails)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from responses import matchers

from apis.models import ApiRecord, ResourceColumns
from apis.pages import api_pages
from apis.sync import synced_resource
from core.groups import permission_named
from integrations.models import Connection, OpenApiSource, SyncRun, SyncState
from integrations.services.health import connection_health
from integrations.sync.engine import sync_resource
from integrations.sync.registry import resource_for
from integrations.sync.service import syncs_due

BASE = "https://api.example.test/v1"
ITEM = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "userId": {"type": "integer"},
    "status": {"type": "string"}}}  # fmt: skip
PAGED = [{"name": n, "in": "query", "schema": {"type": "integer"}} for n in ("_page", "_limit")]
FILTER = {"name": "userId", "in": "query", "schema": {"type": "integer"}}


def _list(parameters: list[dict]) -> dict:
    schema = {"type": "array", "items": ITEM}
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}
    return {"get": {"parameters": parameters, "responses": ok}}


DOC = {"openapi": "3.0.3", "info": {"title": "Posts API", "version": "1"},
       "paths": {"/posts": _list([*PAGED, FILTER]), "/comments": _list([])}}  # fmt: skip


@pytest.fixture
def connection(db) -> Connection:
    row = Connection.objects.create(provider="openapi", name="posts-api", base_url=BASE)
    OpenApiSource.objects.create(connection=row, document=json.dumps(DOC))
    ResourceColumns.objects.create(connection=row, resource="posts", synced=True)
    return row


def _posts(*ids: int, word: str = "post") -> list[dict]:
    return [{"id": i, "title": f"{word} {i}", "userId": i % 3, "status": "open"} for i in ids]


def _serve_posts(rsps, *pages: list[dict], total: int) -> None:
    for number, items in enumerate(pages, start=1):
        query = matchers.query_param_matcher({"_page": str(number), "_limit": "100"})
        rsps.add("GET", f"{BASE}/posts", json=items, match=[query],
                 headers={"X-Total-Count": str(total)})  # fmt: skip


def test_a_full_sync_copies_every_page_with_its_columns_and_words(rsps, connection):
    _serve_posts(rsps, _posts(*range(1, 101)), _posts(*range(101, 131)), total=130)
    run = sync_resource(connection=connection, resource=resource_for("openapi:posts"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert (run.processed, run.created_count, run.expected_total) == (130, 130, 130)
    record = ApiRecord.objects.get(connection=connection, resource="posts", remote_id="7")
    assert record.raw == {"id": 7, "title": "post 7", "userId": 1, "status": "open"}
    assert record.columns == {"id": "7", "title": "post 7", "userId": "1", "status": "open"}
    assert "post 7" in record.search_text


def test_a_record_gone_from_the_api_is_marked_deleted_and_others_are_untouched(rsps, connection):
    ApiRecord.objects.create(connection=connection, resource="comments", remote_id="2")
    _serve_posts(rsps, _posts(1, 2, 3), total=3)
    sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    rsps.replace("GET", f"{BASE}/posts", json=_posts(1, 3), headers={"X-Total-Count": "2"})
    sync_resource(connection=connection, resource=synced_resource("openapi:posts"), full=True)
    posts = ApiRecord.objects.filter(resource="posts")
    assert sorted(posts.filter(is_deleted=False).values_list("remote_id", flat=True)) == ["1", "3"]
    assert posts.get(remote_id="2").is_deleted
    # the same id in another resource of the same connection is another record
    assert not ApiRecord.objects.get(resource="comments", remote_id="2").is_deleted


def test_only_switched_on_resources_are_scheduled(connection):
    due = [(c.name, r.key) for c, r in syncs_due()]
    assert due == [("posts-api", "openapi:posts")]


def test_the_synced_list_reads_the_table_searches_filters_and_pages(
    logged_in_client, rsps, connection
):
    _serve_posts(rsps, _posts(*range(1, 31)), total=30)
    sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    ApiRecord.objects.filter(remote_id="12").update(search_text="a quiet lighthouse")
    listed = len(rsps.calls)
    page = logged_in_client.get("/apis/posts-api/posts/").content.decode()
    assert "Synced from Posts API into the hub" in page and "Page 1 of 2" in page
    assert 'data-testid="last-synced"' in page and "Sync now" in page
    second = logged_in_client.get("/apis/posts-api/posts/?page=2").content.decode()
    assert "post 26" in second and "post 25" not in second
    found = logged_in_client.get("/apis/posts-api/posts/", {"q": "Lighthouse"}).content.decode()
    assert "1 posts" in found and "post 12" in found
    by_user = logged_in_client.get("/apis/posts-api/posts/", {"user_id": "2"}).content.decode()
    assert "10 posts" in by_user
    assert len(rsps.calls) == listed  # nothing asked of the API


def test_a_live_resource_says_so_and_has_no_sync(logged_in_client, rsps, connection):
    rsps.add("GET", f"{BASE}/comments", json=[{"id": 1}])
    page = logged_in_client.get("/apis/posts-api/comments/").content.decode()
    assert "Read live from Posts API." in page and "Sync now" not in page
    refused = logged_in_client.post(f"/sync/{connection.pk}/openapi:comments/start/")
    assert refused.status_code == 404
    assert not SyncRun.objects.exists()


def test_sync_now_queues_a_sync_and_the_bar_shows_it(
    logged_in_client, connection, immediate_tasks, rsps
):
    _serve_posts(rsps, _posts(1, 2), total=2)
    page = logged_in_client.get("/apis/posts-api/posts/").content.decode()
    start = f"/sync/{connection.pk}/openapi:posts/start/"
    assert f'hx-post="{start}"' in page  # the shared sync bar
    answer = logged_in_client.post(start, HTTP_HX_REQUEST="true").content.decode()
    assert "Last synced" in answer and "Sync now" in answer
    assert ApiRecord.objects.filter(connection=connection, resource="posts").count() == 2


def test_sync_now_syncs_the_api_of_its_list(logged_in_client, connection, immediate_tasks, rsps):
    """Another API with a resource of the same name is not the one synced."""
    other = Connection.objects.create(provider="openapi", name="other-api", base_url=BASE)
    OpenApiSource.objects.create(connection=other, document=json.dumps(DOC))
    _serve_posts(rsps, _posts(1, 2), total=2)
    logged_in_client.post(f"/sync/{connection.pk}/openapi:posts/start/")
    assert list(SyncRun.objects.values_list("connection__name", flat=True)) == ["posts-api"]


def _user(django_user_model, name: str, *rights: str):
    user = django_user_model.objects.create_user(username=name)
    user.user_permissions.set([permission_named(right) for right in rights])
    return user


def test_sync_now_needs_the_right_to_change_records(client, connection, django_user_model):
    client.force_login(_user(django_user_model, "viewer", "apis.view_api_records"))
    assert client.post(f"/sync/{connection.pk}/openapi:posts/start/").status_code == 403
    assert not SyncRun.objects.exists()


def test_the_sync_bar_follows_an_api_run_for_who_may_see_the_list(
    client, connection, django_user_model
):
    run = SyncRun.objects.create(
        connection=connection, resource="openapi:posts", status=SyncRun.Status.RUNNING,
        processed=40, expected_total=100,
    )  # fmt: skip
    poll = {"HTTP_HX_REQUEST": "true"}
    client.force_login(_user(django_user_model, "reader", "apis.view_api_records"))
    answer = client.get(f"/sync/runs/{run.pk}/", **poll)
    assert answer.status_code == 200
    assert "40 of 100" in answer.content.decode()
    history = client.get(f"/sync/{connection.pk}/openapi:posts/history/")
    assert history.status_code == 200 and f"/sync/runs/{run.pk}/" in history.content.decode()

    client.force_login(_user(django_user_model, "stranger", "ats.view_candidate"))
    assert client.get(f"/sync/runs/{run.pk}/", **poll).status_code == 403
    assert client.get(f"/sync/{connection.pk}/openapi:posts/history/").status_code == 403


def test_a_switched_off_apis_runs_are_for_superusers(client, connection, django_user_model):
    run = SyncRun.objects.create(connection=connection, resource="openapi:posts")
    Connection.objects.filter(pk=connection.pk).update(is_active=False)
    client.force_login(_user(django_user_model, "reader", "apis.view_api_records"))
    assert client.get(f"/sync/runs/{run.pk}/", HTTP_HX_REQUEST="true").status_code == 404


def test_a_failed_sync_shows_on_the_page_and_in_the_connections_health(
    logged_in_client, rsps, connection, monkeypatch
):
    monkeypatch.setattr("integrations.http.client.ApiClient.sleep", lambda seconds: None)
    rsps.add("GET", f"{BASE}/posts", status=500, json={"message": "database down"})
    run = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert run.status == SyncRun.Status.FAILED and "database down" in run.error
    health = connection_health(connection)
    assert any("posts" in reason for reason in health.reasons), health.reasons
    assert health.last_sync_at is None
    page = logged_in_client.get("/apis/posts-api/posts/").content.decode()
    assert 'data-testid="sync-error"' in page and "Never synced yet" in page


@pytest.mark.parametrize("wire", ["a__b", "contains", "title__icontains", "has_key"])
def test_a_filter_named_like_a_lookup_compares_that_field(logged_in_client, db, wire):
    """An item field whose name Django's lookups would read as a path or a lookup
    (`a__b`, `contains`) is compared as the field of that name, and nothing else."""
    item = {"type": "object", "properties": {"id": {"type": "integer"}, wire: {"type": "string"}}}
    ok = {"200": {"description": "ok", "content": {"application/json": {
        "schema": {"type": "array", "items": item}}}}}  # fmt: skip
    param = {"name": wire, "in": "query", "schema": {"type": "string"}}
    doc = {"openapi": "3.0.3", "info": {"title": "Odd API", "version": "1"},
           "paths": {"/things": {"get": {"parameters": [param], "responses": ok}}}}  # fmt: skip
    row = Connection.objects.create(provider="openapi", name="odd", base_url=BASE)
    OpenApiSource.objects.create(connection=row, document=json.dumps(doc))
    ResourceColumns.objects.create(connection=row, resource="things", synced=True)
    head, _, tail = wire.partition("__")
    nested = {head: {tail: "red"}} if tail else {head: ["red"]}  # what a lookup would match
    for remote_id, raw in (("1", {wire: "red"}), ("2", {wire: "blue"}), ("3", nested)):
        ApiRecord.objects.create(connection=row, resource="things", remote_id=remote_id,
                                 raw={"id": int(remote_id), **raw})  # fmt: skip
    (field,) = [p.python_name for p in api_pages(row, "things").filter_form.params]
    answer = logged_in_client.get("/apis/odd/things/", {field: "red"})
    assert answer.status_code == 200
    assert re.findall(r"<td>(\d+)</td>", answer.content.decode()) == ["1"]


def test_the_synced_list_polls_its_stamp_and_a_live_one_does_not(
    logged_in_client, rsps, connection
):
    _serve_posts(rsps, _posts(1, 2), total=2)
    sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    synced = logged_in_client.get("/apis/posts-api/posts/", {"q": "post", "page": "1"})
    html = synced.content.decode()
    since = SyncState.objects.get(connection=connection, resource="openapi:posts").last_success_at
    since_query = urlencode({"since": since.isoformat()})
    assert f'hx-get="/changes/{connection.pk}/openapi:posts/?{since_query}"' in html
    assert 'hx-trigger="every 2s, visibilitychange from:document"' in html
    live_block = html.split("data-live-list", 1)[1]
    assert 'hx-get="/apis/posts-api/posts/?q=post&amp;page=1"' in live_block.split(">", 1)[0]
    # The table and its pages refresh; the search form stays outside, as it was typed.
    assert 'data-testid="api-table"' in live_block and 'data-testid="result-count"' in live_block
    assert 'data-testid="api-filters"' not in live_block

    rsps.add("GET", f"{BASE}/comments", json=[{"id": 1}])
    live = logged_in_client.get("/apis/posts-api/comments/").content.decode()
    assert 'data-testid="api-table"' in live
    assert "data-live-list" not in live and "data-live-poll" not in live and "/changes/" not in live


# --- checkpoints: an interrupted sync goes on from the next provider page -------------


def _api(connection: Connection, parameters: list[dict], items: dict | None = None) -> None:
    """The connection's document with a `/posts` list taking `parameters` (its answer an
    array, else the object `items` describes)."""
    schema = items or {"type": "array", "items": ITEM}
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}
    doc = {"openapi": "3.0.3", "info": {"title": "Posts API", "version": "1"},
           "paths": {"/posts": {"get": {"parameters": parameters, "responses": ok}}}}  # fmt: skip
    OpenApiSource.objects.filter(connection=connection).update(document=json.dumps(doc))


def _cursor_api(connection: Connection) -> None:
    """`/posts` paged by a `cursor` parameter, its answer's `next_cursor` the next one."""
    envelope = {"type": "object", "properties": {
        "data": {"type": "array", "items": ITEM}, "next_cursor": {"type": "string"}}}  # fmt: skip
    cursor = {"name": "cursor", "in": "query", "schema": {"type": "string"}}
    _api(connection, [*_query("limit"), cursor], envelope)


def _query(*names: str) -> list[dict]:
    return [{"name": n, "in": "query", "schema": {"type": "integer"}} for n in names]


def _asked(rsps) -> list[dict[str, str]]:
    return [dict(call.request.params) for call in rsps.calls]


def _checkpoints(monkeypatch) -> list:
    """The checkpoint saved with each page, in order (the engine saves it with the rows)."""
    saved: list = []
    real = SyncRun.save

    def save(run, *args, **kwargs):
        real(run, *args, **kwargs)
        if run.pages > len(saved):
            saved.append(run.checkpoint)

    monkeypatch.setattr(SyncRun, "save", save)
    return saved


def _synced_ids(connection: Connection) -> list[int]:
    posts = ApiRecord.objects.filter(connection=connection, resource="posts", is_deleted=False)
    return sorted(int(i) for i in posts.values_list("remote_id", flat=True))


def _answer(rsps, answer: object, headers: dict | None = None, **query: str) -> None:
    """`GET /posts` with exactly the query `query` answers `answer`."""
    match = [matchers.query_param_matcher(query)]
    rsps.add("GET", f"{BASE}/posts", json=answer, headers=headers, match=match)


def _fail(rsps, **query: str) -> None:
    """`GET /posts` with exactly the query `query` fails (every retry)."""
    match = [matchers.query_param_matcher(query)]
    rsps.add("GET", f"{BASE}/posts", status=500, json={"message": "down"}, match=match)


@pytest.fixture
def no_sleep(monkeypatch):
    monkeypatch.setattr("integrations.http.client.ApiClient.sleep", lambda seconds: None)


def test_offset_paging_saves_each_pages_next_offset_and_resumes_there(
    rsps, connection, monkeypatch, no_sleep
):
    _api(connection, _query("offset", "limit"))
    pages = {0: _posts(*range(1, 101)), 100: _posts(*range(101, 201)), 200: _posts(201, 202)}
    _answer(rsps, pages[0], offset="0", limit="100")
    _fail(rsps, offset="100", limit="100")
    saved = _checkpoints(monkeypatch)
    failed = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert failed.status == SyncRun.Status.FAILED
    assert failed.checkpoint == saved[0] and saved[0]["marker"] == 100
    assert _synced_ids(connection) == list(range(1, 101))

    rsps.reset()
    for offset, items in list(pages.items())[1:]:
        _answer(rsps, items, offset=str(offset), limit="100")
    resumed = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert resumed.pk == failed.pk and resumed.status == SyncRun.Status.SUCCEEDED, resumed.error
    assert [a["offset"] for a in _asked(rsps)] == ["100", "200"]  # not the first page again
    assert _synced_ids(connection) == list(range(1, 203))
    assert [c["marker"] if c else None for c in saved] == [100, 200, None]


def test_page_number_paging_checkpoints_the_next_page_number(rsps, connection, monkeypatch):
    _serve_posts(rsps, _posts(*range(1, 101)), _posts(*range(101, 201)), _posts(201),
                 total=201)  # fmt: skip
    saved = _checkpoints(monkeypatch)
    run = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert [c["marker"] if c else None for c in saved] == [2, 3, None]
    assert run.pages == 3 and _synced_ids(connection) == list(range(1, 202))


def test_cursor_paging_resumes_from_the_saved_token(rsps, connection, monkeypatch, no_sleep):
    _cursor_api(connection)
    first = {"data": _posts(1, 2), "next_cursor": "c2"}
    _answer(rsps, first, limit="100")
    _fail(rsps, limit="100", cursor="c2")
    saved = _checkpoints(monkeypatch)
    failed = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert failed.status == SyncRun.Status.FAILED and saved[0]["marker"] == "c2"

    rsps.reset()
    for cursor, answer in (("c2", {"data": _posts(3, 4), "next_cursor": "c3"}),
                           ("c3", {"data": _posts(5), "next_cursor": ""})):  # fmt: skip
        _answer(rsps, answer, limit="100", cursor=cursor)
    resumed = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.error
    assert [a.get("cursor") for a in _asked(rsps)] == ["c2", "c3"]
    assert _synced_ids(connection) == [1, 2, 3, 4, 5]


def test_a_link_header_is_checkpointed_without_the_api_key_and_resumed(
    rsps, connection, monkeypatch, no_sleep
):
    doc = {**DOC, "components": {"securitySchemes": {"k": {
        "type": "apiKey", "in": "query", "name": "key"}}}, "security": [{"k": []}]}  # fmt: skip
    OpenApiSource.objects.filter(connection=connection).update(document=json.dumps(doc))
    connection.api_token = "s3cret"
    connection.save()
    nxt = {"Link": f'<{BASE}/posts?_page=2&_limit=100&key=s3cret>; rel="next"'}
    _answer(rsps, _posts(*range(1, 101)), nxt, _page="1", _limit="100", key="s3cret")
    _fail(rsps, _page="2", _limit="100", key="s3cret")
    saved = _checkpoints(monkeypatch)
    failed = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert failed.status == SyncRun.Status.FAILED, failed.error
    assert saved[0]["link"] == f"{BASE}/posts?_page=2&_limit=100"  # no secret in the table

    rsps.reset()
    _answer(rsps, _posts(101), _page="2", _limit="100", key="s3cret")
    resumed = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.error
    assert len(rsps.calls) == 1 and _synced_ids(connection) == list(range(1, 102))


@pytest.mark.parametrize(
    "checkpoint",
    [
        {"paging": ["offset", "offset"], "marker": 100, "fetched": 100},  # another style
        {"paging": ["page", "_page"], "marker": "two", "fetched": 100},
        {"paging": ["page", "_page"], "marker": True, "fetched": 100},
        {"paging": ["page", "_page"]},
        {"paging": ["page", "_page"], "link": "https://other.test/posts?_page=2", "fetched": 100},
        "page-2",
    ],
)
def test_an_unusable_checkpoint_starts_from_the_first_page(rsps, connection, checkpoint):
    SyncRun.objects.create(connection=connection, resource="openapi:posts",
                           status=SyncRun.Status.FAILED, checkpoint=checkpoint,
                           started_at=timezone.now())  # fmt: skip
    _serve_posts(rsps, _posts(*range(1, 101)), _posts(101), total=101)
    run = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.resumed_times == 1
    assert [a["_page"] for a in _asked(rsps)] == ["1", "2"]
    assert _synced_ids(connection) == list(range(1, 102))


def test_a_resumed_full_pass_keeps_what_it_saw_before_and_deletes_only_the_unlisted(
    rsps, connection, no_sleep
):
    for remote_id in ("5", "999"):  # from an earlier sync: 5 is listed, 999 is gone
        ApiRecord.objects.create(connection=connection, resource="posts", remote_id=remote_id)
    _serve_posts(rsps, _posts(*range(1, 101)), total=150)
    _fail(rsps, _page="2", _limit="100")
    failed = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert failed.status == SyncRun.Status.FAILED

    rsps.reset()
    total = {"X-Total-Count": "150"}
    _answer(rsps, _posts(*range(101, 151)), total, _page="2", _limit="100")
    resumed = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.error
    assert resumed.mode == SyncRun.Mode.FULL and resumed.deleted_count == 1
    assert _synced_ids(connection) == list(range(1, 151))
    assert ApiRecord.objects.get(resource="posts", remote_id="999").is_deleted


def test_a_cursor_the_api_refuses_on_resume_starts_the_pass_again(rsps, connection):
    _cursor_api(connection)
    SyncRun.objects.create(
        connection=connection, resource="openapi:posts", status=SyncRun.Status.FAILED,
        checkpoint={"paging": ["cursor", "cursor"], "marker": "expired", "fetched": 2},
        started_at=timezone.now(),
    )  # fmt: skip
    refused = [matchers.query_param_matcher({"limit": "100", "cursor": "expired"})]
    rsps.add("GET", f"{BASE}/posts", status=400, json={"message": "expired"}, match=refused)
    _answer(rsps, {"data": _posts(1, 2, 3), "next_cursor": ""}, limit="100")
    run = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert _synced_ids(connection) == [1, 2, 3]


def test_a_saved_next_link_the_api_no_longer_knows_starts_the_pass_again(rsps, connection):
    """A next link is the provider's to expire (a 404 for a cursor URL it forgot); failing
    would fail every resume alike until the resume window passed."""
    SyncRun.objects.create(
        connection=connection, resource="openapi:posts", status=SyncRun.Status.FAILED,
        checkpoint={"paging": ["page", "_page"], "link": f"{BASE}/posts?after=zz", "fetched": 100},
        started_at=timezone.now(),
    )  # fmt: skip
    gone = [matchers.query_param_matcher({"after": "zz"})]
    rsps.add("GET", f"{BASE}/posts", status=404, json={"message": "no such page"}, match=gone)
    _serve_posts(rsps, _posts(*range(1, 101)), _posts(101), total=101)
    run = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert _synced_ids(connection) == list(range(1, 102))


def test_a_long_page_is_saved_a_hundred_rows_at_a_time_and_resumed_from_its_start(
    rsps, connection, monkeypatch
):
    """An API that ignores the page size (or does not page) still shows progress and
    never holds one long transaction; a run stopped inside a page reads it again."""
    _serve_posts(rsps, _posts(*range(1, 251)), _posts(*range(251, 261)), total=260)
    saved = _checkpoints(monkeypatch)
    run = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.pages == 4 and _synced_ids(connection) == list(range(1, 261))
    # inside page 1: from page 1 again; its last rows saved: page 2 is next
    assert [c["marker"] if c else None for c in saved] == [None, None, 2, None]


def test_an_unpaged_list_is_saved_a_hundred_rows_at_a_time(rsps, connection, monkeypatch):
    _api(connection, [])
    _answer(rsps, _posts(*range(1, 251)))
    saved = _checkpoints(monkeypatch)
    run = sync_resource(connection=connection, resource=synced_resource("openapi:posts"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.pages == 3 and saved == [None, None, None]
    assert _synced_ids(connection) == list(range(1, 251))
