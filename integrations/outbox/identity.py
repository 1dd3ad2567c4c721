"""What a created record is known by at its provider, for the duplicate check.

A create operation declares, next to itself, the identity its payload gives
(`OutboxOperation.identity`) and where synced records keep each kind of
identity (`OutboxOperation.identity_rules`). After each sync,
`integrations.outbox.duplicates` flags an identity that more than one synced
record holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Identity:
    """One create write's identity: e.g. ("email", "ann@example.com")."""

    kind: str  # what people read: "email", "domain", "name"
    value: str  # normalized with `normalized()`
    # Where the value must be unique, e.g. the workspace's remote id for a project name.
    scope: str = ""

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"


@dataclass(frozen=True)
class IdentityRule:
    """Where a synced record keeps one kind of identity."""

    field: str  # a text field ("name") or a JSON list of texts ("emails", "domains")
    # The field an identity's scope must equal, e.g. "workspace_remote_id".
    scope_field: str = ""
    # Only records with these field values can be copies, e.g. {"is_global": False}.
    only: dict[str, Any] = field(default_factory=dict)


def normalized(value: Any) -> str:
    """Trimmed and lower-cased: how identities compare."""
    return str(value or "").strip().lower()


def normalized_all(held: Any) -> set[str]:
    """The normalized values of a text or a list of texts (a record's `IdentityRule.field`)."""
    items = held if isinstance(held, list) else [held]
    return {text for item in items if (text := normalized(item))}


def first_identity(kind: str, values: Iterable[Any], *, scope: str = "") -> Identity | None:
    """The identity of the first non-empty value (a form's first email), else None."""
    for value in values:
        if text := normalized(value):
            return Identity(kind=kind, value=text, scope=scope)
    return None
