"""Webhooks: each connection's receiver endpoint, and the inbox of deliveries.

A provider calls `/webhooks/<provider>/<token>/`; the token is unguessable and
names the connection. Signing secrets are encrypted at rest; several are kept at
once so a rotation (a new secret pasted, or a second Asana handshake) never
refuses deliveries still signed with the old one. Every verified delivery is
stored first (`WebhookDelivery`, unique per connection and dedupe key) and
applied later by a worker (integrations/webhooks/apply.py).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from integrations.crypto import EncryptedTextField, UnreadableSecret
from integrations.http.errors import ConfigurationError

# Secrets kept per endpoint: the newest first; older ones are dropped past this.
MAX_SECRETS = 3


def new_token() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    connection = models.OneToOneField(
        "integrations.Connection", on_delete=models.CASCADE, related_name="webhook_endpoint"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    # Newline-separated signing secrets, newest first (see the module docstring).
    secrets = EncryptedTextField("signing secrets", blank=True)
    # Asana: while a subscription is being created, its handshake is expected until then.
    handshake_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"webhook endpoint of {self.connection}"

    @property
    def secrets_problem(self) -> str:
        """Why its signing secrets cannot be used ("" when they can), for people and logs;
        never a secret. Its connection's health shows it (services/health.py)."""
        if not isinstance(self.secrets, UnreadableSecret):
            return ""
        return (
            f"The {self.connection} connection's webhook signing secrets cannot be decrypted: "
            "FIELD_ENCRYPTION_KEY does not include the key they were encrypted with, so its "
            "webhook deliveries are answered 503 until then (the provider retries them for "
            "hours, then may stop sending). Put that key back, or give the secret again "
            "(Recruitee: paste it; others: subscribe again)."
        )

    def secret_list(self) -> list[str]:
        if problem := self.secrets_problem:
            raise ConfigurationError(problem)
        return [line for line in self.secrets.splitlines() if line]

    def secret_add(self, secret: str) -> None:
        """Put `secret` first (kept with at most MAX_SECRETS - 1 older ones; none that
        cannot be decrypted); not saved."""
        older = [] if isinstance(self.secrets, UnreadableSecret) else self.secret_list()
        kept = [s for s in older if s != secret]
        self.secrets = "\n".join([secret, *kept][:MAX_SECRETS])


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", "Received"  # stored, waiting to be applied
        APPLYING = "applying", "Applying"  # a worker holds it until lease_until
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed"  # gave up after WEBHOOK_MAX_ATTEMPTS; replay from the admin

    provider = models.CharField(max_length=32)
    connection = models.ForeignKey(
        "integrations.Connection", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    # Request headers, with signatures and secrets masked.
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    # What makes two deliveries the same event (the provider's id, else a hash).
    dedupe_key = models.CharField(max_length=128)
    received_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)  # the batch that holds it
    # What it changed, for people: "candidates 12 updated; candidates 13 deleted".
    summary = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "dedupe_key"], name="webhook_delivery_unique"
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["-received_at"], name="webhook_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} delivery #{self.pk} ({self.state})"


class WebhookApplyQueue(models.Model):
    """One row: whether a task to apply deliveries is queued. A receiver queues one only
    when none is (`queued` flipped in its own transaction); the task clears it before it
    looks for work, so a delivery is never left without a task to apply it, and a burst
    of deliveries queues one task, not one each."""

    queued = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "webhook apply queue"
