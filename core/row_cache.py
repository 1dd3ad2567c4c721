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
    load: Callable[[list[Any]], dict[Any, Any]],
    context: dict[str, Any] | None = None,
) -> list[SafeString]:
    """The HTML of each of `rows`, in order: from the cache, or loaded, rendered and cached.

    `rows` need only a `pk` and what `key(row)` reads (a sync stamp, not the
    record); the key must change whenever the row's HTML would. `load(pks)`
    returns {pk: record} with everything the template shows, for the rows the
    cache lacks; one it no longer finds (deleted meanwhile) is left out. The
    template gets each record as `name`, beside `context`.
    """
    keys = {row.pk: f"row:{template_name}:{key(row)}" for row in rows}
    found: dict[str, str] = cache.get_many(list(keys.values()))
    missing = [pk for pk, row_key in keys.items() if row_key not in found]
    if missing:
        template = get_template(template_name)
        fresh = {
            keys[pk]: template.render({**(context or {}), name: record})
            for pk, record in load(missing).items()
            if pk in keys
        }
        cache.set_many(fresh, TIMEOUT)
        found.update(fresh)
    # The cache holds only what this function rendered from escaped templates.
    return [mark_safe(found[keys[row.pk]]) for row in rows if keys[row.pk] in found]  # noqa: S308
