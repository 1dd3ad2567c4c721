"""Every list's pages: Django's `Paginator`, and `?page=` read so that nothing typed is an error.

A page number comes from the address bar, so it can be anything: empty, a word,
`0`, `-3`, `1.5`, or a number with thirty digits. Anything that is not a whole
number from 1 up means page 1; a number past `MAX_PAGE` means `MAX_PAGE`, which
no list here reaches (a larger offset would overflow the database's 64-bit
OFFSET, and a 5,000-digit number would not even convert). A page past a list's
end is the last page (`Paginator.get_page`); the candidates list then says
"there is no page N" instead.

A list whose full count is measurably slow (the candidates: counting a
million rows costs more than showing a page) passes `count_limit`: the count
stops that many rows past the page asked for, and the page says "more than
N" instead of an exact total. Below the limit, totals are exact. Where the
rows are known to be few, the limit is that bound, so the count is exact
past the usual limit too: a search the SQLite index answered finds fewer than
`core.search.DENSE_MATCHES` rows ("4,283 candidates",
`ResourcePages.list_count_limit`), and reading those ids in the one walk
costs less than a second, counting query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

MAX_PAGE = 1_000_000


def page_number(value: object) -> int:
    """The page that `value` (a `?page=` parameter) asks for, from 1 to MAX_PAGE."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    if len(text) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(1, int(text)), MAX_PAGE)


class ListPaginator(Paginator):
    """Django's paginator; with `count_limit`, the page asked for and its count are one read.

    For the page `asked`, the ids from its first row to `count_limit` rows past it are
    read in one walk of the list's order (`_window`): its first `per_page` ids are the
    page, loaded by `load(ids)` (primary keys, any order; running the list's filters
    again could make SQLite pick a list index over the primary key), and their number
    is the count as far as it goes. Counting and then reading the page, as the plain
    paginator does, walks the order twice.
    """

    def __init__(
        self,
        rows: QuerySet,
        per_page: int,
        *,
        count_limit: int | None = None,
        asked: int = 1,
        load: Callable[[list[Any]], Iterable[Any]] | None = None,
    ) -> None:
        super().__init__(rows, per_page)
        self.asked, self.load = asked, load
        self.limit = None if count_limit is None else asked * per_page + count_limit

    @cached_property
    def _window(self) -> list[Any]:
        offset = (self.asked - 1) * self.per_page
        ids = self.object_list.prefetch_related(None).values_list("pk", flat=True)
        return list(ids[offset : self.limit + 1])

    @cached_property
    def count(self) -> int:
        if self.limit is None:
            return super().count
        if not self._window and self.asked > 1:  # past the end: the real total, for its last page
            return self.object_list.order_by().count()
        return (self.asked - 1) * self.per_page + len(self._window)

    @property
    def count_is_exact(self) -> bool:
        return self.limit is None or self.count <= self.limit

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if self.limit is None or number != self.asked:
            return super().page(number)
        ids = self._window[: self.per_page]
        loaded = self.load(ids) if self.load else self.object_list.filter(pk__in=ids).order_by()
        position = {pk: index for index, pk in enumerate(ids)}
        rows = sorted((r for r in loaded if r.pk in position), key=lambda r: position[r.pk])
        return self._get_page(rows, number, self)


def paginate(
    rows: QuerySet,
    value: object,
    per_page: int,
    *,
    count_limit: int | None = None,
    load: Callable[[list[Any]], Iterable[Any]] | None = None,
) -> Page:
    """The page `value` asks for; one past the end is the last page."""
    number = page_number(value)
    paginator = ListPaginator(rows, per_page, count_limit=count_limit, asked=number, load=load)
    return paginator.get_page(number)
