"""Read-only queries behind the dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ats.models import Candidate, Offer
from crm.models import Organization, Person
from integrations.models import Connection, OutboxItem
from projects.models import Project


@dataclass(frozen=True)
class ResourceCount:
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class ProviderCard:
    name: str
    kind: str
    state: str  # "connected", "sandbox", "disabled" or "not connected"
    detail: str
    resources: tuple[ResourceCount, ...]


# (card name, kind, provider keys in order of preference, [(label, model, url)])
CARDS: list[tuple[str, str, tuple[str, ...], list[tuple[str, type[Model], str]]]] = [
    (
        "Recruitee",
        "ATS",
        ("recruitee",),
        [("Candidates", Candidate, "/candidates/"), ("Offers", Offer, "/offers/")],
    ),
    (
        "Affinity",
        "CRM",
        ("affinity",),
        [("Organizations", Organization, "/organizations/"), ("Persons", Person, "/persons/")],
    ),
    ("Project tool", "Projects", ("projecttool", "asana"), [("Projects", Project, "/projects/")]),
]


def dashboard_providers() -> list[ProviderCard]:
    """One card per service the hub connects, with its state and record counts."""
    connections = list(Connection.objects.order_by("pk"))
    cards = []
    for name, kind, providers, resources in CARDS:
        connection = _preferred(connections, providers)
        state, detail = _state(connection)
        counts = tuple(
            ResourceCount(label, _count(model, connection), url) for label, model, url in resources
        )
        cards.append(ProviderCard(name, kind, state, detail, counts))
    return cards


def outbox_needing_attention() -> list[OutboxItem]:
    return list(
        OutboxItem.objects.filter(status=OutboxItem.Status.NEEDS_ATTENTION)
        .select_related("connection")
        .order_by("-created_at")[:10]
    )


SANDBOX_IN_USE_KEY = "hub:sandbox-in-use"
# Saving or deleting a connection clears it at once; a queryset update (a
# connection switched off after failed logins) shows within this many seconds.
SANDBOX_IN_USE_TTL = 60


def sandbox_in_use() -> bool:
    """Whether an active connection talks to the sandbox: every page's navbar says so."""
    in_use = cache.get(SANDBOX_IN_USE_KEY)
    if in_use is None:
        in_use = any(c.is_sandbox for c in Connection.objects.filter(is_active=True))
        cache.set(SANDBOX_IN_USE_KEY, in_use, SANDBOX_IN_USE_TTL)
    return in_use


@receiver([post_save, post_delete], sender=Connection)
def _connections_changed(**kwargs: object) -> None:
    cache.delete(SANDBOX_IN_USE_KEY)


def _count(model: type[Model], connection: Connection | None) -> int:
    """The records the provider's pages list: those of the connection they use."""
    if connection is None:
        return 0
    return model.objects.filter(connection=connection, is_deleted=False).count()


def _preferred(connections: list[Connection], providers: tuple[str, ...]) -> Connection | None:
    """The connection the pages use (the first active one, in provider order), else any
    connection of these providers, so a switched-off one shows why."""
    candidates = [c for p in providers for c in connections if c.provider == p]
    return next((c for c in candidates if c.is_active), candidates[0] if candidates else None)


def _state(connection: Connection | None) -> tuple[str, str]:
    if connection is None:
        return "not connected", ""
    if not connection.is_active:
        return "disabled", connection.disabled_reason or "Switched off by an administrator."
    if connection.is_sandbox:
        return "sandbox", f"{connection.provider_display}: local sandbox data"
    return "connected", connection.provider_display
