"""Tolerant readers of untrusted provider JSON: one function per job.

Everything a provider answers is untrusted. A missing key, a null, a wrong type
or an absurd value becomes an empty value (`""`, `()`, `{}`, `[]`) or `None`,
never an exception, so a record with one odd field still syncs. Every provider
module reads its payloads through these; where a provider's rule differs (a
text limit, numbers taken as text, distinct values), the rule is an argument
at its call site, not another copy of the reader.

A bool is never a number here (`True` is an `int` in Python, and JSON's `true`
is not an id, a count or a position).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

# An id read as text longer than this is no id (the hub's remote id columns hold 64).
MAX_TEXT_ID = 64
# The largest integer id or number: what a database bigint holds.
MAX_INTEGER = 2**63 - 1


def text(value: Any, *, limit: int | None = None, numbers: bool = False) -> str:
    """A string, stripped, cut to `limit`; with `numbers`, an int or float as its text.

    Anything else (None, a bool, a list, an object) is "".
    """
    if isinstance(value, str):
        found = value.strip()
    elif numbers and (integer(value) is not None or isinstance(value, float)):
        found = str(value)
    else:
        return ""
    return found if limit is None else found[:limit]


def texts(
    value: Any, *, limit: int | None = None, numbers: bool = False, distinct: bool = False
) -> tuple[str, ...]:
    """The non-empty texts of a list (each read by `text`); `distinct` drops repeats.

    Anything but a list is ().
    """
    found = (text(item, limit=limit, numbers=numbers) for item in items(value))
    kept = tuple(t for t in found if t)
    return tuple(dict.fromkeys(kept)) if distinct else kept


def text_id(value: Any) -> str:
    """An id as text: an int, or a non-empty string of at most 64 characters; else ""."""
    if isinstance(value, str):
        found = value.strip()
    elif (number := integer(value, minimum=-MAX_INTEGER)) is not None:
        found = str(number)
    else:
        return ""
    return found if len(found) <= MAX_TEXT_ID else ""


def int_id(value: Any) -> int | None:
    """A positive integer id: an int or a string of ASCII digits, at most a bigint; else None."""
    if isinstance(value, str):
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(MAX_INTEGER)):
            return None
        value = int(digits)
    return integer(value, minimum=1)


def int_ids(value: Any) -> tuple[int, ...]:
    """The distinct positive integer ids of a list, in order (ids that link records)."""
    found = (int_id(item) for item in items(value))
    return tuple(dict.fromkeys(i for i in found if i is not None))


def integer(value: Any, *, minimum: int | None = None) -> int | None:
    """An int (not a bool), from `minimum` (if given) to a bigint's largest; else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if value > MAX_INTEGER or (minimum is not None and value < minimum):
        return None
    return value


def mapping(value: Any) -> dict[str, Any]:
    """An object, or {} for anything else."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """A list, or [] for anything else."""
    return value if isinstance(value, list) else []


def records(value: Any) -> list[dict[str, Any]]:
    """The objects of a list, skipping anything else in it."""
    return [item for item in items(value) if isinstance(item, dict)]


def timestamp(value: Any) -> dt.datetime | None:
    """An ISO-8601 time (`2023-01-15T12:01:10.725552Z`); one without a zone is taken as UTC."""
    if not isinstance(value, str):
        return None
    try:
        found = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=dt.UTC)


def iso_date(value: Any) -> dt.date | None:
    """A calendar date: `2026-03-01` (a time after it is ignored), or a date itself."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
