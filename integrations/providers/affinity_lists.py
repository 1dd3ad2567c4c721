"""Affinity v1 lists and list entries (affinity.md §3 "Lists", "List entries").

`GET /lists` is a bare array (type 0 person, 1 organization, 8 opportunity); `POST
/lists/{list_id}/list-entries` adds an organization or person (`entity_id`) to a list, and
the same entity may be added twice, so an unknown outcome is looked up among the entity's
own entries (`entity_entries`: the `list_entries` of `GET /organizations/{id}` or
`/persons/{id}`, one call where paging the list would take one per 500 entries) rather
than sent again. Payloads are untrusted and read with `readers`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from integrations.http.client import ApiClient
from integrations.http.errors import InvalidResponseError
from integrations.providers.affinity import _call
from integrations.providers.readers import int_id, integer, items, mapping, records, text, timestamp

PERSON_LIST, ORGANIZATION_LIST = 0, 1  # `type`; 8 (opportunities) cannot take entries


@dataclass(frozen=True)
class AffinityList:
    id: int
    name: str
    type: int
    raw: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class ListEntry:
    id: int
    list_id: int
    entity_id: int
    created_at: dt.datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False)


def parse_list(data: Any) -> AffinityList | None:
    data = mapping(data)
    list_id = int_id(data.get("id"))
    if list_id is None:
        return None
    return AffinityList(
        list_id, text(data.get("name"), limit=300), integer(data.get("type")) or 0, data
    )


def parse_entry(data: Any) -> ListEntry | None:
    data = mapping(data)
    entry_id, entity_id = int_id(data.get("id")), int_id(data.get("entity_id"))
    if entry_id is None or entity_id is None:
        return None
    list_id = int_id(data.get("list_id")) or 0
    return ListEntry(entry_id, list_id, entity_id, timestamp(data.get("created_at")), data)


def list_all(client: ApiClient) -> list[AffinityList]:
    """Every list of the account (one call, not paged)."""
    return [found for found in map(parse_list, items(_call(client, "GET", "/lists"))) if found]


def list_entry_create(client: ApiClient, *, list_id: int | str, entity_id: int | str) -> ListEntry:
    body = {"entity_id": int(entity_id)}
    data = _call(client, "POST", f"/lists/{int(list_id)}/list-entries", json=body)
    entry = parse_entry(data)
    if entry is None:
        raise InvalidResponseError(
            "the answer is not a list entry (no usable id)", provider="Affinity"
        )
    return entry


def entity_entries(
    client: ApiClient, *, kind: str, entity_id: int | str, list_id: int | str
) -> list[ListEntry]:
    """The entries of one organization or person (`kind` "organizations" or "persons") on
    the list `list_id`, from its `GET /{kind}/{id}` (one call, however long the list)."""
    data = mapping(_call(client, "GET", f"/{kind}/{int(entity_id)}"))
    entries = (parse_entry(entry) for entry in records(data.get("list_entries")))
    return [entry for entry in entries if entry and entry.list_id == int(list_id)]
