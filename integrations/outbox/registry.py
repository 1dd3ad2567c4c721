"""Every outbox operation the hub knows, registered by the apps that declare them.

The integrations package never imports a domain app: each app lists its
operations in `<app>/outbox.py` and registers them from its `AppConfig.ready`
(`register_operations(*OPERATIONS)`), so the registry is complete once Django
has started. One instance per operation serves every delivery.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from integrations.outbox.operations import OutboxOperation

_registered: dict[str, OutboxOperation] = {}


def register_operations(*declared: type[OutboxOperation]) -> None:
    """Add operations under their names. Registering the same class again does
    nothing (Django may run `ready()` twice); another class under a taken name
    is a configuration error."""
    for cls in declared:
        if not cls.name:
            raise ImproperlyConfigured(f"{cls.__qualname__} has no name; set `name`.")
        held = _registered.get(cls.name)
        if held is not None and type(held) is not cls:
            raise ImproperlyConfigured(
                f"Outbox operation {cls.name!r} is registered twice "
                f"({type(held).__qualname__} and {cls.__qualname__}); names must be unique."
            )
        if held is None:
            _registered[cls.name] = cls()


def operations() -> dict[str, OutboxOperation]:
    """Every registered operation by name, in registration order (a copy)."""
    return dict(_registered)


def operation_for(name: str) -> OutboxOperation:
    try:
        return _registered[name]
    except KeyError:
        known = ", ".join(_registered) or "none registered"
        raise LookupError(f"No outbox operation named {name!r}; known: {known}.") from None
