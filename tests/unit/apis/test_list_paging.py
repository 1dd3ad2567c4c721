"""The generated list pages forward and back for every paging style the document or the
answers use (apis/paging.py; the API mocked with `responses`: an unmocked URL fails)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.core import signing
from django.test import Client
from responses import matchers

from apis import paging
from integrations.models import Connection, OpenApiSource

BASE = "https://api.example.test/v1"
ITEM = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
ARRAY = {"type": "array", "items": ITEM}


def _doc(parameters: list[dict], schema: dict) -> dict:
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}
    return {"openapi": "3.0.3", "info": {"title": "Things", "version": "1"},
            "paths": {"/things": {"get": {"parameters": parameters, "responses": ok}}}}  # fmt: skip


def _query(name: str, kind: str = "string") -> dict:
    return {"name": name, "in": "query", "schema": {"type": kind}}


CURSOR_DOC = _doc(
    [_query("cursor"), _query("limit", "integer"), _query("team")],
    {"type": "object", "properties": {"data": ARRAY, "meta": {"type": "object", "properties": {
        "next_cursor": {"type": "string"}}}}},
)  # fmt: skip
LINK_DOC = _doc([_query("team")], ARRAY)  # no paging parameters: the answers' `Link` lead


def _connect(doc: dict) -> Connection:
    row = Connection.objects.create(provider="openapi", name="things", base_url=BASE)
    OpenApiSource.objects.create(connection=row, document=json.dumps(doc))
    return row


def _things(*ids: int) -> list[dict]:
    return [{"id": i, "name": f"thing {i}"} for i in ids]


def _links(page: str) -> dict[str, str]:
    """rel -> the link's query string (unescaped), and the page label."""
    found = {rel: unescape(href[1:]) for href, rel in re.findall(
        r'<a class="page-link" href="([^"]*)" rel="(prev|next)"', page)}  # fmt: skip
    found["label"] = re.search(r"Page [\d,]+( of [\d,]+)?", page).group(0)
    return found


LIST = "/apis/things/things/"


def _no_detail_links(page: str) -> list[int]:
    """The ids in the table (these lists have no detail page to link to)."""
    return [int(i) for i in re.findall(r"<td>thing (\d+)</td>", page)]


@pytest.mark.django_db
def test_cursor_tokens_page_forward_and_back_keeping_the_filters(logged_in_client, rsps):
    _connect(CURSOR_DOC)
    for cursor, ids, following in ((None, (1, 2), "c2"), ("c2", (3, 4), "c3"), ("c3", (5,), None)):
        query = {"limit": "25", "team": "red", **({"cursor": cursor} if cursor else {})}
        rsps.add("GET", f"{BASE}/things", match=[matchers.query_param_matcher(query)],
                 json={"data": _things(*ids), "meta": {"next_cursor": following}})  # fmt: skip
    first = logged_in_client.get(LIST, {"team": "red"}).content.decode()
    assert "thing 1" in first and _links(first)["label"] == "Page 1"
    assert "prev" not in _links(first)
    second = logged_in_client.get(f"{LIST}?{_links(first)['next']}").content.decode()
    assert "thing 3" in second and "thing 1" not in second
    assert _links(second)["label"] == "Page 2"
    assert 'value="red"' in second  # the filter stays in the form and the links
    third = logged_in_client.get(f"{LIST}?{_links(second)['next']}").content.decode()
    assert "thing 5" in third and "next" not in _links(third)
    assert _links(third)["label"] == "Page 3"
    back = logged_in_client.get(f"{LIST}?{_links(third)['prev']}").content.decode()
    assert "thing 3" in back and _links(back)["label"] == "Page 2"
    again = logged_in_client.get(f"{LIST}?{_links(back)['prev']}").content.decode()
    assert "thing 1" in again and _links(again)["label"] == "Page 1"


@pytest.mark.django_db
def test_link_headers_page_forward_and_back(logged_in_client, rsps):
    _connect(LINK_DOC)
    second_url = f"{BASE}/things?team=red&page=2"
    rsps.add("GET", f"{BASE}/things", match=[matchers.query_param_matcher({"team": "red"})],
             json=_things(1, 2), headers={"Link": f'<{second_url}>; rel="next"'})  # fmt: skip
    rsps.add("GET", f"{BASE}/things", match=[matchers.query_param_matcher(
        {"team": "red", "page": "2"})], json=_things(3))  # fmt: skip
    first = logged_in_client.get(LIST, {"team": "red"}).content.decode()
    assert _no_detail_links(first) == [1, 2] and _links(first)["label"] == "Page 1"
    second = logged_in_client.get(f"{LIST}?{_links(first)['next']}").content.decode()
    assert _no_detail_links(second) == [3] and "next" not in _links(second)
    assert rsps.calls[-1].request.url == second_url  # the API's own URL, followed
    back = logged_in_client.get(f"{LIST}?{_links(second)['prev']}").content.decode()
    assert _no_detail_links(back) == [1, 2]


@pytest.mark.django_db
def test_a_marker_typed_into_the_address_is_not_followed(logged_in_client, rsps):
    _connect(LINK_DOC)
    rsps.add("GET", f"{BASE}/things", match=[matchers.query_param_matcher({})], json=_things(1))
    session = logged_in_client.session  # a step of another list: not this one's to follow
    evil = {"list": "999:things", "link": "https://evil.test/", "previous": "", "number": 2}
    session[paging.TRAIL] = {"f0f0f0f0f0f0f0f0": evil}
    session.save()
    page = logged_in_client.get(LIST, {"at": "f0f0f0f0f0f0f0f0"}).content.decode()
    assert "not one this list gave" in page and _no_detail_links(page) == [1]
    assert len(rsps.calls) == 1 and rsps.calls[0].request.url == f"{BASE}/things"


@pytest.mark.django_db
def test_a_list_without_paging_is_paged_here(logged_in_client, rsps):
    _connect(LINK_DOC)
    rsps.add("GET", f"{BASE}/things", json=_things(*range(1, 31)))  # 30 in one answer
    first = logged_in_client.get(LIST).content.decode()
    assert _links(first)["label"] == "Page 1 of 2" and _links(first)["next"] == "page=2"
    second = logged_in_client.get(f"{LIST}?page=2").content.decode()
    assert _no_detail_links(second) == list(range(26, 31)) and _links(second)["prev"] == "page=1"


@pytest.mark.django_db
def test_offsets_page_forward_and_back_by_page_number(logged_in_client, rsps):
    _connect(_doc([_query("offset", "integer"), _query("limit", "integer")], ARRAY))
    for offset, ids in ((0, range(1, 26)), (25, range(26, 31))):
        query = matchers.query_param_matcher({"offset": str(offset), "limit": "25"})
        rsps.add("GET", f"{BASE}/things", json=_things(*ids), match=[query])
    first = logged_in_client.get(LIST).content.decode()
    assert _links(first)["next"] == "page=2" and "prev" not in _links(first)
    second = logged_in_client.get(f"{LIST}?page=2").content.decode()
    assert _no_detail_links(second) == list(range(26, 31)) and "next" not in _links(second)
    assert _links(second)["prev"] == "page=1"


@pytest.mark.django_db
def test_an_api_key_a_link_echoes_stays_out_of_the_page(logged_in_client, rsps):
    key = "key-SECRET-0123456789"
    doc = {**LINK_DOC, "components": {"securitySchemes": {"k": {
        "type": "apiKey", "in": "query", "name": "api_key"}}}, "security": [{"k": []}]}  # fmt: skip
    row = _connect(doc)
    Connection.objects.filter(pk=row.pk).update(api_token=key)
    echoed = f'<{BASE}/things?api_key={key}&page=2>; rel="next"'
    rsps.add("GET", f"{BASE}/things", match=[matchers.query_param_matcher({"api_key": key})],
             json=_things(1), headers={"Link": echoed})  # fmt: skip
    rsps.add("GET", f"{BASE}/things", json=_things(2),
             match=[matchers.query_param_matcher({"api_key": key, "page": "2"})])  # fmt: skip
    first = logged_in_client.get(LIST).content.decode()
    marker = _links(first)["next"]
    assert key not in first and key not in json.dumps(logged_in_client.session[paging.TRAIL])
    second = logged_in_client.get(f"{LIST}?{marker}").content.decode()
    assert _no_detail_links(second) == [2] and key not in second


@pytest.mark.django_db
def test_an_api_that_does_not_answer_is_a_message_not_an_error_page(
    logged_in_client, rsps, monkeypatch
):
    monkeypatch.setattr("integrations.http.client.ApiClient.sleep", lambda seconds: None)
    _connect(CURSOR_DOC)
    rsps.add("GET", f"{BASE}/things", status=503, body="down")
    answer = logged_in_client.get(LIST)
    assert answer.status_code == 200
    assert "Things did not answer the list; try again shortly." in answer.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("doc", [LINK_DOC, CURSOR_DOC], ids=["link", "cursor"])
def test_a_list_answer_that_is_no_list_says_so_and_is_no_server_error(logged_in_client, rsps, doc):
    _connect(doc)
    rsps.add("GET", f"{BASE}/things", json="maintenance")  # untrusted: a bare JSON string
    page = logged_in_client.get(LIST)
    assert page.status_code == 200
    assert "did not answer the list" in page.content.decode()


def _opaque(n: int) -> str:
    """A cursor token as real APIs give them: long and incompressible."""
    return signing.Signer(salt="test").sign(f"{n}:" + "x" * 40).encode().hex() + f"{n:04d}"


@pytest.mark.django_db
def test_thirty_cursor_pages_deep_keep_short_addresses_and_previous_goes_back(
    logged_in_client, rsps
):
    _connect(CURSOR_DOC)
    for n in range(1, 31):
        query = {"limit": "25", **({"cursor": _opaque(n)} if n > 1 else {})}
        following = _opaque(n + 1) if n < 30 else None
        rsps.add("GET", f"{BASE}/things", match=[matchers.query_param_matcher(query)],
                 json={"data": _things(n), "meta": {"next_cursor": following}})  # fmt: skip
    addresses = [f"{LIST}?team="]
    for n in range(1, 31):
        page = logged_in_client.get(addresses[-1]).content.decode()
        assert _no_detail_links(page) == [n] and _links(page)["label"] == f"Page {n}"
        if n < 30:
            addresses.append(f"{LIST}?{_links(page)['next']}")
    assert "next" not in _links(page)
    assert max(len(address.encode()) for address in addresses) < 200  # gunicorn refuses 4,094
    for n in range(29, 0, -1):
        page = logged_in_client.get(f"{LIST}?{_links(page)['prev']}").content.decode()
        assert _no_detail_links(page) == [n] and _links(page)["label"] == f"Page {n}"
    assert "prev" not in _links(page)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["at=0123456789abcdef", "at=%00%ff%fe", "at=" + "a" * 5000, "at=1&at=2", "before=x&after=y"],
    ids=["unknown", "garbled", "huge", "repeated", "old-style"],
)
def test_a_page_address_the_hub_did_not_give_is_the_first_page(logged_in_client, rsps, query):
    _connect(CURSOR_DOC)
    rsps.add("GET", f"{BASE}/things", match=[matchers.query_param_matcher({"limit": "25"})],
             json={"data": _things(1), "meta": {"next_cursor": "c2"}})  # fmt: skip
    answer = logged_in_client.get(f"{LIST}?{query}")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert _no_detail_links(page) == [1] and _links(page)["label"] == "Page 1"
    assert ("not one this list gave" in page) == query.startswith("at=")


@pytest.mark.django_db
def test_a_page_address_from_another_session_is_the_first_page(logged_in_client, user, rsps):
    _connect(CURSOR_DOC)
    rsps.add("GET", f"{BASE}/things", match=[matchers.query_param_matcher({"limit": "25"})],
             json={"data": _things(1), "meta": {"next_cursor": "c2"}})  # fmt: skip
    first = logged_in_client.get(LIST).content.decode()
    other = Client()
    other.force_login(user)
    page = other.get(f"{LIST}?{_links(first)['next']}").content.decode()
    assert "not one this list gave" in page and _no_detail_links(page) == [1]
    assert all("cursor" not in call.request.url for call in rsps.calls)


@pytest.mark.django_db
def test_the_session_keeps_only_the_newest_steps(logged_in_client, rsps, monkeypatch):
    monkeypatch.setattr(paging, "MAX_STEPS", 3)
    _connect(CURSOR_DOC)
    for n in range(1, 7):
        query = {"limit": "25", **({"cursor": f"c{n}"} if n > 1 else {})}
        rsps.add("GET", f"{BASE}/things", match=[matchers.query_param_matcher(query)],
                 json={"data": _things(n), "meta": {"next_cursor": f"c{n + 1}"}})  # fmt: skip
    page = logged_in_client.get(LIST).content.decode()
    first_step = _links(page)["next"]
    for _ in range(5):
        page = logged_in_client.get(f"{LIST}?{_links(page)['next']}").content.decode()
    assert _links(page)["label"] == "Page 6"
    assert len(logged_in_client.session[paging.TRAIL]) == 3
    dropped = logged_in_client.get(f"{LIST}?{first_step}").content.decode()
    assert "not one this list gave" in dropped and _links(dropped)["label"] == "Page 1"


@pytest.mark.django_db
def test_a_page_whose_cursor_the_api_refuses_now_is_the_first_page(logged_in_client, rsps):
    """Cursors expire: Asana's "offset token will expire after some time" (asana_oas.yaml,
    NextPage; project-tool.md §2). A next-page link kept open past that is answered 400;
    the list says so and shows the first page rather than 'try again shortly', which
    would refuse the same token again."""
    _connect(CURSOR_DOC)
    first_query = {"limit": "25"}
    rsps.add("GET", f"{BASE}/things", match=[matchers.query_param_matcher(first_query)],
             json={"data": _things(1, 2), "meta": {"next_cursor": "c2"}})  # fmt: skip
    expired = {"errors": [{"message": "offset: Your pagination token has expired."}]}
    rsps.add("GET", f"{BASE}/things", status=400, json=expired,
             match=[matchers.query_param_matcher({"limit": "25", "cursor": "c2"})])  # fmt: skip
    first = logged_in_client.get(LIST).content.decode()
    again = logged_in_client.get(f"{LIST}?{_links(first)['next']}").content.decode()
    assert "thing 1" in again and _links(again)["label"] == "Page 1"
    assert "That page is no longer available at Things; here is the first page." in unescape(again)
    assert "try again shortly" not in again
