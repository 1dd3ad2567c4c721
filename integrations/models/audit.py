"""The audit trail: who created, changed or deleted which record, when, from which page,
and what the provider answered; and what arrived by sync or webhook.

Why not django-auditlog: it records model saves through signals, but the hub's writes are
not facts until the provider answers (the local save is a pending copy), the sync and the
webhooks write through one prepared upsert that sends no signals, and neither the page a
person used nor the provider's answer is on the model. The outbox row holds the user, the
operation and the answer, but not the page, the old values, or anything that arrived from
the provider. So an entry is written beside each outbox row (`integrations.audit`) and
answered when the row ends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"

    class Source(models.TextChoices):
        HUB = "hub", "In the hub"
        SYNC = "sync", "Sync"
        WEBHOOK = "webhook", "Webhook"

    class Outcome(models.TextChoices):
        WAITING = "waiting", "Waiting to be sent"
        SENT = "sent", "Sent"
        REFUSED = "refused", "Refused"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        DISMISSED = "dismissed", "Dismissed"  # a person ended the write: never sent
        ARRIVED = "arrived", "From the provider"

    connection = models.ForeignKey(
        "integrations.Connection", on_delete=models.CASCADE, related_name="audit_entries"
    )
    # The record, as "app_label.Model" and primary key; a generated API's record (no local
    # copy) as "apis:<resource>" and its id at the API.
    record_type = models.CharField(max_length=64)
    record_id = models.CharField(max_length=64, blank=True)
    record_label = models.CharField(max_length=200, blank=True)  # "Jane Doe", when it was
    action = models.CharField(max_length=10, choices=Action.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.HUB)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    page = models.CharField(max_length=200, blank=True)  # the view's URL name, else its path
    # [{"field": "name", "old": "Ann", "new": "Anna"}]; secrets never.
    changes = models.JSONField(default=list, blank=True)
    outbox_item = models.ForeignKey(
        "integrations.OutboxItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.WAITING)
    answer = models.TextField(blank=True)  # the provider's answer, in plain words
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["record_type", "record_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.record_label or self.record_type} #{self.pk}"

    @property
    def who(self) -> str:
        """ "Ann Lee", or "from Recruitee (sync)" for what arrived from the provider."""
        if self.source != self.Source.HUB:
            return f"from {self.connection.provider_display} ({self.source})"
        if self.user is None:
            return "unknown (no signed-in user, or the account was removed)"
        return self.user.get_full_name() or self.user.get_username()
