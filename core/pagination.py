"""Reading `?page=` for every list page: whatever is typed, never an error.

A page number comes from the address bar, so it can be anything: empty, a word,
`0`, `-3`, `1.5`, or a number with thirty digits. Anything that is not a whole
number from 1 up means page 1; a number past `MAX_PAGE` means `MAX_PAGE`, which
no list here reaches (a larger offset would overflow the database's 64-bit
OFFSET, and a 5,000-digit number would not even convert). A page past a list's
end is then the paginator's business: the last page, or "there is no page N".
"""

from __future__ import annotations

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


def paginate(rows: QuerySet, value: object, per_page: int) -> Page:
    """The page `value` asks for; one past the end is the last page."""
    return Paginator(rows, per_page).get_page(page_number(value))
