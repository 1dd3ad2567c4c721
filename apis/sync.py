"""Syncing a resource of a connected API into the hub (`ApiRecord`), with the shared engine.

An administrator switches sync on per resource (`ResourceColumns.synced`); its list is
then read from the table (fast, searchable by any word, Django's `Paginator`), and
otherwise live. The resources come from documents, not code, so they are a
`ResourceFamily` of the sync registry: one key per resource name, `openapi:posts`,
the connection being the run's (`SyncState` and `SyncRun` are per connection and key).
Each is a `SyncedResource` scoped to its name (one table holds every resource of every
API) whose client is the connection's dynamic client.

A run reads the whole list through the client, one provider page at a time (the
document's paging style; 100 a page where the list takes a size), and saves each page
as it comes, 100 rows at a time (an API may ignore the size, or not page), with where
the next page starts as the checkpoint of its last rows: the next page number, offset
or cursor token, or the next `Link` URL (less the query parameters that carry
credentials); the rows before them keep where their page starts. The engine saves the
checkpoint in the same transaction as the rows, so a run interrupted or failed mid-way
goes on from the page after the last one saved whole, or reads again the page it
stopped in (`RESUME_WINDOW`), losing nothing. A checkpoint this
list cannot continue from (the document changed its paging, a link away from the base
URL now, or malformed) is ignored: the run starts from the first page, as it does when
the provider refuses the saved token or link (400/422/404; the engine starts again). A
resumed run is the same run, so a full pass that completes marks deleted only the
records none of its pages listed, before or after the interruption, as for every synced
resource.
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
from integrations.openapi.model import Pagination
from integrations.openapi.pagination import FIRST_PAGE, NO_PAGING, Position
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
    """Every record of the resource's list, ROWS_PER_SAVE at a time within each provider
    page (an API may ignore the page size, or not page at all: progress shows and no
    transaction grows with the page). Each save's checkpoint is a position the provider
    gave: where its page starts, and after the page's last rows where the next page
    starts, so the checkpoint passes a page only once all its rows are saved (a run
    stopped inside a page reads that page again)."""
    pages = api_pages(connection, name)
    if pages is None:
        raise ConfigurationError(f"{connection} has no list of {name} to sync.")
    op = pages.operations["list"]
    if needed := [p.wire_name for p in op.parameters if p.required]:
        raise ConfigurationError(
            f"{connection}: the list of {name} needs {', '.join(needed)}, so it cannot be synced."
        )
    style = op.pagination or NO_PAGING
    start = resume_position(style, request.checkpoint, client.base_url)
    if request.checkpoint is not None and start is FIRST_PAGE:
        logger.info("%s: a checkpoint its paging cannot continue from; from page 1", pages.title)
    size_args = pages.marker_args(None, ASKED_PAGE_SIZE)
    total: int | None = None
    here = start
    for items, after in client.list_pages(name, start, **size_args):
        rows: dict[str, FetchedRow] = {}
        for item in items:
            if not isinstance(item, Response):
                continue
            if total is None:
                total = meta(item).total_count
            if (row := record_row(pages, item.json())) is not None:
                rows[row.remote_id] = row  # one row per id (an upsert may not touch one twice)
        listed = list(rows.values())
        batches = [listed[i : i + ROWS_PER_SAVE] for i in range(0, len(listed), ROWS_PER_SAVE)]
        *within, last = batches or [[]]
        inside = None if here is FIRST_PAGE else checkpoint_of(style, here)
        for batch in within:
            yield FetchedPage(rows=batch, checkpoint=inside, expected_total=total)
        past = None if after is None else checkpoint_of(style, after)
        yield FetchedPage(rows=last, checkpoint=past, expected_total=total)
        here = after or FIRST_PAGE  # None only after the last page


def checkpoint_of(style: Pagination, after: Position) -> dict[str, Any]:
    """A position as a checkpoint (JSON), with the paging it belongs to."""
    at = {"link": after.link} if after.link else {"marker": after.marker}
    return {"paging": [style.style, style.page_param], **at, "fetched": after.fetched}


def resume_position(style: Pagination, checkpoint: Any, base_url: str) -> Position:
    """Where a saved checkpoint says to go on; the first page when there is none or it is
    not one of this list's paging (the document changed since), a link away from the
    connection's base URL now (which the client would refuse), or malformed."""
    paging = [style.style, style.page_param]
    if not isinstance(checkpoint, dict) or checkpoint.get("paging") != paging:
        return FIRST_PAGE
    fetched, link, marker = (checkpoint.get(k) for k in ("fetched", "link", "marker"))
    if not _whole(fetched, 0):
        return FIRST_PAGE
    if isinstance(link, str) and (link == base_url or link.startswith(f"{base_url}/")):
        return Position(link=link, fetched=fetched)
    usable = {
        "page": _whole(marker, 1),
        "offset": _whole(marker, 0),
        "cursor": isinstance(marker, str | int) and not isinstance(marker, bool) and marker != "",
    }
    return Position(marker=marker, fetched=fetched) if usable.get(style.style) else FIRST_PAGE


def _whole(value: Any, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


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
