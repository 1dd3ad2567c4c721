"""Every synced resource the hub knows, in one explicit list."""

from __future__ import annotations

from functools import cache

from integrations.sync.resources import SyncedResource


@cache
def resources() -> dict[str, SyncedResource]:
    # Imported here: the domain apps build on integrations, not the reverse.
    from ats.sync import RESOURCES as ats_resources
    from crm.sync import RESOURCES as crm_resources
    from projects.sync import RESOURCES as project_resources

    declared = [*ats_resources, *crm_resources, *project_resources]
    return {resource.key: resource for resource in declared}


def resource_for(key: str) -> SyncedResource:
    try:
        return resources()[key]
    except KeyError:
        raise LookupError(f"No synced resource named {key!r}") from None
