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
N" instead of an exact total. Below the limit, totals are exact.
"""

from __future__ import annotations

from functools import cached_property

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
    """Django's paginator; with `count_limit`, the count stops `count_limit` rows past `upto`."""

    def __init__(
        self, rows: QuerySet, per_page: int, *, count_limit: int | None = None, upto: int = 0
    ) -> None:
        super().__init__(rows, per_page)
        self.limit = None if count_limit is None else upto + count_limit

    @cached_property
    def count(self) -> int:
        if self.limit is None:
            return super().count
        # Counting needs no order: without it the database need not sort the matches.
        return self.object_list.order_by()[: self.limit + 1].count()

    @property
    def count_is_exact(self) -> bool:
        return self.limit is None or self.count <= self.limit


def paginate(
    rows: QuerySet, value: object, per_page: int, *, count_limit: int | None = None
) -> Page:
    """The page `value` asks for; one past the end is the last page."""
    number = page_number(value)
    paginator = ListPaginator(rows, per_page, count_limit=count_limit, upto=number * per_page)
    return paginator.get_page(number)
