"""The dynamic client against the fake JSONPlaceholder over real HTTP (issue #16)."""

from __future__ import annotations

import inspect

import pytest

from integrations.http import call_log
from integrations.http.errors import NotFoundError, ProviderUnavailableError, ValidationError
from integrations.models import CallLog, Connection, OpenApiSource
from integrations.openapi import cache
from integrations.openapi.service import openapi_client


@pytest.fixture(autouse=True)
def _fresh() -> None:
    cache.forget()
    call_log.buffer.clear()


def _connect(sandbox, document: str = "openapi.json", name: str = "jsonplaceholder"):
    base = sandbox.url_for("jsonplaceholder")
    connection = Connection.objects.create(provider="openapi", name=name, base_url=base)
    OpenApiSource.objects.create(connection=connection, document_url=f"{base}/{document}")
    return connection


@pytest.fixture
def client(db, sandbox_clean):
    _connect(sandbox_clean)
    return openapi_client("jsonplaceholder")


def _requests_sent() -> list[tuple[str, str]]:
    call_log.flush()
    return list(CallLog.objects.order_by("id").values_list("method", "path"))


def test_list_with_filters(client):
    posts = client.posts.list(user_id=2)
    assert [p.id for p in posts] == list(range(11, 21))
    assert {p.user_id for p in posts} == {2}
    todos = client.todos.list(user_id=1, completed=True)
    assert todos and all(t.completed for t in todos)


def test_paging_with_iterator_is_lazy_and_follows_the_links(client):
    calls_before = len(_requests_sent())  # the document fetch went through requests, not here
    photos = client.photos.list(album_id=[1, 2], limit=30, iterator=True)
    assert len(_requests_sent()) == calls_before  # nothing sent yet
    first = next(photos)
    assert first.id == 1
    rest = list(photos)
    assert [p.id for p in [first, *rest]] == list(range(1, 101))
    sent = _requests_sent()[calls_before:]
    assert len(sent) == 4  # 100 photos by 30: pages 1-4, each next page from the Link header
    assert "_page=4" in sent[-1][1]


def test_get_nested_list_and_answers(client):
    post = client.posts.get(7)
    assert (post.id, post.user_id) == (7, 1)
    assert post.json()["userId"] == 1
    comments = client.posts.list_comments(7)
    assert [c.post_id for c in comments] == [7] * 5
    user = client.users.get(1)
    assert user.address.geo.lat == user.json()["address"]["geo"]["lat"]
    page = client.posts.list(page=2, limit=5)
    assert page.headers["X-Total-Count"] == "100"


def test_create_answers_the_next_id_and_nothing_is_stored(client):
    created = client.posts.post(1, "A title", "A body")
    assert (created.id, created.title, created.user_id) == (101, "A title", 1)
    assert created.status == 201
    with pytest.raises(NotFoundError):
        client.posts.get(101)
    assert len(client.posts.list()) == 100


def test_a_body_the_schema_refuses_is_not_sent(client):
    before = len(_requests_sent())
    with pytest.raises(ValidationError) as caught:
        client.comments.post(1, "name", "not an email", "body")
    assert caught.value.field_errors == {"email": ["'not an email' is not a 'email'"]}
    with pytest.raises(ValidationError) as caught:
        client.posts.post(1, "", "body")
    assert list(caught.value.field_errors) == ["title"]
    assert len(_requests_sent()) == before


def test_errors(client, sandbox_clean):
    with pytest.raises(NotFoundError, match=r"JSONPlaceholder API 404 \(GET /jsonplaceholder/"):
        client.posts.get(999)
    with pytest.raises(ProviderUnavailableError) as caught:
        client.posts.put(999, 1, "t", "b")  # the fake's 500 for an unknown id
    assert caught.value.status == 500
    with pytest.raises(TypeError, match="unexpected keyword argument 'author'"):
        client.posts.list(author="x")


def test_a_transient_error_on_a_read_is_retried(client, sandbox_clean, monkeypatch):
    from integrations.http.client import ApiClient

    monkeypatch.setattr(ApiClient, "sleep", lambda seconds: None)
    sandbox_clean.set_faults("jsonplaceholder", error_rate=1, error_statuses=[503], max_faults=1)
    assert client.posts.get(3).id == 3


def test_help_shows_parameters_types_and_endpoint(client):
    doc = client.posts.list.__doc__
    assert "API URL: GET /posts" in doc
    assert "user_id : integer, optional (query 'userId')" in doc
    signature = inspect.signature(client.posts.get)
    assert str(signature) == "(id: int)"
    assert "limit: int | None = None" in str(inspect.signature(client.posts.list))


def test_the_fallback_document_names_the_same_and_fills_post_id(db, sandbox_clean):
    connection = _connect(sandbox_clean, "openapi-fallbacks.json", name="fallbacks")
    client = openapi_client(connection)
    assert str(inspect.signature(client.posts.get)) == "(post_id: int)"
    assert client.posts.get(post_id=4).id == 4  # `{postId}` on the wire
    assert [c.post_id for c in client.posts.list_comments(4)] == [4] * 5
    assert "API URL: GET /posts/{postId}" in client.posts.get.__doc__
