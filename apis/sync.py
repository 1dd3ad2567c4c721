"""Syncing a resource of a connected API into the hub (`ApiRecord`), with the shared engine.

An administrator switches sync on per resource (`ResourceColumns.synced`); its list is
then read from the table (fast, searchable by any word, Django's `Paginator`), and
otherwise live. The resources come from documents, not code, so they are a
`ResourceFamily` of the sync registry: one key per resource name, `openapi:posts`,
the connection being the run's (`SyncState` and `SyncRun` are per connection and key).
Each is a `SyncedResource` scoped to its name (one table holds every resource of every
API) whose client is the connection's dynamic client.

A run reads the whole list through the client's lazy iterator (every page, the
document's paging style; 100 a page where the list takes a size) and saves it 100 rows
at a time. It keeps no checkpoint: an interrupted run starts again from the first page.
A full pass that completes marks the records it did not see as deleted, as for every
synced resource.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import lru_cache, partial
from typing import Any

from apis.columns import cell, detail_rows
from apis.models import ApiRecord, ResourceColumns
from apis.pages import ApiResourcePages, api_pages
from integrations.http.errors import ConfigurationError
from integrations.models import Connection
from integrations.openapi.responses import Response, meta
from integrations.openapi.service import openapi_client
from integrations.sync.registry import ResourceFamily
from integrations.sync.resources import FetchedPage, FetchedRow, FetchRequest, SyncedResource

logger = logging.getLogger(__name__)

PREFIX = "openapi:"
ROWS_PER_SAVE = 100
ASKED_PAGE_SIZE = 100
MAX_SEARCH_TEXT = 20_000  # bounds the row and every search's scan (docs/architecture.md)


def sync_key(resource: str) -> str:
    return f"{PREFIX}{resource}"


@lru_cache(maxsize=256)
def synced_resource(key: str) -> SyncedResource:
    """The synced resource of `openapi:<name>` (the same object for the same key)."""
    name = key.removeprefix(PREFIX)
    if not key.startswith(PREFIX) or not name:
        raise LookupError(f"No synced resource named {key!r}.")
    return SyncedResource(
        key=key,
        provider="openapi",
        label=name,
        model=ApiRecord,
        fetch=partial(fetch_records, name),
        scope=(("resource", name),),
        make_client=lambda connection: openapi_client(connection, background=True),
    )


def enabled_keys(connection: Connection) -> list[str]:
    """The resources an administrator switched sync on for, as keys."""
    names = ResourceColumns.objects.filter(connection=connection, synced=True).values_list(
        "resource", flat=True
    )
    return [sync_key(name) for name in names]


FAMILY = ResourceFamily(
    prefix=PREFIX, provider="openapi", resource=synced_resource, enabled=enabled_keys
)


def fetch_records(
    name: str, client: Any, connection: Connection, request: FetchRequest
) -> Iterator[FetchedPage]:
    """Every record of the resource's list, ROWS_PER_SAVE at a time."""
    pages = api_pages(connection, name)
    if pages is None:
        raise ConfigurationError(f"{connection} has no list of {name} to sync.")
    op = pages.operations["list"]
    if needed := [p.wire_name for p in op.parameters if p.required]:
        raise ConfigurationError(
            f"{connection}: the list of {name} needs {', '.join(needed)}, so it cannot be synced."
        )
    items = getattr(client, name).list(**pages.marker_args(None, ASKED_PAGE_SIZE), iterator=True)
    batch: dict[str, FetchedRow] = {}
    total: int | None = None
    saved = 0
    for item in items:
        if not isinstance(item, Response):
            continue
        if total is None:
            total = meta(item).total_count
        if (row := record_row(pages, item.json())) is not None:
            batch[row.remote_id] = row  # one row per id (an upsert may not touch one twice)
        if len(batch) >= ROWS_PER_SAVE:
            saved += 1
            yield FetchedPage(rows=list(batch.values()), checkpoint=None, expected_total=total)
            batch = {}
    if batch or not saved:
        yield FetchedPage(rows=list(batch.values()), checkpoint=None, expected_total=total)


def record_row(pages: ApiResourcePages, raw: dict[str, Any]) -> FetchedRow | None:
    """One item as a row: its id, the list's cells, and its words for the search."""
    remote_id = pages.record_id(raw)
    if not remote_id or len(remote_id) > 64:
        logger.warning("%s: a %s without a usable id is not synced", pages.title, pages.singular)
        return None
    columns = {column.field: cell(raw.get(column.field)) for column in pages.columns}
    words = " ".join(text for _, text in detail_rows(raw) if text)
    fields = {"columns": columns, "search_text": words.lower()[:MAX_SEARCH_TEXT]}
    return FetchedRow(remote_id=remote_id, fields=fields, raw=raw)
