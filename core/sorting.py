"""Sorting a list by any of its columns, in either direction: `?sort=name` or `?sort=-name`.

Each list declares its sortable columns as data (`Sorting`); its selector calls
`order_by(value)` and its template puts `{% sort_header "name" "Name" %}` in the
column heading (core/templatetags/hub.py): a link that sorts by the column,
first in the column's natural direction (dates newest first), then the other
way, keeping the search and filters and going back to page 1, with `aria-sort`
saying how the list is sorted now. Anything else in `?sort=` is the list's
default order: a column's, or the primary key's (`default=""`, no heading sorted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import F, OrderBy
from django.db.models.expressions import Combinable


@dataclass(frozen=True)
class Column:
    """One sortable column: what it orders by, ascending (field names or expressions)."""

    by: Sequence[str | Combinable]
    descending_first: bool = False  # the first click sorts descending (dates)
    empty_last: bool = False  # rows without a value (NULL) last, either way


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool

    @property
    def value(self) -> str:
        return f"-{self.key}" if self.descending else self.key


@dataclass(frozen=True)
class Sorting:
    columns: dict[str, Column]
    default: str  # a value, such as "-created"; "" is the primary key's order

    def parse(self, value: object) -> Sort:
        """The sort `value` (a `?sort=` parameter) asks for, or the default."""
        text = str(value or "").strip()
        key = text.removeprefix("-")
        if key not in self.columns:
            text = self.default
            key = text.removeprefix("-")
        return Sort(key, text.startswith("-"))

    def order_by(self, sort: Sort | None) -> list[OrderBy]:
        """ORDER BY the column, then the primary key the same way (a stable order);
        None is the default order."""
        sort = sort or self.parse(self.default)
        column = self.columns[sort.key] if sort.key else Column(())
        nulls = {"nulls_last": True} if column.empty_last else {}
        by = [F(b) if isinstance(b, str) else b for b in column.by]
        ordered = [b.desc(**nulls) if sort.descending else b.asc(**nulls) for b in by]
        return [*ordered, F("pk").desc() if sort.descending else F("pk").asc()]

    def next_value(self, key: str, current: Sort) -> str:
        """What a click on column `key`'s heading sorts by."""
        if key == current.key:
            return Sort(key, not current.descending).value
        return Sort(key, self.columns[key].descending_first).value


def header(sorting: Sorting, current: Sort, key: str, label: str, query: str) -> dict[str, Any]:
    """The context of one column heading (`partials/sort_header.html`)."""
    active = key == current.key
    value = sorting.next_value(key, current)
    return {
        "label": label,
        "href": "?" + "&".join(filter(None, [query, urlencode({"sort": value})])),
        "aria_sort": ("descending" if current.descending else "ascending") if active else "none",
        "active": active,
        "descending": active and current.descending,
        "next_descending": value.startswith("-"),
    }
