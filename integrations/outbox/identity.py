"""What a created record is known by at its provider, for the duplicate check.

A create operation declares its identity next to itself (`OutboxOperation.identity`
and `with_identity`): the identity its payload gives, and which synced records
have it. After each sync, `integrations.outbox.duplicates` flags an identity
that more than one record at the provider holds. The helpers below are the
shared ways to match; an app picks one rather than writing its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class Identity:
    """One create write's identity: e.g. ("email", "ann@example.com")."""

    kind: str  # what people read: "email", "domain", "name"
    value: str  # normalized with `normalized()`
    # Where the value must be unique, e.g. the workspace's remote id for a project name.
    scope: str = ""

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"


def normalized(value: Any) -> str:
    """Trimmed and lower-cased, as the synced `search_text` columns are."""
    return str(value or "").strip().lower()


def first_identity(kind: str, values: Iterable[Any], *, scope: str = "") -> Identity | None:
    """The identity of the first non-empty value (a form's first email), else None."""
    for value in values:
        if text := normalized(value):
            return Identity(kind=kind, value=text, scope=scope)
    return None


def records_with(records: QuerySet, *, field: str, value: str) -> QuerySet:
    """Records whose `field` (a name, or a list such as emails or domains) is or holds
    `value`, ignoring case.

    The lower-cased `search_text` every synced model keeps (its name and lists)
    narrows them in SQL; the exact comparison runs in Python on the few it finds,
    because SQLite folds the case of ASCII letters only and neither database
    compares a JSON list's items case-insensitively.
    """
    near = records.filter(search_text__contains=value).values_list("pk", field)
    return records.filter(pk__in=[pk for pk, held in near if value in _normalized_all(held)])


def _normalized_all(held: Any) -> set[str]:
    items = held if isinstance(held, list) else [held]
    return {normalized(item) for item in items if item}
