"""The resources this app lists, declared for the sync engine."""

from integrations.sync.resources import SyncedResource

RESOURCES: list[SyncedResource] = []
