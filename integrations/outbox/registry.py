"""Every outbox operation the hub knows, in one explicit list."""

from __future__ import annotations

from functools import cache

from integrations.outbox.operations import OutboxOperation


@cache
def operations() -> dict[str, OutboxOperation]:
    # Imported here: the domain apps build on integrations, not the reverse.
    from ats.outbox import OPERATIONS as ats_operations
    from crm.outbox import OPERATIONS as crm_operations
    from projects.outbox import OPERATIONS as project_operations

    declared: list[type[OutboxOperation]] = [*ats_operations, *crm_operations, *project_operations]
    return {cls.name: cls() for cls in declared}


def operation_for(name: str) -> OutboxOperation:
    try:
        return operations()[name]
    except KeyError:
        raise LookupError(f"No outbox operation named {name!r}") from None
