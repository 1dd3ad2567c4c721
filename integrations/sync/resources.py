"""What the sync engine needs to know about one synced resource.

A domain app declares each resource it lists (candidates, organizations, …)
as a `SyncedResource`: which provider and model, how to fetch pages from a
checkpoint, and how one provider record becomes a row. The engine does the
rest: leases, checkpoints, bulk upserts, deletions and progress.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from integrations.http.errors import IntegrationError, NotFoundError
from integrations.models.synced import SyncedRecord


@dataclass(frozen=True)
class FetchRequest:
    """Where a fetch starts: a saved checkpoint (None: the beginning) and, when
    incremental, the creation time after which records are wanted."""

    checkpoint: Any = None
    since: datetime | None = None


@dataclass(frozen=True)
class FetchedRow:
    """One provider record, mapped to model fields (without connection and bookkeeping)."""

    remote_id: str
    fields: dict[str, Any]
    raw: dict[str, Any]
    remote_created_at: datetime | None = None
    remote_updated_at: datetime | None = None


@dataclass(frozen=True)
class FetchedPage:
    rows: list[FetchedRow]
    # Where to resume after this page; None once the last page is done.
    checkpoint: Any
    # The provider's total, when it says (progress), else None.
    expected_total: int | None = None


# fetch(client, connection, request): a generator of pages (closed when a sync stops early).
Fetch = Callable[[Any, Any, FetchRequest], Generator[FetchedPage, None, None]]
# after_upsert(connection, rows, pk_by_remote_id): maintain child tables.
AfterUpsert = Callable[[Any, list[FetchedRow], dict[str, int]], None]
# after_sync(connection): follow-up work once a run succeeded (enqueue a task).
AfterSync = Callable[[Any], None]
# fetch_one(client, connection, remote_id): the record as the provider has it now, or
# None when it has no such record any more (a webhook's change hint, webhooks/apply.py).
FetchOne = Callable[[Any, Any, str], FetchedRow | None]


@dataclass(frozen=True)
class Presence:
    """What a `still_present` check learned about the ids it was asked about."""

    present: set[str]
    # Those it could not ask about (an error other than 404): kept as they are.
    unverified: set[str] = field(default_factory=set)
    error: str = ""  # the first such error, for the run


# still_present(client, connection, remote_ids): those of `remote_ids` the provider still
# has. A full pass asks it about the records it did not list before marking them deleted:
# offset or page paging skips a record when one before it is deleted meanwhile. One that
# raises an IntegrationError vouches for none of them (all unverified, none deleted).
StillPresent = Callable[[Any, Any, list[str]], Presence]
# row_from_event(connection, body): the row an event's body describes, for providers
# whose events carry the whole record (Affinity); None when the body is not one.
RowFromEvent = Callable[[Any, dict[str, Any]], FetchedRow | None]


def present_one_by_one(
    get: Callable[[Any, str], Any], *, limit: int = 200, errors_max: int = 3
) -> StillPresent:
    """`still_present` by reading each record, for providers with no lookup of many ids:
    `get(client, remote_id)` raises NotFoundError once the record is gone. Past `limit`
    ids the rest are not asked about (a large deletion costs no more than `limit` reads).
    A read that fails otherwise (after the client's retries) leaves its record unverified;
    after `errors_max` such failures the provider is not asked about the rest either (each
    costs its retries), which stay unverified too."""

    def still_present(client: Any, connection: Any, remote_ids: list[str]) -> Presence:
        present: set[str] = set()
        unverified: set[str] = set()
        errors: list[str] = []
        for remote_id in remote_ids[:limit]:
            if len(errors) >= errors_max:
                unverified.add(remote_id)
                continue
            try:
                get(client, remote_id)
            except NotFoundError:
                continue
            except IntegrationError as error:
                unverified.add(remote_id)
                errors.append(str(error))
                continue
            present.add(remote_id)
        return Presence(present, unverified, errors[0] if errors else "")

    return still_present


@dataclass(frozen=True)
class SyncedResource:
    key: str  # unique, e.g. "recruitee.candidates"
    provider: str  # a key of integrations.providers.PROVIDERS
    label: str  # plural, for people: "candidates"
    model: type[SyncedRecord]
    fetch: Fetch
    incremental: bool = False
    after_upsert: AfterUpsert | None = None
    after_sync: AfterSync | None = None
    # What webhooks need (webhooks/apply.py): one of them, else events are ignored.
    fetch_one: FetchOne | None = None
    row_from_event: RowFromEvent | None = None
    still_present: StillPresent | None = None
    # (model field, value) pairs every row of this resource has, when one table holds
    # several resources (apis.ApiRecord: the resource's name). The engine writes them on
    # each row and keeps every read, upsert and deletion pass to them; the model's unique
    # key is (connection, *these fields, remote_id).
    scope: tuple[tuple[str, Any], ...] = ()
    # The client `fetch` gets; default the provider's (`connection_client(background=True)`).
    make_client: Callable[[Any], Any] | None = None

    @property
    def scope_filter(self) -> dict[str, Any]:
        return dict(self.scope)
