"""Read-only queries about connections, for pages."""

from __future__ import annotations

from integrations.models import Connection

# Providers whose records share one set of pages, in the order those pages pick
# a connection: the projects pages use the generic project tool, else Asana.
SHARED_PAGES: tuple[tuple[str, ...], ...] = (("projecttool", "asana"),)


def provider_connection(provider: str) -> Connection | None:
    """The first active connection of `provider`, or None."""
    return Connection.objects.filter(provider=provider, is_active=True).order_by("pk").first()


def pages_connection(provider: str) -> Connection | None:
    """The connection the pages showing `provider`'s records use (see SHARED_PAGES), or None.

    Any other connection (inactive, a second account, Asana while the generic
    tool is connected) is reachable from the admin only.
    """
    group = next((names for names in SHARED_PAGES if provider in names), (provider,))
    for name in group:
        if connection := provider_connection(name):
            return connection
    return None


def connection_on_pages(connection: Connection) -> bool:
    """Whether `connection` is the one the pages for its provider use."""
    shown = pages_connection(connection.provider)
    return shown is not None and shown.pk == connection.pk
