"""A synced resource's list sorts by each of its columns, both ways, from its headings:
by the record's own JSON value (numbers as numbers, text as text), records without the
value last either way, the primary key breaking ties. A live list cannot be sorted here.
Run on SQLite and PostgreSQL (`DATABASE_URL=…`): each compares JSON its own way."""

from __future__ import annotations

import json
import re

import pytest

from apis.models import ApiRecord, ResourceColumns
from integrations.models import Connection, OpenApiSource

BASE = "https://api.example.test/v1"
ITEM = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "score": {"type": "number"},
    "kind": {"type": "string"}}}  # fmt: skip
OK = {"200": {"description": "ok", "content": {"application/json": {
    "schema": {"type": "array", "items": ITEM}}}}}  # fmt: skip
KIND = {"name": "kind", "in": "query", "schema": {"type": "string"}}
DOC = {"openapi": "3.0.3", "info": {"title": "Scores API", "version": "1"},
       "paths": {"/scores": {"get": {"parameters": [KIND], "responses": OK}},
                 "/notes": {"get": {"parameters": [KIND], "responses": OK}}}}  # fmt: skip
# remote id -> its JSON. As text "100" < "9"; as numbers 9 < 10 < 100. Record 5 has no
# score and 4 a null one; 2 and 6 tie on the score, 3 and 6 on the title.
RECORDS = {
    1: {"title": "banana", "score": 10, "kind": "fruit"},
    2: {"title": "apple", "score": 9, "kind": "fruit"},
    3: {"title": "cherry", "score": 100, "kind": "fruit"},
    4: {"title": "date", "score": None, "kind": "fruit"},
    5: {"title": "elder", "kind": "tree"},
    6: {"title": "cherry", "score": 9, "kind": "fruit"},
}
URL = "/apis/scores-api/scores/"


@pytest.fixture
def connection(db) -> Connection:
    row = Connection.objects.create(provider="openapi", name="scores-api", base_url=BASE)
    OpenApiSource.objects.create(connection=row, document=json.dumps(DOC))
    ResourceColumns.objects.create(connection=row, resource="scores", synced=True)
    # Saved out of id order, so the primary key's order is not the ids'.
    for remote_id in (3, 1, 6, 2, 5, 4):
        raw = {"id": remote_id, **RECORDS[remote_id]}
        ApiRecord.objects.create(connection=row, resource="scores", remote_id=str(remote_id),
                                 raw=raw, search_text=json.dumps(raw).lower())  # fmt: skip
    return row


def _shown(html: str) -> list[int]:
    """The ids of the rows shown, in order (the first cell of each row)."""
    return [int(i) for i in re.findall(r"<tr>\s*<td>(?:<a [^>]*>)?(\d+)<", html)]


def _headings(html: str) -> dict[str, tuple[str, str]]:
    """column key -> (its aria-sort, the query its link sorts by)."""
    found = re.findall(
        r'<th scope="col" aria-sort="(\w+)"[^>]*><a [^>]*href="\?([^"]*)" data-sort="(\w+)"', html
    )
    return {key: (aria, href.replace("&amp;", "&")) for aria, href, key in found}


SAVED_ORDER = [3, 1, 6, 2, 5, 4]  # the primary keys' order


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("score", [6, 2, 1, 3, 5, 4]),  # numbers as numbers, ties by key, no value last
        ("-score", [3, 1, 2, 6, 4, 5]),  # the other way, ties too; no value still last
        ("title", [2, 1, 3, 6, 4, 5]),
        ("-title", [5, 4, 6, 3, 1, 2]),
    ],
)
def test_a_heading_sorts_by_the_records_value_both_ways(
    logged_in_client, connection, sort, expected
):
    html = logged_in_client.get(URL, {"sort": sort}).content.decode()
    assert _shown(html) == expected
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    headings = _headings(html)
    assert headings[key][0] == ("descending" if descending else "ascending")
    # A click on the sorted heading sorts the other way; the others start ascending.
    assert headings[key][1] == f"sort={'' if descending else '-'}{key}"
    assert headings["id"] == ("none", "sort=id")


def test_the_default_order_is_the_saved_order_and_an_unknown_sort_is_the_default(
    logged_in_client, connection
):
    default = logged_in_client.get(URL).content.decode()
    assert _shown(default) == SAVED_ORDER
    assert set(_headings(default)) == {"id", "title", "score", "kind"}
    assert {aria for aria, _ in _headings(default).values()} == {"none"}
    for odd in ["raw", "-", "--title", "title;drop", "pk", "x" * 500, "-raw", "search_text"]:
        answer = logged_in_client.get(URL, {"sort": odd})
        assert answer.status_code == 200
        html = answer.content.decode()
        assert _shown(html) == SAVED_ORDER, odd
        assert 'name="sort"' not in html, odd  # "Apply" asks for the default again


def test_the_headings_keep_the_search_and_filters_and_start_at_page_one(
    logged_in_client, connection
):
    query = {"q": "fruit", "kind": "fruit", "sort": "-score", "page": "1"}
    html = logged_in_client.get(URL, query).content.decode()
    assert _shown(html) == [3, 1, 2, 6, 4]  # record 5 is a tree
    headings = _headings(html)
    assert headings["score"][1] == "q=fruit&kind=fruit&sort=score"
    assert headings["title"][1] == "q=fruit&kind=fruit&sort=title"
    # Applying the filter form again keeps the sort.
    assert '<input type="hidden" name="sort" value="-score">' in html


def test_the_pages_keep_the_sort(logged_in_client, connection):
    for n in range(7, 40):
        ApiRecord.objects.create(connection=connection, resource="scores", remote_id=str(n),
                                 raw={"id": n, "title": f"t{n}", "score": n})  # fmt: skip
    html = logged_in_client.get(URL, {"sort": "-score"}).content.decode()
    assert _shown(html)[:2] == [3, 39]
    assert "?sort=-score&amp;page=2" in html
    second = logged_in_client.get(URL, {"sort": "-score", "page": "2"}).content.decode()
    assert _shown(second)[0] == 15


def test_a_live_list_has_plain_headings_and_ignores_a_sort(logged_in_client, connection, rsps):
    """Its pages are the API's, one at a time: the hub cannot order them."""
    items = [{"id": 2, "title": "b"}, {"id": 1, "title": "a"}]
    rsps.add("GET", f"{BASE}/notes", json=items)
    answer = logged_in_client.get("/apis/scores-api/notes/", {"sort": "-title", "kind": "x"})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert re.findall(r"<td>(?:<a [^>]*>)?(\d+)<", html) == ["2", "1"]
    assert "aria-sort" not in html and "data-sort" not in html
    assert rsps.calls[0].request.params == {"kind": "x"}  # the sort is not sent on


def test_a_field_with_a_long_odd_name_sorts_from_its_heading(logged_in_client, db):
    """The heading's link carries the name encoded, and the form takes it back whole."""
    odd = "the total & the rest of it, as this API names it (in euros)"
    item = {"type": "object", "properties": {"id": {"type": "integer"}, odd: {"type": "number"}}}
    ok = {"200": {"description": "ok", "content": {"application/json": {
        "schema": {"type": "array", "items": item}}}}}  # fmt: skip
    doc = {"openapi": "3.0.3", "info": {"title": "Odd API", "version": "1"},
           "paths": {"/things": {"get": {"responses": ok}}}}  # fmt: skip
    row = Connection.objects.create(provider="openapi", name="odd", base_url=BASE)
    OpenApiSource.objects.create(connection=row, document=json.dumps(doc))
    ResourceColumns.objects.create(connection=row, resource="things", synced=True)
    for remote_id, total in ((1, 30), (2, 10), (3, 20)):
        ApiRecord.objects.create(connection=row, resource="things", remote_id=str(remote_id),
                                 raw={"id": remote_id, odd: total})  # fmt: skip
    html = logged_in_client.get("/apis/odd/things/").content.decode()
    (href,) = re.findall(r'href="(\?sort=[^"]*)" data-sort="the total', html)
    sorted_html = logged_in_client.get(f"/apis/odd/things/{href.replace('&amp;', '&')}")
    assert _shown(sorted_html.content.decode()) == [2, 3, 1]
