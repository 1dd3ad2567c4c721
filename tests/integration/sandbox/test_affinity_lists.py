"""Affinity v1 lists and list entries contract (affinity.md §3 "Lists", "List entries")."""

import requests

from .conftest import TIMEOUT

KEY = ("", "sandbox-affinity")


def call(sbx, method, path, **kwargs):
    url = f"{sbx.url_for('affinity')}{path}"
    return requests.request(method, url, auth=KEY, timeout=TIMEOUT, **kwargs)


def _list_of(sbx, kind: int) -> dict:
    return next(x for x in call(sbx, "GET", "/lists").json() if x["type"] == kind)


def test_lists_are_a_bare_array_with_their_types_and_sizes(sbx):
    lists = call(sbx, "GET", "/lists").json()
    assert isinstance(lists, list) and {x["type"] for x in lists} == {0, 1, 8}
    assert all(set(x) == {"id", "type", "name", "public", "owner_id", "list_size"} for x in lists)


def test_an_entity_joins_a_list_even_twice_and_entries_page_with_page_size(sbx):
    sbx.reseed()
    accounts = _list_of(sbx, 1)
    org = call(sbx, "GET", "/organizations", params={"page_size": 1}).json()["organizations"][0]
    path = f"/lists/{accounts['id']}/list-entries"
    first = call(sbx, "POST", path, json={"entity_id": org["id"]})
    assert first.status_code == 200
    entry = first.json()
    assert set(entry) == {"id", "list_id", "creator_id", "entity_id", "created_at", "entity"}
    assert (entry["list_id"], entry["entity_id"], entry["entity"]["id"]) == (
        accounts["id"], org["id"], org["id"],
    )  # fmt: skip
    assert call(sbx, "POST", path, json={"entity_id": org["id"]}).json()["id"] != entry["id"]

    every = call(sbx, "GET", path).json()  # without page_size: a bare array of all
    assert [e["entity_id"] for e in every] == [org["id"], org["id"]]
    paged = call(sbx, "GET", path, params={"page_size": 1}).json()
    assert len(paged["list_entries"]) == 1 and paged["next_page_token"]
    last = call(sbx, "GET", path, params={"page_size": 1, "page_token": paged["next_page_token"]})
    assert last.json()["next_page_token"] is None
    sized = next(x for x in call(sbx, "GET", "/lists").json() if x["id"] == accounts["id"])
    assert sized["list_size"] == 2


def test_refusals(sbx):
    accounts, deals = _list_of(sbx, 1), _list_of(sbx, 8)
    missing = call(sbx, "POST", f"/lists/{accounts['id']}/list-entries", json={})
    assert missing.status_code == 422 and missing.json()["errors"][0]["param"] == "entity_id"
    unknown = call(sbx, "POST", f"/lists/{accounts['id']}/list-entries", json={"entity_id": 10**9})
    assert unknown.status_code == 422  # no organization has that id
    opportunity = call(sbx, "POST", f"/lists/{deals['id']}/list-entries", json={"entity_id": 1})
    assert opportunity.status_code == 422
    assert call(sbx, "GET", "/lists/999999/list-entries").status_code == 404


def test_an_organizations_detail_lists_its_entries(sbx):
    sbx.reseed()
    accounts = _list_of(sbx, 1)
    org = call(sbx, "GET", "/organizations", params={"page_size": 1}).json()["organizations"][0]
    assert call(sbx, "GET", f"/organizations/{org['id']}").json()["list_entries"] == []
    entry = call(
        sbx, "POST", f"/lists/{accounts['id']}/list-entries", json={"entity_id": org["id"]}
    )
    shown = call(sbx, "GET", f"/organizations/{org['id']}").json()["list_entries"]
    assert shown == [{k: v for k, v in entry.json().items() if k != "entity"}]
    person = call(sbx, "GET", "/persons", params={"page_size": 1}).json()["persons"][0]
    assert call(sbx, "GET", f"/persons/{person['id']}").json()["list_entries"] == []
