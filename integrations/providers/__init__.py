"""The providers the hub can connect to: an explicit registry, no discovery."""

from __future__ import annotations

from integrations.http.errors import ConfigurationError
from integrations.providers import affinity, asana, openapi, projecttool, recruitee
from integrations.providers.base import ConnectionConfig, Provider

PROVIDERS: dict[str, Provider] = {
    "recruitee": recruitee.PROVIDER,
    "affinity": affinity.PROVIDER,
    "projecttool": projecttool.PROVIDER,
    "asana": asana.PROVIDER,
    "openapi": openapi.PROVIDER,
}


def provider_for(name: str) -> Provider:
    try:
        return PROVIDERS[name]
    except KeyError:
        known = ", ".join(PROVIDERS)
        raise ConfigurationError(f"Unknown provider {name!r}; known: {known}.") from None


def provider_choices() -> list[tuple[str, str]]:
    return [(name, provider.display_name) for name, provider in PROVIDERS.items()]


__all__ = ["PROVIDERS", "ConnectionConfig", "Provider", "provider_choices", "provider_for"]
