"""Pagination: each style, empty last pages, short pages, repeated tokens."""

from __future__ import annotations

import pytest
from responses import matchers

from integrations.http.errors import InvalidResponseError
from integrations.http.pagination import NextUrlPages

from .conftest import fixture

BASE = "https://api.example.test"


def _page(rsps, path: str, params: dict, body: object) -> None:
    rsps.add(
        "GET",
        f"{BASE}{path}",
        json=body,
        match=[matchers.query_param_matcher({k: str(v) for k, v in params.items()})],
    )


def _ids(pages) -> list[list[int]]:
    return [[item["id"] for item in page.items] for page in pages]


def test_offset_stops_on_a_short_page(rsps, make_client):
    _page(
        rsps,
        "/offers",
        {"limit": 2, "offset": 0, "scope": "active"},
        {"offers": [{"id": 1}, {"id": 2}]},
    )
    _page(rsps, "/offers", {"limit": 2, "offset": 2, "scope": "active"}, {"offers": [{"id": 3}]})
    client = make_client("recruitee", BASE)
    pages = client.paginate("/offers", items_key="offers", params={"scope": "active"}, page_size=2)
    assert _ids(pages) == [[1, 2], [3]]
    assert len(rsps.calls) == 2


def test_offset_empty_last_page_yields_nothing_more(rsps, make_client):
    _page(rsps, "/offers", {"limit": 2, "offset": 0}, {"offers": [{"id": 1}, {"id": 2}]})
    _page(rsps, "/offers", {"limit": 2, "offset": 2}, {"offers": []})
    pages = list(
        make_client("recruitee", BASE).paginate("/offers", items_key="offers", page_size=2)
    )
    assert _ids(pages) == [[1, 2]]


def test_offset_refuses_a_provider_that_ignores_the_offset(rsps, make_client):
    rsps.add("GET", f"{BASE}/offers", json={"offers": [{"id": 1}, {"id": 2}]})
    pages = make_client("recruitee", BASE).paginate("/offers", items_key="offers", page_size=2)
    with pytest.raises(InvalidResponseError, match="same page twice"):
        list(pages)


def test_pages_are_fetched_lazily(rsps, make_client):
    _page(rsps, "/offers", {"limit": 1, "offset": 0}, {"offers": [{"id": 1}]})
    pages = make_client("recruitee", BASE).paginate("/offers", items_key="offers", page_size=1)
    assert len(rsps.calls) == 0
    assert next(iter(pages)).items == [{"id": 1}]
    assert len(rsps.calls) == 1


def test_page_number_uses_total_pages(rsps, make_client):
    first = fixture("projecttool", "projects_page.json")
    second = {"data": [{"id": 2}], "meta": {"currentPage": 2, "totalPages": 2}}
    _page(rsps, "/projects", {"page": 1, "limit": 1}, first)
    _page(rsps, "/projects", {"page": 2, "limit": 1}, second)
    pages = list(make_client().paginate("/projects", items_key="data", page_size=1))
    assert _ids(pages) == [[1], [2]]
    assert [p.number for p in pages] == [1, 2]


def test_page_number_refuses_the_same_page_twice(rsps, make_client):
    stuck = {"data": [{"id": 1}], "meta": {"currentPage": 1, "totalPages": 3}}
    _page(rsps, "/projects", {"page": 1, "limit": 1}, stuck)
    _page(rsps, "/projects", {"page": 2, "limit": 1}, stuck)
    with pytest.raises(InvalidResponseError, match="asked for page 2, got 1"):
        list(make_client().paginate("/projects", items_key="data", page_size=1))


def test_page_number_empty_page_ends(rsps, make_client):
    _page(rsps, "/projects", {"page": 1, "limit": 5}, {"data": [], "meta": {"totalPages": 0}})
    assert list(make_client().paginate("/projects", items_key="data", page_size=5)) == []


def test_page_token_sends_identical_params(rsps, make_client):
    params = {"term": "acme", "page_size": 1}
    _page(rsps, "/organizations", params, fixture("affinity", "organizations_page1.json"))
    _page(
        rsps,
        "/organizations",
        {**params, "page_token": "eyJwYWdlIjoyfQ"},
        fixture("affinity", "organizations_page2.json"),
    )
    client = make_client("affinity", BASE)
    pages = client.paginate(
        "/organizations", items_key="organizations", params={"term": "acme"}, page_size=1
    )
    assert _ids(pages) == [[1], [2]]


def test_page_token_repeated_raises(rsps, make_client):
    rsps.add(
        "GET",
        f"{BASE}/organizations",
        json={"organizations": [{"id": 1}], "next_page_token": "same"},
    )
    pages = make_client("affinity", BASE).paginate("/organizations", items_key="organizations")
    with pytest.raises(InvalidResponseError, match="same page token twice"):
        list(pages)
    assert len(rsps.calls) == 2


def test_page_token_empty_last_page(rsps, make_client):
    _page(rsps, "/persons", {"page_size": 1}, {"persons": [{"id": 1}], "next_page_token": "t2"})
    _page(
        rsps,
        "/persons",
        {"page_size": 1, "page_token": "t2"},
        {"persons": [], "next_page_token": None},
    )
    pages = make_client("affinity", BASE).paginate("/persons", items_key="persons", page_size=1)
    assert _ids(pages) == [[1]]


def test_asana_next_page_offset(rsps, make_client):
    first = fixture("asana", "projects_page1.json")
    token = first["next_page"]["offset"]
    _page(rsps, "/projects", {"workspace": "1", "limit": 1}, first)
    _page(
        rsps,
        "/projects",
        {"workspace": "1", "limit": 1, "offset": token},
        fixture("asana", "projects_page2.json"),
    )
    pages = make_client("asana", BASE).paginate(
        "/projects", items_key="data", params={"workspace": "1"}, page_size=1
    )
    assert [[p["gid"] for p in page.items] for page in pages] == [["12345"], ["67890"]]


def test_asana_repeated_offset_raises(rsps, make_client):
    rsps.add("GET", f"{BASE}/projects", json={"data": [{"gid": "1"}], "next_page": {"offset": "x"}})
    with pytest.raises(InvalidResponseError, match="offset token"):
        list(make_client("asana", BASE).paginate("/projects", items_key="data"))


def test_next_url_is_followed_and_must_stay_on_the_base(rsps, make_client):
    next_url = f"{BASE}/v2/companies?cursor=abc"
    _page(
        rsps,
        "/v2/companies",
        {"limit": 100},
        {"data": [{"id": 1}], "pagination": {"nextUrl": next_url}},
    )
    _page(
        rsps,
        "/v2/companies",
        {"cursor": "abc"},
        {"data": [{"id": 2}], "pagination": {"nextUrl": None}},
    )
    client = make_client("affinity", BASE)
    assert _ids(NextUrlPages(client, "/v2/companies", items_key="data")) == [[1], [2]]
    rsps.reset()
    evil = {"data": [{"id": 1}], "pagination": {"nextUrl": "https://evil.test/v2/companies"}}
    _page(rsps, "/v2/companies", {"limit": 100}, evil)
    with pytest.raises(InvalidResponseError, match="outside"):
        list(client.paginate("/v2/companies", items_key="data", style="next_url"))


def test_next_url_repeated_raises(rsps, make_client):
    loop = {"data": [{"id": 1}], "pagination": {"nextUrl": f"{BASE}/v2/persons?cursor=c"}}
    rsps.add("GET", f"{BASE}/v2/persons", json=loop)
    with pytest.raises(InvalidResponseError, match="same next URL twice"):
        list(
            make_client("affinity", BASE).paginate(
                "/v2/persons", items_key="data", style="next_url"
            )
        )


def test_each_page_is_retried_on_its_own(rsps, make_client, sleeps):
    _page(rsps, "/offers", {"limit": 1, "offset": 0}, {"offers": [{"id": 1}]})
    rsps.add(
        "GET",
        f"{BASE}/offers",
        status=503,
        match=[matchers.query_param_matcher({"limit": "1", "offset": "1"})],
    )
    _page(rsps, "/offers", {"limit": 1, "offset": 1}, {"offers": []})
    pages = make_client("recruitee", BASE).paginate("/offers", items_key="offers", page_size=1)
    assert _ids(pages) == [[1]]
    assert len(sleeps) == 1


def test_a_page_without_a_list_is_refused(rsps, make_client):
    rsps.add("GET", f"{BASE}/offers", json={"offers": "nope"})
    with pytest.raises(InvalidResponseError, match="expected a list"):
        list(make_client("recruitee", BASE).paginate("/offers", items_key="offers"))


def test_read_ahead_gives_the_same_pages_in_order(rsps, make_client):
    for offset, ids in ((0, [1, 2]), (2, [3, 4]), (4, [5])):
        _page(rsps, "/offers", {"limit": 2, "offset": offset}, {"offers": [{"id": i} for i in ids]})
    client = make_client("recruitee", BASE)
    pages = client.paginate("/offers", items_key="offers", page_size=2, read_ahead=True)
    assert _ids(pages) == [[1, 2], [3, 4], [5]]
    assert len(rsps.calls) == 3


def test_read_ahead_raises_a_page_error_where_it_happened(rsps, make_client):
    _page(rsps, "/offers", {"limit": 2, "offset": 0}, {"offers": [{"id": 1}, {"id": 2}]})
    _page(rsps, "/offers", {"limit": 2, "offset": 2}, {"no offers": []})
    client = make_client("recruitee", BASE)
    pages = client.paginate("/offers", items_key="offers", page_size=2, read_ahead=True)
    assert [item["id"] for item in next(pages).items] == [1, 2]
    with pytest.raises(InvalidResponseError):
        next(pages)
