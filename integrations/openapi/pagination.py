"""Pagination: detected from the document, then from each answer.

From the document (the query parameters and the list answer's schema):
- `page`: a page number (`page`, `_page`, `page_num`…), with or without a size;
- `offset`: an offset (`offset`, `_start`, `skip`) and a size;
- `cursor`: a token parameter (`cursor`, `page_token`, `after`…), or an offset whose
  answer carries the next one (Asana's `next_page.offset`).
From the answers: a `Link: <…>; rel="next"` header is followed whatever the style
(the URL must stay under the base URL, as `ApiClient` enforces), an
`X-Total-Count` ends page-number paging, and a short or empty page ends the rest.
Each page comes with the `Position` of the next one, from which reading can start
again later (a sync's checkpoint, apis/sync.py).

The shared `integrations.http.pagination` styles are fixed per provider and
read only the body; these are parameterised by the document and read headers.
A repeated token, URL or page raises `InvalidResponseError`, never loops.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from requests.utils import parse_header_links

from integrations.http.errors import InvalidResponseError
from integrations.openapi.model import Pagination, Parameter, ResponseShape
from integrations.openapi.refs import child

if TYPE_CHECKING:
    from integrations.http.client import ApiResponse

PAGE_PARAMS = ("page", "_page", "page_num", "page_number", "pagenum", "pagenumber")
SIZE_PARAMS = ("limit", "_limit", "per_page", "page_size", "pagesize", "size", "max_results")
OFFSET_PARAMS = ("offset", "_start", "start", "skip")
CURSOR_PARAMS = ("cursor", "page_token", "pagetoken", "next_token", "nexttoken", "after",
                 "starting_after", "next_page_token", "continuation_token")  # fmt: skip
TOKEN_PATHS = (("next_page", "offset"), ("next_cursor",), ("next_page_token",),
               ("nextPageToken",), ("meta", "next_cursor"), ("pagination", "next_cursor"),
               ("response_metadata", "next_cursor"), ("next_token",), ("cursor",))  # fmt: skip
ENVELOPE_KEYS = ("data", "items", "results", "records", "entries", "values", "content")

NO_PAGING = Pagination("none")

Send = Callable[[str, Mapping[str, Any] | None], "ApiResponse"]


def detect(
    method: str, parameters: list[Parameter], response: ResponseShape | None, reader: Any
) -> Pagination | None:
    """The operation's paging style, or None when it is not a list to iterate."""
    if method != "get":
        return None
    query = {p.wire_name.lower(): p.wire_name for p in parameters if p.location == "query"}
    size = next((query[n] for n in SIZE_PARAMS if n in query), "")
    token_path = _token_path(reader, response)
    cursor = next((query[n] for n in CURSOR_PARAMS if n in query), "")
    offset = next((query[n] for n in OFFSET_PARAMS if n in query), "")
    page = next((query[n] for n in PAGE_PARAMS if n in query), "")
    if cursor or (offset and token_path):
        return Pagination("cursor", cursor or offset, size, token_path)
    if page:
        return Pagination("page", page, size)
    if offset and size:
        return Pagination("offset", offset, size)
    if response is not None and response.is_list:
        return Pagination("none", "", size)
    return None


def _token_path(reader: Any, response: ResponseShape | None) -> tuple[str, ...]:
    if response is None or not response.schema_pointer:
        return ()
    schema = reader.response_schema(response.schema_pointer)
    for path in TOKEN_PATHS:
        node, pointer = schema, response.schema_pointer
        for depth, key in enumerate(path):
            properties = node.get("properties") or {}
            if key not in properties:
                break
            pointer = child(pointer, "properties", key)
            if depth < len(path) - 1:
                node = (
                    reader.response_schema(pointer)
                    if "$ref" in properties[key]
                    else (properties[key])
                )
        else:
            return path
    return ()


def items_of(data: Any, items_key: str | None) -> list[Any]:
    """The records of one page: the array itself, or the envelope's list."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in (items_key, *ENVELOPE_KEYS) if items_key else ENVELOPE_KEYS:
            if isinstance(data.get(key), list):
                return data[key]
    return []


def next_link(headers: Mapping[str, str]) -> str | None:
    """The `rel="next"` URL of a `Link` header, if any."""
    value = headers.get("Link")
    if not value:
        return None
    for link in parse_header_links(value):
        if "next" in str(link.get("rel", "")).split() and link.get("url"):
            return link["url"]
    return None


def without_params(url: str, names: Collection[str]) -> str:
    """`url` less the query parameters `names` (an API key a `Link` header echoed back)."""
    if not names:
        return url
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    return urlunsplit(parts._replace(query=urlencode(kept)))


@dataclass(frozen=True)
class Position:
    """Where a page of a list starts: a page number, offset or cursor token (`marker`), or
    a `Link` header's next URL (`link`); neither is the first page. `fetched` is how many
    items the pages before it held (page-number paging ends at `X-Total-Count`)."""

    marker: Any = None
    link: str | None = None
    fetched: int = 0


FIRST_PAGE = Position()


def pages(
    send: Send,
    path: str,
    params: Mapping[str, Any],
    pagination: Pagination,
    items_key: str | None,
    *,
    provider: str,
    start: Position = FIRST_PAGE,
) -> Iterator[tuple[ApiResponse, list[Any], Position | None]]:
    """Each page's answer, records and where the next page starts (None after the last),
    one request at a time, from `start`."""
    params = dict(params)
    if start.marker is not None:
        params[pagination.page_param] = start.marker
    if pagination.style == "page":
        params.setdefault(pagination.page_param, 1)
    if pagination.style == "offset":
        params.setdefault(pagination.page_param, 0)
    seen: set[Any] = set()
    following = start.link  # once a `Link` leads, only links lead
    fetched, previous = start.fetched, None
    while True:
        response = send(following or path, None if following else params)
        items = items_of(response.data, items_key)
        if items and items == previous:
            raise _loop(provider, path, "the same page")
        previous = items
        fetched += len(items)
        link = next_link(response.headers)
        if link or following:
            after = Position(link=link, fetched=fetched) if link else None
        else:
            marker = _next_marker(pagination, params, response, items, fetched)
            after = None if marker is None else Position(marker=marker, fetched=fetched)
        yield response, items, after
        if after is None:
            return
        if after.link:
            _refuse_repeat(seen, after.link, provider, path, "next link")
            following = after.link
        else:
            _refuse_repeat(seen, after.marker, provider, path, "page marker")
            params[pagination.page_param] = after.marker


def _next_marker(
    pagination: Pagination,
    params: Mapping[str, Any],
    response: ApiResponse,
    items: list[Any],
    fetched: int,
) -> Any:
    if pagination.style == "cursor":
        return next_token(response.data, pagination.token_path) or None
    if not items or pagination.style == "none":
        return None
    size = params.get(pagination.size_param) if pagination.size_param else None
    if size is not None and str(size).isdigit() and len(items) < int(size):
        return None
    if pagination.style == "page":
        total = response.headers.get("X-Total-Count", "")
        if total.isdigit() and fetched >= int(total):
            return None
        return int(params[pagination.page_param]) + 1
    return int(params[pagination.page_param]) + len(items)


def next_token(data: Any, path: tuple[str, ...]) -> Any:
    """The next page's cursor in a cursor-style answer (at `path`, else a usual place)."""
    for candidate in (path,) if path else TOKEN_PATHS:
        node = data
        for key in candidate:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str | int) and node != "":
            return node
    return None


def _refuse_repeat(seen: set[Any], marker: Any, provider: str, path: str, what: str) -> None:
    if marker in seen:
        raise _loop(provider, path, f"the same {what}")
    seen.add(marker)


def _loop(provider: str, path: str, what: str) -> InvalidResponseError:
    return InvalidResponseError(
        f"pagination loop: the provider returned {what} twice",
        provider=provider,
        method="GET",
        path=path,
    )
