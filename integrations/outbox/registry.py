"""Every outbox operation the hub knows, in one explicit list."""

from __future__ import annotations

from functools import cache

from integrations.outbox.operations import OutboxOperation


@cache
def operations() -> dict[str, OutboxOperation]:
    # Imported here: the domain apps build on integrations, not the reverse.
    operation_classes: list[type[OutboxOperation]] = []
    return {cls.name: cls() for cls in operation_classes}


def operation_for(name: str) -> OutboxOperation:
    try:
        return operations()[name]
    except KeyError:
        raise LookupError(f"No outbox operation named {name!r}") from None
