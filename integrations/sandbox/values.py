"""Small parsers and formatters the fake APIs share."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_micro(moment: datetime) -> str:
    """`2023-01-15T12:01:10.725552Z`, the shape Recruitee uses (moment in UTC)."""
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def iso_milli(moment: datetime) -> str:
    """`2012-02-22T02:06:58.147Z`, the shape Asana and the project tool use (moment in UTC)."""
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def is_email(value: object) -> bool:
    return isinstance(value, str) and bool(EMAIL.match(value))


def is_true(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1")


def parse_int(value: str | None, default: int | None = None) -> int | None:
    """An integer query parameter; raises ValueError on anything else."""
    if value is None or value == "":
        return default
    return int(value)


def parse_date(value: object) -> date | None:
    """A strict `YYYY-MM-DD`; None when it is not one."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def string_list(value: object) -> list[str] | None:
    """The value when it is a list of strings, else None."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None
