"""Possible duplicates: one outbox create whose identity the provider holds more than once.

The outbox reconciles before re-sending, yet a copy can still slip through (a
provider that answers very late, a person creating the same record at the
provider directly). After each sync `integrations.outbox.duplicates` compares
the connection's recent creates with the synced records and keeps one flag per
identity here. Nothing at the provider is ever deleted: a person looks at the
copies and merges them there, or marks the flag "not a duplicate".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class DuplicateFlag(models.Model):
    connection = models.ForeignKey(
        "integrations.Connection", on_delete=models.CASCADE, related_name="duplicate_flags"
    )
    # The latest create with this identity.
    outbox_item = models.ForeignKey(
        "integrations.OutboxItem", on_delete=models.CASCADE, related_name="duplicate_flags"
    )
    # The copies' model label, e.g. "ats.Candidate" (as OutboxItem.record_type).
    record_type = models.CharField(max_length=64)
    identity_kind = models.CharField(max_length=16)  # "email", "domain", "name"
    identity_value = models.CharField(max_length=320)  # trimmed and lower-cased
    # Where the value must be unique (a project's workspace), "" for the whole connection.
    identity_scope = models.CharField(max_length=64, blank=True)
    # The local primary keys of the synced records holding the identity, ascending.
    record_ids = models.JSONField(default=list)
    detected_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(default=timezone.now)
    # Set when a sync finds one copy (or none) left; cleared if copies come back.
    closed_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The copies a person judged "not a duplicate": a copy outside them reopens the flag.
    dismissed_record_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "record_type", "identity_kind", "identity_value",
                        "identity_scope"],
                name="duplicate_flag_identity_unique",
            )
        ]  # fmt: skip
        indexes = [models.Index(fields=["closed_at", "dismissed_at", "record_type"])]

    def __str__(self) -> str:
        return f"{self.identity_label} ({len(self.record_ids)} copies)"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and self.dismissed_at is None

    @property
    def identity_label(self) -> str:
        """What a person reads, e.g. "email ann@example.com"."""
        return f"{self.identity_kind} {self.identity_value}"
