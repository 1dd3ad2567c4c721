"""Rendered list rows, cached by what they show.

A list page shows a few dozen rows, and most of them have not changed since
the last time someone looked. Each row's HTML is cached under a key made of
what it shows (the record's id and sync stamp, plus anything else that goes
into it, such as offer titles). A page asks the cache for all its rows in one
call and loads and renders only the rows it is missing, so a warm page costs
one cache round trip instead of a query and a template per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

TIMEOUT = 3600  # seconds; a changed record gets a new key long before that


def rendered_rows(
    rows: Sequence[Any],
    *,
    template_name: str,
    name: str,
    key: Callable[[Any], str],
    context: dict[str, Any] | None = None,
    prepare: Callable[[list[Any]], None] | None = None,
) -> list[SafeString]:
    """The HTML of each of `rows`, in order: from the cache, or rendered and then cached.

    `key(row)` must change whenever the row's HTML would; `prepare(missing)` loads
    what rendering needs (related records) for the rows the cache did not have.
    The template gets each row as `name`, beside `context`.
    """
    keys = [f"row:{template_name}:{key(row)}" for row in rows]
    found: dict[str, str] = cache.get_many(keys)
    missing = [row for row, row_key in zip(rows, keys, strict=True) if row_key not in found]
    if missing:
        if prepare:
            prepare(missing)
        template = get_template(template_name)
        fresh = {
            row_key: template.render({**(context or {}), name: row})
            for row, row_key in zip(rows, keys, strict=True)
            if row_key not in found
        }
        cache.set_many(fresh, TIMEOUT)
        found.update(fresh)
    # The cache holds only what this function rendered from escaped templates.
    return [mark_safe(found[row_key]) for row_key in keys]  # noqa: S308
