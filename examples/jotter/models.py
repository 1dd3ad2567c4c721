"""Jotter records synced into the hub: notes."""

from __future__ import annotations

from django.db import models

from integrations.models.synced import SyncedRecord


class Note(SyncedRecord):
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # Title and body, folded (core.search): what the list's search matches.
    search_text = models.TextField(blank=True)

    class Meta(SyncedRecord.Meta):
        ordering = ["title"]
        indexes = [models.Index(fields=["connection", "is_deleted", "title"])]

    def __str__(self) -> str:
        return self.title
