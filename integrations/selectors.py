"""Read-only queries about connections, for pages."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Case, QuerySet, Value, When

from integrations.models import Connection


def active_connections(providers: Sequence[str]) -> QuerySet[Connection]:
    """The active connections of `providers`, in that order of preference, oldest first:
    `.first()` is the one pages use; as a subquery it keeps a check to one query."""
    preference = Case(*(When(provider=p, then=Value(i)) for i, p in enumerate(providers)))
    return Connection.objects.filter(provider__in=providers, is_active=True).order_by(
        preference, "pk"
    )


def provider_connection(provider: str) -> Connection | None:
    """The first active connection of `provider`, or None."""
    return active_connections([provider]).first()
