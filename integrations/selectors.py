"""Read-only queries about connections, for pages."""

from __future__ import annotations

from integrations.models import Connection


def provider_connection(provider: str) -> Connection | None:
    """The first active connection of `provider`, or None."""
    return Connection.objects.filter(provider=provider, is_active=True).order_by("pk").first()
