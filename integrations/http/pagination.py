"""Pagination iterators, one per style a provider uses.

Each takes a client, a path, the key that holds the page's records and the
query params, and yields `Page`s lazily: one request per page, so memory stays
flat. Every page goes through `client.get`, so each page is retried on its own.
A provider that hands back the same offset, page or token twice would make the
loop endless; that raises InvalidResponseError instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from integrations.http.errors import InvalidResponseError
from integrations.http.redaction import redact_url

if TYPE_CHECKING:
    from integrations.http.client import ApiClient


@dataclass(frozen=True)
class Page:
    items: list[Any] = field(repr=False)
    data: Any = field(repr=False)  # the whole page body, for metadata
    number: int  # 1-based, counted from where the iteration started
    # Where to start to continue after this page (an offset, page number, token
    # or URL); None on the last page. A sync saves it as its checkpoint.
    resume: Any = None


class Paginator:
    """Shared plumbing; subclasses implement `__iter__` for one style.

    `start` is a `Page.resume` value saved earlier: iteration continues there.
    """

    def __init__(
        self,
        client: ApiClient,
        path: str,
        *,
        items_key: str | None,
        params: Mapping[str, Any] | None = None,
        page_size: int = 100,
        start: Any = None,
    ) -> None:
        self.client = client
        self.path = path
        self.items_key = items_key
        self.params = dict(params or {})
        self.page_size = page_size
        self.start = start

    def __iter__(self) -> Iterator[Page]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__()")

    def _fetch(self, path: str, params: Mapping[str, Any] | None) -> tuple[Any, list[Any]]:
        data = self.client.get(path, params=params).data
        return data, self._items(data)

    def _items(self, data: Any) -> list[Any]:
        items = data if self.items_key is None else _get(data, self.items_key)
        if not isinstance(items, list):
            raise self._error(f"expected a list of records at {self.items_key or 'the top'!r}")
        return items

    def _error(self, problem: str) -> InvalidResponseError:
        return InvalidResponseError(
            problem,
            provider=self.client.provider.display_name,
            method="GET",
            path=self.client.redact(redact_url(self.path)),
        )

    def _refuse_repeat(self, seen: set[Any], marker: Any, what: str) -> None:
        if marker in seen:
            raise self._error(f"pagination loop: the provider returned the same {what} twice")
        seen.add(marker)


def _get(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, dict) else None


class OffsetPages(Paginator):
    """`?limit=&offset=` with no totals (Recruitee): a short page is the last one."""

    limit_param, offset_param = "limit", "offset"

    def __iter__(self) -> Iterator[Page]:
        offset, previous = int(self.start or 0), None
        for number in _count():
            params = {**self.params, self.limit_param: self.page_size, self.offset_param: offset}
            data, items = self._fetch(self.path, params)
            if items and items == previous:
                raise self._error("pagination loop: the provider returned the same page twice")
            last = len(items) < self.page_size
            offset += len(items)
            if items:
                yield Page(items, data, number, resume=None if last else offset)
            if last:
                return
            previous = items


class PageNumberPages(Paginator):
    """`?page=&limit=` with `meta.totalPages` and `meta.currentPage` (the generic project tool)."""

    page_param, limit_param = "page", "limit"

    def __iter__(self) -> Iterator[Page]:
        first = int(self.start or 1)
        for number in _count(first):
            params = {**self.params, self.page_param: number, self.limit_param: self.page_size}
            data, items = self._fetch(self.path, params)
            meta = _get(data, "meta") or {}
            current, total = _get(meta, "currentPage"), _get(meta, "totalPages")
            if current is not None and current != number:
                raise self._error(f"pagination loop: asked for page {number}, got {current}")
            last = number >= total if isinstance(total, int) else len(items) < self.page_size
            last = last or not items
            if items:
                yield Page(items, data, number - first + 1, resume=None if last else number + 1)
            if last:
                return


class PageTokenPages(Paginator):
    """`page_token` from `next_page_token`, sending identical params every time (Affinity v1).

    Affinity answers "Invalid page_token variable" if the params change between pages.
    """

    size_param, token_param, next_key = "page_size", "page_token", "next_page_token"

    def __iter__(self) -> Iterator[Page]:
        token, seen = self.start, set()
        for number in _count():
            params = {**self.params, self.size_param: self.page_size}
            if token:
                params[self.token_param] = token
            data, items = self._fetch(self.path, params)
            token = _get(data, self.next_key) or None
            if items:
                yield Page(items, data, number, resume=token)
            if not token:
                return
            self._refuse_repeat(seen, token, "page token")


class NextOffsetPages(Paginator):
    """`?limit=&offset=<token>` from `next_page.offset`, null on the last page (Asana)."""

    limit_param, offset_param = "limit", "offset"

    def __iter__(self) -> Iterator[Page]:
        token, seen = self.start, set()
        for number in _count():
            params = {**self.params, self.limit_param: self.page_size}
            if token:
                params[self.offset_param] = token
            data, items = self._fetch(self.path, params)
            token = _get(_get(data, "next_page"), "offset") or None
            if items:
                yield Page(items, data, number, resume=token)
            if not token:
                return
            self._refuse_repeat(seen, token, "offset token")


class NextUrlPages(Paginator):
    """Follow `pagination.nextUrl` until null (Affinity v2); it must stay under the base URL."""

    limit_param = "limit"

    def __iter__(self) -> Iterator[Page]:
        path: str = self.start or self.path
        params: dict[str, Any] | None = (
            None if self.start else {**self.params, self.limit_param: self.page_size}
        )
        seen: set[str] = set()
        for number in _count():
            data, items = self._fetch(path, params)
            next_url = _get(_get(data, "pagination"), "nextUrl")
            next_url = next_url if isinstance(next_url, str) and next_url else None
            if items:
                yield Page(items, data, number, resume=next_url)
            if not next_url:
                return
            self._refuse_repeat(seen, next_url, "next URL")
            path, params = next_url, None


def _count(first: int = 1) -> Iterator[int]:
    number = first
    while True:
        yield number
        number += 1


PAGINATORS: dict[str, type[Paginator]] = {
    "offset": OffsetPages,
    "page_number": PageNumberPages,
    "page_token": PageTokenPages,
    "next_offset": NextOffsetPages,
    "next_url": NextUrlPages,
}
