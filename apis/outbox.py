"""The writes of the generated pages, declared for the outbox: create, update, delete.

The payload names the call, not a local record (the generated pages read
live and keep no copy): `{"resource", "method", "record_id", "body"}`, the
method as the dynamic client names it (`post`, `patch`, `put`, `delete`).
Delivery builds the connection's dynamic client over its own `ApiClient`
(the document's auth scheme) with the outbox's deadline, and calls the method.

An OpenAPI document declares no idempotency keys, so an attempt whose outcome
is unknown is reconciled the way the outbox does for every provider without
them (`integrations.outbox.delivery`): looked up several times across the
settle window, sent again only if nothing was found.

- update: the record is read back; the write landed when every field sent
  has the value sent;
- delete: the write landed when the record is gone (404);
- create: the list operation is asked with the sent values of the fields it
  filters on, and an item holding every sent scalar value counts, unless it held
  them already before the send (`existing_ids`, noted by `before_send`). An API whose
  list filters on none of them offers no way to look a create up (`LookupUnavailable`):
  the row then needs a person, who checks at the API and has it sent again from the
  outbox page (never a blind re-send, which could create it twice).

JSONPlaceholder keeps nothing it is sent, so there a lookup never finds a
write: an unknown create needs attention, an unknown update is sent again
after the window (harmless there: a PATCH of the same values).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

from integrations.http.errors import (
    ConflictError,
    IntegrationError,
    NotFoundError,
    ValidationError,
)
from integrations.models import OutboxItem
from integrations.openapi import cache
from integrations.openapi.client import OpenApiClient, build_client
from integrations.openapi.model import Operation
from integrations.openapi.service import connection_api_client
from integrations.outbox.claims import claimed_update
from integrations.outbox.operations import LookupUnavailable, OutboxOperation

LOOKUP_LIMIT = 500


def dynamic_client(client: Any, item: OutboxItem) -> OpenApiClient:
    """The connection's dynamic client, bound by the outbox's deadline (`client.finish_by`)."""
    compiled = cache.connection_document(item.connection)
    api = connection_api_client(item.connection, compiled, background=True)
    api.finish_by = getattr(client, "finish_by", None)
    return build_client(compiled, api)


def operation_of(api: OpenApiClient, resource: str, method: str) -> Operation:
    return next(
        op for op in api._model.resource(resource).operations if op.name == method and op.supported
    )


def call(api: OpenApiClient, item: OutboxItem, method: str | None = None) -> Any:
    """Call the payload's method (or `method` on the same record) with its body."""
    payload = item.payload
    name = method or payload["method"]
    op = operation_of(api, payload["resource"], name)
    args = [payload["record_id"]] if op.path.count("{") else []
    kwargs = {}
    if op.body is not None and name == payload["method"]:
        python = {f.wire_name: f.python_name for f in op.body.fields}
        kwargs = {python[key]: value for key, value in (payload.get("body") or {}).items()}
    return getattr(getattr(api, payload["resource"]), name)(*args, **kwargs)


def answer_json(answer: Any) -> dict[str, Any]:
    data = answer.json() if hasattr(answer, "json") else answer
    return data if isinstance(data, dict) else {}


def holds(record: dict[str, Any], sent: dict[str, Any]) -> bool:
    """Whether `record` has every value of `sent` (nested objects compared the same way)."""
    for key, value in sent.items():
        if isinstance(value, dict):
            if not (isinstance(record.get(key), dict) and holds(record[key], value)):
                return False
        elif record.get(key) != value:
            return False
    return True


def refusal(error: ConflictError | NotFoundError, api: OpenApiClient) -> IntegrationError:
    """A 409 (a duplicate, a state conflict), or a 404 naming a field (an unknown
    reference), refuses the data: a ValidationError, so the form shows it on its field.
    A plain 404 (the record itself is gone) stays what it is."""
    try:
        payload = json.loads(error.body_excerpt)
        message, field_errors = api._api.provider.parse_error(payload)
    except ValueError:
        message, field_errors = "", {}
    if isinstance(error, NotFoundError) and not field_errors:
        return error
    return ValidationError(message or error.message, field_errors=field_errors, **error.context)


class _ApiWrite(OutboxOperation):
    record_model = ""  # the pages keep no local copy
    creates_record = False

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        api = dynamic_client(client, item)
        try:
            remote = answer_json(call(api, item))
        except (ConflictError, NotFoundError) as error:
            raise refusal(error, api) from error
        record_id = item.payload.get("record_id")
        return remote if remote.get("id") or not record_id else {**remote, "id": record_id}

    def fields_from_remote(self, remote: dict[str, Any]) -> dict[str, Any]:
        return {}


class ApiCreate(_ApiWrite):
    name = "openapi.create"
    bookkeeping_keys = frozenset({"existing_ids"})  # noted by before_send, never sent

    def before_send(self, client: Any, item: OutboxItem) -> None:
        """Note the records that hold the sent values before this send: a lookup after an
        unknown outcome must not take one of them for this create."""
        matches = same_values(dynamic_client(client, item), item)
        if matches is not None:
            payload = {**item.payload, "existing_ids": [str(r.get("id")) for r in matches]}
            claimed_update(item, payload=payload)

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        api = dynamic_client(client, item)
        matches = same_values(api, item)
        if matches is None:
            raise LookupUnavailable(
                f"The answer to this create never came, and {api._model.title} offers no way "
                "to look the record up: check whether it exists there before sending it again."
            )
        known = item.payload.get("existing_ids")
        if known is None and matches:
            ids = ", ".join(str(r.get("id")) for r in matches)
            raise LookupUnavailable(
                f"The answer to this create never came, and {api._model.title} holds records "
                f"with the values sent ({ids}), but which of them were there before it was "
                "sent was not noted: check whether one is this create before sending it again."
            )
        return next((r for r in matches if str(r.get("id")) not in (known or [])), None)


def same_values(api: OpenApiClient, item: OutboxItem) -> list[dict[str, Any]] | None:
    """The records at the API that hold every scalar value the create sends, found
    through its list filters; None when the list filters on none of them."""
    listing = operation_of(api, item.payload["resource"], "list")
    sent = item.payload.get("body") or {}
    filters = {
        p.python_name: sent[p.wire_name]
        for p in listing.parameters
        if p.location == "query" and isinstance(sent.get(p.wire_name), str | int | float)
    }
    if not filters:
        return None
    scalars = {k: v for k, v in sent.items() if not isinstance(v, dict | list)}
    return [record for record in listed(api, listing, filters) if holds(record, scalars)]


def listed(api: OpenApiClient, listing: Operation, filters: dict[str, Any]) -> Iterator[dict]:
    """The items the list operation answers for `filters`, every page of them (up to
    LOOKUP_LIMIT: the filters narrow a lookup to a few)."""
    method = getattr(getattr(api, listing.resource), listing.name)
    if listing.pagination is not None:
        items: Iterator[Any] = (item.json() for item in method(**filters, iterator=True))
    else:
        data = method(**filters).json()
        key = listing.response.items_key if listing.response else None
        items = iter((data.get(key) if key and isinstance(data, dict) else data) or [])
    return itertools.islice(items, LOOKUP_LIMIT)


class ApiUpdate(_ApiWrite):
    name = "openapi.update"

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        api = dynamic_client(client, item)
        record = answer_json(call(api, item, "get"))
        return record if holds(record, item.payload.get("body") or {}) else None


class ApiDelete(_ApiWrite):
    name = "openapi.delete"

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        try:
            call(dynamic_client(client, item), item, "get")
        except NotFoundError:
            return {"id": item.payload["record_id"]}
        return None


OPERATIONS: list[type[OutboxOperation]] = [ApiCreate, ApiUpdate, ApiDelete]
