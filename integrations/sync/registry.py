"""Every synced resource the hub knows, registered by the apps that declare them.

The integrations package never imports a domain app: each app lists its
resources in `<app>/sync.py` and registers them from its `AppConfig.ready`
(`register_resources(*RESOURCES)`), so the registry is complete once Django
has started.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from integrations.providers import PROVIDERS
from integrations.sync.resources import SyncedResource

_registered: dict[str, SyncedResource] = {}


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
    try:
        return _registered[key]
    except KeyError:
        known = ", ".join(_registered) or "none registered"
        raise LookupError(f"No synced resource named {key!r}; known: {known}.") from None
