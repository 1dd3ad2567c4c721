"""Every synced resource the hub knows, registered by the apps that declare them.

The integrations package never imports a domain app: each app lists its
resources in `<app>/sync.py` and registers them from its `AppConfig.ready`
(`register_resources(*RESOURCES)`), so the registry is complete once Django
has started.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from integrations.providers import PROVIDERS
from integrations.sync.resources import SyncedResource

_registered: dict[str, SyncedResource] = {}


@dataclass(frozen=True)
class ResourceFamily:
    """Synced resources made at run time from data rather than declared in code: those of
    the APIs connected from their document, one key per resource (`openapi:posts`).

    `resource(key)` builds the resource of a key under `prefix` (LookupError if there is
    none); `enabled(connection)` lists the keys a connection syncs on schedule."""

    prefix: str
    provider: str
    resource: Callable[[str], SyncedResource]
    enabled: Callable[[Any], list[str]]


_families: dict[str, ResourceFamily] = {}


def register_family(family: ResourceFamily) -> None:
    """Add a family under its prefix (again: nothing; another under a taken one: an error)."""
    held = _families.get(family.prefix)
    if held is not None and held is not family:
        raise ImproperlyConfigured(f"Synced resource family {family.prefix!r} registered twice.")
    _families[family.prefix] = family


def connection_resources(connection: Any) -> list[SyncedResource]:
    """What a connection syncs on schedule: its provider's resources, and those its
    family enables for it."""
    found = [r for r in _registered.values() if r.provider == connection.provider]
    for family in _families.values():
        if family.provider == connection.provider:
            found.extend(family.resource(key) for key in family.enabled(connection))
    return found


def register_resources(*declared: SyncedResource) -> None:
    """Add resources under their keys. Registering the same object again does
    nothing (Django may run `ready()` twice); another resource under a taken key,
    or one its provider does not declare (`Provider.resources`), is a
    configuration error."""
    for resource in declared:
        provider = PROVIDERS.get(resource.provider)
        if provider is None or resource.label not in provider.resources:
            raise ImproperlyConfigured(
                f"Synced resource {resource.key!r}: provider {resource.provider!r} does not "
                f"declare {resource.label!r} in its resources."
            )
        held = _registered.get(resource.key)
        if held is not None and held is not resource:
            raise ImproperlyConfigured(
                f"Synced resource {resource.key!r} is registered twice "
                f"({held.model.__name__} and {resource.model.__name__}); keys must be unique."
            )
        _registered[resource.key] = resource


def resources() -> dict[str, SyncedResource]:
    """Every registered resource by key, in registration order (a copy)."""
    return dict(_registered)


def resource_for(key: str) -> SyncedResource:
    if key in _registered:
        return _registered[key]
    for prefix, family in _families.items():
        if key.startswith(prefix):
            return family.resource(key)
    known = ", ".join([*_registered, *(f"{prefix}…" for prefix in _families)]) or "none"
    raise LookupError(f"No synced resource named {key!r}; known: {known}.")
