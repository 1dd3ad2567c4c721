"""Paging a generated list the API's way, so that a person can go to the next page and back.

- **Numbers** (`page` and `offset` styles): `?page=N` becomes the API's page number or
  offset (`ApiResourcePages.pagination_args`).
- **Markers** (a `cursor` style, and any list whose answer carries a `Link: <…>;
  rel="next"` header): the next page is known only from the answer, as a cursor token
  or a URL. The page's links carry it as `?after=<marker>`, and the markers of the pages
  before as `?before=` (the first page's is ""), so "Previous" goes back one page and
  the page number is their count plus one. A marker is signed (Django's signing, salted
  per connection and resource): the hub follows only URLs and tokens the API itself
  gave, never one typed into the address bar (and a `Link` URL must also stay under the
  base URL, as `ApiClient` enforces for every call).
- **Local**: a list without paging is one answer, paged here with Django's `Paginator`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core import signing

from integrations.openapi.pagination import next_link, next_token, without_params

if TYPE_CHECKING:
    from apis.pages import ApiResourcePages


@dataclass(frozen=True)
class Marker:
    """Where a page starts: a cursor token to send, or a URL to follow."""

    token: str | int | None = None
    link: str | None = None


@dataclass(frozen=True)
class Position:
    """The page asked for in marker paging: its marker (None: the first page) and the
    markers of the pages before it, as they appear in the address."""

    marker: Marker | None = None
    signed: str = ""
    before: list[str] = field(default_factory=list)
    refused: bool = False  # a marker was given but not signed by the hub

    @property
    def number(self) -> int:
        return len(self.before) + 1 if self.marker else 1


def _salt(pages: ApiResourcePages) -> str:
    return f"apis.paging:{pages.connection_row.pk}:{pages.name}"


def sign(pages: ApiResourcePages, marker: Marker) -> str:
    value = {"link": marker.link} if marker.link else {"token": marker.token}
    return signing.dumps(value, salt=_salt(pages), compress=True)


def position(pages: ApiResourcePages, query: Any) -> Position:
    """The marker page `query` (`request.GET`) asks for; an unsigned one means page 1."""
    signed = query.get("after", "")
    if not signed:
        return Position()
    try:
        value = signing.loads(signed, salt=_salt(pages))
    except signing.BadSignature:
        return Position(refused=True)
    if not isinstance(value, dict):
        return Position(refused=True)
    marker = Marker(token=value.get("token"), link=value.get("link"))
    return Position(marker, signed, list(query.getlist("before")) or [""])


def following(
    pages: ApiResourcePages, headers: Any, data: Any, secrets: Collection[str]
) -> Marker | None:
    """The next page's marker from an answer: its `Link` `rel="next"` (less the query
    parameters `secrets` that carry credentials: a marker is signed, not encrypted), else
    (cursor style) the token the answer carries."""
    if link := next_link(headers):
        return Marker(link=without_params(link, secrets))
    style = pages.operations["list"].pagination
    if style is not None and style.style == "cursor":
        token = next_token(data, style.token_path)
        if token not in (None, ""):
            return Marker(token=token)
    return None


def marker_links(
    pages: ApiResourcePages, at: Position, next_marker: Marker | None, filters: str
) -> tuple[str | None, str | None]:
    """The query strings of the previous and next pages (None where there is none)."""
    previous = None
    if at.marker is not None:
        *earlier, last = at.before
        previous = _query(filters, last, earlier)
    after = None
    if next_marker is not None:
        after = _query(filters, sign(pages, next_marker), [*at.before, at.signed])
    return previous, after


def number_link(filters: str, page: int) -> str:
    return "&".join(part for part in (filters, urlencode({"page": page})) if part)


def _query(filters: str, after: str, before: list[str]) -> str:
    pairs = [("before", value) for value in before]
    if after:
        pairs.append(("after", after))
    return "&".join(part for part in (filters, urlencode(pairs)) if part)
