"""The providers the hub can connect to: an explicit registry, no discovery.

`settings.INTEGRATIONS_PROVIDERS` lists each provider module's `PROVIDER` by
dotted path, in order (a provider added by docs/adding-a-provider.md is one
line there). They are imported here once, by name; nothing registers itself
as a side effect of being imported.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.http.errors import ConfigurationError
from integrations.providers.base import ConnectionConfig, Provider


def load_providers(paths: list[str]) -> dict[str, Provider]:
    """The providers at these dotted paths, by name, in order."""
    loaded: dict[str, Provider] = {}
    for dotted in paths:
        provider = import_string(dotted)
        if not isinstance(provider, Provider) or not provider.name:
            raise ConfigurationError(f"{dotted} is not a Provider instance with a name.")
        if provider.name in loaded:
            raise ConfigurationError(f"Provider {provider.name!r} is listed twice ({dotted}).")
        loaded[provider.name] = provider
    return loaded


PROVIDERS: dict[str, Provider] = load_providers(settings.INTEGRATIONS_PROVIDERS)


def provider_for(name: str) -> Provider:
    try:
        return PROVIDERS[name]
    except KeyError:
        known = ", ".join(PROVIDERS)
        raise ConfigurationError(f"Unknown provider {name!r}; known: {known}.") from None


def provider_choices() -> list[tuple[str, str]]:
    return [(name, provider.display_name) for name, provider in PROVIDERS.items()]


__all__ = [
    "PROVIDERS",
    "ConnectionConfig",
    "Provider",
    "load_providers",
    "provider_choices",
    "provider_for",
]
