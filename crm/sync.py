"""The resources this app lists, declared for the sync engine.

Affinity v1 lists organizations and persons with `page_size` (at most 500)
and `page_token`; the token is the checkpoint, so an interrupted sync goes on
from its last saved page. There is no changed-since filter for either list:
every sync is a full pass (which also finds deletions). List answers carry no
links; see `crm.links` for how they are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from crm.links import organization_fields, person_fields, person_links_set
from crm.models import AffinityList, Organization, Person
from crm.tasks import organization_links_fill_later
from integrations.providers import affinity, affinity_lists
from integrations.providers.affinity_records import parse_organization, parse_person
from integrations.providers.readers import int_ids
from integrations.sync.resources import (
    FetchedPage,
    FetchedRow,
    FetchRequest,
    SyncedResource,
    present_one_by_one,
)

PAGE_SIZE = affinity.MAX_PAGE_SIZE


def fetch_organizations(
    client: Any, connection: Any, request: FetchRequest
) -> Iterator[FetchedPage]:
    for page in affinity.organization_pages(client, page_size=PAGE_SIZE, start=request.checkpoint):
        rows = [
            FetchedRow(remote_id=str(r.id), fields=organization_fields(r), raw=r.raw)
            for r in page.records
        ]
        yield FetchedPage(rows, page.resume)


def fetch_persons(client: Any, connection: Any, request: FetchRequest) -> Iterator[FetchedPage]:
    for page in affinity.person_pages(client, page_size=PAGE_SIZE, start=request.checkpoint):
        rows = [
            FetchedRow(remote_id=str(r.id), fields=person_fields(r), raw=r.raw)
            for r in page.records
        ]
        yield FetchedPage(rows, page.resume)


def organization_from_event(connection: Any, body: dict[str, Any]) -> FetchedRow | None:
    """The organization an Affinity event's body carries (events hold the whole record)."""
    record = parse_organization(body)
    if record is None:
        return None
    return FetchedRow(remote_id=str(record.id), fields=organization_fields(record), raw=record.raw)


def person_from_event(connection: Any, body: dict[str, Any]) -> FetchedRow | None:
    record = parse_person(body)
    if record is None:
        return None
    return FetchedRow(remote_id=str(record.id), fields=person_fields(record), raw=record.raw)


def persons_links_from_rows(connection: Any, rows: list[FetchedRow], pks: dict[str, int]) -> None:
    """Where a person payload does carry `organization_ids`, keep both sides' links."""
    for row in rows:
        links = row.raw.get("organization_ids")
        if isinstance(links, list):
            ids = int_ids(links)
            person_links_set(
                connection_id=connection.pk, person_id=row.remote_id, organization_ids=ids
            )


ORGANIZATIONS = SyncedResource(
    key="affinity.organizations",
    provider="affinity",
    label="organizations",
    model=Organization,
    fetch=fetch_organizations,
    row_from_event=organization_from_event,
    # The page token holds an offset (affinity.md §2): a deletion shifts the pages.
    still_present=present_one_by_one(affinity.organization_get),
    after_sync=organization_links_fill_later,
)
PERSONS = SyncedResource(
    key="affinity.persons",
    provider="affinity",
    label="persons",
    model=Person,
    fetch=fetch_persons,
    row_from_event=person_from_event,
    still_present=present_one_by_one(affinity.person_get),
    after_upsert=persons_links_from_rows,
)


def fetch_lists(client: Any, connection: Any, request: FetchRequest) -> Iterator[FetchedPage]:
    """Every list in one answer (`GET /lists` is not paged)."""
    rows = [
        FetchedRow(remote_id=str(found.id), fields={"name": found.name, "list_type": found.type},
                   raw=found.raw)
        for found in affinity_lists.list_all(client)
    ]  # fmt: skip
    yield FetchedPage(rows, None)


# The targets of the lists' "Add to list" (crm.views); a full pass each time (one call).
LISTS = SyncedResource(
    key="affinity.lists", provider="affinity", label="lists", model=AffinityList, fetch=fetch_lists
)

RESOURCES: list[SyncedResource] = [ORGANIZATIONS, PERSONS, LISTS]
