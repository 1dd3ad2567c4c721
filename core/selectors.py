"""Read-only queries behind the dashboard and the record pages' possible-duplicate notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Model, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from core.resources import ResourcePages, allowed, for_model, generated_allowed
from core.resources import services as registered_services
from integrations.models import Connection, DuplicateFlag, OutboxItem
from integrations.models.synced import SyncedRecord
from integrations.outbox.duplicates import (
    duplicate_copies,
    duplicate_flags_of,
    duplicate_flags_open,
    duplicate_flags_open_count,
)
from integrations.services.health import ConnectionHealth, connections_health


def record_open_writes(record: SyncedRecord) -> QuerySet[OutboxItem]:
    """The writes of this record that its provider has not confirmed yet."""
    return OutboxItem.objects.filter(
        record_type=record._meta.label, record_id=record.pk, status__in=OutboxItem.OPEN_STATUSES
    )


def record_open_write(record: SyncedRecord) -> OutboxItem | None:
    """The latest write of this record that its provider has not confirmed yet: what a
    record page says is on its way, and when the person saved it."""
    return record_open_writes(record).order_by("-created_at").first()


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


def connections_health_for(user: Any) -> list[ConnectionHealth]:
    """The health of the connections behind the tools `user` may see, a connected API's
    among them for who may use its pages (as `outbox_of`). Staff see every one: the table
    is the operators' (counts, no records), as the connection health page it links to."""
    everything = connections_health()
    if user.is_staff or user.is_superuser:
        return everything
    providers = {name for r in allowed(user, "view") for name in r.service.providers}
    providers.update(generated_allowed(user, "view"))
    return [health for health in everything if health.connection.provider in providers]


def dashboard_providers(user: Any) -> list[ProviderCard]:
    """One card per service the hub connects (the registered resources' services) with a
    resource the user may see, with its state and record counts."""
    connections = list(Connection.objects.order_by("pk"))
    cards = []
    for service, every in registered_services():
        resources = [r for r in every if r.allows(user, "view")]
        if not resources:
            continue
        connection = _preferred(connections, service.providers)
        state, detail = _state(connection)
        counts = tuple(
            ResourceCount(r.plural, _count(r.model, connection), r.url("list")) for r in resources
        )
        cards.append(ProviderCard(service.name, service.kind, state, detail, counts))
    return cards


def outbox_of(user: Any, action: str) -> QuerySet[OutboxItem]:
    """The outbox rows of the pages `user` may `action` ("view" or "change"): a registered
    resource's by their operation, a connected API's (pages built at run time from its
    document, whose one pair of rights covers every such connection) by their connection's
    provider. Any other row is for superusers only (staff follow their rights, as
    anyone; the admin's Outbox items page lists rows by its own permissions)."""
    items = OutboxItem.objects.all()
    if user.is_superuser:
        return items
    operations = [op for r in allowed(user, action) for op in r.outbox_operations]
    providers = generated_allowed(user, action)
    return items.filter(Q(operation__in=operations) | Q(connection__provider__in=providers))


def outbox_needing_attention(user: Any) -> list[OutboxItem]:
    """The newest stuck writes the user may see (the dashboard's alert)."""
    return list(
        outbox_of(user, "view")
        .filter(status=OutboxItem.Status.NEEDS_ATTENTION)
        .select_related("connection")
        .order_by("-created_at")[:10]
    )


# How long the dashboard shows a write refused after the page that saved it had answered.
REFUSED_LATER_DAYS = 7


def outbox_refused_later(user: Any) -> list[OutboxItem]:
    """The newest writes the user may see that the provider refused after their page had
    answered (on a later attempt by the worker, or as a bulk action's row): no form showed
    why, and a refused create's record is gone from its list. Those of the last week."""
    since = timezone.now() - timedelta(days=REFUSED_LATER_DAYS)
    return list(
        outbox_of(user, "view")
        .filter(status=OutboxItem.Status.FAILED, updated_at__gte=since)
        .filter(Q(attempts__gt=1) | Q(bulk_key__isnull=False))
        .select_related("connection")
        .order_by("-updated_at")[:10]
    )


DASHBOARD_DUPLICATES = 20


@dataclass(frozen=True)
class DuplicateCopy:
    name: str
    remote_id: str
    created_at: datetime | None
    url: str


@dataclass(frozen=True)
class DuplicateNotice:
    """One possible-duplicate flag as a page shows it."""

    flag: DuplicateFlag
    provider: str  # "Recruitee"
    noun: str  # "candidates"
    count: int  # copies at the provider
    copies: tuple[DuplicateCopy, ...]  # the ones to link to
    resource: ResourcePages  # whose change right dismisses it


def duplicates_open(user: Any) -> tuple[list[DuplicateNotice], int]:
    """The newest open possible-duplicate flags of records the user may see, with links to
    every copy, and how many of those are open."""
    types = None
    if not user.is_superuser:
        types = [r.model._meta.label for r in allowed(user, "view") if "detail" in r.pages]
    flags = duplicate_flags_open(limit=DASHBOARD_DUPLICATES, record_types=types)
    return [_notice(flag) for flag in flags], duplicate_flags_open_count(record_types=types)


def duplicates_of(record: SyncedRecord) -> list[DuplicateNotice]:
    """The open flags naming `record`, each linking to the other copies."""
    return [_notice(flag, leave_out=record.pk) for flag in duplicate_flags_of(record)]


def _notice(flag: DuplicateFlag, leave_out: int | None = None) -> DuplicateNotice:
    copies = duplicate_copies(flag)
    resource = for_model(flag.record_type)
    if resource is None:
        raise LookupError(f"No resource with a detail page is registered for {flag.record_type}")
    links = tuple(
        DuplicateCopy(str(c), c.remote_id, c.remote_created_at, resource.url("detail", c.pk))
        for c in copies
        if c.pk != leave_out
    )
    noun = str(type(copies[0])._meta.verbose_name_plural) if copies else "records"
    provider = flag.connection.provider_display
    return DuplicateNotice(flag, provider, noun, len(copies), links, resource)


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


FAILING_CONNECTIONS_KEY = "hub:failing-connections"
# Staff's banner may lag a connection's state by this many seconds (it is computed
# from the rollups at most this often, not on every page).
FAILING_CONNECTIONS_TTL = 30


def failing_connections() -> list[str]:
    """The names of the connections failing or switched off by the hub (staff's banner)."""
    names = cache.get(FAILING_CONNECTIONS_KEY)
    if names is None:
        names = [str(h.connection) for h in connections_health() if h.alarming]
        cache.set(FAILING_CONNECTIONS_KEY, names, FAILING_CONNECTIONS_TTL)
    return names


@receiver([post_save, post_delete], sender=Connection)
def _connections_changed(**kwargs: object) -> None:
    cache.delete_many([SANDBOX_IN_USE_KEY, FAILING_CONNECTIONS_KEY])


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
