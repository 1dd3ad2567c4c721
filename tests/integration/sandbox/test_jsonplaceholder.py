"""The fake JSONPlaceholder's contract (facts sheet §C), over real HTTP."""

from __future__ import annotations

import pytest
import requests

from .conftest import TIMEOUT


@pytest.fixture
def jp(sbx):
    base = sbx.url_for("jsonplaceholder")

    def get(path: str, **params):
        return requests.get(f"{base}{path}", params=params, timeout=TIMEOUT)

    get.base = base
    return get


@pytest.mark.parametrize(
    ("resource", "count", "fields"),
    [
        ("posts", 100, ["userId", "id", "title", "body"]),
        ("comments", 500, ["postId", "id", "name", "email", "body"]),
        ("albums", 100, ["userId", "id", "title"]),
        ("photos", 5000, ["albumId", "id", "title", "url", "thumbnailUrl"]),
        ("todos", 200, ["userId", "id", "title", "completed"]),
        ("users", 10, ["id", "name", "username", "email", "address", "phone", "website",
                       "company"]),
    ],
)  # fmt: skip
def test_six_resources_with_their_counts_ids_and_fields(jp, resource, count, fields):
    response = jp(f"/{resource}")
    rows = response.json()
    assert response.status_code == 200
    assert len(rows) == count
    assert [row["id"] for row in rows] == list(range(1, count + 1))
    assert all(list(row) == fields for row in rows)
    assert "X-Total-Count" not in response.headers  # only with _page, _limit or _end
    assert response.headers["Cache-Control"] == "no-cache"


def test_users_nest_address_geo_and_company_as_strings(jp):
    user = jp("/users/1").json()
    assert list(user["address"]) == ["street", "suite", "city", "zipcode", "geo"]
    assert all(isinstance(v, str) for v in user["address"]["geo"].values())
    assert list(user["company"]) == ["name", "catchPhrase", "bs"]


def test_data_is_deterministic_with_the_real_relations(jp):
    assert jp("/posts/42").json() == jp("/posts/42").json()
    assert jp("/users/1").json()["name"] == "Leanne Graham"
    assert {p["userId"] for p in jp("/posts", userId=3).json()} == {3}
    assert len(jp("/posts", userId=3).json()) == 10
    assert len(jp("/albums/2/photos").json()) == 50
    assert isinstance(jp("/todos/1").json()["completed"], bool)


def test_nested_routes_filter_by_the_parent(jp):
    comments = jp("/posts/1/comments").json()
    assert [c["postId"] for c in comments] == [1] * 5
    assert jp("/posts/1/comments").json() == jp("/comments", postId=1).json()
    for path, count in (("/users/1/albums", 10), ("/users/1/todos", 20), ("/users/1/posts", 10)):
        assert len(jp(path).json()) == count


def test_page_and_limit_with_link_and_total(jp):
    response = jp("/posts", _page=2, _limit=20)
    assert [p["id"] for p in response.json()] == list(range(21, 41))
    assert response.headers["X-Total-Count"] == "100"
    base = jp.base
    assert response.headers["Link"] == (
        f'<{base}/posts?_page=1&_limit=20>; rel="first", '
        f'<{base}/posts?_page=1&_limit=20>; rel="prev", '
        f'<{base}/posts?_page=3&_limit=20>; rel="next", '
        f'<{base}/posts?_page=5&_limit=20>; rel="last"'
    )
    last = jp("/posts", _page=5, _limit=20)
    assert 'rel="next"' not in last.headers["Link"]
    assert len(jp("/posts", _page=1).json()) == 10  # _limit defaults to 10
    beyond = jp("/posts", _page=11)
    assert beyond.json() == [] and "Link" not in beyond.headers


def test_filters_operators_search_sort_and_slices(jp):
    assert [p["id"] for p in jp("/posts", id=[1, 3]).json()] == [1, 3]
    assert [t["id"] for t in jp("/todos", id_gte=198).json()] == [198, 199, 200]
    assert len(jp("/posts", userId_ne=1).json()) == 90
    assert len(jp("/users", **{"address.city": "Gwenborough"}).json()) == 1
    assert all("leanne" in u["email"] for u in jp("/users", email_like="^leanne").json())
    assert jp("/users", q="Leanne").json()[0]["id"] == 1
    assert [p["id"] for p in jp("/posts", _sort="id", _order="desc", _limit=3).json()] == [
        100,
        99,
        98,
    ]
    sliced = jp("/posts", _start=5, _end=8)
    assert [p["id"] for p in sliced.json()] == [6, 7, 8]
    assert sliced.headers["X-Total-Count"] == "100"
    assert jp("/posts", nothing="x").json() == []


def test_embed_and_expand(jp):
    post = jp("/posts/1", _embed="comments").json()
    assert len(post["comments"]) == 5
    comment = jp("/comments/1", _expand="post").json()
    assert comment["post"]["id"] == 1


def test_writes_are_answered_never_stored(sbx, jp):
    base = jp.base
    created = requests.post(f"{base}/posts", json={"title": "t", "body": "b", "userId": 1},
                            timeout=TIMEOUT)  # fmt: skip
    assert created.status_code == 201
    assert created.json() == {"title": "t", "body": "b", "userId": 1, "id": 101}
    assert created.headers["Location"] == f"{base}/posts/101"
    assert jp("/posts/101").status_code == 404
    assert len(jp("/posts").json()) == 100
    assert requests.post(f"{base}/users", json={}, timeout=TIMEOUT).json() == {"id": 11}
    patched = requests.patch(f"{base}/posts/1", json={"title": "new"}, timeout=TIMEOUT)
    assert patched.json() == {**jp("/posts/1").json(), "title": "new"}
    assert jp("/posts/1").json()["title"] != "new"
    put = requests.put(f"{base}/posts/1", json={"title": "only"}, timeout=TIMEOUT)
    assert (put.status_code, put.json()) == (200, {"title": "only", "id": 1})
    assert requests.put(f"{base}/posts/999", json={}, timeout=TIMEOUT).status_code == 500
    gone = requests.delete(f"{base}/posts/999", timeout=TIMEOUT)
    assert (gone.status_code, gone.json()) == (200, {})
    nested = requests.post(f"{base}/posts/3/comments", json={"name": "n"}, timeout=TIMEOUT)
    assert nested.json() == {"name": "n", "postId": 3, "id": 501}


def test_unknown_ids_and_paths_are_404_with_an_empty_object(jp):
    for path in ("/posts/0", "/posts/101", "/posts/abc", "/nothing", "/nothing/1"):
        response = jp(path)
        assert (response.status_code, response.json()) == (404, {}), path


def test_serves_its_openapi_documents(jp):
    for name in ("openapi.json", "openapi-fallbacks.json"):
        document = jp(f"/{name}").json()
        assert document["openapi"] == "3.0.3"
        assert "/posts/{id}" in document["paths"] or "/posts/{postId}" in document["paths"]
