"""Sorting a list by any of its columns, in either direction: `?sort=name` or `?sort=-name`.

Each list declares its sortable columns as data (`Sorting`); its selector calls
`order_by(value)` and its template puts `{% sort_header "name" "Name" %}` in the
column heading (core/templatetags/hub.py): a link that sorts by the column,
first in the column's natural direction (dates newest first), then the other
way, keeping the search and filters and going back to page 1, with `aria-sort`
saying how the list is sorted now. Anything else in `?sort=` is the list's
default order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OrderBy
from django.db.models.expressions import Combinable


@dataclass(frozen=True)
class Column:
    """One sortable column: what it orders by, ascending (field names or expressions)."""

    by: Sequence[str | Combinable]
    descending_first: bool = False  # the first click sorts descending (dates)


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
    default: str  # a value, such as "-created"

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
        by = [F(b) if isinstance(b, str) else b for b in (*self.columns[sort.key].by, "pk")]
        return [b.desc() if sort.descending else b.asc() for b in by]

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
        "href": f"?{query}&sort={value}" if query else f"?sort={value}",
        "aria_sort": ("descending" if current.descending else "ascending") if active else "none",
        "active": active,
        "descending": active and current.descending,
        "next_descending": value.startswith("-"),
    }
