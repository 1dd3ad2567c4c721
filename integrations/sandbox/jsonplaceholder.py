"""The fake JSONPlaceholder (facts sheet openapi-webhooks-observability.md §C).

json-server 0.16 behaviour over a fixed data set: no auth, `GET /r` with
filters (`field=v`, repeated for OR, dotted deep fields, `_gte`/`_lte`/`_ne`/
`_like`, `q`), `_sort`/`_order`, `_start`/`_end`/`_limit`, `_page` (+ `_limit`,
default 10) with a `Link` header, `X-Total-Count` when `_end`, `_limit` or
`_page` is present, `_embed`/`_expand`, nested `GET /{r}/{id}/{child}`.
Writes are faked as the real service fakes them: the state is reset before
every request, so a POST answers 201 with the next id and nothing is kept.

Also served (not part of the real service): the OpenAPI documents we wrote
for it, `/openapi.json` (an operationId on every operation) and
`/openapi-fallbacks.json` (some without, `{postId}`-style placeholders).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from integrations.sandbox.base import FakeApi
from integrations.sandbox.jsonplaceholder_data import COUNTS, SINGULAR, records
from integrations.sandbox.router import Router
from integrations.sandbox.wire import PayloadError, Request, Response, json_response

DOCUMENTS = Path(__file__).resolve().parent / "documents"
_HEADERS = {
    "Cache-Control": "no-cache",
    "Pragma": "no-cache",
    "Expires": "-1",
    "Vary": "Origin, Accept-Encoding",
    "Access-Control-Allow-Credentials": "true",
}
_OPERATORS = ("_gte", "_lte", "_ne", "_like")


class JsonPlaceholderApi(FakeApi):
    name = "jsonplaceholder"
    prefix = "/jsonplaceholder"

    def add_routes(self, router: Router) -> None:
        router.add("GET", "/openapi.json", self.document)
        router.add("GET", "/openapi-fallbacks.json", self.document)
        router.add("GET", "/{resource}", self.list_rows)
        router.add("POST", "/{resource}", self.create)
        router.add("GET", "/{resource}/{id}", self.detail)
        router.add("PUT", "/{resource}/{id}", self.replace)
        router.add("PATCH", "/{resource}/{id}", self.update)
        router.add("DELETE", "/{resource}/{id}", self.delete)
        router.add("GET", "/{resource}/{id}/{child}", self.nested_list)
        router.add("POST", "/{resource}/{id}/{child}", self.nested_create)

    def authenticate(self, request: Request) -> Response | None:
        return None  # no auth at all

    def error(self, status: int, message: str) -> Response:
        # json-server answers an unknown id or path with `{}`; the injected faults
        # (429/5xx) have no documented body, so they say what they are.
        return json_response(status, {} if status == 404 else {"error": message})

    def finish(self, response: Response) -> Response:
        response.headers.update(_HEADERS)
        return super().finish(response)

    def handle(self, request: Request, **kwargs: Any) -> Response:
        response = super().handle(request, **kwargs)
        origin = request.headers.get("Origin")
        response.headers["Access-Control-Allow-Origin"] = origin or "*"
        return response

    # -- the documents ------------------------------------------------------------
    def document(self, request: Request) -> Response:
        body = (DOCUMENTS / f"jsonplaceholder{request.path.removeprefix('/openapi')}").read_bytes()
        return Response(200, body, {"Content-Type": "application/json; charset=utf-8"})

    # -- reads --------------------------------------------------------------------
    def list_rows(self, request: Request, rows: list[dict[str, Any]] | None = None) -> Response:
        resource = request.params["resource"]
        if resource not in COUNTS:
            return self.error(404, "Not found")
        rows = list(records(resource)) if rows is None else rows
        rows = _filtered(rows, request.query)
        rows = _sorted(rows, request.arg("_sort"), request.arg("_order"))
        headers: dict[str, str] = {}
        start, end, limit = request.arg("_start"), request.arg("_end"), request.arg("_limit")
        page = request.arg("_page")
        if end is not None or limit is not None or page is not None:
            headers["X-Total-Count"] = str(len(rows))
            headers["Access-Control-Expose-Headers"] = "X-Total-Count"
        if page is not None:
            rows, links = _page(rows, _int(page, 1), _int(limit, 10) or 10, request)
            if links:
                headers["Link"] = links
                headers["Access-Control-Expose-Headers"] += ", Link"
        elif start is not None or end is not None or limit is not None:
            first = _int(start, 0)
            last = _int(end, len(rows)) if end is not None else first + _int(limit, len(rows))
            rows = rows[first:last]
        rows = [self._related(resource, row, request) for row in rows]
        return json_response(200, rows, headers)

    def detail(self, request: Request) -> Response:
        row = self._row(request)
        if row is None:
            return self.error(404, "Not found")
        return json_response(200, self._related(request.params["resource"], row, request))

    def nested_list(self, request: Request) -> Response:
        parent, child = request.params["resource"], request.params["child"]
        if parent not in COUNTS or child not in COUNTS:
            return self.error(404, "Not found")
        key, value = f"{SINGULAR[parent]}Id", request.params["id"]
        rows = [row for row in records(child) if str(row.get(key)) == value]
        request.params = {"resource": child}
        return self.list_rows(request, rows)

    # -- writes: answered, never kept ----------------------------------------------
    def create(self, request: Request, extra: dict[str, Any] | None = None) -> Response:
        resource = request.params["resource"]
        if resource not in COUNTS:
            return self.error(404, "Not found")
        try:
            body = _object(request)
        except PayloadError as exc:
            return json_response(400, {"error": str(exc)})
        new_id = COUNTS[resource] + 1
        row = {**body, **(extra or {}), "id": new_id}
        location = f"{request.base_url}/{resource}/{new_id}"
        headers = {"Location": location, "Access-Control-Expose-Headers": "Location"}
        return json_response(201, row, headers)

    def nested_create(self, request: Request) -> Response:
        parent, child = request.params["resource"], request.params["child"]
        if parent not in COUNTS or child not in COUNTS:
            return self.error(404, "Not found")
        key, value = f"{SINGULAR[parent]}Id", request.params["id"]
        request.params = {"resource": child}
        return self.create(request, {key: int(value) if value.isdigit() else value})

    def replace(self, request: Request) -> Response:
        row = self._row(request)
        if row is None:
            # Derived from json-server's code (the facts sheet marks it UNCONFIRMED live).
            return Response(500, b"Internal Server Error", {"Content-Type": "text/plain"})
        try:
            body = _object(request)
        except PayloadError as exc:
            return json_response(400, {"error": str(exc)})
        return json_response(200, {**body, "id": row["id"]})

    def update(self, request: Request) -> Response:
        row = self._row(request)
        if row is None:
            return self.error(404, "Not found")
        try:
            body = _object(request)
        except PayloadError as exc:
            return json_response(400, {"error": str(exc)})
        return json_response(200, {**row, **body, "id": row["id"]})

    def delete(self, request: Request) -> Response:
        return json_response(200, {})  # even for an unknown id, as the real one in fake mode

    # -- helpers -------------------------------------------------------------------
    def _row(self, request: Request) -> dict[str, Any] | None:
        resource, row_id = request.params["resource"], request.params["id"]
        if resource not in COUNTS or not row_id.isdigit():
            return None
        index = int(row_id) - 1
        rows = records(resource)
        return rows[index] if 0 <= index < len(rows) else None

    def _related(self, resource: str, row: dict[str, Any], request: Request) -> dict[str, Any]:
        """`_embed=comments` adds a post's comments, `_expand=post` a comment's post."""
        embed, expand = request.query.get("_embed", []), request.query.get("_expand", [])
        if not embed and not expand:
            return row
        row = dict(row)
        key = f"{SINGULAR[resource]}Id"
        for child in embed:
            if child in COUNTS:
                row[child] = [r for r in records(child) if r.get(key) == row["id"]]
        for parent in expand:
            plural = f"{parent}s"
            parent_id = row.get(f"{parent}Id")
            if plural in COUNTS and isinstance(parent_id, int) and 0 < parent_id <= COUNTS[plural]:
                row[parent] = records(plural)[parent_id - 1]
        return row


def _object(request: Request) -> dict[str, Any]:
    body = request.payload()
    if not isinstance(body, dict):
        raise PayloadError("Body is not a JSON object")
    return body


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _deep(row: dict[str, Any], path: str) -> Any:
    node: Any = row
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # JavaScript's String(true)
    return str(value)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _matches(value: Any, operator: str, wanted: str) -> bool:
    if value is None:
        return operator == "_ne"
    if operator in ("_gte", "_lte"):
        left, right = _number(value), _number(wanted)
        if left is None or right is None:
            left, right = _text(value), wanted  # type: ignore[assignment]
        return left >= right if operator == "_gte" else left <= right  # type: ignore[operator]
    if operator == "_ne":
        return _text(value) != wanted
    if operator == "_like":
        try:
            return re.search(wanted, _text(value), re.IGNORECASE) is not None
        except re.error:
            return False
    return _text(value) == wanted


def _filtered(rows: list[dict[str, Any]], query: dict[str, list[str]]) -> list[dict[str, Any]]:
    for name, values in query.items():
        if name == "q":
            needle = values[-1].lower()
            rows = [row for row in rows if needle in json.dumps(row).lower()]
            continue
        if name.startswith("_") and not name.endswith(_OPERATORS):
            continue
        operator = next((op for op in _OPERATORS if name.endswith(op)), "")
        field = name[: -len(operator)] if operator else name
        if operator in ("", "_like"):  # repeated values: any of them (OR)
            rows = [r for r in rows if any(_matches(_deep(r, field), operator, v) for v in values)]
        else:  # `_ne`, `_gte`, `_lte`: every one of them
            rows = [r for r in rows if all(_matches(_deep(r, field), operator, v) for v in values)]
    return rows


def _sorted(
    rows: list[dict[str, Any]], sort: str | None, order: str | None
) -> list[dict[str, Any]]:
    if not sort:
        return rows
    fields = sort.split(",")
    orders = (order or "").split(",")
    for index in reversed(range(len(fields))):
        descending = index < len(orders) and orders[index].lower() == "desc"
        rows = sorted(rows, key=lambda row, f=fields[index]: _sort_key(_deep(row, f)),
                      reverse=descending)  # fmt: skip
    return rows


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, _text(value)) if value is not None else (2, "")


def _page(
    rows: list[dict[str, Any]], page: int, limit: int, request: Request
) -> tuple[list[dict[str, Any]], str]:
    """One page and its `Link` header, as json-server's `getPage` and Express's `res.links`."""
    page = max(page, 1)
    start, end = (page - 1) * limit, page * limit
    items = rows[start:end]
    if not items or len(items) == len(rows):
        return items, ""
    links: dict[str, int] = {"first": 1}
    if page > 1:
        links["prev"] = page - 1
    if end < len(rows):
        links["next"] = page + 1
    links["last"] = -(-len(rows) // limit)
    return items, ", ".join(
        f'<{_url_with_page(request, n)}>; rel="{rel}"' for rel, n in links.items()
    )


def _url_with_page(request: Request, page: int) -> str:
    """The request's full URL with `_page` set to `page` (json-server replaces it in place)."""
    pairs = [(k, str(page) if k == "_page" else v) for k, vs in request.query.items() for v in vs]
    return f"{request.base_url}{request.path}?{urlencode(pairs)}"
